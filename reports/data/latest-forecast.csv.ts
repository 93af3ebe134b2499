/** The latest forecast of every series, with its 80 % and 95 % bounds, as CSV (a download of the Forecasts page). */
import { latestForecast, runDownload } from "./lib/downloads.js";

runDownload("latest-forecast.csv", "csv", latestForecast);
