import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { EMBEDDED_DATA_PATH } from "../../../src/pipeline/config/paths.js";
import { applyDatasetFlags, loadPreset } from "../../../src/pipeline/dataset/preset.js";
import { parseCsvColumns } from "../../../src/pipeline/ingest/csv.js";
import type { RawColumns } from "../../../src/pipeline/ingest/records.js";

const DE35 = loadPreset("de35");
const HEADER = "HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon";
// HourDK is a column the preset knows but does not read: the UTC column is the time.
const ROW1 = { HourUTC: "2023-01-01T00:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 65874 };
const ROW2 = { HourUTC: "2023-01-01T00:00:00", PriceArea: "DK1", ConsumerType_DE35: 112, TotalCon: 2422 };

/** DE35 raw columns as one object per row, with the source's column names. */
function objects(c: RawColumns): Array<Record<string, unknown>> {
  return c.time.map((t, i) => ({ HourUTC: t, PriceArea: c.keys[0][i], ConsumerType_DE35: c.keys[1][i], TotalCon: c.value[i] }));
}

const parse = (text: string) => objects(parseCsvColumns(text, DE35, "test.csv"));

function errorOf(f: () => unknown): PipelineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineError);
    return e as PipelineError;
  }
  throw new Error("expected an error");
}

