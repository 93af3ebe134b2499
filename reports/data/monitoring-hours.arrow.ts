/**
 * The Monitoring page's errors per target hour of the last 60 days (monitoring's
 * `metrics_monitoring.parquet`), as an Arrow file: hour (epoch ms), forecasts scored, MAPE,
 * trailing 7-day MAPE, 80 % and 95 % coverage, trailing 7-day 80 % coverage (fractions). No rows
 * before anything was scored.
 */
import { integers, numbers, runArrowLoader } from "./lib/arrow.js";
import { readByTime, recentHours } from "./lib/monitoring-tables.js";
import { col, frac } from "./lib/store.js";

runArrowLoader("monitoring-hours.arrow", async (ctx) => {
  const byTime = await readByTime(ctx.storage);
  const recent = byTime ? recentHours(byTime) : undefined;
  const fracs = (name: string) => (recent ? col<number | null>(recent, name).map(frac) : []);
  return {
    // Epoch milliseconds do not fit a float32: numbers() ships them as float64.
    t: numbers(recent ? col(recent, "datetime_utc") : []),
    n: integers(recent ? col(recent, "n") : []),
    mape: numbers(fracs("mape")),
    mape7d: numbers(fracs("mape_7d")),
    cov80: numbers(fracs("coverage_80")),
    cov95: numbers(fracs("coverage_95")),
    cov80_7d: numbers(fracs("coverage_80_7d")),
  };
});
