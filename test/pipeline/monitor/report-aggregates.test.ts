/**
 * The aggregates monitoring stores for the report (per series and target day; the model against
 * the seasonal-naive rules per step) equal a direct computation from the forecasts and the truth,
 * done here with plain loops the way the report's loaders did before monitoring stored them; and
 * a store whose day files predate them gets them, identical, on its next monitor.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixedClock, silentLogger } from "../../../src/pipeline/core/effects.js";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { monitor } from "../../../src/pipeline/monitor/monitor.js";
import { METRICS_VS_NAIVE_SCHEMA, metricsBySeriesDaySchema } from "../../../src/pipeline/monitor/schema.js";
import { readParquet } from "../../../src/pipeline/parquet/read.js";
import { writePredictionOutputs } from "../../../src/pipeline/predict/outputs.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { GROUP, KEYS, NOW } from "../doctor/fixtures.js";

const H = 3_600_000;
const D = 24 * H;
const DAY0 = Date.UTC(2023, 0, 1);
const POLICY = { maxMape7d: 0.1, minCoverage80: 0.6 };
/** Two series of twelve days; series 2 measured 0 once (no percentage error) and missing one hour. */
const SERIES = [
  [1, 111],
  [2, 111],
] as const;
const HOURS = 12 * 24;
const ZERO_HOUR = DAY0 + 10 * D + 5 * H;
const MISSING_HOUR = DAY0 + 10 * D + 7 * H;
const truth = (s: number, t: number): number | undefined =>
  s === 1 && t === MISSING_HOUR ? undefined : s === 1 && t === ZERO_HOUR ? 0 : 100 + 40 * s + 25 * Math.sin((t - DAY0) / H / 3.7) + ((t / H) % 5);

function featureRows(): ColumnTable {
  const rows = { datetime_utc: [] as number[], area: [] as number[], consumer_type: [] as number[], energy_consumption: [] as number[] };
  for (let h = 0; h < HOURS; h++) {
    for (const [s, [area, type]] of SERIES.entries()) {
      const v = truth(s, DAY0 + h * H);
      if (v === undefined) continue;
      rows.datetime_utc.push(DAY0 + h * H);
      rows.area.push(area);
      rows.consumer_type.push(type);
      rows.energy_consumption.push(v);
    }
  }
  return aq.table(rows) as ColumnTable;
}

/** 30 hours ahead of `origin` for both series; the first origin forecasts series 2 with the baseline (a new series). */
function forecastRows(runId: string, origin: number, first: boolean): ColumnTable {
  const r = { area: [] as number[], consumer_type: [] as number[], datetime_utc: [] as number[], origin: [] as number[], step: [] as number[] };
  const p = { prediction: [] as number[], lower_80: [] as number[], upper_80: [] as number[], lower_95: [] as number[], upper_95: [] as number[] };
  const m = { model: [] as string[], model_version: [] as number[], run_id: [] as string[] };
  for (const [s, [area, type]] of SERIES.entries()) {
    for (let step = 1; step <= 30; step++) {
      const t = origin + step * H;
      const yhat = 100 + 40 * s + 20 * Math.cos(t / H / 5) + step / 7;
      r.area.push(area);
      r.consumer_type.push(type);
      r.datetime_utc.push(t);
      r.origin.push(origin);
      r.step.push(step);
      p.prediction.push(yhat);
      p.lower_80.push(yhat - 8);
      p.upper_80.push(yhat + 8);
      p.lower_95.push(yhat - 15);
      p.upper_95.push(yhat + 15);
      const baseline = first && s === 1;
      m.model.push(baseline ? "seasonal-naive-24" : "gbm-blend");
      m.model_version.push(baseline ? 0 : 1);
      m.run_id.push(runId);
    }
  }
  return aq.table({ ...r, ...p, ...m }) as ColumnTable;
}

const ORIGINS = [8, 9, 10].map((d) => DAY0 + d * D - H);
const VISIBLE = DAY0 + HOURS * H;

