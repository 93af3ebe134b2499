import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { panelEnd, panelFromTable, panelUntil } from "../../../src/pipeline/features/panel.js";

const H = 3_600_000;
const T0 = Date.UTC(2023, 0, 1);

function table(rows: Array<[number, number, number, number | null]>): ColumnTable {
  return aq.table({
    datetime_utc: rows.map((r) => r[0]),
    area: rows.map((r) => r[1]),
    consumer_type: rows.map((r) => r[2]),
    energy_consumption: rows.map((r) => r[3]),
  }) as ColumnTable;
}

describe("panelFromTable", () => {
  it("puts rows in any order on one hourly grid, series sorted by area then consumer type, gaps as NaN", () => {
    const p = panelFromTable(
      table([
        [T0 + 2 * H, 2, 111, 30],
        [T0, 1, 999, 1],
        [T0 + H, 1, 999, 2],
        [T0, 1, 111, 10],
        [T0 + 2 * H, 1, 111, null],
      ]),
    );
    expect(p.start).toBe(T0);
    expect(p.hours).toBe(3);
    expect(panelEnd(p)).toBe(T0 + 2 * H);
    expect(p.keys).toEqual([
      { area: 1, consumerType: 111 },
      { area: 1, consumerType: 999 },
      { area: 2, consumerType: 111 },
    ]);
    expect(p.values.map((v) => Array.from(v))).toEqual([
      [10, NaN, NaN],
      [1, 2, NaN],
      [NaN, NaN, 30],
    ]);
  });

  it("rejects duplicates and off-grid times with what to do", () => {
    expect(() => panelFromTable(table([[T0, 1, 111, 1], [T0, 1, 111, 2]]))).toThrow(
      "features: history has two rows for area 1, consumer_type 111 at 2023-01-01T00:00Z; expected one row per series and hour (deduplicate first)",
    );
    expect(() => panelFromTable(table([[T0 + 1000, 1, 111, 1]]))).toThrow("expected epoch ms on a whole UTC hour");
    expect(() => panelFromTable(table([]))).toThrow("features: history is empty");
  });

  it("cuts at an origin, as views or as copies", () => {
    const p = panelFromTable(table([[T0, 1, 111, 1], [T0 + H, 1, 111, 2], [T0 + 2 * H, 1, 111, 3]]));
    const view = panelUntil(p, T0 + H);
    expect(view.hours).toBe(2);
    expect(Array.from(view.values[0])).toEqual([1, 2]);
    expect(view.values[0].buffer).toBe(p.values[0].buffer);
    const copy = panelUntil(p, T0 + H, true);
    expect(copy.values[0].buffer).not.toBe(p.values[0].buffer);
    expect(copy.values[0].buffer.byteLength).toBe(16);
    expect(() => panelUntil(p, T0 - H)).toThrow("features: cannot cut the history at 2022-12-31T23:00Z");
  });
});
