/**
 * The Forecasts page's chart of one series or total: the week's measurements, the latest forecast
 * with its 80 % and 95 % bands, and (optionally) earlier runs' forecasts of the same hours.
 */
import { chart, utcTime, utcTooltip } from "./vl.js";
import { chartRows, type Drawn, type ForecastMeta } from "./forecast-series.js";
import { perHour, VALUE_FORMAT } from "./format.js";

/** Draws `s` as chart `name` (`data-chart`), titled `title`, in the dataset's `unit`. */
export function forecastChart(
  name: string,
  s: Drawn,
  meta: ForecastMeta,
  { title, unit, past = true, height = 320 }: { title: string; unit: string; past?: boolean; height?: number },
): HTMLElement {
  const { obs, latest, band, earlier } = chartRows(s, meta, { past });
  const x = utcTime("t");
  const y = { field: "v", type: "quantitative", title: perHour(unit), axis: { format: "~s" }, scale: { zero: false } };
  const color = {
    field: "kind",
    type: "nominal",
    title: null,
    scale: { domain: ["measured", "latest forecast", "earlier forecasts"], range: ["#222", "#1f77b4", "#e377c2"] },
  };
  const lastObs = obs.length ? obs[obs.length - 1].t : null;
  return chart(name, () => ({
    height,
    title,
    layer: [
      {
        data: { values: band },
        mark: { type: "area", opacity: 0.14, color: "#1f77b4" },
        encoding: {
          x,
          y: { field: "l95", type: "quantitative" },
          y2: { field: "u95" },
          tooltip: [
            utcTooltip("t"),
            { field: "l95", title: `95 % low, ${unit}`, format: VALUE_FORMAT },
            { field: "u95", title: `95 % high, ${unit}`, format: VALUE_FORMAT },
          ],
        },
      },
      {
        data: { values: band },
        mark: { type: "area", opacity: 0.28, color: "#1f77b4" },
        encoding: {
          x,
          y: { field: "l80", type: "quantitative" },
          y2: { field: "u80" },
          tooltip: [
            utcTooltip("t"),
            { field: "l80", title: `80 % low, ${unit}`, format: VALUE_FORMAT },
            { field: "u80", title: `80 % high, ${unit}`, format: VALUE_FORMAT },
          ],
        },
      },
      {
        data: { values: earlier },
        mark: { type: "line", strokeWidth: 1, opacity: 0.75 },
        encoding: {
          x,
          y,
          color,
          detail: { field: "origin" },
          tooltip: [utcTooltip("t"), { field: "origin", title: "forecast made at" }, { field: "v", title: unit, format: VALUE_FORMAT }],
        },
      },
      {
        data: { values: obs },
        mark: { type: "line", strokeWidth: 1.8 },
        encoding: { x, y, color, tooltip: [utcTooltip("t"), { field: "v", title: `measured, ${unit}`, format: VALUE_FORMAT }] },
      },
      {
        data: { values: latest },
        mark: { type: "line", strokeWidth: 2, point: { size: 12 } },
        encoding: { x, y, color, tooltip: [utcTooltip("t"), { field: "v", title: `forecast, ${unit}`, format: VALUE_FORMAT }] },
      },
      ...(lastObs === null ? [] : [{ data: { values: [{ t: lastObs }] }, mark: { type: "rule", strokeDash: [2, 2], color: "#888" }, encoding: { x } }]),
    ],
  }));
}