describe("parseCsvColumns", () => {
  it("parses the genuine download: 44,308 rows, exact values, types, UTC hours", () => {
    const c = parseCsvColumns(readFileSync(EMBEDDED_DATA_PATH, "utf8"), DE35, "de35.csv");
    expect(c.times).toHaveLength(44_308);
    const rows = objects(c);
    expect(rows[0]).toEqual({ HourUTC: "2022-12-21T16:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 132199 });
    expect(rows[44_307]).toEqual({ HourUTC: "2023-01-14T22:00:00", PriceArea: "DK2", ConsumerType_DE35: 999, TotalCon: 578473 });
    expect(c.times[0]).toBe(Date.UTC(2022, 11, 21, 16));
    expect(c.times[44_307]).toBe(Date.UTC(2023, 0, 14, 22));
    expect(c.dst).toEqual({ nonexistent: 0, repeated: 0 });
  });

  it("accepts a BOM and CRLF line ends, and skips blank lines", () => {
    const text = `\uFEFF${HEADER}\r\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;65874\r\n\r\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;112;2422\r\n`;
    expect(parse(text)).toEqual([ROW1, ROW2]);
  });

  it("accepts LF without a final newline", () => {
    expect(parse(`${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;65874`)).toEqual([ROW1]);
  });

  it("accepts reordered and extra columns, quoted headers and fields", () => {
    const text = [
      '"TotalCon";"Note";"PriceArea";"HourDK";"ConsumerType_DE35";"HourUTC"',
      '65874;"a;b ""quoted""";DK1;2023-01-01T01:00:00;111;2023-01-01T00:00:00',
      '"2422";"multi\nline";"DK1";"2023-01-01T01:00:00";"112";"2023-01-01T00:00:00"',
    ].join("\n");
    expect(parse(text)).toEqual([ROW1, ROW2]);
  });

  it("detects a comma separator from the header", () => {
    const text = `${HEADER.replaceAll(";", ",")}\n2023-01-01T00:00:00,2023-01-01T01:00:00,DK1,111,65874\n`;
    expect(parse(text)).toEqual([ROW1]);
  });

  it("reads decimal commas: unquoted with ';', quoted with ','", () => {
    const semi = `${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;65874,25\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;112;"2422,5"\n`;
    expect(parse(semi).map((r) => r.TotalCon)).toEqual([65874.25, 2422.5]);
    const comma = `${HEADER.replaceAll(";", ",")}\n2023-01-01T00:00:00,2023-01-01T01:00:00,DK1,111,"65874,25"\n2023-01-01T00:00:00,2023-01-01T01:00:00,DK1,112,2422.5\n`;
    expect(parse(comma).map((r) => r.TotalCon)).toEqual([65874.25, 2422.5]);
  });

  it("reads an empty value as null and exponent notation as a number", () => {
    const text = `${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;112;1.5e3\n`;
    expect(parse(text).map((r) => r.TotalCon)).toEqual([null, 1500]);
  });

  it("reads any long table given by flags: string keys trimmed, integer keys as numbers, local time by its zone", () => {
    const spec = applyDatasetFlags(undefined, { keys: "meter_id,site:int", time: "read_at", timeZone: "Europe/Copenhagen", value: "kwh" });
    const c = parseCsvColumns("read_at,meter_id,site,kwh\n2023-06-01 02:00, m-1 ,7,1.5\n2023-06-01 02:00,007,8,2\n", spec, "meters.csv");
    expect(c.keys).toEqual([
      ["m-1", "007"],
      [7, 8],
    ]);
    expect(c.value).toEqual([1.5, 2]);
    // Copenhagen is UTC+2 in June.
    expect(c.times).toEqual([Date.UTC(2023, 5, 1, 0), Date.UTC(2023, 5, 1, 0)]);
  });

  it("lists expected and found columns, and the preset to fix, when a column is missing", () => {
    const e = errorOf(() => parse("HourUTC;HourDK;PriceArea;ConsumerType_DE36;Consumption\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;1\n"));
    expect(e.message).toBe(
      'ingest: test.csv: the CSV header lacks column(s) "ConsumerType_DE35", "TotalCon"; the source\'s columns are HourUTC, HourDK, PriceArea, ConsumerType_DE36, Consumption, ' +
        "expected HourUTC, PriceArea, ConsumerType_DE35, TotalCon (columns the dataset spec does not know: ConsumerType_DE36, Consumption); " +
        "the dataset's schema changed or the wrong dataset was picked: fix the preset file (src/pipeline/dataset/presets/de35.json) or pass --keys/--time/--value",
    );
  });

  it("names the flags to fix when a file read by flags lacks a column", () => {
    const spec = applyDatasetFlags(undefined, { keys: "meter_id", time: "read_at", value: "kwh" });
    expect(errorOf(() => parseCsvColumns("read_at,meter,kwh\n2023-06-01T00:00,m-1,1\n", spec, "meters.csv")).message).toBe(
      'ingest: meters.csv: the CSV header lacks column(s) "meter_id"; the source\'s columns are read_at, meter, kwh, expected read_at, meter_id, kwh ' +
        "(columns the dataset spec does not know: meter); the dataset's schema changed or the wrong dataset was picked: fix the flags --keys/--time/--value",
    );
  });

  it("names the file line of a bad value", () => {
    const text = `${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;1\n\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;112;1.234.567\n`;
    const e = errorOf(() => parse(text));
    expect(e.message).toBe(
      'ingest: test.csv: line 4 column "TotalCon" is "1.234.567" (string), expected a finite number or null; ' +
        "the source's data does not match the dataset spec: check that --value (or the preset) names the right column, or fix the source data",
    );
  });

  it("names the line of a bad time and a bad consumer type", () => {
    expect(errorOf(() => parse(`${HEADER}\n01/01/2023 00:00;2023-01-01T01:00:00;DK1;111;1\n`)).message).toBe(
      'ingest: test.csv: line 2 column "HourUTC" is "01/01/2023 00:00" (string), expected a time like "2022-12-21T16:00:00" (yyyy-MM-ddTHH:mm[:ss], optionally with Z or an offset); ' +
        "the source's data does not match the dataset spec: check that --time (or the preset) names the right column, or fix the source data",
    );
    expect(errorOf(() => parse(`${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;11x;1\n`)).message).toMatch(
      /^ingest: test\.csv: line 2 column "ConsumerType_DE35" is "11x" \(string\), expected an integer code like 111; .* check that --keys \(or the preset\)/,
    );
  });

  it("reports a row with the wrong number of fields, and an unclosed quote", () => {
    expect(errorOf(() => parse(`${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111\n`)).message).toBe(
      'ingest: test.csv: line 2 has 4 field(s), expected 5 as in the header (separator ";"); the file is truncated or malformed: fix or re-download it',
    );
    expect(errorOf(() => parse(`${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;"12\n`)).message).toBe(
      "ingest: test.csv: line 2 opens a quoted field that is never closed; the file is truncated or malformed: fix or re-download it",
    );
  });

  it("rejects an empty file and a header without rows", () => {
    expect(errorOf(() => parse("")).message).toBe(
      "ingest: test.csv: the CSV file is empty; expected a header row HourUTC;PriceArea;ConsumerType_DE35;TotalCon and data rows",
    );
    expect(errorOf(() => parse(`${HEADER}\n`)).message).toBe(
      "ingest: test.csv: the CSV file has a header but no data rows; export the rows too, or pick another file",
    );
  });
});
