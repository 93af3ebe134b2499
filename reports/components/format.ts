/** Formatting shared by the pages: UTC times, percentages, counts, durations. */

/** `2023-01-14 22:00 UTC` (null-safe). */
export function utc(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "–";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `2023-01-14` of a UTC instant. */
export function utcDay(value: string | number): string {
  return new Date(value).toISOString().slice(0, 10);
}

/** A fraction as a percentage, `7.04 %`. */
export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : `${(v * 100).toFixed(digits)} %`;
}

/** A whole number with thousands separators. */
export function int(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : Math.round(v).toLocaleString("en-US");
}

/** Milliseconds as `850 ms`, `12.3 s` or `4 min 05 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** Hours between two instants, as `3 h` or `2.5 days`. */
export function age(fromIso: string | number, toIso: string | number): string {
  const h = (new Date(toIso).getTime() - new Date(fromIso).getTime()) / 3_600_000;
  if (!Number.isFinite(h)) return "–";
  if (Math.abs(h) < 1) return `${Math.round(h * 60)} min`;
  if (Math.abs(h) < 48) return `${h.toFixed(h < 10 ? 1 : 0)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

/**
 * The unit to show values up to `max` in: energy and power units move up a prefix while the
 * numbers would have five digits or more (3,500,000 kWh reads as 3,500 MWh). Returns that unit and
 * the divisor; other units stay as they are.
 */
export function scaleUnit(unit: string, max: number): { unit: string; factor: number } {
  const m = /^(k|M|G)?(Wh|W)$/.exec(unit);
  if (!m || !Number.isFinite(max)) return { unit, factor: 1 };
  const prefixes = ["", "k", "M", "G", "T"];
  let p = prefixes.indexOf(m[1] ?? "");
  let factor = 1;
  while (p < prefixes.length - 1 && Math.abs(max) / factor >= 10_000) {
    factor *= 1000;
    p++;
  }
  return { unit: prefixes[p] + m[2], factor };
}

/** An axis title for hourly values: `MWh per hour` for energy, `MW` (the hour's mean) for power. */
export function perHour(unit: string): string {
  return /Wh$/.test(unit) ? `${unit} per hour` : unit;
}

/** The key columns of a dataset for prose: `MunicipalityNo × Branche`. */
export function keyList(dataset: { keys: Array<{ name: string }> }): string {
  return dataset.keys.map((k) => k.name).join(" × ");
}

/** The d3/vega-lite format of measured and forecast values in tooltips: thousands separators, no trailing zeros. */
export const VALUE_FORMAT = ",~f";

/** A value rounded as the loaders round them: whole from 1,000 up, four significant digits below. */
export function rounded(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Math.abs(v) >= 1000 ? Math.round(v) : Number(v.toPrecision(4));
}
