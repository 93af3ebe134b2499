import { describe, expect, it } from "vitest";
import { checkKey, checkPrefix, compareKeys } from "../../../src/pipeline/storage/keys.js";

describe("keys", () => {
  it("orders by UTF-8 bytes like GCS, not by UTF-16 code units", () => {
    // U+1D11E (a surrogate pair in UTF-16, 0xD834...) sorts before U+FFFF in UTF-16 but after it in UTF-8.
    expect(["𝄞", "\uffff", "a"].sort(compareKeys)).toEqual(["a", "\uffff", "𝄞"]);
    expect(["𝄞", "\uffff", "a"].sort()).toEqual(["a", "𝄞", "\uffff"]);
  });

  it("checkKey names the key and the rule", () => {
    expect(() => checkKey("../x")).toThrow('storage: invalid key "../x": keys are relative paths without ".." segments');
    expect(() => checkKey("features/energy_consumption/v1/manifest.json")).not.toThrow();
  });

  it("checkPrefix allows empty, trailing-slash and partial-segment prefixes", () => {
    for (const prefix of ["", "a/", "features/energ", "a/..", ".tm"]) expect(() => checkPrefix(prefix)).not.toThrow();
    expect(() => checkPrefix("a/\\b")).toThrow('storage: invalid prefix "a/\\\\b": keys use "/" as separator and must not contain "\\"');
  });
});
