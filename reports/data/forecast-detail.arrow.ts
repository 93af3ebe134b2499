/**
 * What the Forecasts page draws, as an Arrow file: one row per total (first, `series` -1) and per
 * detailed series (`series`: its row in forecast-series.arrow), with its `label`, `obs` (the
 * week's observations on the grid of forecasts.json), the latest forecast by step (`p`, and the
 * bounds `l80`, `u80`, `l95`, `u95`; null when the latest run did not forecast it) and `past`,
 * earlier runs' point forecasts (forecasts.json's origin slot o, step k at o x horizon + k). No
 * rows for an empty store.
 */
import type { Vector } from "apache-arrow";
import { integers, numberLists, runArrowLoader, texts } from "./lib/arrow.js";
import { forecastPage } from "./lib/forecast-page.js";

runArrowLoader("forecast-detail.arrow", async (ctx) => {
  const page = await forecastPage(ctx);
  if (!page) return { label: texts([]) };
  const { detail, grid, origins } = page;
  const horizon = page.latest?.horizon ?? 0;
  const columns: Record<string, Vector> = {
    series: integers(detail.map((d) => d.series)),
    label: texts(detail.map((d) => d.label)),
    obs: numberLists(
      detail.map((d) => d.obs),
      grid.hours,
    ),
  };
  if (horizon > 0) {
    for (const band of ["p", "l80", "u80", "l95", "u95"] as const) {
      columns[band] = numberLists(
        detail.map((d) => (d.fc ? d.fc[band] : null)),
        horizon,
      );
    }
  }
  if (horizon > 0 && origins.length > 0) {
    columns.past = numberLists(
      detail.map((d) => d.past),
      origins.length * horizon,
    );
  }
  return columns;
});
