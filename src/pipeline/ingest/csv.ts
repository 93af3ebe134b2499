import { PipelineError } from "../core/errors.js";
import { sourceColumns, type DatasetSpec } from "../dataset/spec.js";
import type { TimeRange } from "../time/index.js";
import { CsvSplitter } from "./csv-split.js";
import { driftError, type RawColumns } from "./records.js";
import { WindowColumns, type RowWindow } from "./window-columns.js";

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
 * Rows come in file order; `dst` counts every row's daylight-saving readings.
 */
export function parseCsvColumns(text: string, spec: DatasetSpec, where: string): RawColumns {
  const reader = new CsvColumnsReader(spec, where);
  reader.push(text);
  return reader.end().columns;
}

/** What a {@link CsvColumnsReader} found: the kept rows and the extent of all rows. */
export interface CsvRead {
  /** The rows in the window, in file order; `dst` counts them only. */
  columns: RawColumns;
  /** `[first hour, last hour + 1 h)` of every row of the file. */
  extent: TimeRange | undefined;
}

/**
 * Reads a CSV file (as {@link parseCsvColumns}) piece by piece, bytes or text, keeping only the
 * rows of `window`: the memory it needs is the window's rows, however large the file. Every row
 * is still checked, and {@link end} throws the error the whole text would give: an unclosed
 * quote, else a header that lacks columns, else the first row with the wrong number of fields,
 * else a header without rows, else the first bad row by `recordsToColumns`' rules.
 */
export class CsvColumnsReader {
  private readonly splitter: CsvSplitter;
  private readonly rows: WindowColumns;
  private readonly decoder = new TextDecoder("utf-8");
  private readonly expected: string[];
  private header: string[] | undefined;
  private iTime = -1;
  private iKeys: number[] = [];
  private iValue = -1;
  private iUnit = -1;
  private readonly keys: string[];
  /** The header or a row made the file unreadable: later rows are only split (an unclosed quote still wins). */
  private fatal: PipelineError | undefined;
  private dataRows = 0;

  /** `where` names the file in errors; rows outside `window` (default: none) are checked, not kept. */
  constructor(
    private readonly spec: DatasetSpec,
    private readonly where: string,
    window: RowWindow = {},
  ) {
    this.expected = sourceColumns(spec);
    this.keys = spec.keys.map(() => "");
    this.rows = new WindowColumns(spec, where, window);
    this.splitter = new CsvSplitter(where, (fields, line) => this.row(fields, line));
  }

  /** The next piece of UTF-8 bytes; a character cut between pieces is completed by the next. */
  pushBytes(bytes: Uint8Array): void {
    this.splitter.push(this.decoder.decode(bytes, { stream: true }));
  }

  /** The next piece of text. */
  push(text: string): void {
    this.splitter.push(text);
  }

  /** The end of the file: the kept rows and the file's extent, or the file's error. */
  end(): CsvRead {
    this.splitter.push(this.decoder.decode());
    this.splitter.end();
    if (!this.header) {
      throw new PipelineError(
        "ingest",
        `${this.where}: the CSV file is empty; expected a header row ${this.expected.join(this.splitter.separator)} and data rows`,
      );
    }
    if (this.fatal) throw this.fatal;
    if (this.dataRows === 0) {
      throw new PipelineError("ingest", `${this.where}: the CSV file has a header but no data rows; export the rows too, or pick another file`);
    }
    const error = this.rows.error();
    if (error) throw error;
    return { columns: this.rows.columns(), extent: this.rows.extent() };
  }

  private row(fields: string[], line: number): void {
    const header = this.header;
    if (!header) {
      this.readHeader(fields.map((h) => h.trim()));
      return;
    }
    if (this.fatal) return;
    if (fields.length === 1 && fields[0].trim() === "") return; // blank line
    if (fields.length !== header.length) {
      this.fatal = new PipelineError(
        "ingest",
        `${this.where}: line ${line} has ${fields.length} field(s), expected ${header.length} as in the header (separator "${this.splitter.separator}"); the file is truncated or malformed: fix or re-download it`,
      );
      return;
    }
    this.dataRows++;
    for (let k = 0; k < this.iKeys.length; k++) this.keys[k] = fields[this.iKeys[k]];
    this.rows.add(
      fields[this.iTime].trim(),
      this.keys,
      parseValue(fields[this.iValue]),
      this.iUnit >= 0 ? fields[this.iUnit].trim() : undefined,
      `line ${line}`,
    );
  }

  private readHeader(header: string[]): void {
    this.header = header;
    const spec = this.spec;
    const missing = this.expected.filter((name) => !header.includes(name));
    if (missing.length > 0) {
      this.fatal = driftError(this.where, "the CSV header", missing, header, spec);
      return;
    }
    this.iTime = header.indexOf(spec.time.source);
    this.iKeys = spec.keys.map((k) => header.indexOf(k.source));
    this.iValue = header.indexOf(spec.value.source);
    this.iUnit = spec.unitColumn ? header.indexOf(spec.unitColumn) : -1;
  }
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
