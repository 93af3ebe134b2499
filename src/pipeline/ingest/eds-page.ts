/**
 * Page-wise reading of an Energi Data Service answer `{ total, ..., records: [ {...}, ... ] }`.
 *
 * A page of 100 000 records is about 17 MB of JSON. Parsed whole, it becomes one large string and
 * 100 000 objects that live until the page is converted, so a 2 M-row extract leaves hundreds of
 * MB of old garbage behind. Here the raw bytes are scanned once for the records array and its
 * element boundaries (outside strings), and the records are parsed a slice at a time: each slice's
 * objects die young. The rest of the body (with an empty records array) is parsed on its own.
 *
 * The scan only finds boundaries; `JSON.parse` still checks every byte. Anything the scan does not
 * recognise (not an object, no records array, unbalanced, text after the end) is left to the
 * caller's whole-body path, which says what is wrong.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const RECORDS = [...'"records"'].map((c) => c.charCodeAt(0));

/** Where the records are in a page's bytes. */
export interface PageLayout {
  /** The body's text with an empty records array (`total`, `limit`...): parse it for the shape. */
  rest: string;
  /** Number of records. */
  count: number;
  /** Byte offsets: record `i` is `bytes[starts[i], ends[i])` (surrounding whitespace included). */
  starts: Uint32Array;
  ends: Uint32Array;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The layout of a page, or undefined when the bytes are not a JSON object with one top-level
 * `records` array (the caller then parses the whole body and reports what it is).
 */
export function layoutPage(bytes: Uint8Array, decode: (bytes: Uint8Array) => string): PageLayout | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n && isSpace(bytes[i])) i++;
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  let depth = 0;
  let open = -1;
  let close = -1;
  // The last token at depth 1 was the key "records" (and at most its colon followed).
  let afterRecordsKey = false;
  const bounds: number[] = [];
  for (; i < n; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      const start = i;
      for (i++; i < n && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
      if (i >= n) return undefined;
      afterRecordsKey = depth === 1 && i - start + 1 === RECORDS.length && RECORDS.every((b, k) => bytes[start + k] === b);
      continue;
    }
    if (isSpace(c) || (c === COLON && afterRecordsKey)) continue;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (c === OPEN_ARRAY && depth === 2 && afterRecordsKey) {
        if (open >= 0) return undefined; // two records arrays
        open = i;
        bounds.push(i + 1);
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 2 && c === CLOSE_ARRAY && open >= 0 && close < 0) {
        close = i;
        bounds.push(i);
      }
      depth--;
      if (depth === 0) break;
    } else if (c === COMMA && depth === 2 && open >= 0 && close < 0) {
      bounds.push(i);
    }
    afterRecordsKey = false;
  }
  if (depth !== 0 || open < 0 || close < 0) return undefined;
  for (i++; i < n; i++) if (!isSpace(bytes[i])) return undefined;
  // bounds: "[" + 1, then each comma, then "]": records sit between consecutive bounds.
  let count = bounds.length - 1;
  if (count === 1) {
    let blank = true;
    for (let k = bounds[0]; k < bounds[1] && blank; k++) blank = isSpace(bytes[k]);
    if (blank) count = 0;
  }
  const starts = new Uint32Array(count);
  const ends = new Uint32Array(count);
  for (let r = 0; r < count; r++) {
    starts[r] = r === 0 ? bounds[0] : bounds[r] + 1;
    ends[r] = bounds[r + 1];
  }
  const rest = decode(bytes.subarray(0, open + 1)) + decode(bytes.subarray(close));
  return { rest, count, starts, ends };
}

/** Records `[from, to)` of a laid-out page, parsed (throws a SyntaxError on invalid JSON). */
export function parseRecords(bytes: Uint8Array, layout: PageLayout, from: number, to: number, decode: (bytes: Uint8Array) => string): unknown[] {
  if (to <= from) return [];
  return JSON.parse(`[${decode(bytes.subarray(layout.starts[from], layout.ends[to - 1]))}]`) as unknown[];
}
