import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { readFileSync, writeFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { writeParquet } from "../../../src/pipeline/parquet/write.js";
import { parquetSchema, readParquet } from "../../../src/pipeline/parquet/read.js";
import { arrowType, type TableSchema } from "../../../src/pipeline/parquet/schema.js";
import { rowGroupRows, splicedParquet } from "../../../src/pipeline/parquet/splice.js";
import * as pw from "parquet-wasm";
import { featureSchema, keyColumns } from "../../../src/pipeline/dataset/spec.js";
import { loadPreset } from "../../../src/pipeline/dataset/preset.js";

/** The DE35 preset's feature table schema: the reference's four columns and types. */
const FEATURE_SCHEMA = featureSchema(keyColumns(loadPreset("de35")));

const golden = new URL("./golden/features.parquet", import.meta.url);

/** A table encoded through arquero's own Arrow builder, then parquet-wasm: what writeParquet must equal byte for byte. */
const viaArquero = (t: ColumnTable, schema: TableSchema) => {
  const types = Object.fromEntries(schema.map(([name, type]) => [name, arrowType(type)]));
  const ipc = aq.toArrowIPC(t, { columns: schema.map(([name]) => name), types });
  return pw.writeParquet(pw.Table.fromIPCStream(ipc), new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build());
};

const features = () =>
  aq.table({
    datetime_utc: [Date.UTC(2023, 0, 1, 0), Date.UTC(2023, 0, 1, 1), Date.UTC(2023, 0, 1, 0)],
    area: [1, 1, 2],
    consumer_type: [111, 111, 999],
    energy_consumption: [132199, 131002.5, null],
  });

describe("parquet", () => {
  it("writes the golden file byte for byte (format stability)", () => {
    // After an intended format change, regenerate with: UPDATE_GOLDEN=1 npx vitest run test/pipeline/parquet
    const bytes = writeParquet(features(), FEATURE_SCHEMA);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, bytes);
    expect(Buffer.from(bytes).equals(readFileSync(golden))).toBe(true);
  });

  it("reads the golden file back with values and types intact", () => {
    const table = readParquet(readFileSync(golden), FEATURE_SCHEMA);
    expect(table.columnNames()).toEqual(["datetime_utc", "area", "consumer_type", "energy_consumption"]);
    expect(table.objects()).toEqual(features().objects());
    expect(parquetSchema(readFileSync(golden))).toEqual(FEATURE_SCHEMA.map(([n, t]) => [n, t]));
  });

  it("is read by DuckDB as a UTC timestamp, int8, int32 and double", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const path = new URL(golden).pathname;
    const schema = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    expect(schema.getRows().map((r) => [r[0], r[1]])).toEqual([
      ["datetime_utc", "TIMESTAMP WITH TIME ZONE"],
      ["area", "TINYINT"],
      ["consumer_type", "INTEGER"],
      ["energy_consumption", "DOUBLE"],
    ]);
    const rows = await con.runAndReadAll(
      `SELECT epoch_ms(datetime_utc) AS t, area, consumer_type, energy_consumption FROM read_parquet('${path}') ORDER BY area, t`,
    );
    expect(rows.getRows()).toEqual([
      [BigInt(Date.UTC(2023, 0, 1, 0)), 1, 111, 132199],
      [BigInt(Date.UTC(2023, 0, 1, 1)), 1, 111, 131002.5],
      [BigInt(Date.UTC(2023, 0, 1, 0)), 2, 999, null],
    ]);
    con.closeSync();
  });

  it("round-trips strings, booleans and an empty table", () => {
    const schema: TableSchema = [
      ["name", "utf8"],
      ["ok", "bool"],
      ["n", "int16"],
    ];
    const t = aq.table({ name: ["a", "ø", null], ok: [true, false, null], n: [-5, 300, 0] });
    expect(readParquet(writeParquet(t, schema), schema).objects()).toEqual(t.objects());
    const empty = aq.table({ name: [], ok: [], n: [] });
    expect(readParquet(writeParquet(empty, schema), schema).numRows()).toBe(0);
  });

  it("writes text columns byte for byte as arquero's own Arrow path does, for filtered and ordered tables with nulls and repeats", () => {
    const schema: TableSchema = [
      ["k", "utf8"],
      ["x", "float64"],
      ["only", "utf8"],
    ];
    const t = aq
      .table({ k: ["b", "å", null, "b", "日本", "b", ""], x: [1, 2, 3, 4, 5, 6, 7], only: ["p", "q", "r", "s", null, "u", "v"] })
      .filter((d: { x: number }) => d.x !== 4)
      .orderby(aq.desc("x"));
    const ours = writeParquet(t, schema);
    expect(Buffer.from(ours).equals(Buffer.from(viaArquero(t, schema)))).toBe(true);
    expect(readParquet(ours, schema).objects()).toEqual(t.objects());
    expect(t.array("k")).toEqual(["", "b", "日本", null, "å", "b"]);
  });

  it("writes typed-array columns byte for byte as arquero's own Arrow path does, and reads numeric columns back as typed arrays", () => {
    const schema: TableSchema = [
      ["datetime_utc", "timestamp"],
      ["area", "int32"],
      ["k", "utf8"],
      ["x", "float64"],
    ];
    // Before 1970, the epoch itself, now and far ahead: the int64 halves of each, negative ones too.
    const hours = [Date.UTC(1969, 11, 31, 23), 0, Date.UTC(2023, 0, 1, 2), Date.UTC(2400, 0, 1, 3)];
    const columns = { datetime_utc: hours, area: [7, -1, 2147483647, 0], k: ["a", "a", "b", "c"], x: [1.5, NaN, -0, 4] };
    const plain = aq.table(columns);
    const typed = aq.table({ ...columns, datetime_utc: Float64Array.from(hours), area: Int32Array.from(columns.area), x: Float64Array.from(columns.x) });
    const ours = writeParquet(typed, schema);
    expect(Buffer.from(ours).equals(Buffer.from(viaArquero(plain, schema)))).toBe(true);
    const back = readParquet(ours, schema);
    expect([back.column("datetime_utc"), back.column("area"), back.column("x")].map((c) => c?.constructor.name)).toEqual([
      "Float64Array",
      "Int32Array",
      "Float64Array",
    ]);
    expect(back.objects()).toEqual(plain.objects());
    // A filtered and ordered table of typed columns: its rows, in its order.
    const picked = (t: typeof plain) => t.filter((d: { area: number }) => d.area !== 0).orderby("area");
    expect(Buffer.from(writeParquet(picked(typed), schema)).equals(Buffer.from(viaArquero(picked(plain), schema)))).toBe(true);
    // An empty typed table, and a timestamp that is not a number of milliseconds.
    expect(readParquet(writeParquet(typed.slice(0, 0), schema), schema).numRows()).toBe(0);
    const bad = aq.table({ ...columns, datetime_utc: Float64Array.from([hours[0], NaN, hours[2], hours[3]]) });
    expect(() => writeParquet(bad, schema)).toThrow(
      'parquet: cannot write column "datetime_utc" as timestamp: row 1 holds null, expected epoch milliseconds or a Date',
    );
  });

  it("reads a file of several row groups about a million rows at a time: the rows of all, in order, numeric columns typed where no group has a null", () => {
    const schema: TableSchema = [
      ["datetime_utc", "timestamp"],
      ["k", "utf8"],
      ["x", "float64"],
      ["y", "float64"],
    ];
    // Three groups: a and b fit one decode (1024 x 1024 rows), c is decoded on its own.
    const big = 1_000_000;
    const a = aq.table({
      datetime_utc: Float64Array.from({ length: big }, (_, i) => i * 3_600_000),
      k: Array.from({ length: big }, (_, i) => `s${i >> 10}`),
      x: Float64Array.from({ length: big }, (_, i) => i / 8),
      y: Float64Array.from({ length: big }, (_, i) => i),
    });
    const b = aq.table({ datetime_utc: [big * 3_600_000], k: ["b"], x: [-1], y: [7] });
    const c = aq.table({ datetime_utc: [10_800_000, 14_400_000], k: ["b", null], x: [4, 5], y: [null, 5] });
    const joined = splicedParquet([a, b, c].map((t) => writeParquet(t, schema))).bytes;
    expect(rowGroupRows(joined)).toEqual([big, 1, 2]);
    const back = readParquet(joined, schema);
    expect(back.numRows()).toBe(big + 3);
    expect(back.slice(big - 2).objects()).toEqual(
      a
        .slice(big - 2)
        .concat(b, c)
        .objects(),
    );
    const bytesOf = (t: typeof a, name: string, n: number) => Buffer.from((t.column(name) as unknown as Float64Array).buffer, 0, n * 8);
    expect(bytesOf(back, "x", big).equals(bytesOf(a, "x", big))).toBe(true);
    expect(back.array("k").slice(0, big)).toEqual(a.array("k"));
    expect([back.column("datetime_utc"), back.column("x")].map((col) => col?.constructor.name)).toEqual(["Float64Array", "Float64Array"]);
    expect(Array.from(back.array("y")).slice(big - 1)).toEqual([big - 1, 7, null, 5]);
    expect(rowGroupRows(new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(() => readParquet(joined.subarray(0, joined.length - 9), schema, "cut.parquet")).toThrow(/^parquet: cannot decode cut\.parquet/);
  });

  it("reads text back value for value through runs of equal values, nulls and empty strings", () => {
    const schema: TableSchema = [["k", "utf8"]];
    const k = ["x", "x", "x", null, "x", "", "", "xy", "x", null, null, "ø", "ø"];
    expect(readParquet(writeParquet(aq.table({ k }), schema), schema).array("k")).toEqual(k);
  });

  it("writes another dataset's feature table with its own key columns, strings as utf8", () => {
    const schema = featureSchema(keyColumns(loadPreset("priv-industry-consumption-hour")));
    expect(schema).toEqual([
      ["datetime_utc", "timestamp"],
      ["MunicipalityNo", "utf8"],
      ["HousingCategory", "utf8"],
      ["HeatingCategory", "utf8"],
      ["energy_consumption", "float64"],
    ]);
    const t = aq.table({
      datetime_utc: [Date.UTC(2024, 0, 1)],
      MunicipalityNo: ["0101"],
      HousingCategory: ["Parcelhuse"],
      HeatingCategory: ["Fjernvarme"],
      energy_consumption: [1.25],
    });
    const bytes = writeParquet(t, schema);
    expect(parquetSchema(bytes)).toEqual(schema);
    expect(readParquet(bytes, schema).objects()).toEqual(t.objects());
  });

  it("refuses a missing column and a value that does not fit its type", () => {
    expect(() => writeParquet(aq.table({ datetime_utc: [0] }), FEATURE_SCHEMA)).toThrow(
      "parquet: cannot write: table lacks column(s) area, consumer_type, energy_consumption; expected datetime_utc, area, consumer_type, energy_consumption, found datetime_utc",
    );
    const t = aq.table({ datetime_utc: [0], area: [300], consumer_type: [1], energy_consumption: [1] });
    expect(() => writeParquet(t, FEATURE_SCHEMA)).toThrow('parquet: cannot write column "area" as int8: row 0 holds 300, expected an integer in -128..127');
  });

  it("reports a schema mismatch and a corrupt file clearly", () => {
    const bytes = writeParquet(aq.table({ datetime_utc: [0], area: [1] }), [
      ["datetime_utc", "timestamp"],
      ["area", "int32"],
    ]);
    expect(() => readParquet(bytes, FEATURE_SCHEMA, "x.parquet")).toThrow(
      'parquet: x.parquet does not match the expected schema: column "area" is int32, expected int8; missing column "consumer_type" (int32); missing column "energy_consumption" (float64); found columns datetime_utc, area',
    );
    expect(() => readParquet(new Uint8Array([1, 2, 3]), undefined, "bad.parquet")).toThrow(
      /^parquet: cannot decode bad\.parquet \(3 bytes\): .*; the file is corrupt or not parquet, rewrite it from its source$/,
    );
  });
});
