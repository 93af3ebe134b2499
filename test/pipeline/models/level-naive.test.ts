import { describe, expect, it } from "vitest";
import type { Panel } from "../../../src/pipeline/features/panel.js";
import { loadForecaster } from "../../../src/pipeline/models/catalog.js";
import { LevelNaive, levelRatio } from "../../../src/pipeline/models/level-naive.js";

const T0 = Date.UTC(2023, 0, 2);

/** One series: `base` for the first `hours - 6` hours, then `last` for the final 6 hours. */
function panel(hours: number, base: number, last: number): Panel {
  const v = Float64Array.from({ length: hours }, (_, i) => (i >= hours - 6 ? last : base) + (i % 4));
  return { start: T0, hours, keyColumns: [{ name: "id", type: "int32" }], keys: [[1]], values: [v] };
}

describe("level-adjusted seasonal naive", () => {
  it("copies a season ago, scaled by the recent level against the level a season ago", () => {
    // Period 8, level over 4 h: the last 4 hours are 20 + (i % 4), the same hours 8 before 10 + (i % 4).
    const p = panel(30, 10, 20);
    const m = new LevelNaive(8, 4);
    m.fit(p);
    const ratio = (20 + 21 + 22 + 23) / (10 + 11 + 12 + 13);
    const f = m.forecast(2);
    // Step 1 copies index 29 + 1 - 8 = 22 (value 10 + 22 % 4 = 12).
    expect(f.point[0]).toBeCloseTo(12 * ratio, 12);
    expect(f.point[1]).toBeCloseTo(13 * ratio, 12);
  });

  it("is the plain seasonal naive when the level has not changed or cannot be measured", () => {
    expect(levelRatio([1, 2, 3, 1, 2, 3], 5, 3, 3)).toBe(1);
    expect(levelRatio([1, 2, 3], 2, 3, 3)).toBe(1); // no season before
    expect(levelRatio([0, 0, 5, 6], 3, 2, 2)).toBe(1); // a season ago at zero
    expect(levelRatio([NaN, 1, 5, 6], 3, 2, 2)).toBe(1); // a missing hour
    expect(levelRatio([1, 1, 2, 2], 3, 2, 2)).toBe(2);
  });

  it("round-trips through JSON and rejects impossible settings", () => {
    const m = new LevelNaive(168, 24);
    const back = loadForecaster(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back).toBeInstanceOf(LevelNaive);
    expect(back.name).toBe("level-naive-168");
    expect((back as LevelNaive).levelHours).toBe(24);
    expect(() => new LevelNaive(24, 48)).toThrow("levelHours");
    expect(() => new LevelNaive(0, 1)).toThrow("period");
  });
});
