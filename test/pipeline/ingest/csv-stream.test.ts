import { describe, expect, it } from "vitest";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { applyDatasetFlags, loadPreset } from "../../../src/pipeline/dataset/preset.js";
import type { DatasetSpec } from "../../../src/pipeline/dataset/spec.js";
import { CsvColumnsReader, parseCsvColumns, type CsvRead } from "../../../src/pipeline/ingest/csv.js";
import { countDst, filterColumns, sliceByTime, sortByTime } from "../../../src/pipeline/ingest/records.js";
import type { RowWindow } from "../../../src/pipeline/ingest/window-columns.js";

const H = 3_600_000;
const DE35 = loadPreset("de35");
const HEADER = "HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon";
/** Meters with text keys (multibyte ones too) in Copenhagen wall time, across the autumn change. */
const METERS = applyDatasetFlags(undefined, { keys: "meter,site:int", time: "read_at", timeZone: "Europe/Copenhagen", value: "kwh" });
const METER_CSV =
  "\uFEFFread_at,meter,site,kwh,note\r\n" +
  '2023-10-29 01:00,Ærø-1,7,1.5,"a, ""quoted"" note"\r\n' +
  "2023-10-29 01:00, København ,8,2,\r\n" +
  '2023-10-29 02:00,Ærø-1,7,"2,5","two\r\nlines"\r\n' +
  "2023-10-29 02:00, København ,8,,\r\n" +
  "\r\n" +
  "2023-10-29 02:00,Ærø-1,7,3,later reading\r\n" +
  "2023-10-29 02:00, København ,8,4e0,\r\n" +
  "2023-10-29 03:00,Ærø-1, 7 ,5,\r\n";

