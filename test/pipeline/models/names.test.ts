import { describe, expect, it } from "vitest";
import { createForecaster, FACTORIES } from "../../../src/pipeline/models/catalog.js";
import { DEFAULT_MODEL, MODEL_NAMES } from "../../../src/pipeline/models/names.js";

describe("model names (names.ts) and the catalog", () => {
  it("name the same models, in the same order, the default among them", () => {
    expect(Object.keys(FACTORIES)).toEqual([...MODEL_NAMES]);
    expect(MODEL_NAMES).toContain(DEFAULT_MODEL);
    for (const name of MODEL_NAMES) expect(createForecaster(name).name).toBe(name);
  });
});
