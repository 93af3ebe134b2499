import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import * as aq from "arquero";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_DATA_PATH } from "../../../src/pipeline/config/paths.js";
import { applyDatasetFlags, loadPreset } from "../../../src/pipeline/dataset/preset.js";
import { fileSource } from "../../../src/pipeline/ingest/file-source.js";
import type { RawColumns } from "../../../src/pipeline/ingest/records.js";
import { writeParquet } from "../../../src/pipeline/parquet/write.js";

const H = 3_600_000;
const DE35 = loadPreset("de35");
const DE35_CSV = EMBEDDED_DATA_PATH;
const DAY = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 0, 2) };
const HEADER = "HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon";

type Row = { HourUTC: string; PriceArea: string; ConsumerType_DE35: number; TotalCon: number };

/** The genuine file's rows, split naively (it has no quotes), with the columns the de35 preset reads. */
function genuineRows(): Row[] {
  const lines = readFileSync(DE35_CSV, "utf8")
    .split(/\r?\n/)
    .filter((l) => l !== "");
  return lines.slice(1).map((line) => {
    const [HourUTC, , PriceArea, type, value] = line.split(";");
    return { HourUTC, PriceArea, ConsumerType_DE35: Number(type), TotalCon: Number(value) };
  });
}

/** The genuine rows in [start, end), in file order (the file is sorted by time). */
function expectedRows(range: { start: number; end: number }): Row[] {
  const from = new Date(range.start).toISOString().slice(0, 19);
  const to = new Date(range.end).toISOString().slice(0, 19);
  return genuineRows().filter((r) => r.HourUTC >= from && r.HourUTC < to);
}

/** DE35 raw columns as rows with the source's column names. */
function objects(c: RawColumns): Array<Record<string, unknown>> {
  return c.time.map((t, i) => ({ HourUTC: t, PriceArea: c.keys[0][i], ConsumerType_DE35: c.keys[1][i], TotalCon: c.value[i] }));
}

let dir: string;
let server: Server;
let baseUrl: string;
const served = new Map<string, Uint8Array>();
const hits: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "file-source-"));
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const body = served.get((req.url ?? "").split("?")[0]);
    if (!body) {
      res.writeHead(404).end("no such file");
      return;
    }
    res.writeHead(200, { "content-length": String(body.byteLength) }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(dir, { recursive: true, force: true });
});

