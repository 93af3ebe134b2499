import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { readParquet } from "../../../src/pipeline/parquet/read.js";
import { splicedParquet } from "../../../src/pipeline/parquet/splice.js";
import { writeParquet } from "../../../src/pipeline/parquet/write.js";
import { writePredictionOutputs, writeTable } from "../../../src/pipeline/predict/outputs.js";
import { predictionsSchema } from "../../../src/pipeline/predict/schema.js";
import { listAllParts, readForecastsState, readParts } from "../../../src/pipeline/history/partitions.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { DAY0, forecasts, H, KEYS } from "../doctor/fixtures.js";

const SCHEMA = predictionsSchema(KEYS);
const sorted = (t: ColumnTable) => t.orderby("origin", "area", "consumer_type", "datetime_utc").objects();

async function write(storage: Storage, predictions: ColumnTable, runId: string, windowDays = 30) {
  const X = predictions.select("datetime_utc", "area", "consumer_type");
  const y = aq.table({ datetime_utc: [0], area: [1], consumer_type: [111], energy_consumption: [1] }) as ColumnTable;
  return writePredictionOutputs(storage, runId, { X, y, predictions }, KEYS, { windowDays });
}

describe("forecast history partitions", () => {
  let dir: string;
  let storage: Storage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "history-parts-"));
    storage = createLocalStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a run's forecasts to its origin's file, appends the next origin without touching the first", async () => {
    const a = forecasts("run-a", DAY0 + 23 * H, 2, 100);
    expect(await write(storage, a, "run-a")).toEqual({ historyRows: 4, replaced: 0 });
    expect((await listAllParts(storage)).map((p) => p.key)).toEqual(["forecasts/origin=2023-01-01/20230101T230000Z.parquet"]);
    const first = await storage.read("forecasts/origin=2023-01-01/20230101T230000Z.parquet");
    const b = forecasts("run-b", DAY0 + 24 * H, 2, 200);
    expect(await write(storage, b, "run-b")).toEqual({ historyRows: 8, replaced: 0 });
    expect((await listAllParts(storage)).map((p) => p.key)).toEqual([
      "forecasts/origin=2023-01-01/20230101T230000Z.parquet",
      "forecasts/origin=2023-01-02/20230102T000000Z.parquet",
    ]);
    expect(await storage.read("forecasts/origin=2023-01-01/20230101T230000Z.parquet")).toEqual(first);
    expect(readParquet(await storage.read("predictions_monitoring.parquet"), SCHEMA).objects()).toEqual(sorted(a.concat(b)));
    expect(await readForecastsState(storage)).toMatchObject({ rows: 8, latestOrigin: DAY0 + 24 * H, maxStepHours: 2 });
  });

  it("a rerun of an origin replaces its rows in that partition only, keeping the rows it does not forecast", async () => {
    await write(storage, forecasts("run-a", DAY0 + 23 * H, 2, 100), "run-a");
    await write(storage, forecasts("run-b", DAY0 + 24 * H, 2, 200), "run-b");
    const other = await storage.read("forecasts/origin=2023-01-01/20230101T230000Z.parquet");
    const rerun = forecasts("run-c", DAY0 + 24 * H, 2, 300).filter((d: { area: number }) => d.area === 1);
    expect(await write(storage, rerun, "run-c")).toEqual({ historyRows: 8, replaced: 2 });
    expect(await storage.read("forecasts/origin=2023-01-01/20230101T230000Z.parquet")).toEqual(other);
    const part = readParquet(await storage.read("forecasts/origin=2023-01-02/20230102T000000Z.parquet"), SCHEMA);
    expect((part.orderby("area", "step").objects() as Array<Record<string, unknown>>).map((r) => [r.area, r.step, r.prediction, r.run_id])).toEqual([
      [1, 1, 301, "run-c"],
      [1, 2, 302, "run-c"],
      [2, 1, 201, "run-b"],
      [2, 2, 202, "run-b"],
    ]);
  });

  it("the compacted window holds the last HISTORY_WINDOW_DAYS days of origins; the partitions keep everything", async () => {
    for (let d = 0; d < 4; d++) await write(storage, forecasts(`run-${d}`, DAY0 + d * 24 * H, 1, d), `run-${d}`, 2);
    const window = readParquet(await storage.read("predictions_monitoring.parquet"), SCHEMA);
    expect(Array.from(new Set(Array.from(window.array("origin") as ArrayLike<number>)))).toEqual([DAY0 + 48 * H, DAY0 + 72 * H]);
    const all = await readParts(storage, KEYS, await listAllParts(storage));
    expect(all!.numRows()).toBe(8);
  });

  it("migrates a single-file history on first use, once, without losing a row", async () => {
    const legacy = forecasts("old-1", DAY0, 3, 10).concat(forecasts("old-2", DAY0 + 30 * H, 3, 20), forecasts("old-3", DAY0 + 31 * H, 3, 30));
    await writeTable(storage, "predictions_monitoring.parquet", legacy, SCHEMA);
    await write(storage, forecasts("new", DAY0 + 32 * H, 3, 40), "new");
    expect(await readForecastsState(storage)).toMatchObject({ rows: 24, migrated: { from: "predictions_monitoring.parquet", rows: 18 } });
    const all = (await readParts(storage, KEYS, await listAllParts(storage)))!;
    expect(sorted(all.filter((d: { run_id: string }) => d.run_id !== "new"))).toEqual(sorted(legacy));
    // Once: a later write does not migrate again (the window file now holds the new rows too).
    await write(storage, forecasts("newer", DAY0 + 33 * H, 3, 50), "newer");
    expect((await readForecastsState(storage))!.rows).toBe(30);
  });

  it("a corrupt single-file history stops the migration with the command that repairs it", async () => {
    await storage.write("predictions_monitoring.parquet", "PAR1 garbage PAR1");
    await expect(write(storage, forecasts("new", DAY0, 1, 0), "new")).rejects.toThrow(
      `predict: the forecast history predictions_monitoring.parquet in ${storage.uri} cannot be read; run energy-forecast doctor --repair to set it aside under damaged/ and rebuild it from runs/*/predictions.parquet`,
    );
  });
});

