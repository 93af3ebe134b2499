// Parquet write/read throughput for a feature table of N rows (default 2,000,000).
import * as aq from "arquero";
import { readParquet } from "../src/pipeline/parquet/read.js";
import { featureSchema, LEGACY_DE35_INFO } from "../src/pipeline/dataset/spec.js";

const FEATURE_SCHEMA = featureSchema(LEGACY_DE35_INFO.keys);
import { writeParquet } from "../src/pipeline/parquet/write.js";
import { best, peakMb, report, rng } from "./util.js";

const n = Number(process.env.BENCH_ROWS ?? 2_000_000);
const random = rng(42);
const series = 76;
const t0 = Date.UTC(2020, 0, 1);
const table = aq.table({
  datetime_utc: Float64Array.from({ length: n }, (_, i) => t0 + Math.floor(i / series) * 3_600_000),
  area: Int8Array.from({ length: n }, (_, i) => 1 + (i % series >= 38 ? 1 : 0)),
  consumer_type: Int32Array.from({ length: n }, (_, i) => 100 + (i % 38)),
  energy_consumption: Float64Array.from({ length: n }, () => Math.round(random() * 1e6)),
});

const write = await best(3, () => writeParquet(table, FEATURE_SCHEMA));
const bytes = write.result;
const read = await best(3, () => readParquet(bytes, FEATURE_SCHEMA));
if (read.result.numRows() !== n) throw new Error(`bench: read ${read.result.numRows()} rows, expected ${n}`);
report("parquet write", { rows: n, seconds: write.seconds.toFixed(3), rowsPerSecond: Math.round(n / write.seconds), mb: (bytes.byteLength / 1e6).toFixed(1) });
report("parquet read", { rows: n, seconds: read.seconds.toFixed(3), rowsPerSecond: Math.round(n / read.seconds) });
report("parquet peak memory", { peakMB: peakMb() });
