import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { DatasetSpec } from "../dataset/spec.js";

/** What the transform did, for the run report. */
export interface TransformReport {
  rows: number;
  /** Area codes not in the spec, with their row counts (encoded as null; validation rejects them). */
  unknownAreas: Record<string, number>;
}

/**
 * Raw source rows -> the canonical feature table, as the reference did: rename to
 * `datetime_utc, area, consumer_type, energy_consumption`, parse the UTC hour to epoch ms, encode
 * the price area (DK=0, DK1=1, DK2=2 for DE35), keep consumer type and value as numbers.
 *
 * Pure: never throws on bad values; anything odd is left for validation to report (an unknown area
 * becomes null, an unparseable time NaN), so the rejected extract can be quarantined whole.
 */
export function transformRaw(raw: ColumnTable, spec: DatasetSpec): { table: ColumnTable; report: TransformReport } {
  const n = raw.numRows();
  const time = raw.column(spec.columns.timeUtc)!;
  const area = raw.column(spec.columns.area)!;
  const consumer = raw.column(spec.columns.consumerType)!;
  const value = raw.column(spec.columns.value)!;
  const datetime = new Float64Array(n);
  const areaCode: Array<number | null> = new Array(n);
  const consumerType: Array<number | null> = new Array(n);
  const consumption: Array<number | null> = new Array(n);
  const unknownAreas: Record<string, number> = {};
  const codes = new Map(Object.entries(spec.areas));
  for (let i = 0; i < n; i++) {
    datetime[i] = parseUtcHour(time.at(i));
    const a = String(area.at(i));
    const code = codes.get(a);
    if (code === undefined) unknownAreas[a] = (unknownAreas[a] ?? 0) + 1;
    areaCode[i] = code ?? null;
    const c = consumer.at(i);
    consumerType[i] = c === null || c === undefined ? null : Number(c);
    const v = value.at(i);
    consumption[i] = v === null || v === undefined ? null : Number(v);
  }
  const table = aq.table({
    datetime_utc: Array.from(datetime),
    area: areaCode,
    consumer_type: consumerType,
    energy_consumption: consumption,
  }) as ColumnTable;
  return { table, report: { rows: n, unknownAreas } };
}

/** `2022-12-21T16:00:00` (UTC, no offset) or epoch ms -> epoch ms; NaN when unparseable. */
export function parseUtcHour(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return NaN;
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : v + "Z");
}
