/**
 * The Forecasts page's series and totals, from its three files (forecasts.json and the Arrow files
 * forecast-series.arrow and forecast-detail.arrow, written by reports/data/lib/forecast-page.ts),
 * and the rows its charts draw of one of them.
 */
import type { Table } from "apache-arrow";
import { columns } from "./arrow.js";
import { utc } from "./format.js";

type Num = number | null;

/** The page's meta data (forecasts.json's `data`), as far as these functions read it. */
export interface ForecastMeta {
  dataset: { keys: Array<{ name: string }> };
  grid: { start: number; hours: number };
  latest: { origin: number; horizon: number } | null;
  origins: number[];
}

/** The latest forecast of a series or total, by step; bounds null where there is none. */
export interface Forecast {
  p: Num[];
  l80: Num[];
  u80: Num[];
  l95: Num[];
  u95: Num[];
}

/** A series or a total as the page draws it. */
export interface Drawn {
  label: string;
  /** The week's observations on the grid; null when not shipped (a series not drawn in detail). */
  obs: Num[] | null;
  /** The latest forecast; null when the latest run did not forecast it. */
  fc: Forecast | null;
  /** Earlier runs' point forecasts: origin slot and values by step. */
  past: Array<{ o: number; p: Num[] }>;
}

/** A series: its key, their titles, its errors and model, and what the page has to draw of it. */
export interface PageSeries extends Drawn {
  key: Array<string | number>;
  parts: string[];
  total: number;
  mape: Num;
  recentMape: Num;
  model: string | null;
  /** Whether its measurements, bounds and earlier runs were shipped. */
  detailed: boolean;
}

/** The series (in key order) and the totals of the page. */
export function pageSeries(meta: ForecastMeta, seriesTable: Table, detailTable: Table): { series: PageSeries[]; totals: Drawn[] } {
  const s = columns(seriesTable);
  const t = columns(detailTable);
  const horizon = meta.latest?.horizon ?? 0;
  const drawn: Drawn[] = (t.label ?? []).map((label, i) => {
    const p = t.p?.[i] as Num[] | null | undefined;
    const past = (t.past?.[i] as Num[] | null | undefined) ?? [];
    return {
      label: label as string,
      obs: t.obs[i] as Num[],
      fc: p ? { p, l80: t.l80[i] as Num[], u80: t.u80[i] as Num[], l95: t.l95[i] as Num[], u95: t.u95[i] as Num[] } : null,
      past: meta.origins.flatMap((_, o) => {
        const values = past.slice(o * horizon, (o + 1) * horizon);
        return values.some((v) => v !== null) ? [{ o, p: values }] : [];
      }),
    };
  });
  const keys = meta.dataset.keys.map((_, k) => s[`k${k}`] ?? []);
  const parts = meta.dataset.keys.map((_, k) => s[`p${k}`] ?? []);
  const series = (s.label ?? []).map((label, i): PageSeries => {
    const row = s.detail[i] as number;
    const forecast = s.forecast?.[i] as Num[] | null | undefined;
    const base =
      row >= 0 ? drawn[row] : { label: label as string, obs: null, fc: forecast ? { p: forecast, l80: [], u80: [], l95: [], u95: [] } : null, past: [] };
    return {
      ...base,
      key: keys.map((c) => c[i] as string | number),
      parts: parts.map((c) => c[i] as string),
      total: s.total[i] as number,
      mape: s.mape[i] as Num,
      recentMape: s.recent_mape[i] as Num,
      model: s.model[i] as string | null,
      detailed: row >= 0,
    };
  });
  const totals = drawn.filter((_, i) => !((t.series[i] as number) >= 0));
  return { series, totals };
}

/** A point of a chart. */
export interface Point {
  t: number;
  v: Num;
  kind: string;
  l80?: Num;
  u80?: Num;
  l95?: Num;
  u95?: Num;
  /** When an earlier forecast was made (UTC text). */
  origin?: string;
}

/** The rows a chart draws of `s`: observations, the latest forecast, its band, and (with `past`) earlier runs. */
export function chartRows(
  s: Drawn,
  meta: ForecastMeta,
  { past = true }: { past?: boolean } = {},
): { obs: Point[]; latest: Point[]; band: Point[]; earlier: Point[] } {
  const H = 3_600_000;
  const obs = (s.obs ?? []).map((v, i) => ({ t: meta.grid.start + i * H, v, kind: "measured" })).filter((r) => r.v !== null);
  const latest =
    s.fc && meta.latest
      ? s.fc.p
          .map((p, k) => ({
            t: meta.latest!.origin + (k + 1) * H,
            v: p,
            l80: s.fc!.l80[k] ?? null,
            u80: s.fc!.u80[k] ?? null,
            l95: s.fc!.l95[k] ?? null,
            u95: s.fc!.u95[k] ?? null,
            kind: "latest forecast",
          }))
          .filter((r) => r.v !== null)
      : [];
  const earlier = past
    ? s.past.flatMap(({ o, p }) =>
        p.map((v, k) => ({ t: meta.origins[o] + (k + 1) * H, v, kind: "earlier forecasts", origin: utc(meta.origins[o]) })).filter((r) => r.v !== null),
      )
    : [];
  // Baseline forecasts (new series) have no interval: the bands draw only where there is one.
  const band = latest.filter((r) => r.l95 !== null && r.u95 !== null);
  return { obs, latest, band, earlier };
}

/** The series to show first: the worst by recent MAPE (by MAPE when there is no recent one), else the largest. */
export function worstOf<S extends PageSeries>(series: S[]): S | undefined {
  const score = (s: S) => s.recentMape ?? s.mape;
  let best: S | undefined;
  for (const s of series) {
    const a = score(s);
    const b = best ? score(best) : null;
    if (!best || (a !== null && (b === null || a > b)) || (a === null && b === null && s.total > best.total)) best = s;
  }
  return best;
}
