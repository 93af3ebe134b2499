import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import type { DatasetSpec } from "../dataset/spec.js";
import { columnsToTable, RAW_ROLES, recordsToColumns, type RawColumns } from "./records.js";

/**
 * Parses an Energi Data Service CSV download (`HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon`)
 * into a raw table with the spec's five columns, checked like API records (same errors, with
 * file line numbers).
 *
 * Accepts: an optional UTF-8 BOM, CRLF or LF line ends, `"`-quoted fields (with `""` escapes),
 * columns in any order plus extra columns (dropped), and `;` (the API's layout), `,` or tab
 * separators, chosen from the header row. Values may use a decimal comma (`12,5`), as the
 * service's Danish exports sometimes do; an empty value is null. `where` names the file in errors.
 */
export function parseEdsCsv(text: string, spec: DatasetSpec, where: string): ColumnTable {
  return columnsToTable(parseEdsCsvColumns(text, spec, where), spec);
}

/** The column form of {@link parseEdsCsv}, for sources that cache and slice the parsed file. */
export function parseEdsCsvColumns(text: string, spec: DatasetSpec, where: string): RawColumns {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const separator = detectSeparator(body);
  const rows = splitCsv(body, separator, where);
  const expected = RAW_ROLES.map((role) => spec.columns[role]);
  if (rows.length === 0) {
    throw new PipelineError("ingest", `${where}: the CSV file is empty; expected a header row ${expected.join(";")} and data rows`);
  }
  const header = rows[0].fields.map((h) => h.trim());
  const index = expected.map((name) => header.indexOf(name));
  const missing = expected.filter((_, k) => index[k] < 0);
  if (missing.length > 0) {
    throw new PipelineError(
      "ingest",
      `${where}: the CSV header lacks column(s) ${missing.map((m) => `"${m}"`).join(", ")}; expected ${expected.join(separator)}, found ${header.join(separator)}; ` +
        `fix the file's header or set EDS_COLUMN_* (the dataset spec's column names) to match it`,
    );
  }
  const [iUtc, iLocal, iArea, iType, iValue] = index;
  const c = spec.columns;
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
    records.push({
      [c.timeUtc]: fields[iUtc],
      [c.timeLocal]: fields[iLocal],
      [c.area]: fields[iArea],
      [c.consumerType]: fields[iType],
      [c.value]: parseValue(fields[iValue]),
    });
    lines.push(line);
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
