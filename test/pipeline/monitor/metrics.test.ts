import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";

const rows = (t: ColumnTable) => t.objects() as Array<Record<string, number>>;
import { actualsForForecasts, joinActuals } from "../../../src/pipeline/monitor/join.js";
import { monitoringMetrics } from "../../../src/pipeline/monitor/metrics.js";
import { checkAlerts } from "../../../src/pipeline/monitor/alerts.js";

const H = 3_600_000;
const D = 24 * H;
const KEYS = ["area", "consumer_type"];

/** Two origins forecasting series (1,111) and (2,111); the second origin overlaps the first at hour 2. */
const history = aq.table({
  area: [1, 1, 2, 2, 1],
  consumer_type: [111, 111, 111, 111, 111],
  datetime_utc: [1 * H, 2 * H, 1 * H, 2 * H, 2 * H],
  step: [1, 2, 1, 2, 1],
  origin: [0, 0, 0, 0, 1 * H],
  prediction: [90, 110, 200, 150, 100],
  lower_80: [85, 100, 190, NaN, 95],
  upper_80: [95, 120, 210, NaN, 105],
  lower_95: [80, 95, 180, NaN, 90],
  upper_95: [100, 125, 220, NaN, 110],
  model: ["gbm", "gbm", "gbm", "gbm", "gbm"],
  model_version: [1, 1, 1, 1, 2],
  run_id: ["r0", "r0", "r0", "r0", "r1"],
});
const actuals = aq.table({
  datetime_utc: [0, 1 * H, 2 * H, 1 * H, 2 * H, 3 * H],
  area: [1, 1, 1, 2, 2, 2],
  consumer_type: [111, 111, 111, 111, 111, 111],
  energy_consumption: [1, 100, 100, 200, 200, 7],
});