describe("fileSource", () => {
  it("extracts a range from the genuine CSV by local path, sorted, equal to the file's rows", async () => {
    const source = fileSource(DE35_CSV);
    // Recorded in the store: the path relative to the working directory, never the absolute one.
    expect(source.description).toBe(`CSV file ${relative(process.cwd(), DE35_CSV)}`);
    const c = await source.extract(DAY, DE35);
    expect(c.times).toHaveLength(76 * 24);
    expect(objects(c)).toEqual(expectedRows(DAY));
    expect(objects(c)[0]).toEqual({ HourUTC: "2023-01-01T00:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 65874 });
    expect(c.times[0]).toBe(DAY.start);
    expect(c.dst).toEqual({ nonexistent: 0, repeated: 0 });
  });

  it("knows its extent and clips ranges that reach past it", async () => {
    const source = fileSource(DE35_CSV);
    const extent = await source.extent(DE35);
    expect(extent).toEqual({ start: Date.UTC(2022, 11, 21, 16), end: Date.UTC(2023, 0, 14, 23) });
    const all = await source.extract({ start: Date.UTC(2022, 0, 1), end: Date.UTC(2024, 0, 1) }, DE35);
    expect(all.times).toHaveLength(44_308);
    const none = await source.extract({ start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2) }, DE35);
    expect(none.times).toEqual([]);
    expect(none.keys).toEqual([[], []]);
  });

  it("applies a series filter to the file as the API applies its filter parameter", async () => {
    const c = await fileSource(DE35_CSV).extract(DAY, DE35, { PriceArea: ["DK2"], ConsumerType_DE35: [111, 999] });
    expect(objects(c)).toEqual(expectedRows(DAY).filter((r) => r.PriceArea === "DK2" && (r.ConsumerType_DE35 === 111 || r.ConsumerType_DE35 === 999)));
    expect(c.times).toHaveLength(2 * 24);
  });

  it("accepts file:///absolute URLs and file:relative paths against cwd", async () => {
    const one = { start: Date.UTC(2023, 0, 14, 22), end: Date.UTC(2023, 0, 14, 23) };
    const a = await fileSource(pathToFileURL(DE35_CSV).href).extract(one, DE35);
    const cwd = dirname(dirname(DE35_CSV));
    const b = await fileSource(`file:${relative(cwd, DE35_CSV)}`, { cwd }).extract(one, DE35);
    expect(a.times).toHaveLength(76);
    expect(objects(b)).toEqual(objects(a));
  });

  it("sorts an unsorted file by time and filters the half-open range", async () => {
    const path = join(dir, "unsorted.csv");
    writeFileSync(
      path,
      [
        HEADER,
        "2023-01-01T02:00:00;2023-01-01T03:00:00;DK1;111;3",
        "2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;1",
        "2023-01-01T01:00:00;2023-01-01T02:00:00;DK1;111;2",
      ].join("\n"),
    );
    const source = fileSource(path);
    const c = await source.extract({ start: DAY.start, end: DAY.start + 2 * H }, DE35);
    expect(c.value).toEqual([1, 2]);
    expect(await source.extent(DE35)).toEqual({ start: DAY.start, end: DAY.start + 3 * H });
  });

  it("round-trips a parquet file with timestamp or string time columns", async () => {
    const rows = expectedRows(DAY);
    const timestamps = aq.table({
      HourUTC: rows.map((r) => Date.parse(`${r.HourUTC}Z`)),
      PriceArea: rows.map((r) => r.PriceArea),
      ConsumerType_DE35: rows.map((r) => r.ConsumerType_DE35),
      TotalCon: rows.map((r) => r.TotalCon),
    });
    const tsPath = join(dir, "raw-ts.parquet");
    writeFileSync(
      tsPath,
      writeParquet(timestamps, [
        ["HourUTC", "timestamp"],
        ["PriceArea", "utf8"],
        ["ConsumerType_DE35", "int32"],
        ["TotalCon", "float64"],
      ]),
    );
    const strPath = join(dir, "raw-str.parquet");
    writeFileSync(
      strPath,
      writeParquet(aq.from(rows.map((r) => ({ ...r, HourDK: "ignored" }))), [
        ["HourUTC", "utf8"],
        ["HourDK", "utf8"],
        ["PriceArea", "utf8"],
        ["ConsumerType_DE35", "int32"],
        ["TotalCon", "float64"],
      ]),
    );
    const half = { start: DAY.start, end: DAY.start + 12 * H };
    for (const path of [tsPath, strPath]) {
      const source = fileSource(path);
      // Outside the working directory: only the file's name.
      expect(source.description).toBe(`parquet file …/${basename(path)}`);
      expect(await source.extent(DE35)).toEqual(DAY);
      const c = await source.extract(half, DE35);
      expect(objects(c)).toEqual(expectedRows(half));
    }
  });

  it("names the missing raw columns of a parquet file", async () => {
    const path = join(dir, "features.parquet");
    writeFileSync(
      path,
      writeParquet(aq.table({ datetime_utc: [DAY.start], area: [1] }), [
        ["datetime_utc", "timestamp"],
        ["area", "int8"],
      ]),
    );
    await expect(fileSource(path).extract(DAY, DE35)).rejects.toThrow(
      `ingest: source file "${path}": the file lacks column(s) "HourUTC", "PriceArea", "ConsumerType_DE35", "TotalCon"; the source's columns are datetime_utc, area, ` +
        "expected HourUTC, PriceArea, ConsumerType_DE35, TotalCon (columns the dataset spec does not know: datetime_utc, area); " +
        "the dataset's schema changed or the wrong dataset was picked: fix the preset file (src/pipeline/dataset/presets/de35.json) or pass --keys/--time/--value",
    );
  });

  it("describes a local file by its path relative to the working directory, or by its name outside it", () => {
    expect(fileSource("/w/data/x.csv", { cwd: "/w" }).description).toBe("CSV file data/x.csv");
    expect(fileSource("file:rel/y.parquet", { cwd: "/w" }).description).toBe("parquet file rel/y.parquet");
    expect(fileSource("file:///elsewhere/z.csv", { cwd: "/w" }).description).toBe("CSV file …/z.csv");
  });

  it("downloads an http URL once and caches it; the description hides the query", async () => {
    const csv = `${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;65874\n2023-01-01T01:00:00;2023-01-01T02:00:00;DK1;111;60000\n`;
    served.set("/data/x.csv", new TextEncoder().encode(csv));
    hits.length = 0;
    const source = fileSource(`${baseUrl}/data/x.csv?token=secret`);
    expect(source.description).toBe(`CSV file ${baseUrl}/data/x.csv?…`);
    const [a, b] = await Promise.all([source.extract(DAY, DE35), source.extract({ start: DAY.start + H, end: DAY.end }, DE35)]);
    expect(await source.extent(DE35)).toEqual({ start: DAY.start, end: DAY.start + 2 * H });
    expect(a.value).toEqual([65874, 60000]);
    expect(b.value).toEqual([60000]);
    expect(hits).toEqual(["/data/x.csv?token=secret"]);
  });

  it("reports a missing http file", async () => {
    await expect(fileSource(`${baseUrl}/nope.csv`).extract(DAY, DE35)).rejects.toThrow(
      `ingest: source file "${baseUrl}/nope.csv" not found (HTTP 404); pass --source with the URL of an existing CSV or parquet file`,
    );
  });

  it("reports a missing local file, and retries the read on the next call", async () => {
    const path = join(dir, "later.csv");
    const source = fileSource(path);
    await expect(source.extract(DAY, DE35)).rejects.toThrow(
      `ingest: source file "${path}" not found; pass --source file:<path> to an existing CSV or parquet file`,
    );
    writeFileSync(path, `${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;1\n`);
    expect((await source.extract(DAY, DE35)).times).toHaveLength(1);
  });

  it("streams a CSV file of several read chunks: multibyte characters and quoted line breaks across chunk ends, only the window kept", async () => {
    const spec = applyDatasetFlags(undefined, { keys: "meter", time: "hour", value: "kwh" });
    const lines = ["hour,meter,kwh,note"];
    for (let h = 0; h < 100; h++) {
      const hour = new Date(DAY.start + h * H).toISOString().slice(0, 19);
      for (let m = 0; m < 400; m++) lines.push(`${hour},Ærø-${m},${h + m / 1000},"two\r\nlines, ""ø"""`);
    }
    const text = lines.join("\r\n");
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 << 20);
    const path = join(dir, "large.csv");
    writeFileSync(path, text);
    const source = fileSource(path);
    expect(await source.extent(spec)).toEqual({ start: DAY.start, end: DAY.start + 100 * H });
    const window = { start: DAY.start + 40 * H, end: DAY.start + 42 * H };
    const c = await source.extract(window, spec, { meter: ["Ærø-7", "Ærø-399"] });
    expect(c.keys[0]).toEqual(["Ærø-7", "Ærø-399", "Ærø-7", "Ærø-399"]);
    expect(c.value).toEqual([40.007, 40.399, 41.007, 41.399]);
    expect(c.times).toEqual([window.start, window.start, window.start + H, window.start + H]);
    expect((await source.extract(window, spec)).times).toHaveLength(800);
  });

  it("reports a directory given as the file", async () => {
    const path = join(dir, "folder.csv");
    mkdirSync(path);
    await expect(fileSource(path).extent(DE35)).rejects.toThrow(
      `ingest: source file "${path}" is a directory; pass --source file:<path> to a CSV or parquet file`,
    );
  });

  it("rejects unsupported formats and schemes", async () => {
    const path = join(dir, "x.json");
    writeFileSync(path, "{}");
    await expect(fileSource(path).extent(DE35)).rejects.toThrow(
      `ingest: source file "${path}" has an unsupported format; expected a .csv or .parquet file with the columns HourUTC, PriceArea, ConsumerType_DE35, TotalCon`,
    );
    expect(() => fileSource("s3://bucket/x.csv")).toThrow('ingest: source "s3://bucket/x.csv" uses an unsupported scheme');
  });
});

