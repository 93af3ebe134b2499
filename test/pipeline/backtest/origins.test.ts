import { describe, expect, it } from "vitest";
import { planOrigins } from "../../../src/pipeline/backtest/origins.js";
import type { Panel } from "../../../src/pipeline/features/panel.js";

const H = 3_600_000;
const T0 = Date.UTC(2023, 0, 1);
const panel: Panel = {
  start: T0,
  hours: 100,
  keyColumns: [
    { name: "area", type: "int8" },
    { name: "consumer_type", type: "int32" },
  ],
  keys: [[1, 1]],
  values: [new Float64Array(100)],
};

describe("planOrigins", () => {
  it("steps from --from to --to inclusive and skips origins whose horizon runs past the data", () => {
    // Last hour is T0 + 99 h; horizon 24 fits for origins <= T0 + 75 h.
    const o = planOrigins(panel, { from: T0 + 51 * H, to: T0 + 99 * H, every: 12, horizon: 24 });
    expect(o.origins).toEqual([T0 + 51 * H, T0 + 63 * H, T0 + 75 * H]);
    expect(o.skippedPastData).toEqual([T0 + 87 * H, T0 + 99 * H]);
  });

  it("skips origins before the data", () => {
    const o = planOrigins(panel, { from: T0 - 24 * H, to: T0 + 24 * H, every: 24, horizon: 24 });
    expect(o.origins).toEqual([T0, T0 + 24 * H]);
    expect(o.skippedBeforeData).toEqual([T0 - 24 * H]);
  });

  it("explains an empty plan and bad settings", () => {
    expect(() => planOrigins(panel, { from: T0 + 90 * H, to: T0 + 99 * H, every: 1, horizon: 24 })).toThrow(
      "backtest: no origin in 2023-01-04T18:00Z..2023-01-05T03:00Z (every 1 h) has data before it and its 24 h horizon inside the data, which covers 2023-01-01T00:00Z..2023-01-05T03:00Z; choose origins between 2023-01-01T00:00Z and 2023-01-04T03:00Z",
    );
    expect(() => planOrigins(panel, { from: T0 + 2 * H, to: T0, every: 24, horizon: 24 })).toThrow(
      "config: --to (2023-01-01T00:00Z) is before --from (2023-01-01T02:00Z)",
    );
    expect(() => planOrigins(panel, { from: T0 + 1000, to: T0 + 2 * H, every: 24, horizon: 24 })).toThrow("--from must be a whole UTC hour");
    expect(() => planOrigins(panel, { from: T0, to: T0, every: 0, horizon: 24 })).toThrow("--every must be a whole number of hours >= 1, got 0");
  });
});
