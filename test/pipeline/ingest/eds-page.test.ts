import { describe, expect, it } from "vitest";
import { layoutPage, parseRecords } from "../../../src/pipeline/ingest/eds-page.js";

const decoder = new TextDecoder();
const decode = (b: Uint8Array) => decoder.decode(b);
const bytes = (text: string) => new TextEncoder().encode(text);

/** Lays out `text` and parses its records in slices of `step`, for comparison with JSON.parse. */
function sliced(text: string, step: number): { rest: unknown; records: unknown[] } | undefined {
  const b = bytes(text);
  const layout = layoutPage(b, decode);
  if (!layout) return undefined;
  const records: unknown[] = [];
  for (let from = 0; from < layout.count; from += step) records.push(...parseRecords(b, layout, from, Math.min(layout.count, from + step), decode));
  return { rest: JSON.parse(layout.rest), records };
}

describe("layoutPage", () => {
  it("finds the records and their boundaries, whatever the strings hold", () => {
    const records = [
      { HourUTC: "2023-01-01T00:00:00", Note: 'a "quoted" }, {"records": [1,2]} \\ back', MunicipalityNo: "101", ConsumptionkWh: 1.5 },
      { HourUTC: "2023-01-01T00:00:00", Note: "æøå, ]]", MunicipalityNo: "147", ConsumptionkWh: null },
      { HourUTC: "2023-01-01T01:00:00", Note: "", MunicipalityNo: "751", ConsumptionkWh: 3, Nested: { a: [1, { b: "}" }] } },
    ];
    const body = { total: 3, limit: 3, dataset: "records", filters: '{"records":["x"]}', records, sort: "HourUTC asc" };
    for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2)]) {
      for (const step of [1, 2, 5]) {
        expect(sliced(text, step)).toEqual({ rest: { ...body, records: [] }, records });
      }
    }
  });

  it("reads empty record arrays, with or without blanks", () => {
    expect(sliced('{"total":0,"records":[]}', 5)).toEqual({ rest: { total: 0, records: [] }, records: [] });
    expect(sliced('{ "total" : 0 , "records" : [ \n ] }\n', 5)).toEqual({ rest: { total: 0, records: [] }, records: [] });
  });

  it("leaves what it does not recognise to the whole-body path", () => {
    for (const text of [
      "<html><body>502</body></html>",
      '{"total":1,"records":[{"a":1}', // truncated
      '{"total":1,"records":[{"a":"1}]}', // unterminated string
      '{"total":1}', // no records
      '{"total":1,"records":{"a":1}}', // records not an array
      '{"records":[],"records":[]}', // two records arrays
      '{"total":1,"records":[]} trailing',
      '[{"records":[]}]',
    ]) {
      expect(layoutPage(bytes(text), decode), text).toBeUndefined();
    }
  });

  it("finds boundaries only: invalid JSON inside the records fails when the slice is parsed", () => {
    const b = bytes('{"total":2,"records":[{"a":1},{"a":NaN}]}');
    const layout = layoutPage(b, decode)!;
    expect(layout.count).toBe(2);
    expect(parseRecords(b, layout, 0, 1, decode)).toEqual([{ a: 1 }]);
    expect(() => parseRecords(b, layout, 1, 2, decode)).toThrow(SyntaxError);
  });
});
