import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DE35 } from "../../../src/pipeline/dataset/spec.js";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { parseEdsCsv } from "../../../src/pipeline/ingest/csv.js";
import { DE35_CSV } from "../../support/eds-server.js";

const HEADER = "HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon";
const ROW1 = { HourUTC: "2023-01-01T00:00:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 65874 };
const ROW2 = { HourUTC: "2023-01-01T00:00:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK1", ConsumerType_DE35: 112, TotalCon: 2422 };

const parse = (text: string) => parseEdsCsv(text, DE35, "test.csv").objects() as Array<Record<string, unknown>>;

function errorOf(f: () => unknown): PipelineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineError);
    return e as PipelineError;
  }
  throw new Error("expected an error");
}

describe("parseEdsCsv", () => {
  it("parses the genuine download: 44,308 rows, exact values, types", () => {
    const t = parseEdsCsv(readFileSync(DE35_CSV, "utf8"), DE35, "de35.csv");
    expect(t.numRows()).toBe(44_308);
    expect(t.columnNames()).toEqual(["HourUTC", "HourDK", "PriceArea", "ConsumerType_DE35", "TotalCon"]);
    expect(t.object(0)).toEqual({ HourUTC: "2022-12-21T16:00:00", HourDK: "2022-12-21T17:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 132199 });
    expect(t.object(44_307)).toEqual({ HourUTC: "2023-01-14T22:00:00", HourDK: "2023-01-14T23:00:00", PriceArea: "DK2", ConsumerType_DE35: 999, TotalCon: 578473 });
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
    const t = parseEdsCsv(text, DE35, "test.csv");
    expect(t.columnNames()).toEqual(["HourUTC", "HourDK", "PriceArea", "ConsumerType_DE35", "TotalCon"]);
    expect(t.objects()).toEqual([ROW1, ROW2]);
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

  it("lists expected and found header when a column is missing", () => {
    const e = errorOf(() => parse("HourUTC;HourDK;PriceArea;ConsumerType_DE36;Consumption\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;1\n"));
    expect(e.message).toBe(
      'ingest: test.csv: the CSV header lacks column(s) "ConsumerType_DE35", "TotalCon"; expected HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon, ' +
        "found HourUTC;HourDK;PriceArea;ConsumerType_DE36;Consumption; fix the file's header or set EDS_COLUMN_* (the dataset spec's column names) to match it",
    );
  });

  it("names the file line of a bad value", () => {
    const text = `${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;111;1\n\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;112;1.234.567\n`;
    const e = errorOf(() => parse(text));
    expect(e.message).toBe(
      'ingest: test.csv: line 4 column "TotalCon" is "1.234.567" (string), expected a finite number or null; ' +
        "the source's data does not match the dataset spec: check that EDS_COLUMN_VALUE names the right column, or fix the source data",
    );
  });

  it("names the line of a bad time and a bad consumer type", () => {
    expect(errorOf(() => parse(`${HEADER}\n2023-01-01 00:00;2023-01-01T01:00:00;DK1;111;1\n`)).message).toMatch(
      /^ingest: test\.csv: line 2 column "HourUTC" is "2023-01-01 00:00" \(string\), expected a time like/,
    );
    expect(errorOf(() => parse(`${HEADER}\n2023-01-01T00:00:00;2023-01-01T01:00:00;DK1;11x;1\n`)).message).toMatch(
      /^ingest: test\.csv: line 2 column "ConsumerType_DE35" is "11x" \(string\), expected an integer code/,
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

  it("rejects an empty file", () => {
    expect(errorOf(() => parse("")).message).toBe(
      "ingest: test.csv: the CSV file is empty; expected a header row HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon and data rows",
    );
  });
});
