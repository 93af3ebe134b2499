import { PipelineError } from "../core/errors.js";

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Receives one row of a CSV file: its raw fields and the 1-based line where it starts. */
export type CsvRowHandler = (fields: string[], line: number) => void;

/**
 * Splits CSV text into rows as it arrives, in pieces of any size: RFC 4180 style, quoted fields
 * may hold separators, quotes (`""`) and line breaks; rows end at LF, CRLF or a lone CR. A leading
 * BOM is dropped. The separator is `;`, `,` or tab, the first of them that the first line (up to
 * its first line break) holds, `;` when none.
 *
 * Only the row being read is buffered: a row cut by the end of a piece is read again, whole, when
 * the next piece arrives, so every boundary (inside a quoted field, between CR and LF, after a
 * quote that may start a `""`) gives the rows one whole text would.
 */
export class CsvSplitter {
  private buf = "";
  private line = 1;
  private sep = -1;
  private started = false;
  /** The last piece ended with a CR that ended a row: an LF opening the next piece belongs to it. */
  private skipLf = false;
  private sepText = ";";
  /** The last LF found in the text being split (-1: not searched yet; Infinity: none after the last search's start). */
  private lf = -1;

  /** `where` names the file in errors; `onRow` gets each row, in file order. */
  constructor(
    private readonly where: string,
    private readonly onRow: CsvRowHandler,
  ) {}

  /** The separator, once the first line has been seen (`;` before). */
  get separator(): string {
    return this.sep < 0 ? ";" : String.fromCharCode(this.sep);
  }

  /** Reads the next piece of text; complete rows go to the handler. */
  push(text: string): void {
    if (text.length === 0) return;
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    this.split(false);
  }

  /**
   * The end of the text: the last row (which needs no line break) goes to the handler. Throws when
   * a quoted field is never closed.
   */
  end(): void {
    this.split(true);
  }

  private split(final: boolean): void {
    if (!this.started) {
      if (this.buf.length === 0) return;
      if (this.buf.charCodeAt(0) === 0xfeff) this.buf = this.buf.slice(1);
      this.started = true;
    }
    if (this.sep < 0) {
      // The header decides the separator: wait until its line break (or the end) is here.
      const end = this.buf.search(/\r|\n/);
      if (end < 0 && !final) return;
      this.sep = detectSeparator(end < 0 ? this.buf : this.buf.slice(0, end));
    }
    if (this.skipLf && this.buf.length > 0) {
      if (this.buf.charCodeAt(0) === LF) this.buf = this.buf.slice(1);
      this.skipLf = false;
    }
    const text = this.buf;
    const n = text.length;
    const sep = this.sep;
    this.sepText = String.fromCharCode(sep);
    // Positions of the last LF found are positions in this text.
    this.lf = -1;
    let i = 0;
    while (i < n) {
      const rowStart = i;
      const startLine = this.line;
      const end = this.row(text, i, sep, final);
      if (end < 0) {
        // Cut by the end of the piece: read again from its start with the next piece.
        this.line = startLine;
        this.buf = text.slice(rowStart);
        return;
      }
      i = end;
    }
    this.buf = "";
  }

  /** Reads the row at `i` and passes it on; returns where the next row starts, or -1 when the row is cut off. */
  private row(text: string, i: number, sep: number, final: boolean): number {
    const n = text.length;
    const startLine = this.line;
    // Fast path, nearly every row of a real file: a whole line without quotes or a lone CR is its
    // fields split at the separator (native searches instead of a loop per character). The last
    // LF found is remembered, so a file of CR line ends is not searched again for every row.
    if (this.lf < i) {
      const found = text.indexOf("\n", i);
      this.lf = found < 0 ? Infinity : found;
    }
    const lf = this.lf;
    if (lf !== Infinity) {
      const end = lf > i && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      const line = text.slice(i, end);
      if (!line.includes('"') && !line.includes("\r")) {
        this.line++;
        this.onRow(line.split(this.sepText), startLine);
        return lf + 1;
      }
    }
    const fields: string[] = [];
    for (;;) {
      let field: string;
      if (i < n && text.charCodeAt(i) === QUOTE) {
        const openLine = this.line;
        let value = "";
        let from = ++i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            if (!final) return -1;
            throw new PipelineError(
              "ingest",
              `${this.where}: line ${openLine} opens a quoted field that is never closed; the file is truncated or malformed: fix or re-download it`,
            );
          }
          this.line += countLineBreaks(text, i, q);
          // A quote last in the piece may be the first of a `""`.
          if (q + 1 >= n && !final) return -1;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            i = from = q + 2;
            continue;
          }
          value += text.slice(from, q);
          i = q + 1;
          break;
        }
        // Tolerate stray characters between the closing quote and the separator by keeping them.
        let j = i;
        while (j < n && text.charCodeAt(j) !== sep && text.charCodeAt(j) !== CR && text.charCodeAt(j) !== LF) j++;
        if (j >= n && !final) return -1;
        field = value + text.slice(i, j);
        i = j;
      } else {
        let j = i;
        while (j < n) {
          const ch = text.charCodeAt(j);
          if (ch === sep || ch === CR || ch === LF) break;
          j++;
        }
        if (j >= n && !final) return -1;
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (i < n && text.charCodeAt(i) === sep) {
        i++;
        continue;
      }
      break;
    }
    if (i < n && text.charCodeAt(i) === CR) {
      i++;
      if (i >= n && !final) this.skipLf = true;
    }
    if (i < n && text.charCodeAt(i) === LF) i++;
    this.line++;
    this.onRow(fields, startLine);
    return i;
  }
}

function detectSeparator(header: string): number {
  for (const sep of [";", ",", "\t"]) if (header.includes(sep)) return sep.charCodeAt(0);
  return ";".charCodeAt(0);
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const ch = text.charCodeAt(k);
    if (ch === 10 || (ch === 13 && text.charCodeAt(k + 1) !== 10)) count++;
  }
  return count;
}
