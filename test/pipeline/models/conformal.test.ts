import { describe, expect, it } from "vitest";
import { addResiduals, applyCalibration, calibrate, calibrationFromJSON, calibrationToJSON, emptyResiduals } from "../../../src/pipeline/models/conformal.js";
import { emptyForecast } from "../../../src/pipeline/models/forecast.js";
import type { KeyColumn } from "../../../src/pipeline/series/key.js";

const KEY_COLUMNS: KeyColumn[] = [
  { name: "area", type: "int8" },
  { name: "consumer_type", type: "int32" },
];

describe("conformal calibration", () => {
  it("takes per-step relative residuals of forecasts, skipping unusable points", () => {
    const f = emptyForecast(0, 2, {
      keyColumns: KEY_COLUMNS,
      keys: [
        [1, 1],
        [1, 2],
      ],
    });
    f.point.set([100, 200, 0, 50]);
    const r = addResiduals(emptyResiduals(), f, Float64Array.from([110, 150, 5, NaN]));
    expect(r).toEqual({ step: [1, 2], rel: [0.1, -0.25] });
  });

  it("uses the conformal order statistics per step", () => {
    // 19 residuals at step 1: -0.9, -0.8, ..., 0.9. 80 %: ranks floor(20 * 0.1) = 2 and ceil(20 * 0.9) = 18.
    const rel = Array.from({ length: 19 }, (_, i) => Math.round((i - 9) * 10) / 100);
    const cal = calibrate({ step: Array(19).fill(1).concat([2]), rel: rel.concat([0.5]) }, 3);
    expect(cal.counts).toEqual([19, 1, 0]);
    expect(cal.lower80[0]).toBe(-0.8);
    expect(cal.upper80[0]).toBe(0.8);
    // 95 % needs rank ceil(20 * 0.975) = 20 > 19: infinite, never silently narrower.
    expect(cal.upper95[0]).toBe(Infinity);
    expect(cal.lower95[0]).toBe(-Infinity);
    expect(cal.upper80[2]).toBe(Infinity);
  });

  it("bounds forecasts relative to their size and clips lower bounds at zero", () => {
    const cal = calibrate({ step: [1, 1, 1, 1, 1, 1, 1, 1, 1], rel: [-2, -0.1, 0, 0, 0, 0, 0, 0.1, 0.2] }, 1);
    const f = emptyForecast(0, 2, { keyColumns: KEY_COLUMNS, keys: [[1, 1]] });
    f.point.set([1000, 500]);
    applyCalibration(f, cal);
    expect(f.lower80[0]).toBe(0); // 1000 * (1 - 2) clipped
    expect(f.upper80[0]).toBeCloseTo(1200, 9);
    expect(f.lower80[1]).toBeNaN(); // step 2 is beyond the calibration
  });

  it("round-trips through JSON, infinities included", () => {
    const cal = calibrate({ step: [1, 1, 1], rel: [-0.1, 0, 0.1] }, 2);
    const back = calibrationFromJSON(JSON.parse(JSON.stringify(calibrationToJSON(cal))), "m");
    expect(back).toEqual(cal);
    expect(() => calibrationFromJSON({ horizon: 2, counts: [1] }, "m")).toThrow("model: m: calibration.counts must be an array of 2 numbers or nulls");
  });
});
