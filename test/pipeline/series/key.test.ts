import { describe, expect, it } from "vitest";
import {
  compareKeys,
  describeKey,
  keyAt,
  keyColumnsFor,
  keyFeature,
  keyNames,
  namedKey,
  parseSeriesId,
  rowSeriesIds,
  seriesId,
  type KeyColumn,
  type SeriesKey,
} from "../../../src/pipeline/series/key.js";

const AREA: KeyColumn[] = [{ name: "PriceArea", type: "utf8" }];
const METER: KeyColumn[] = [{ name: "meter_id", type: "int32" }];
const THREE: KeyColumn[] = [
  { name: "MunicipalityNo", type: "utf8" },
  { name: "HousingCategory", type: "utf8" },
  { name: "year_built", type: "int32" },
];
const DE35: KeyColumn[] = [
  { name: "area", type: "int8" },
  { name: "consumer_type", type: "int32" },
];

describe("seriesId and parseSeriesId", () => {
  it("round-trip one key column, string or integer", () => {
    expect(seriesId(["DK1"])).toBe("DK1");
    expect(parseSeriesId(seriesId(["DK1"]), AREA)).toEqual(["DK1"]);
    expect(seriesId([101])).toBe("101");
    expect(parseSeriesId(seriesId([101]), METER)).toEqual([101]);
    // Column types decide: the same text is a string for a utf8 column.
    expect(parseSeriesId("101", AREA)).toEqual(["101"]);
  });

  it("round-trip three key columns, strings and an integer, including texts with separators people use", () => {
    const keys: SeriesKey[] = [
      ["101", "Parcelhuse", 1970],
      ["0101", "Etage|boliger", -1],
      ["a:b", "c d", 0],
    ];
    for (const key of keys) expect(parseSeriesId(seriesId(key), THREE)).toEqual(key);
    expect(new Set(keys.map(seriesId)).size).toBe(3);
  });

  it("keeps keys apart that only a naive join would confuse", () => {
    expect(seriesId(["10", "1Privat"])).not.toBe(seriesId(["101", "Privat"]));
    expect(seriesId([1, 111])).not.toBe(seriesId([11, 11]));
  });

  it("names the key columns when an id has the wrong number of parts", () => {
    expect(() => parseSeriesId("1", DE35)).toThrow('series: series id "1" has 1 part(s), expected 2 (area, consumer_type)');
  });
});

describe("compareKeys", () => {
  it("orders numbers numerically, strings by code unit, column by column", () => {
    expect(compareKeys([2], [10])).toBeLessThan(0);
    expect(compareKeys(["10"], ["9"])).toBeLessThan(0);
    expect(compareKeys(["Z"], ["a"])).toBeLessThan(0);
    expect(compareKeys(["a"], ["ä"])).toBeLessThan(0);
    expect(compareKeys([1, 999], [2, 111])).toBeLessThan(0);
    expect(compareKeys([2, 111], [2, 112])).toBeLessThan(0);
    expect(compareKeys(["101", "Privat"], ["101", "Privat"])).toBe(0);
    const sorted = [
      ["b", 2],
      ["a", 10],
      ["b", 1],
      ["a", 9],
      ["B", 5],
    ].sort(compareKeys);
    expect(sorted).toEqual([
      ["B", 5],
      ["a", 9],
      ["a", 10],
      ["b", 1],
      ["b", 2],
    ]);
  });
});

describe("keyFeature", () => {
  it("keeps integers and integer-like texts as their number", () => {
    expect(keyFeature(111)).toBe(111);
    expect(keyFeature("101")).toBe(101);
    expect(keyFeature("-5")).toBe(-5);
  });

  it("hashes other texts to a stable number above the integer range", () => {
    const a = keyFeature("north-7");
    expect(keyFeature("north-7")).toBe(a);
    expect(Number.isInteger(a)).toBe(true);
    expect(a).toBeGreaterThanOrEqual(1e9);
    expect(a).toBeLessThan(1e9 + 2 ** 24);
    expect(keyFeature("north-8")).not.toBe(a);
    expect(keyFeature("Privat")).not.toBe(keyFeature("Erhverv"));
    // Ten digits do not fit the integer form: hashed like any text.
    expect(keyFeature("1234567890")).toBeGreaterThanOrEqual(1e9);
    // Pinned: a saved model's identity features must mean the same in every later process.
    expect([keyFeature("DK1"), keyFeature("north-7"), keyFeature("Privat")]).toEqual([1000332963, 1006666034, 1002067900]);
  });
});

describe("row helpers", () => {
  const columns = [
    ["101", "101", "851"],
    ["Privat", "Erhverv", "Privat"],
  ];

  it("reads each row's key and series id from key column arrays", () => {
    expect(keyAt(columns, 1)).toEqual(["101", "Erhverv"]);
    const ids = rowSeriesIds(columns, 3);
    expect(ids).toEqual([0, 1, 2].map((i) => seriesId(keyAt(columns, i))));
    expect(new Set(ids).size).toBe(3);
    expect(rowSeriesIds([Int8Array.from([1, 2, 1])], 3)).toEqual(["1", "2", "1"]);
    expect(rowSeriesIds([Int8Array.from([1, 2]), Int32Array.from([111, 111])], 2)).toEqual([seriesId([1, 111]), seriesId([2, 111])]);
  });

  it("builds typed key columns for keys repeated per forecast step", () => {
    const cols = keyColumnsFor(
      [
        [1, 111],
        [2, 999],
      ],
      DE35,
      3,
    );
    expect(cols.area).toBeInstanceOf(Int8Array);
    expect(cols.consumer_type).toBeInstanceOf(Int32Array);
    expect(Array.from(cols.area)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(Array.from(cols.consumer_type)).toEqual([111, 111, 111, 999, 999, 999]);
    const strings = keyColumnsFor([["101", "Parcelhuse", 1970]], THREE);
    expect(Array.isArray(strings.MunicipalityNo)).toBe(true);
    expect(strings).toEqual({ MunicipalityNo: ["101"], HousingCategory: ["Parcelhuse"], year_built: Int32Array.from([1970]) });
  });

  it("names keys for messages and JSON outputs", () => {
    expect(keyNames(THREE)).toEqual(["MunicipalityNo", "HousingCategory", "year_built"]);
    expect(namedKey([1, 111], DE35)).toEqual({ area: 1, consumer_type: 111 });
    expect(namedKey(["101", "Parcelhuse", 1970], THREE)).toEqual({ MunicipalityNo: "101", HousingCategory: "Parcelhuse", year_built: 1970 });
    expect(describeKey([1, 111], DE35)).toBe("area=1, consumer_type=111");
  });
});
