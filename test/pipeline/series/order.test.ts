import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { inKeyOrder } from "../../../src/pipeline/series/order.js";
import type { KeyColumn } from "../../../src/pipeline/series/key.js";

const KEYS: KeyColumn[] = [
  { name: "region", type: "int32" },
  { name: "meter", type: "utf8" },
];
const H = 3_600_000;
const byOrderby = (t: ColumnTable) => t.orderby("region", "meter", "datetime_utc").objects();

describe("inKeyOrder", () => {
  it("puts day parts joined day after day in series, then hour order, as arquero's orderby would", () => {
    // Two days, each part in key then hour order; text keys where code-unit order matters ("B" < "a").
    const day = (d: number) => ({
      datetime_utc: [0, 1, 0, 1, 0, 1].map((h) => (d * 2 + h) * H),
      region: [1, 1, 1, 1, 2, 2],
      meter: ["B", "B", "a", "a", "B", "B"],
      energy_consumption: [1, 2, 3, 4, 5, 6].map((v) => v + 10 * d),
    });
    const joined = (aq.table(day(0)) as ColumnTable).concat(aq.table(day(1)) as ColumnTable);
    const ordered = inKeyOrder(joined, KEYS);
    expect(ordered.objects()).toEqual(byOrderby(joined));
    expect(ordered.array("meter")).toEqual(["B", "B", "B", "B", "a", "a", "a", "a", "B", "B", "B", "B"]);
  });

  it("sorts every row when a run is not in hour order, and respects a filter", () => {
    const t = aq.table({
      datetime_utc: [2 * H, H, 0, 5 * H, 3 * H],
      region: [2, 2, 1, 1, 1],
      meter: ["x", "x", "x", "x", "x"],
      energy_consumption: [1, 2, 3, 4, 5],
    }) as ColumnTable;
    expect(inKeyOrder(t, KEYS).objects()).toEqual(byOrderby(t));
    const filtered = t.filter((d: { energy_consumption: number }) => d.energy_consumption !== 4);
    expect(inKeyOrder(filtered, KEYS).array("energy_consumption")).toEqual([3, 5, 2, 1]);
  });

  it("orders the forecasts of several shards by key, then step, keeping every column, as arquero's orderby would", () => {
    // Shard 0 holds (1, "B") and (2, "a"), shard 1 holds (1, "a"): each series' steps together, in order.
    const shard = (keys: Array<[number, string]>) => ({
      region: keys.flatMap(([r]) => [r, r, r]),
      meter: keys.flatMap(([, m]) => [m, m, m]),
      step: keys.flatMap(() => [1, 2, 3]),
      prediction: Float64Array.from(keys.flatMap(([r, m]) => [1, 2, 3].map((s) => r * 100 + m.charCodeAt(0) + s / 10))),
      model: keys.flatMap(() => ["gbm", "gbm", "gbm"]),
    });
    const joined = (
      aq.table(
        shard([
          [1, "B"],
          [2, "a"],
        ]),
      ) as ColumnTable
    ).concat(aq.table(shard([[1, "a"]])) as ColumnTable);
    const ordered = inKeyOrder(joined, KEYS, { within: "step", columns: joined.columnNames() });
    expect(ordered.columnNames()).toEqual(["region", "meter", "step", "prediction", "model"]);
    expect(ordered.objects()).toEqual(joined.orderby("region", "meter", "step").objects());
    // A series whose steps are out of order: sorted row by row, the same result.
    const shuffled = joined.slice(1).concat(joined.slice(0, 1));
    expect(inKeyOrder(shuffled, KEYS, { within: "step", columns: joined.columnNames() }).objects()).toEqual(ordered.objects());
  });
});
