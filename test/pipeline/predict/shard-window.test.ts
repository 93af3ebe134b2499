/**
 * A predict shard reads only its own series' rows (the buckets of the prepared window that hold
 * them) and builds its panel on the whole window's time grid, which the prepare record pins. So
 * its panel, its forecasts and its stale and baseline series must not depend on the other
 * shards' rows: here the other shards hold the window's earliest hour and its last one, while
 * every series of one shard ends an hour early (stale in one process, so stale in its shard
 * too), and the window's buckets are read as a shard reads them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticPanel, SYNTHETIC_KEYS } from "../../../src/pipeline/backtest/synthetic.js";
import { fixedClock, silentLogger } from "../../../src/pipeline/core/effects.js";
import type { StepContext } from "../../../src/pipeline/core/step.js";
import { panelEnd, panelFromTable, panelSubset, type Panel } from "../../../src/pipeline/features/panel.js";
import { createForecaster } from "../../../src/pipeline/models/catalog.js";
import { calibrate } from "../../../src/pipeline/models/conformal.js";
import { bucketsOfShard, concatBuckets, INPUT_BUCKET_COUNTS, inputBucketCount, splitByBucket } from "../../../src/pipeline/predict/buckets.js";
import { inKeyOrder } from "../../../src/pipeline/series/order.js";
import { forecastWindow, type ForecastWindowOptions } from "../../../src/pipeline/predict/predict.js";
import { ModelRegistry } from "../../../src/pipeline/registry/registry.js";
import { seriesId, type SeriesKey } from "../../../src/pipeline/series/key.js";
import { inShard, shardOf, type ShardSpec } from "../../../src/pipeline/series/shard.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import { HOUR_MS } from "../../../src/pipeline/time/index.js";

const N = 3;
const H = 24;
const START = Date.UTC(2023, 0, 2);

/** 30 series x 10 days; shard 1's series all end an hour early, one of shard 2 starts two days before any other and one a day before the end. */
const whole: Panel = (() => {
  const p = syntheticPanel({ series: 30, hours: 24 * 12, seed: 11, start: START });
  const late = 48; // every series but one starts 2 days in
  const inK = (s: number, k: number) => shardOf(p.keys[s], N) === k;
  const early = p.keys.findIndex((_, s) => inK(s, 2));
  const young = p.keys.findIndex((_, s) => inK(s, 2) && s !== early);
  p.values.forEach((v, s) => {
    if (s !== early) v.fill(NaN, 0, late);
    if (inK(s, 1)) v[p.hours - 1] = NaN;
  });
  p.values[young].fill(NaN, 0, p.hours - 30);
  // A stale series in shard 0: its last 5 hours missing.
  p.values[p.keys.findIndex((_, s) => inK(s, 0))].fill(NaN, p.hours - 5);
  return p;
})();

/** The panel as the feature store keeps it: one row per observed hour, sorted by series, then hour. */
function rowsOf(p: Panel, keep: (key: SeriesKey) => boolean = () => true): ColumnTable {
  const time: number[] = [];
  const area: number[] = [];
  const code: number[] = [];
  const value: number[] = [];
  p.keys.forEach((key, s) => {
    if (!keep(key)) return;
    for (let h = 0; h < p.hours; h++) {
      if (Number.isNaN(p.values[s][h])) continue;
      time.push(p.start + h * HOUR_MS);
      area.push(key[0] as number);
      code.push(key[1] as number);
      value.push(p.values[s][h]);
    }
  });
  const [a, c] = SYNTHETIC_KEYS.map((k) => k.name);
  return aq.table({
    datetime_utc: Float64Array.from(time),
    [a]: Int8Array.from(area),
    [c]: Int32Array.from(code),
    energy_consumption: Float64Array.from(value),
  }) as ColumnTable;
}

