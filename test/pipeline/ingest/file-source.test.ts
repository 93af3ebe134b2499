import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import * as aq from "arquero";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DE35 } from "../../../src/pipeline/dataset/spec.js";
import { fileSource } from "../../../src/pipeline/ingest/file-source.js";
import { writeParquet } from "../../../src/pipeline/parquet/write.js";
import { DE35_CSV, de35Records } from "../../support/eds-server.js";

const H = 3_600_000;
const DAY = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 0, 2) };
const HEADER = "HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon";

/** The genuine rows in [start, end) straight from the file, for comparison. */
function expectedRows(range: { start: number; end: number }) {
  const from = new Date(range.start).toISOString().slice(0, 19);
  const to = new Date(range.end).toISOString().slice(0, 19);
  return de35Records().filter((r) => (r.HourUTC as string) >= from && (r.HourUTC as string) < to);
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
    expect(source.description).toBe(`CSV file ${DE35_CSV}`);
    const t = await source.extract(DAY, DE35);
    expect(t.numRows()).toBe(76 * 24);
    expect(t.objects()).toEqual(expectedRows(DAY));
    expect(t.object(0)).toEqual({ HourUTC: "2023-01-01T00:00:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 65874 });
  });

  it("knows its extent and clips ranges that reach past it", async () => {
    const source = fileSource(DE35_CSV);
    const extent = await source.extent(DE35);
    expect(extent).toEqual({ start: Date.UTC(2022, 11, 21, 16), end: Date.UTC(2023, 0, 14, 23) });
    const all = await source.extract({ start: Date.UTC(2022, 0, 1), end: Date.UTC(2024, 0, 1) }, DE35);
    expect(all.numRows()).toBe(44_308);
    const none = await source.extract({ start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2) }, DE35);
    expect(none.numRows()).toBe(0);
    expect(none.columnNames()).toEqual(["HourUTC", "HourDK", "PriceArea", "ConsumerType_DE35", "TotalCon"]);
  });

  it("accepts file:///absolute URLs and file:relative paths against cwd", async () => {
    const one = { start: Date.UTC(2023, 0, 14, 22), end: Date.UTC(2023, 0, 14, 23) };
    const a = await fileSource(pathToFileURL(DE35_CSV).href).extract(one, DE35);
    const cwd = dirname(dirname(DE35_CSV));
    const b = await fileSource(`file:${relative(cwd, DE35_CSV)}`, { cwd }).extract(one, DE35);
    expect(a.numRows()).toBe(76);
    expect(b.objects()).toEqual(a.objects());
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
    const t = await source.extract({ start: DAY.start, end: DAY.start + 2 * H }, DE35);
    expect(t.array("TotalCon")).toEqual([1, 2]);
    expect(await source.extent(DE35)).toEqual({ start: DAY.start, end: DAY.start + 3 * H });
  });

  it("round-trips a parquet file with timestamp or string time columns", async () => {
    const rows = expectedRows(DAY);
    const timestamps = aq.table({
      HourUTC: rows.map((r) => Date.parse(`${r.HourUTC as string}Z`)),
      HourDK: rows.map((r) => Date.parse(`${r.HourDK as string}Z`)),
      PriceArea: rows.map((r) => r.PriceArea),
      ConsumerType_DE35: rows.map((r) => r.ConsumerType_DE35),
      TotalCon: rows.map((r) => r.TotalCon),
    });
    const tsPath = join(dir, "raw-ts.parquet");
    writeFileSync(
      tsPath,
      writeParquet(timestamps, [
        ["HourUTC", "timestamp"],
        ["HourDK", "timestamp"],
        ["PriceArea", "utf8"],
        ["ConsumerType_DE35", "int32"],
        ["TotalCon", "float64"],
      ]),
    );
    const strPath = join(dir, "raw-str.parquet");
    writeFileSync(
      strPath,
      writeParquet(aq.from(rows), [
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
      expect(source.description).toBe(`parquet file ${path}`);
      expect(await source.extent(DE35)).toEqual(DAY);
      const t = await source.extract(half, DE35);
      expect(t.objects()).toEqual(expectedRows(half));
    }
  });

  it("names the missing raw columns of a parquet file", async () => {
    const path = join(dir, "features.parquet");
    writeFileSync(path, writeParquet(aq.table({ datetime_utc: [DAY.start], area: [1] }), [["datetime_utc", "timestamp"], ["area", "int8"]]));
    await expect(fileSource(path).extract(DAY, DE35)).rejects.toThrow(
      `ingest: source file "${path}" lacks column(s) "HourUTC", "HourDK", "PriceArea", "ConsumerType_DE35", "TotalCon"; expected the raw columns HourUTC, HourDK, PriceArea, ConsumerType_DE35, TotalCon, found datetime_utc, area;`,
    );
  });

  it("downloads an http URL once and caches it; the description hides the query", async () => {
    const csv = `${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;65874\n2023-01-01T01:00:00;2023-01-01T02:00:00;DK1;111;60000\n`;
    served.set("/data/x.csv", new TextEncoder().encode(csv));
    hits.length = 0;
    const source = fileSource(`${baseUrl}/data/x.csv?token=secret`);
    expect(source.description).toBe(`CSV file ${baseUrl}/data/x.csv?…`);
    const [a, b] = await Promise.all([source.extract(DAY, DE35), source.extract({ start: DAY.start + H, end: DAY.end }, DE35)]);
    expect(await source.extent(DE35)).toEqual({ start: DAY.start, end: DAY.start + 2 * H });
    expect(a.array("TotalCon")).toEqual([65874, 60000]);
    expect(b.array("TotalCon")).toEqual([60000]);
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
    expect((await source.extract(DAY, DE35)).numRows()).toBe(1);
  });

  it("rejects unsupported formats and schemes", async () => {
    const path = join(dir, "x.json");
    writeFileSync(path, "{}");
    await expect(fileSource(path).extent(DE35)).rejects.toThrow(
      `ingest: source file "${path}" has an unsupported format; expected a .csv (Energi Data Service CSV) or .parquet file`,
    );
    expect(() => fileSource("s3://bucket/x.csv")).toThrow('ingest: source "s3://bucket/x.csv" uses an unsupported scheme');
  });
});
