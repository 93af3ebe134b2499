import { describe, expect, it } from "vitest";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { CsvSplitter } from "../../../src/pipeline/ingest/csv-split.js";

type Row = [line: number, fields: string[]];

/** The rows of `text` fed in pieces of `size` characters (the whole text when omitted), and the separator. */
function split(text: string, size = text.length || 1): { rows: Row[]; separator: string } {
  const rows: Row[] = [];
  const s = new CsvSplitter("t.csv", (fields, line) => rows.push([line, fields]));
  for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
  s.end();
  return { rows, separator: s.separator };
}

const CASES: Record<string, string> = {
  "LF, final newline": "a;b\n1;2\n3;4\n",
  "CRLF, no final newline": "a;b\r\n1;2\r\n3;4",
  "lone CR line ends": "a;b\r1;2\r3;4\r",
  "CRLF then a blank CRLF line": "a,b\r\n1,2\r\n\r\n3,4\r\n",
  "quoted separators, escaped quotes, empty fields": 'a;b;c\n"x;y";"say ""hi""";\n"";;""""\n',
  "line breaks inside quotes (LF, CRLF, CR)": 'a,b\n"one\ntwo",1\n"three\r\nfour",2\n"five\rsix",3\n7,8\n',
  "stray text after a closing quote": 'a;b\n"q"tail;2\n',
  "a quote last in the file": 'a;b\n1;"2"',
  "tab separator, BOM": "\uFEFFa\tb\n1\t2\n",
  "header only": "a;b;c\n",
  "header without a line end": "a,b,c",
  "multibyte text and a BOM": '\uFEFFzone;navn\nDK1;København ø\nDK2;"Ærø\r\nÆbelø"\n',
};

describe("CsvSplitter", () => {
  it("splits rows as RFC 4180 with the lines where they start", () => {
    expect(split(CASES["line breaks inside quotes (LF, CRLF, CR)"])).toEqual({
      rows: [
        [1, ["a", "b"]],
        [2, ["one\ntwo", "1"]],
        [4, ["three\r\nfour", "2"]],
        [6, ["five\rsix", "3"]],
        [8, ["7", "8"]],
      ],
      separator: ",",
    });
    expect(split(CASES["quoted separators, escaped quotes, empty fields"]).rows).toEqual([
      [1, ["a", "b", "c"]],
      [2, ["x;y", 'say "hi"', ""]],
      [3, ["", "", '"']],
    ]);
    expect(split(CASES["CRLF then a blank CRLF line"]).rows).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "2"]],
      [3, [""]],
      [4, ["3", "4"]],
    ]);
    expect(split(CASES["stray text after a closing quote"]).rows[1]).toEqual([2, ["qtail", "2"]]);
    expect(split(CASES["tab separator, BOM"])).toEqual({
      rows: [
        [1, ["a", "b"]],
        [2, ["1", "2"]],
      ],
      separator: "\t",
    });
    expect(split("")).toEqual({ rows: [], separator: ";" });
  });

  for (const [name, text] of Object.entries(CASES)) {
    it(`gives the same rows in pieces of 1 to 7 characters: ${name}`, () => {
      const whole = split(text);
      for (let size = 1; size <= 7; size++) expect(split(text, size), `pieces of ${size}`).toEqual(whole);
    });
  }

  it("names the line of a quote that is never closed, in any pieces", () => {
    const text = 'a;b\n1;2\n3;"4\n5;6\n';
    for (const size of [1, 2, 3, 5, 7, text.length]) {
      let error: unknown;
      try {
        split(text, size);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as Error).message).toBe(
        "ingest: t.csv: line 3 opens a quoted field that is never closed; the file is truncated or malformed: fix or re-download it",
      );
    }
  });
});
