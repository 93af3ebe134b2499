/**
 * Every series of the Forecasts page's week as an Arrow file, in key order: its key values (`k0`,
 * `k1`... as stored) and their titles (`p0`, `p1`...), `label`, `total` (the week's observations),
 * `mape` and `recent_mape` (monitoring's, fractions), `model` of its latest forecast (null: stale),
 * `detail` (its row in forecast-detail.arrow, -1 when not drawn in detail) and `forecast`, its
 * latest point forecast by step (lib/forecast-page.ts says when it is shipped). No rows for an
 * empty store.
 */
import { categories, integers, keyColumn, numberLists, numbers, runArrowLoader, texts } from "./lib/arrow.js";
import { forecastPage } from "./lib/forecast-page.js";

runArrowLoader("forecast-series.arrow", async (ctx) => {
  const page = await forecastPage(ctx);
  if (!page) return { label: texts([]) };
  const { series, info } = page;
  const horizon = page.latest?.horizon ?? 0;
  return {
    ...Object.fromEntries(info.keys.map((_, k) => [`k${k}`, keyColumn(series.map((s) => s.key[k]), info, k)])),
    ...Object.fromEntries(info.keys.map((_, k) => [`p${k}`, categories(series.map((s) => s.parts[k]))])),
    label: texts(series.map((s) => s.label)),
    total: numbers(series.map((s) => s.total)),
    mape: numbers(series.map((s) => s.mape)),
    recent_mape: numbers(series.map((s) => s.recentMape)),
    model: categories(series.map((s) => s.model)),
    detail: integers(series.map((s) => s.detail)),
    ...(horizon > 0 ? { forecast: numberLists(series.map((s) => s.forecast), horizon) } : {}),
  };
});