const table = rowsOf(whole);
const grid = { start: whole.start, end: panelEnd(whole) };
const shards: ShardSpec[] = Array.from({ length: N }, (_, index) => ({ index, count: N }));
/** The series id of a row (or a report's key). */
const key = (r: Record<string, unknown>) => seriesId([r.area as number, r.consumer_type as number]);
/** The window's panel as one process builds it (series in key order). */
const sorted = panelFromTable(table, SYNTHETIC_KEYS);
const indicesOf = (shard: ShardSpec) => sorted.keys.flatMap((key, s) => (inShard(key, shard) ? [s] : []));

describe("a shard's panel", () => {
  it("from its rows alone, on the pinned grid, is the whole window's panel of its series, bit for bit", () => {
    const one = sorted;
    expect([one.start, panelEnd(one)]).toEqual([grid.start, grid.end]);
    for (const shard of shards) {
      const expected = panelSubset(one, indicesOf(shard));
      const own = rowsOf(whole, (key) => inShard(key, shard));
      const fromRows = panelFromTable(own, SYNTHETIC_KEYS, "shard", { grid });
      const fromWhole = panelFromTable(table, SYNTHETIC_KEYS, "shard", { include: (key) => inShard(key, shard) });
      for (const got of [fromRows, fromWhole]) {
        expect({ start: got.start, hours: got.hours, keys: got.keys }).toEqual({ start: expected.start, hours: expected.hours, keys: expected.keys });
        got.values.forEach((v, i) =>
          expect(
            Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(
              Buffer.from(expected.values[i].buffer, expected.values[i].byteOffset, expected.values[i].byteLength),
            ),
          ).toBe(true),
        );
      }
      // Without the pinned grid, the rows of shards 0 (none starts first) and 1 (none has the
      // last hour) would give them another grid: the test bites.
      const ownGrid = panelFromTable(own, SYNTHETIC_KEYS);
      if (shard.index < 2) expect([ownGrid.start, panelEnd(ownGrid)]).not.toEqual([grid.start, grid.end]);
    }
  });

  it("refuses a row outside the pinned grid, and is empty for no rows", () => {
    expect(() => panelFromTable(table, SYNTHETIC_KEYS, "shard 0/3", { grid: { start: grid.start + HOUR_MS, end: grid.end } })).toThrow(
      /^features: shard 0\/3 row \d+ has datetime_utc 2023-01-02T00:00Z, outside its grid 2023-01-02T01:00Z \.\. 2023-01-13T23:00Z$/,
    );
    const empty = panelFromTable(
      table.filter(() => false),
      SYNTHETIC_KEYS,
      "shard",
      { grid },
    );
    expect([empty.start, empty.hours, empty.keys.length]).toEqual([grid.start, whole.hours, 0]);
  });
});

describe("the window's buckets", () => {
  it("hold every series of a shard in the buckets it reads, and only its series when N divides their count", () => {
    expect([inputBucketCount(76), inputBucketCount(1_000), inputBucketCount(10_000), inputBucketCount(100_000), inputBucketCount(7)]).toEqual([
      8, 120, 240, 240, 1,
    ]);
    for (const count of INPUT_BUCKET_COUNTS) {
      const buckets = [...splitByBucket(table, SYNTHETIC_KEYS, count)];
      expect(buckets.reduce((n, b) => n + b.table.numRows(), 0)).toBe(table.numRows());
      for (let n = 1; n <= 12; n++) {
        for (let k = 0; k < n; k++) {
          const shard = { index: k, count: n };
          const wanted = new Set(bucketsOfShard(shard, count));
          const read = concatBuckets(
            buckets.filter((b) => wanted.has(b.bucket)).map((b) => b.table),
            SYNTHETIC_KEYS,
          );
          const ids = new Set((read.objects() as Array<Record<string, unknown>>).map(key));
          const mine = indicesOf(shard).map((s) => seriesId(sorted.keys[s]));
          for (const id of mine) expect(ids.has(id), `${id} in ${k}/${n} of ${count} buckets`).toBe(true);
          if (count % n === 0) expect(ids.size, `${k}/${n} of ${count} buckets`).toBe(mine.length);
        }
      }
    }
  });
});

