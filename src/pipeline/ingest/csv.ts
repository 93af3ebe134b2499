import { PipelineError } from "../core/errors.js";
import { sourceColumns, type DatasetSpec } from "../dataset/spec.js";
import { driftError, recordsToColumns, type RawColumns } from "./records.js";

/**
 * Parses a long CSV file (an Energi Data Service download such as
 * `HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon`, or any file with the dataset's time, key
 * and value columns) into checked raw columns, with the same errors as API records plus file
 * line numbers.
 *
 * Accepts: an optional UTF-8 BOM, CRLF or LF line ends, `"`-quoted fields (with `""` escapes),
 * columns in any order plus extra columns (dropped), and `;` (the API's layout), `,` or tab
 * separators, chosen from the header row. Values may use a decimal comma (`12,5`), as the
 * service's Danish exports sometimes do; an empty value is null. `where` names the file in errors.
 */
export function parseCsvColumns(text: string, spec: DatasetSpec, where: string): RawColumns {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const separator = detectSeparator(body);
  const rows = splitCsv(body, separator, where);
  const expected = sourceColumns(spec);
  if (rows.length === 0) {
    throw new PipelineError("ingest", `${where}: the CSV file is empty; expected a header row ${expected.join(separator)} and data rows`);
  }
  const header = rows[0].fields.map((h) => h.trim());
  const missing = expected.filter((name) => !header.includes(name));
  if (missing.length > 0) throw driftError(where, "the CSV header", missing, header, spec);
  const iTime = header.indexOf(spec.time.source);
  const iKeys = spec.keys.map((k) => header.indexOf(k.source));
  const iValue = header.indexOf(spec.value.source);
  const iUnit = spec.unitColumn ? header.indexOf(spec.unitColumn) : -1;
  const records: Array<Record<string, unknown>> = [];
  const lines: number[] = [];
  for (let r = 1; r < rows.length; r++) {
    const { fields, line } = rows[r];
    if (fields.length === 1 && fields[0].trim() === "") continue; // blank line
    if (fields.length !== header.length) {
      throw new PipelineError(
        "ingest",
        `${where}: line ${line} has ${fields.length} field(s), expected ${header.length} as in the header (separator "${separator}"); the file is truncated or malformed: fix or re-download it`,
      );
    }
    const record: Record<string, unknown> = { [spec.time.source]: fields[iTime].trim(), [spec.value.source]: parseValue(fields[iValue]) };
    spec.keys.forEach((k, i) => (record[k.source] = fields[iKeys[i]]));
    if (iUnit >= 0) record[spec.unitColumn!] = fields[iUnit].trim();
    records.push(record);
    lines.push(line);
  }
  if (records.length === 0) {
    throw new PipelineError("ingest", `${where}: the CSV file has a header but no data rows; export the rows too, or pick another file`);
  }
  return recordsToColumns(records, spec, where, (i) => `line ${lines[i]}`);
}

const DECIMAL_POINT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/**
 * A value field as a number, null when empty; anything else is returned as the text so the
 * record check reports it with its line.
 */
function parseValue(field: string): number | string | null {
  const s = field.trim();
  if (s === "") return null;
  if (DECIMAL_POINT.test(s)) return Number(s);
  // A comma can only sit inside a field when it is not the separator or the field is quoted,
  // which are exactly the cases where it must be a decimal comma.
  if (DECIMAL_COMMA.test(s)) return Number(s.replace(",", "."));
  return field;
}

function detectSeparator(text: string): string {
  const end = text.search(/\r|\n/);
  const header = end < 0 ? text : text.slice(0, end);
  for (const sep of [";", ",", "\t"]) if (header.includes(sep)) return sep;
  return ";";
}

interface CsvRow {
  fields: string[];
  /** 1-based line of the file where the row starts. */
  line: number;
}

/** RFC 4180 style split: quoted fields may hold separators, quotes (`""`) and line breaks. */
function splitCsv(text: string, separator: string, where: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const n = text.length;
  const sep = separator.charCodeAt(0);
  const QUOTE = 34;
  const CR = 13;
  const LF = 10;
  let line = 1;
  let i = 0;
  while (i < n) {
    const fields: string[] = [];
    const startLine = line;
    for (;;) {
      let field: string;
      if (text.charCodeAt(i) === QUOTE) {
        const openLine = line;
        let value = "";
        let from = ++i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            throw new PipelineError("ingest", `${where}: line ${openLine} opens a quoted field that is never closed; the file is truncated or malformed: fix or re-download it`);
          }
          line += countLineBreaks(text, i, q);
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
        field = value + text.slice(i, j);
        i = j;
      } else {
        let j = i;
        while (j < n) {
          const ch = text.charCodeAt(j);
          if (ch === sep || ch === CR || ch === LF) break;
          j++;
        }
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
    if (i < n && text.charCodeAt(i) === CR) i++;
    if (i < n && text.charCodeAt(i) === LF) i++;
    line++;
    rows.push({ fields, line: startLine });
  }
  return rows;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const ch = text.charCodeAt(k);
    if (ch === 10 || (ch === 13 && text.charCodeAt(k + 1) !== 10)) count++;
  }
  return count;
}