/** Reads `bytes` in pieces of `size` bytes. */
function read(bytes: Uint8Array, spec: DatasetSpec, size: number, window?: RowWindow): CsvRead {
  const reader = new CsvColumnsReader(spec, "t.csv", window);
  for (let i = 0; i < bytes.length; i += size) reader.pushBytes(bytes.subarray(i, i + size));
  return reader.end();
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineError);
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("CsvColumnsReader", () => {
  it("gives the whole text's columns when fed 1 to 7 bytes at a time (BOM, multibyte characters, quotes and CRLF cut anywhere)", () => {
    const whole = parseCsvColumns(new TextDecoder().decode(utf8(METER_CSV)), METERS, "t.csv");
    expect(whole.keys).toEqual([
      ["Ærø-1", "København", "Ærø-1", "København", "Ærø-1", "København", "Ærø-1"],
      [7, 8, 7, 8, 7, 8, 7],
    ]);
    expect(whole.value).toEqual([1.5, 2, 2.5, null, 3, 4, 5]);
    expect(whole.times.map((t) => new Date(t).toISOString().slice(11, 13))).toEqual(["23", "23", "00", "00", "01", "01", "02"]);
    expect(whole.dst).toEqual({ nonexistent: 0, repeated: 2 });
    const bytes = utf8(METER_CSV);
    for (let size = 1; size <= 7; size++) {
      const r = read(bytes, METERS, size);
      expect(r.columns, `pieces of ${size} bytes`).toEqual(whole);
      expect(r.extent).toEqual({ start: Date.UTC(2023, 9, 28, 23), end: Date.UTC(2023, 9, 29, 3) });
    }
  });

  it("keeps only the rows of the window (and the filter), as slicing the whole file did, and knows the whole file's extent", () => {
    const rows = Array.from(
      { length: 48 },
      (_, h) => `2023-01-0${1 + Math.floor(h / 24)}T${String(h % 24).padStart(2, "0")}:00:00;x;DK${1 + (h % 2)};111;${h}`,
    );
    // Out of time order, as a file may be: the reader keeps file order, the source sorts.
    const bytes = utf8([HEADER, ...rows.slice(24), ...rows.slice(0, 24)].join("\n"));
    const all = sortByTime(read(bytes, DE35, 4096).columns);
    const T0 = Date.UTC(2023, 0, 1);
    const windows: RowWindow[] = [
      { range: { start: T0 + 10 * H, end: T0 + 30 * H } },
      { range: { start: T0 + 47 * H, end: T0 + 100 * H } },
      { range: { start: T0 + 5 * H, end: T0 + 9 * H }, filter: { PriceArea: ["DK2"] } },
      { range: { start: 0, end: 0 } },
    ];
    for (const window of windows) {
      for (const size of [3, 7, 1 << 20]) {
        const r = read(bytes, DE35, size, window);
        const expected = filterColumns(sliceByTime(all, window.range!), DE35, window.filter);
        expect(sortByTime(r.columns)).toEqual({ ...expected, dst: countDst(expected, "UTC") });
        expect(r.extent).toEqual({ start: T0, end: T0 + 48 * H });
      }
    }
    // Rows outside the window are not kept at all: 20 of 48 here.
    expect(read(bytes, DE35, 7, windows[0]).columns.times).toHaveLength(20);
    expect(read(bytes, DE35, 7, windows[2]).columns.value).toEqual([5, 7]);
    expect(read(bytes, DE35, 7, windows[3]).columns.times).toEqual([]);
  });

  it("still checks the rows outside the window: their errors name the file's line", () => {
    const text = `${HEADER}\n2023-01-01T00:00:00;x;DK1;111;1\n2023-01-01T01:00:00;x;DK1;111;1.2.3\n`;
    const window = { range: { start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 0, 1, 1) } };
    for (const size of [1, 5, 100]) {
      expect(messageOf(() => read(utf8(text), DE35, size, window))).toBe(
        'ingest: t.csv: line 3 column "TotalCon" is "1.2.3" (string), expected a finite number or null; ' +
          "the source's data does not match the dataset spec: check that --value (or the preset) names the right column, or fix the source data",
      );
    }
  });

  it("throws the error the whole text threw when a file has several", () => {
    const row = (time: string, value: string) => `${time};x;DK1;111;${value}`;
    // A bad value on line 2, a short row on line 3: the short row (the file is malformed) wins.
    const short = [HEADER, row("2023-01-01T00:00:00", "x"), "2023-01-01T01:00:00;x;DK1;111"].join("\n");
    expect(messageOf(() => read(utf8(short), DE35, 3))).toBe(
      'ingest: t.csv: line 3 has 4 field(s), expected 5 as in the header (separator ";"); the file is truncated or malformed: fix or re-download it',
    );
    // A time off the hour on line 2, an unreadable date on line 3, a bad value on line 4: the value wins, then the date.
    const times = [HEADER, row("2023-01-01T00:30:00", "1"), row("2023-13-01T00:00:00", "1"), row("2023-01-01T02:00:00", "x")];
    expect(messageOf(() => read(utf8(times.join("\n")), DE35, 2))).toMatch(/^ingest: t\.csv: line 4 column "TotalCon" is "x" \(string\)/);
    expect(messageOf(() => read(utf8(times.slice(0, 3).join("\n")), DE35, 2))).toMatch(
      /^ingest: t\.csv: line 3 column "HourUTC" is "2023-13-01T00:00:00" \(string\), expected a time like/,
    );
    expect(messageOf(() => read(utf8(times.slice(0, 2).join("\n")), DE35, 2))).toBe(
      'ingest: t.csv: line 2 column "HourUTC" is "2023-01-01T00:30:00" (string), expected the start of an hour (minutes and seconds 0): the data must be hourly; ' +
        "the source's data does not match the dataset spec: check that --time (or the preset) names the right column, or fix the source data",
    );
    // A quote never closed beats a header that lacks columns.
    expect(messageOf(() => read(utf8('time;value\n"2023'), DE35, 1))).toBe(
      "ingest: t.csv: line 2 opens a quoted field that is never closed; the file is truncated or malformed: fix or re-download it",
    );
    for (const text of [times.join("\n"), short])
      expect(messageOf(() => read(utf8(text), DE35, 1))).toBe(messageOf(() => parseCsvColumns(text, DE35, "t.csv")));
  });

  it("rejects an empty file and a header without rows, in pieces too", () => {
    expect(messageOf(() => read(utf8(""), DE35, 1))).toBe(
      "ingest: t.csv: the CSV file is empty; expected a header row HourUTC;PriceArea;ConsumerType_DE35;TotalCon and data rows",
    );
    for (const text of [`\uFEFF${HEADER}\r\n`, `${HEADER}\n\n`, HEADER]) {
      expect(messageOf(() => read(utf8(text), DE35, 2))).toBe(
        "ingest: t.csv: the CSV file has a header but no data rows; export the rows too, or pick another file",
      );
    }
  });
});
