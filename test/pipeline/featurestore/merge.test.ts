import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import { mergeFeatureRows } from "../../../src/pipeline/featurestore/merge.js";

const rows = (...r: Array<[number, number, number, number | null]>) =>
  aq.table({ datetime_utc: r.map((x) => x[0]), area: r.map((x) => x[1]), consumer_type: r.map((x) => x[2]), energy_consumption: r.map((x) => x[3]) });

const KEYS = ["area", "consumer_type"];

describe("mergeFeatureRows", () => {
  it("adds new keys, replaces changed values, counts unchanged, keeps one row per key", () => {
    const existing = rows([0, 1, 111, 10], [1, 1, 111, 11], [0, 2, 111, 20]);
    const incoming = rows([1, 1, 111, 11], [0, 2, 111, 21], [2, 1, 111, 12]);
    const { table, counts } = mergeFeatureRows(existing, incoming, KEYS);
    expect(counts).toEqual({ added: 1, changed: 1, unchanged: 1 });
    expect(table.objects()).toEqual([
      { datetime_utc: 0, area: 1, consumer_type: 111, energy_consumption: 10 },
      { datetime_utc: 1, area: 1, consumer_type: 111, energy_consumption: 11 },
      { datetime_utc: 2, area: 1, consumer_type: 111, energy_consumption: 12 },
      { datetime_utc: 0, area: 2, consumer_type: 111, energy_consumption: 21 },
    ]);
  });

  it("lets the last of repeated incoming keys win and treats null as a value", () => {
    const { table, counts } = mergeFeatureRows(rows([0, 1, 111, null]), rows([0, 1, 111, 5], [0, 1, 111, 6]), KEYS);
    expect(counts).toEqual({ added: 0, changed: 1, unchanged: 0 });
    expect(table.objects()).toEqual([{ datetime_utc: 0, area: 1, consumer_type: 111, energy_consumption: 6 }]);
  });

  it("merges string keys of several columns, sorted by key (code units) then time", () => {
    const t = (...r: Array<[number, string, string, number]>) =>
      aq.table({ datetime_utc: r.map((x) => x[0]), MunicipalityNo: r.map((x) => x[1]), Branche: r.map((x) => x[2]), energy_consumption: r.map((x) => x[3]) });
    const keys = ["MunicipalityNo", "Branche"];
    // "101" and "1010" differ only in length; "Privat" and "Erhverv" share a municipality.
    const { table, counts } = mergeFeatureRows(
      t([1, "1010", "Privat", 1], [0, "101", "Privat", 2]),
      t([0, "101", "Erhverv", 3], [0, "101", "Privat", 4]),
      keys,
    );
    expect(counts).toEqual({ added: 1, changed: 1, unchanged: 0 });
    expect(table.objects()).toEqual([
      { datetime_utc: 0, MunicipalityNo: "101", Branche: "Erhverv", energy_consumption: 3 },
      { datetime_utc: 0, MunicipalityNo: "101", Branche: "Privat", energy_consumption: 4 },
      { datetime_utc: 1, MunicipalityNo: "1010", Branche: "Privat", energy_consumption: 1 },
    ]);
  });

  it("starts from nothing", () => {
    expect(mergeFeatureRows(undefined, rows([5, 2, 999, 1]), KEYS).counts).toEqual({ added: 1, changed: 0, unchanged: 0 });
  });
});