describe("splicing parquet files", () => {
  it("joins files row group by row group into one that reads back as their rows in order", () => {
    const parts = [forecasts("a", 0, 1, 1), forecasts("b", H, 40, 2), forecasts("c", 2 * H, 2, 3)];
    const spliced = splicedParquet(parts.map((p) => writeParquet(p, SCHEMA)));
    expect(spliced.rows).toBe(86);
    expect(readParquet(spliced.bytes, SCHEMA).objects()).toEqual(parts[0].concat(parts[1], parts[2]).objects());
  });

  it("joins more files than a short list header holds, and a spliced file spliced again reads back the same", () => {
    const parts = Array.from({ length: 20 }, (_, i) => forecasts(`r${i}`, i * H, 1 + (i % 3), i));
    const once = splicedParquet(parts.map((p) => writeParquet(p, SCHEMA)));
    const expected = parts
      .slice(1)
      .reduce((t, p) => t.concat(p), parts[0])
      .objects();
    expect(readParquet(once.bytes, SCHEMA).objects()).toEqual(expected);
    const twice = splicedParquet([once.bytes.slice(), writeParquet(parts[0], SCHEMA)]);
    expect(twice.rows).toBe(once.rows + parts[0].numRows());
    expect(readParquet(twice.bytes, SCHEMA).objects()).toEqual([...expected, ...parts[0].objects()]);
  });

  it("refuses a file whose footer is cut short or whose schema differs, naming it", () => {
    const good = writeParquet(forecasts("a", 0, 1, 1), SCHEMA);
    const len = new DataView(good.buffer, good.byteOffset + good.length - 8, 4).getInt32(0, true);
    // The footer's last 40 bytes dropped, its length and magic kept: it now ends inside a struct.
    const cut = new Uint8Array([...good.subarray(0, good.length - 48), ...good.subarray(good.length - 8)]);
    new DataView(cut.buffer).setInt32(cut.length - 8, len - 40, true);
    expect(() => splicedParquet([good, cut])).toThrow(/^parquet: cannot splice file 1: its footer does not decode \(Error: footer ends early\)$/);
    const other = writeParquet(aq.table({ x: [1] }) as ColumnTable, [["x", "float64"]]);
    expect(() => splicedParquet([good, other])).toThrow("parquet: cannot splice file 1: its schema differs from the first file's");
  });

  it("refuses a file that is not parquet, naming it", () => {
    expect(() => splicedParquet([writeParquet(forecasts("a", 0, 1, 1), SCHEMA), new TextEncoder().encode("nope")])).toThrow(
      "parquet: cannot splice file 1: not a parquet file (4 bytes)",
    );
  });
});
