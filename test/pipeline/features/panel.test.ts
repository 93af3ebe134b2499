import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { lastObserved, observedSpan, panelEnd, panelFromTable, panelSubset, panelUntil } from "../../../src/pipeline/features/panel.js";
import type { KeyColumn } from "../../../src/pipeline/series/key.js";

const H = 3_600_000;
const T0 = Date.UTC(2023, 0, 1);
/** DE35's key columns, as the de35 preset stores them. */
const DE35_KEYS: KeyColumn[] = [
  { name: "area", type: "int8" },
  { name: "consumer_type", type: "int32" },
];

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
      DE35_KEYS,
    );
    expect(p.start).toBe(T0);
    expect(p.hours).toBe(3);
    expect(panelEnd(p)).toBe(T0 + 2 * H);
    expect(p.keyColumns).toEqual(DE35_KEYS);
    expect(p.keys).toEqual([
      [1, 111],
      [1, 999],
      [2, 111],
    ]);
    expect(p.values.map((v) => Array.from(v))).toEqual([
      [10, NaN, NaN],
      [1, 2, NaN],
      [NaN, NaN, 30],
    ]);
  });

  it("takes string keys under their own names, sorted by code unit", () => {
    const t = aq.table({
      datetime_utc: [T0, T0, T0, T0 + H],
      meter_id: ["m-b", "M-z", "m-a", "m-a"],
      energy_consumption: [2, 3, 1, 4],
    }) as ColumnTable;
    const p = panelFromTable(t, [{ name: "meter_id", type: "utf8" }]);
    // "M" (0x4d) sorts before "m" (0x6d): code units, not a locale.
    expect(p.keys).toEqual([["M-z"], ["m-a"], ["m-b"]]);
    expect(p.values.map((v) => Array.from(v))).toEqual([
      [3, NaN],
      [1, 4],
      [2, NaN],
    ]);
  });

  it("rejects duplicates, off-grid times, null keys and missing columns with what to do", () => {
    expect(() =>
      panelFromTable(
        table([
          [T0, 1, 111, 1],
          [T0, 1, 111, 2],
        ]),
        DE35_KEYS,
      ),
    ).toThrow("features: history has two rows for area=1, consumer_type=111 at 2023-01-01T00:00Z; expected one row per series and hour (deduplicate first)");
    expect(() => panelFromTable(table([[T0 + 1000, 1, 111, 1]]), DE35_KEYS)).toThrow(
      "features: history row 0 has datetime_utc 1672531201000; expected epoch ms on a whole UTC hour",
    );
    expect(() => panelFromTable(table([]), DE35_KEYS)).toThrow(
      "features: history is empty; expected hourly rows of datetime_utc, area, consumer_type, energy_consumption",
    );
    const nullKey = aq.table({ datetime_utc: [T0], area: [null], consumer_type: [111], energy_consumption: [1] }) as ColumnTable;
    expect(() => panelFromTable(nullKey, DE35_KEYS, "training history")).toThrow(
      "features: training history row 0 has key area=null, consumer_type=111; expected no null key (validate the data first)",
    );
    expect(() => panelFromTable(table([[T0, 1, 111, 1]]), [{ name: "meter_id", type: "utf8" }])).toThrow(
      'features: history lacks column "meter_id"; expected the canonical columns datetime_utc, meter_id, energy_consumption (found datetime_utc, area, consumer_type, energy_consumption)',
    );
  });

  it("cuts at an origin, as views or as copies", () => {
    const p = panelFromTable(
      table([
        [T0, 1, 111, 1],
        [T0 + H, 1, 111, 2],
        [T0 + 2 * H, 1, 111, 3],
      ]),
      DE35_KEYS,
    );
    const view = panelUntil(p, T0 + H);
    expect(view.hours).toBe(2);
    expect(view.keyColumns).toBe(p.keyColumns);
    expect(Array.from(view.values[0])).toEqual([1, 2]);
    expect(view.values[0].buffer).toBe(p.values[0].buffer);
    const copy = panelUntil(p, T0 + H, true);
    expect(copy.values[0].buffer).not.toBe(p.values[0].buffer);
    expect(copy.values[0].buffer.byteLength).toBe(16);
    expect(() => panelUntil(p, T0 - H)).toThrow("features: cannot cut the history at 2022-12-31T23:00Z: it starts at 2023-01-01T00:00Z; choose a later origin");
  });
});

describe("lastObserved, observedSpan, panelSubset", () => {
  // Series 0 observed throughout; series 1 starts late; series 2 stopped reporting; series 3 never reported.
  const p = panelFromTable(
    table([
      [T0, 1, 111, 1],
      [T0 + H, 1, 111, 2],
      [T0 + 2 * H, 1, 111, 3],
      [T0 + 2 * H, 1, 112, 5],
      [T0, 1, 119, 7],
      [T0 + H, 1, 119, null],
      [T0, 1, 121, null],
    ]),
    DE35_KEYS,
  );

  it("finds each series' last observed hour and the hours since its first observation", () => {
    expect(p.keys.map((_, s) => lastObserved(p, s))).toEqual([2, 2, 0, -1]);
    expect(p.keys.map((_, s) => observedSpan(p, s))).toEqual([3, 1, 3, 0]);
  });

  it("restricts to some series in the order asked, sharing their values", () => {
    const sub = panelSubset(p, [2, 0]);
    expect(sub.keys).toEqual([
      [1, 119],
      [1, 111],
    ]);
    expect(sub.values[1]).toBe(p.values[0]);
    expect(sub.start).toBe(p.start);
    expect(sub.hours).toBe(p.hours);
    expect(sub.keyColumns).toBe(p.keyColumns);
  });
});