/** What the report computed itself before: every forecast with its truth, in plain loops. */
function direct(all: ColumnTable) {
  const rows = all.objects() as Array<{ area: number; datetime_utc: number; step: number; prediction: number; model: string }>;
  const series = (area: number) => SERIES.findIndex(([a]) => a === area);
  const byDay = new Map<string, { area: number; day: number; n: number; ape: number; valid: number }>();
  const bySteps = new Map<number, { n: number; model: number; naive: number[] }>();
  for (const r of rows) {
    const s = series(r.area);
    const y = truth(s, r.datetime_utc);
    if (y === undefined || r.datetime_utc >= VISIBLE) continue;
    const day = Math.floor(r.datetime_utc / D) * D;
    const key = `${r.area}:${day}`;
    const acc = byDay.get(key) ?? { area: r.area, day, n: 0, ape: 0, valid: 0 };
    acc.n++;
    if (y !== 0) {
      acc.ape += Math.abs((y - r.prediction) / y);
      acc.valid++;
    }
    byDay.set(key, acc);
    const naive = [24, 168].map((p) => truth(s, r.datetime_utc - p * H));
    if (y === 0 || r.step > 24 || r.model === "seasonal-naive-24" || naive.some((v) => v === undefined)) continue;
    const st = bySteps.get(r.step) ?? { n: 0, model: 0, naive: [0, 0] };
    st.n++;
    st.model += Math.abs((y - r.prediction) / y);
    naive.forEach((v, k) => (st.naive[k] += Math.abs((y - v!) / y)));
    bySteps.set(r.step, st);
  }
  return {
    bySeriesDay: Array.from(byDay.values())
      .sort((a, b) => a.area - b.area || a.day - b.day)
      .map((a) => ({ area: a.area, day: a.day, n: a.n, mape: a.valid ? a.ape / a.valid : null })),
    vsNaive: Array.from(bySteps, ([step, s]) => ({
      step,
      n: s.n,
      mape: s.model / s.n,
      mape_naive_24: s.naive[0] / s.n,
      mape_naive_168: s.naive[1] / s.n,
    })).sort((a, b) => a.step - b.step),
  };
}

/** Numbers to 12 decimals: the stored sums are added per day, the direct ones per row. */
const rounded = (rows: Array<Record<string, unknown>>) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? Number(v.toFixed(12)) : v])));

async function stored(storage: Storage) {
  const bySeriesDay = readParquet(await storage.read("metrics_monitoring_by_series_day.parquet"), metricsBySeriesDaySchema(KEYS));
  const vsNaive = readParquet(await storage.read("metrics_monitoring_vs_naive.parquet"), METRICS_VS_NAIVE_SCHEMA);
  return {
    bySeriesDay: rounded(bySeriesDay.select("area", "day", "n", "mape").objects() as Array<Record<string, unknown>>),
    vsNaive: rounded(vsNaive.objects() as Array<Record<string, unknown>>),
  };
}

describe("the report's aggregates, stored by monitoring", () => {
  let dir: string;
  let storage: Storage;
  let all: ColumnTable;
  const ctx = () => ({ storage, group: GROUP, runId: "monitor-test", clock: fixedClock(NOW), logger: silentLogger });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "monitor-aggregates-"));
    storage = createLocalStorage(dir);
    await new FeatureStore(storage, GROUP).upsert(featureRows(), "ingest-1", NOW);
    const runs = ORIGINS.map((o, k) => forecastRows(`run-${k}`, o, k === 0));
    for (const [k, predictions] of runs.entries()) {
      const X = predictions.select("datetime_utc", "area", "consumer_type");
      await writePredictionOutputs(storage, `run-${k}`, { X, y: X.derive({ energy_consumption: () => 1 }), predictions }, KEYS);
    }
    all = runs[0].concat(...runs.slice(1));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("per series and day, and per step against the seasonal-naive rules, equal a direct computation", async () => {
    // Scored in two ticks: the first sees two days less truth.
    await monitor(ctx(), { visibleUntil: VISIBLE - 2 * D, policy: POLICY });
    await monitor(ctx(), { visibleUntil: VISIBLE, policy: POLICY });
    const want = direct(all);
    // The cases the rules single out are in the data: a zero, a baseline forecast, steps beyond 24.
    expect(want.bySeriesDay.some((r) => r.area === 2 && r.n > 0)).toBe(true);
    expect(want.vsNaive.map((r) => r.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(await stored(storage)).toEqual({ bySeriesDay: rounded(want.bySeriesDay), vsNaive: rounded(want.vsNaive) });
  });

  it("a store monitored before these aggregates existed gets them on its next monitor, as if scored anew", async () => {
    await monitor(ctx(), { visibleUntil: VISIBLE, policy: POLICY });
    const fresh = await stored(storage);
    const freshState = JSON.parse(new TextDecoder().decode(await storage.read("monitoring/state.json")));
    // What the previous version left: day files without a format version or naive sums, no new outputs.
    for (const key of await storage.list("monitoring/days/")) {
      const { formatVersion, naive, ...old } = JSON.parse(new TextDecoder().decode(await storage.read(key)));
      expect([formatVersion, Array.isArray(naive)]).toEqual([2, true]);
      await storage.write(key, JSON.stringify(old));
    }
    await storage.delete("metrics_monitoring_by_series_day.parquet");
    await storage.delete("metrics_monitoring_vs_naive.parquet");

    const report = await monitor(ctx(), { visibleUntil: VISIBLE, policy: POLICY });
    expect(report.report.scored).toBeGreaterThan(0);
    expect(await stored(storage)).toEqual(fresh);
    expect(JSON.parse(new TextDecoder().decode(await storage.read("monitoring/state.json")))).toEqual(freshState);
    for (const key of await storage.list("monitoring/days/")) {
      expect(JSON.parse(new TextDecoder().decode(await storage.read(key))).formatVersion, key).toBe(2);
    }
  });
});