describe("monitoring", () => {
  it("joins forecasts with the truth and scores each one", () => {
    const scored = joinActuals(history, actuals, KEYS).orderby("origin", "area", "datetime_utc");
    expect(rows(scored).map((r) => [r.y, r.ape, r.in_80, r.in_95])).toEqual([
      [100, 0.1, 0, 1],
      [100, 0.1, 1, 1],
      [200, 0, 1, 1],
      [200, 0.25, null, null],
      [100, 0, 1, 1],
    ]);
  });

  it("scores the rows a filtered or ordered view lists, not the rows at the same positions underneath", () => {
    const whole = joinActuals(history, actuals, KEYS).objects();
    const second = joinActuals(
      history.filter((d: { origin: number }) => d.origin > 0),
      actuals,
      KEYS,
    ).objects();
    expect(second).toEqual(whole.filter((r) => (r as { origin: number }).origin > 0));
    expect(second.map((r) => (r as { run_id: string }).run_id)).toEqual(["r1"]);
    const reversed = joinActuals(history.orderby(aq.desc("area"), aq.desc("datetime_utc")), actuals, KEYS).objects();
    expect(reversed.map((r) => (r as { area: number }).area)).toEqual([2, 2, 1, 1, 1]);
  });

  it("leaves out forecasts whose truth has not arrived", () => {
    const partial = actuals.filter((d: { datetime_utc: number }) => d.datetime_utc < 2 * 3_600_000);
    expect(joinActuals(history, partial, KEYS).numRows()).toBe(2);
  });

  it("matches on the whole series key: same area or same consumer type alone is not a match", () => {
    const forecasts = history.filter((d: { run_id: string }) => d.run_id === "r0").derive({ consumer_type: () => 222 });
    const truth = aq.table({
      datetime_utc: [1 * H, 1 * H, 1 * H, 2 * H],
      area: [1, 2, -3, 2],
      consumer_type: [111, 222, 222, 111],
      energy_consumption: [50, 250, 999, 7],
    });
    // Only (2, 222) at hour 1 has truth; (1, 111), (-3, 222) and (2, 111) are other series.
    expect(rows(joinActuals(forecasts, truth, KEYS)).map((r) => [r.area, r.consumer_type, r.datetime_utc, r.y])).toEqual([[2, 222, 1 * H, 250]]);
  });

  it("matches string keys of several columns without running them together", () => {
    const forecasts = aq.table({
      MunicipalityNo: ["101", "10"],
      Branche: ["Privat", "1Privat"],
      datetime_utc: [H, H],
      step: [1, 1],
      origin: [0, 0],
      prediction: [90, 45],
      lower_80: [NaN, NaN],
      upper_80: [NaN, NaN],
      lower_95: [NaN, NaN],
      upper_95: [NaN, NaN],
      model: ["gbm", "gbm"],
      model_version: [1, 1],
      run_id: ["r0", "r0"],
    });
    const truth = aq.table({ datetime_utc: [H, H], MunicipalityNo: ["101", "1"], Branche: ["Privat", "01Privat"], energy_consumption: [100, 50] });
    const keys = ["MunicipalityNo", "Branche"];
    const scored = joinActuals(forecasts, truth, keys);
    expect(rows(scored).map((r) => [r.MunicipalityNo, r.Branche, r.y, r.ape])).toEqual([["101", "Privat", 100, 0.1]]);
    expect(rows(monitoringMetrics(scored, keys).bySeries).map((r) => [r.MunicipalityNo, r.Branche, r.n])).toEqual([["101", "Privat", 1]]);
    expect(actualsForForecasts(forecasts, truth, keys).objects()).toEqual([
      { datetime_utc: H, MunicipalityNo: "101", Branche: "Privat", energy_consumption: 100 },
    ]);
  });

  it("computes MAPE per target hour, series, step, model version and origin, as fractions", () => {
    const m = monitoringMetrics(joinActuals(history, actuals, KEYS), KEYS);
    const close = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" ? Number(v.toFixed(12)) : v]));
    expect(rows(m.byTime).map(close)).toEqual(
      [
        { datetime_utc: 1 * H, n: 2, mape: 0.05, rmspe: Math.sqrt(0.005), coverage_80: 0.5, coverage_95: 1, mape_7d: 0.05, coverage_80_7d: 0.5 },
        {
          datetime_utc: 2 * H,
          n: 3,
          mape: 0.35 / 3,
          rmspe: Math.sqrt((0.01 + 0.0625) / 3),
          coverage_80: 1,
          coverage_95: 1,
          mape_7d: 0.45 / 5,
          coverage_80_7d: 0.75,
        },
      ].map(close),
    );
    expect(rows(m.bySeries).map((r) => [r.area, r.n, Number((r.mape as number).toFixed(12))])).toEqual([
      [2, 2, 0.125],
      [1, 3, Number((0.2 / 3).toFixed(12))],
    ]);
    expect(rows(m.byStep).map((r) => [r.step, r.n, Number((r.mape as number).toFixed(12))])).toEqual([
      [1, 3, Number((0.1 / 3).toFixed(12))],
      [2, 2, 0.175],
    ]);
    expect(rows(m.byModel).map((r) => [r.model_version, r.n, r.first_origin])).toEqual([
      [1, 4, 0],
      [2, 1, 1 * H],
    ]);
    expect(rows(m.byOrigin).map((r) => [r.run_id, r.n, Number((r.mape as number).toFixed(12))])).toEqual([
      ["r0", 4, 0.1125],
      ["r1", 1, 0],
    ]);
  });

  it("pools the trailing 7 days and drops hours that fell out of the window", () => {
    const h = aq.table({
      area: [1, 1],
      consumer_type: [1, 1],
      datetime_utc: [0, 8 * D],
      step: [1, 1],
      origin: [-H, 8 * D - H],
      prediction: [50, 100],
      lower_80: [0, 0],
      upper_80: [1, 1000],
      lower_95: [0, 0],
      upper_95: [1, 1000],
      model: ["m", "m"],
      model_version: [1, 1],
      run_id: ["a", "b"],
    });
    const y = aq.table({ datetime_utc: [0, 8 * D], area: [1, 1], consumer_type: [1, 1], energy_consumption: [100, 110] });
    const byTime = monitoringMetrics(joinActuals(h, y, KEYS), KEYS).byTime;
    const mape7d = Array.from(byTime.array("mape_7d") as ArrayLike<number>);
    expect(mape7d[0]).toBe(0.5);
    expect(mape7d[1]).toBeCloseTo(10 / 110, 12);
    expect(byTime.array("coverage_80_7d")).toEqual([0, 1]);
  });

  it("raises alerts from the latest trailing window", () => {
    const byTime = monitoringMetrics(joinActuals(history, actuals, KEYS), KEYS).byTime;
    expect(checkAlerts(byTime, { maxMape7d: 0.05, minCoverage80: 0.8 })).toEqual({
      latest: "1970-01-01T02:00:00.000Z",
      mape7d: 0.09,
      coverage80_7d: 0.75,
      alerts: [
        "7-day MAPE 9.00% up to 1970-01-01T02:00Z is above the threshold 5.00%",
        "7-day coverage of the 80% interval 75.0% up to 1970-01-01T02:00Z is below 80.0%",
      ],
    });
    expect(checkAlerts(byTime, { maxMape7d: 0.1, minCoverage80: 0.7 }).alerts).toEqual([]);
  });

  it("selects the truth rows the forecasts cover", () => {
    expect(actualsForForecasts(history, actuals, KEYS).numRows()).toBe(4);
  });
});
