/**
 * Why the predict shards of a staged run can equal one process: no model reads another series
 * when it forecasts one. The global GBM is fitted on every series pooled, but its features for a
 * series (lags, rolling windows, scale, calendar, key codes) come from that series' own history
 * and the panel's time grid; the seasonal naive and the blend's weights are per series and step;
 * the conformal intervals are per step. So forecasting any subset of the series (a shard) gives
 * each of them the same bits as forecasting all of them at once.
 */
import { describe, expect, it } from "vitest";
import { syntheticPanel } from "../../../src/pipeline/backtest/synthetic.js";
import { panelSubset, type Panel } from "../../../src/pipeline/features/panel.js";
import { createForecaster, loadForecaster } from "../../../src/pipeline/models/catalog.js";
import { calibrate } from "../../../src/pipeline/models/conformal.js";
import type { Forecast } from "../../../src/pipeline/models/forecast.js";
import { inShard } from "../../../src/pipeline/series/shard.js";

const H = 24;
const panel: Panel = (() => {
  const p = syntheticPanel({ series: 23, hours: 24 * 15, seed: 7, start: Date.UTC(2022, 11, 19) });
  // One series starting late (shorter history: its scale and lags see only its own values) and one
  // with a gap: neither may change what another series gets.
  p.values[4].fill(NaN, 0, 24 * 6);
  p.values[9].fill(NaN, 24 * 10, 24 * 10 + 5);
  return p;
})();

/** Every value of series `s` of `f`, as bits (NaN and -0 compared exactly). */
function rowsOf(f: Forecast, s: number): number[][] {
  const pick = (a: Float64Array) => Array.from(a.subarray(s * f.horizon, (s + 1) * f.horizon));
  return [pick(f.point), pick(f.lower80), pick(f.upper80), pick(f.lower95), pick(f.upper95)];
}

describe("forecasts of a shard of the series equal those of all series", () => {
  it.each(["gbm", "gbm-blend", "seasonal-naive-168", "seasonal-naive-24"])("%s, bit for bit, for 2, 3 and 5 shards", (name) => {
    const model = createForecaster(name, { nIterations: 25, maxLeaves: 8, minSamplesLeaf: 5 });
    model.fit(panel);
    model.calibration = calibrate(
      { step: Array.from({ length: 240 }, (_, i) => 1 + (i % H)), rel: Array.from({ length: 240 }, (_, i) => ((i * 37) % 21) / 100 - 0.1) },
      H,
    );
    // As a shard loads it: from the registry's JSON.
    const loaded = loadForecaster(JSON.parse(JSON.stringify(model.toJSON())));
    const whole = loaded.forecast(H, panel);
    for (const n of [2, 3, 5]) {
      let covered = 0;
      for (let k = 0; k < n; k++) {
        const mine = panel.keys.map((key, s) => (inShard(key, { index: k, count: n }) ? s : -1)).filter((s) => s >= 0);
        covered += mine.length;
        const part = loadForecaster(JSON.parse(JSON.stringify(model.toJSON()))).forecast(H, panelSubset(panel, mine));
        expect(part.origin).toBe(whole.origin);
        mine.forEach((s, i) => {
          const a = rowsOf(part, i);
          const b = rowsOf(whole, s);
          for (let j = 0; j < a.length; j++) for (let h = 0; h < H; h++) expect(Object.is(a[j][h], b[j][h]), `${name} ${k}/${n} series ${s}`).toBe(true);
        });
      }
      expect(covered).toBe(panel.keys.length);
    }
  });
});
