import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import { featureColumns, TIME_COLUMN, VALUE_COLUMN, type DatasetSpec } from "../dataset/spec.js";
import type { KeyValue } from "../series/key.js";
import type { DstCounts } from "../time/index.js";
import type { RawColumns } from "./records.js";

/** What the transform did, for the run report. */
export interface TransformReport {
  rows: number;
  /** Per coded key column: source texts not in its codes, with their row counts (encoded as null; validation rejects them). */
  unknownCodes: Record<string, Record<string, number>>;
  /** Wall times that needed a daylight-saving rule (never dropped). */
  dst: DstCounts;
}

/**
 * Raw source columns -> the canonical feature table `datetime_utc, <keys>, energy_consumption`:
 * the UTC hour as epoch ms, key columns under their stored names (coded keys such as DE35's price
 * area through their code table), the value as a number.
 *
 * Never throws on bad values; anything odd is left for validation to report (an unknown code
 * becomes null), so the rejected extract can be quarantined whole. The one exception is a unit
 * column holding another unit than the dataset's: the numbers cannot be compared at all.
 */
export function transformRaw(raw: RawColumns, spec: DatasetSpec): { table: ColumnTable; report: TransformReport } {
  const n = raw.times.length;
  checkUnits(raw, spec);
  const unknownCodes: Record<string, Record<string, number>> = {};
  const data: Record<string, ArrayLike<unknown>> = { [TIME_COLUMN]: Float64Array.from(raw.times) };
  spec.keys.forEach((key, k) => {
    const src = raw.keys[k];
    if (key.codes) {
      const codes = new Map(Object.entries(key.codes));
      const out = new Array<number | null>(n);
      for (let i = 0; i < n; i++) {
        const code = codes.get(String(src[i]));
        if (code === undefined) {
          const u = (unknownCodes[key.source] ??= {});
          u[String(src[i])] = (u[String(src[i])] ?? 0) + 1;
        }
        out[i] = code ?? null;
      }
      data[key.name] = out;
    } else {
      data[key.name] = src as KeyValue[];
    }
  });
  data[VALUE_COLUMN] = raw.value.map((v) => (v === null || v === undefined ? null : Number(v)));
  const table = aq.table(data as Record<string, unknown[]>, featureColumns(spec)) as ColumnTable;
  return { table, report: { rows: n, unknownCodes, dst: { ...raw.dst } } };
}

function checkUnits(raw: RawColumns, spec: DatasetSpec): void {
  if (!spec.unitColumn || !raw.unit) return;
  const counts = new Map<string, number>();
  for (const u of raw.unit) counts.set(u, (counts.get(u) ?? 0) + 1);
  const others = [...counts.keys()].filter((u) => u !== spec.value.unit);
  if (others.length > 0) {
    const found = [...counts].map(([u, c]) => `${u} (${c} rows)`).join(", ");
    throw new PipelineError(
      "ingest",
      `the unit column "${spec.unitColumn}" holds ${found}; expected every row in ${spec.value.unit} (--unit); convert the file to one unit or ingest each unit into its own store`,
    );
  }
}