describe("the whole window joined from its buckets", () => {
  it("comes back in the feature store's order (series, then hour), row for row", () => {
    const joined = concatBuckets(
      [...splitByBucket(table, SYNTHETIC_KEYS, 8)].map((b) => b.table),
      SYNTHETIC_KEYS,
    );
    // The feature store's order (FeatureStore.read).
    const stored = table.orderby("area", "consumer_type", "datetime_utc").objects();
    expect(joined.objects()).not.toEqual(stored);
    expect(inKeyOrder(joined, SYNTHETIC_KEYS).objects()).toEqual(stored);
    // Rows out of hour order within a series still come back sorted.
    expect(inKeyOrder(table.orderby(aq.desc("datetime_utc")), SYNTHETIC_KEYS).objects()).toEqual(stored);
  });
});

describe("a shard's forecasts", () => {
  let dir: string;
  let ctx: StepContext;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shard-window-"));
    const storage = createLocalStorage(dir);
    ctx = {
      storage,
      group: { name: "energy_consumption", version: 1 },
      runId: "r1",
      clock: fixedClock("2023-01-20T00:00:00Z"),
      logger: silentLogger,
    } as StepContext;
    const model = createForecaster("gbm-blend", { nIterations: 20, maxLeaves: 8, minSamplesLeaf: 5 });
    model.fit(panelFromTable(table, SYNTHETIC_KEYS));
    model.calibration = calibrate(
      { step: Array.from({ length: 240 }, (_, i) => 1 + (i % H)), rel: Array.from({ length: 240 }, (_, i) => ((i * 37) % 21) / 100 - 0.1) },
      H,
    );
    await new ModelRegistry(storage).register("gbm-blend", model.toJSON(), {
      createdAt: "2023-01-20T00:00:00Z",
      kind: "gbm-blend",
      trainingWindow: { start: new Date(grid.start).toISOString(), end: new Date(grid.end).toISOString() },
      featureStore: { group: "energy_consumption/v1", commit: 1 },
      features: [],
      hyperparameters: {},
      metrics: {},
      runId: "train-1",
      codeVersion: "test",
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const options = (features: ColumnTable, shard?: ShardSpec, pinned?: typeof grid): ForecastWindowOptions => ({
    visibleUntil: grid.end + HOUR_MS,
    model: "gbm-blend",
    ref: "latest",
    horizon: H,
    lookbackDays: 12,
    features,
    keys: [...SYNTHETIC_KEYS],
    shard,
    grid: pinned,
  });

  it("from the buckets of its series equal one process's, with the same stale and baseline series", async () => {
    const one = await forecastWindow(ctx, options(table));
    const all = one.tables.predictions.objects() as Array<Record<string, unknown>>;
    expect(one.report.stale.length).toBeGreaterThan(1);
    expect(one.report.baseline.length).toBe(1);
    const buckets = [...splitByBucket(table, SYNTHETIC_KEYS, 8)];
    let series = 0;
    for (const shard of shards) {
      const ids = new Set(indicesOf(shard).map((s) => seriesId(sorted.keys[s])));
      const wanted = new Set(bucketsOfShard(shard, 8));
      const read = concatBuckets(
        buckets.filter((b) => wanted.has(b.bucket)).map((b) => b.table),
        SYNTHETIC_KEYS,
      );
      for (const features of [read, table]) {
        const got = await forecastWindow(ctx, options(features, shard, features === read ? grid : undefined));
        expect(got.report.origin).toBe(one.report.origin);
        // Object.is on every value: NaN, -0 and every bit of the forecasts.
        expect(got.tables.predictions.objects()).toEqual(all.filter((r) => ids.has(key(r))));
        const mine = <T extends { key: Record<string, unknown> }>(xs: T[]) => xs.filter((x) => ids.has(key(x.key)));
        expect(got.report.stale).toEqual(mine(one.report.stale));
        expect(got.report.baseline).toEqual(mine(one.report.baseline));
      }
      series += ids.size;
    }
    expect(series).toBe(whole.keys.length);
  }, 180_000);
});
