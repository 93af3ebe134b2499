/**
 * The Monitoring page's series table as an Arrow file: the 300 worst series by MAPE (of every
 * series monitoring scored), each with its key values (`k0`, `k1`... as stored), their titles
 * (`p0`, `p1`...), its label, forecasts scored, MAPE, RMSPE, 80 % and 95 % coverage, and `daily`:
 * its MAPE on each sparkline day (monitoring.json's `sparkDays`; empty list when monitoring stored
 * no daily errors yet). No rows before anything was scored.
 */
import { categories, integers, keyColumn, numberLists, numbers, runArrowLoader, texts } from "./lib/arrow.js";
import { readByTime, sparkDays, worstSeries } from "./lib/monitoring-tables.js";
import { featureGroup } from "./lib/store.js";

runArrowLoader("monitoring-worst.arrow", async (ctx) => {
  const { info } = await featureGroup(ctx);
  const byTime = await readByTime(ctx.storage);
  const days = byTime ? sparkDays(byTime) : [];
  const { series } = byTime ? await worstSeries(ctx.storage, info, days) : { series: [] };
  return {
    ...Object.fromEntries(info.keys.map((_, k) => [`k${k}`, keyColumn(series.map((s) => s.key[k]), info, k)])),
    ...Object.fromEntries(info.keys.map((_, k) => [`p${k}`, categories(series.map((s) => s.parts[k]))])),
    label: texts(series.map((s) => s.label)),
    n: integers(series.map((s) => s.n)),
    mape: numbers(series.map((s) => s.mape)),
    rmspe: numbers(series.map((s) => s.rmspe)),
    cov80: numbers(series.map((s) => s.cov80)),
    cov95: numbers(series.map((s) => s.cov95)),
    // Series without a scored day in the window (or a store without daily errors): no list.
    daily: numberLists(
      series.map((s) => (s.daily.length ? s.daily : null)),
      days.length,
    ),
  };
});