describe("fileSource with string keys and local times across both daylight-saving changes", () => {
  // Two meters in Copenhagen local time (CET, UTC+1; CEST, UTC+2 from 2023-03-26 02:00 to
  // 2023-10-29 03:00). On 26 March the exporter wrote the skipped hour 02:00, which does not
  // exist: it is read as 03:00 local. On 29 October 02:00 local occurs twice: the two readings
  // of each meter come in file order, the first is 00:00Z, the second 01:00Z. "0042" stays text.
  const CSV = [
    "meter_id,read_at,kwh",
    "0042,2023-03-26 01:00,1",
    "north-7,2023-03-26 01:00,101",
    "0042,2023-03-26 02:00,2",
    "north-7,2023-03-26 02:00,102",
    "0042,2023-03-26 04:00,3",
    "north-7,2023-03-26 04:00,103",
    "0042,2023-10-29 01:00,10",
    "north-7,2023-10-29 01:00,110",
    "0042,2023-10-29 02:00,11",
    "north-7,2023-10-29 02:00,111",
    "0042,2023-10-29 02:00,12",
    "north-7,2023-10-29 02:00,112",
    "0042,2023-10-29 03:00,13",
    "north-7,2023-10-29 03:00,113",
  ].join("\n");
  const spec = applyDatasetFlags(undefined, { keys: "meter_id", time: "read_at", timeZone: "Europe/Copenhagen", value: "kwh" });
  const YEAR = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2024, 0, 1) };
  const utc = (iso: string) => Date.parse(`${iso}:00Z`);
  let path: string;
  beforeAll(() => {
    path = join(dir, "meters.csv");
    writeFileSync(path, CSV);
  });

  /** Each row as [meter, UTC hour, value], in extract order. */
  const rows = (c: RawColumns) => c.times.map((t, i) => [c.keys[0][i], new Date(t).toISOString().slice(0, 16), c.value[i]]);

  it("reads every wall time to its UTC hour and counts the daylight-saving readings", async () => {
    const c = await fileSource(path).extract(YEAR, spec);
    expect(rows(c)).toEqual([
      ["0042", "2023-03-26T00:00", 1],
      ["north-7", "2023-03-26T00:00", 101],
      ["0042", "2023-03-26T01:00", 2],
      ["north-7", "2023-03-26T01:00", 102],
      ["0042", "2023-03-26T02:00", 3],
      ["north-7", "2023-03-26T02:00", 103],
      ["0042", "2023-10-28T23:00", 10],
      ["north-7", "2023-10-28T23:00", 110],
      ["0042", "2023-10-29T00:00", 11],
      ["north-7", "2023-10-29T00:00", 111],
      ["0042", "2023-10-29T01:00", 12],
      ["north-7", "2023-10-29T01:00", 112],
      ["0042", "2023-10-29T02:00", 13],
      ["north-7", "2023-10-29T02:00", 113],
    ]);
    expect(c.times[2]).toBe(utc("2023-03-26T01:00"));
    expect(c.dst).toEqual({ nonexistent: 2, repeated: 2 });
    expect(await fileSource(path).extent(spec)).toEqual({ start: utc("2023-03-26T00:00"), end: utc("2023-10-29T03:00") });
  });

  it("reports the counts of the extracted rows only: another window, or a filtered series", async () => {
    const source = fileSource(path);
    const autumn = await source.extract({ start: utc("2023-10-01T00:00"), end: YEAR.end }, spec);
    expect(autumn.times).toHaveLength(8);
    expect(autumn.dst).toEqual({ nonexistent: 0, repeated: 2 });
    const spring = await source.extract({ start: YEAR.start, end: utc("2023-04-01T00:00") }, spec);
    expect(spring.dst).toEqual({ nonexistent: 2, repeated: 0 });
    // Only the first reading of the repeated hour: no second reading in the extract.
    const firstReading = await source.extract({ start: utc("2023-10-29T00:00"), end: utc("2023-10-29T01:00") }, spec);
    expect(rows(firstReading).map((r) => r[2])).toEqual([11, 111]);
    expect(firstReading.dst).toEqual({ nonexistent: 0, repeated: 0 });
    const secondReading = await source.extract({ start: utc("2023-10-29T01:00"), end: utc("2023-10-29T02:00") }, spec);
    expect(rows(secondReading).map((r) => r[2])).toEqual([12, 112]);
    expect(secondReading.dst).toEqual({ nonexistent: 0, repeated: 2 });
    const one = await source.extract(YEAR, spec, { meter_id: ["0042"] });
    expect(one.keys[0]).toEqual(Array(7).fill("0042"));
    expect(one.dst).toEqual({ nonexistent: 1, repeated: 1 });
  });
});
