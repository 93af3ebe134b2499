/** The monitoring errors of every series, worst first, as CSV (a download of the Monitoring page). */
import { monitoringSeries, runDownload } from "./lib/downloads.js";

runDownload("monitoring-series.csv", "csv", monitoringSeries);
