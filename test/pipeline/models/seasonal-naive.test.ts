import { describe, expect, it } from "vitest";
import type { Panel } from "../../../src/pipeline/features/panel.js";
import { calibrate } from "../../../src/pipeline/models/conformal.js";
import { createForecaster, loadForecaster } from "../../../src/pipeline/models/catalog.js";
import { forecastColumns, forecastToTable } from "../../../src/pipeline/models/forecast-table.js";
import type { KeyColumn } from "../../../src/pipeline/series/key.js";
import { SeasonalNaive } from "../../../src/pipeline/models/seasonal-naive.js";

const H = 3_600_000;
const T0 = Date.UTC(2023, 0, 2);
const KEY_COLUMNS: KeyColumn[] = [
  { name: "area", type: "int8" },
  { name: "consumer_type", type: "int32" },
];

/** Two series of 200 hours: values[i] = i and 1000 + i. */
function panel(hours = 200): Panel {
  return {
    start: T0,
    hours,
    keyColumns: KEY_COLUMNS,
    keys: [
      [1, 111],
      [2, 999],
    ],
    values: [Float64Array.from({ length: hours }, (_, i) => i), Float64Array.from({ length: hours }, (_, i) => 1000 + i)],
  };
}

describe("seasonal naive", () => {
  it("repeats the value one period earlier, and the last period again beyond one period", () => {
    const m = new SeasonalNaive(24);
    m.fit(panel());
    const f = m.forecast(30);
    // Last index 199: step h -> index 199 + h - 24 * ceil(h / 24).
    expect(Array.from(f.point.slice(0, 3))).toEqual([176, 177, 178]);
    expect(f.point[23]).toBe(199);
    expect(f.point[24]).toBe(176); // step 25 -> 199 + 25 - 48
    expect(f.point[30]).toBe(1176); // series 2, step 1
    expect(f.origin).toBe(T0 + 199 * H);
    expect(Array.from(f.lower80.slice(0, 3))).toEqual([NaN, NaN, NaN]);
  });

  it("168 h forecasts the same hour last week", () => {
    const m = createForecaster("seasonal-naive-168");
    m.fit(panel());
    expect(Array.from(m.forecast(2).point)).toEqual([32, 33, 1032, 1033]);
  });

  it("gives NaN where the source hour is missing or before the data", () => {
    const p = panel(30);
    p.values[0][6] = NaN;
    const m = new SeasonalNaive(24);
    m.fit(p);
    expect(m.forecast(1).point[0]).toBeNaN();
    expect(() => new SeasonalNaive(168).forecast(1, p)).not.toThrow();
    expect(new SeasonalNaive(168).forecast(1, p).point[0]).toBeNaN();
  });

  it("forecasts from a given history without fitting, and explains a missing one", () => {
    const m = new SeasonalNaive(24);
    expect(() => m.forecast(1)).toThrow("model: seasonal-naive-24 has no history to forecast from; call fit() first or pass the recent history to forecast()");
    expect(m.forecast(1, panel()).point[0]).toBe(176);
    expect(() => m.forecast(0, panel())).toThrow("horizon must be an integer number of hours >= 1, got 0");
  });

  it("applies its calibration and survives a JSON round trip", () => {
    const m = new SeasonalNaive(24);
    m.calibration = calibrate({ step: Array(9).fill(1), rel: [-0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }, 1);
    const back = loadForecaster(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.name).toBe("seasonal-naive-24");
    const f = back.forecast(1, panel());
    expect(f.point[0]).toBe(176);
    // 9 residuals: 80 % uses the 1st and 9th order statistics.
    expect(f.lower80[0]).toBeCloseTo(176 * 0.8, 9);
    expect(f.upper80[0]).toBeCloseTo(176 * 1.6, 9);
    expect(f.upper95[0]).toBe(Infinity);
  });

  it("turns a forecast into the long table the pipeline stores", () => {
    const m = new SeasonalNaive(24);
    m.fit(panel());
    const t = forecastToTable(m.forecast(2));
    expect(t.columnNames()).toEqual(forecastColumns(KEY_COLUMNS));
    expect(t.columnNames()).toEqual(["area", "consumer_type", "datetime_utc", "step", "origin", "prediction", "lower_80", "upper_80", "lower_95", "upper_95"]);
    expect(t.objects()[3]).toEqual({
      area: 2,
      consumer_type: 999,
      datetime_utc: T0 + 201 * H,
      step: 2,
      origin: T0 + 199 * H,
      prediction: 1177,
      lower_80: NaN,
      upper_80: NaN,
      lower_95: NaN,
      upper_95: NaN,
    });
  });
});

describe("forecast tables of other datasets", () => {
  it("writes the key columns under their own names and types: strings for string keys", () => {
    const keyColumns: KeyColumn[] = [
      { name: "MunicipalityNo", type: "utf8" },
      { name: "Branche", type: "utf8" },
    ];
    const p: Panel = {
      ...panel(48),
      keyColumns,
      keys: [
        ["101", "Erhverv"],
        ["851", "Privat"],
      ],
    };
    const m = new SeasonalNaive(24);
    expect(m.historyHours).toBe(24);
    const f = m.forecast(2, p);
    expect(f.keyColumns).toBe(keyColumns);
    const t = forecastToTable(f);
    expect(t.columnNames()).toEqual(forecastColumns(keyColumns));
    const objects = t.objects() as Array<Record<string, unknown>>;
    expect(objects.map((r) => [r.MunicipalityNo, r.Branche, r.step, r.prediction])).toEqual([
      ["101", "Erhverv", 1, 24],
      ["101", "Erhverv", 2, 25],
      ["851", "Privat", 1, 1024],
      ["851", "Privat", 2, 1025],
    ]);
  });
});

describe("model catalog", () => {
  it("rejects unknown names and foreign JSON clearly", () => {
    expect(() => createForecaster("prophet")).toThrow('config: unknown model "prophet"; known models: seasonal-naive-24, seasonal-naive-168, gbm, gbm-blend');
    expect(() => loadForecaster({ format: "other" })).toThrow('model: not a saved forecaster: expected format "energy-forecast/forecaster", got "other"');
    expect(() => loadForecaster({ format: "energy-forecast/forecaster", version: 99, kind: "gbm", name: "x" })).toThrow(
      "format version 99, this code reads version 1",
    );
    expect(() => loadForecaster({ format: "energy-forecast/forecaster", version: 1, kind: "arima", name: "x" })).toThrow('unknown kind "arima"');
  });
});

describe("table API", () => {
  it("fits on and forecasts from canonical tables", async () => {
    const aq = await import("arquero");
    const { fitTable, predictTable } = await import("../../../src/pipeline/models/table-api.js");
    const rows = Array.from({ length: 48 }, (_, i) => ({ datetime_utc: T0 + i * H, area: 1, consumer_type: 111, energy_consumption: i }));
    const m = new SeasonalNaive(24);
    fitTable(m, aq.from(rows), KEY_COLUMNS);
    const t = predictTable(m, 2, KEY_COLUMNS);
    expect(Array.from(t.array("prediction") as ArrayLike<number>)).toEqual([24, 25]);
    const later = predictTable(m, 1, KEY_COLUMNS, aq.from(rows.slice(0, 30)));
    expect(later.get("prediction", 0)).toBe(6);
    expect(later.get("origin", 0)).toBe(T0 + 29 * H);
  });
});
