/** The monitoring errors of every series, worst first, as parquet (a download of the Monitoring page). */
import { monitoringSeries, runDownload } from "./lib/downloads.js";

runDownload("monitoring-series.parquet", "parquet", monitoringSeries);
