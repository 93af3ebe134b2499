import { open, readFile, type FileHandle } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AxiosInstance } from "axios";
import { loadAxios } from "./http.js";
import { PipelineError } from "../core/errors.js";
import { sourceColumns, type DatasetSpec } from "../dataset/spec.js";
import { readParquet } from "../parquet/read.js";
import { CsvColumnsReader, type CsvRead } from "./csv.js";
import { columnsExtent, countDst, driftError, filterColumns, recordsToColumns, sliceByTime, sortByTime, type RawColumns } from "./records.js";
import { formatWallTime } from "../time/index.js";
import type { RowWindow } from "./window-columns.js";
import { checkRange, redactLocation, type SeriesFilter, type Source, type TimeRange } from "./source.js";
import { publicPath } from "../storage/location.js";

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** HTTP client for `http(s)://` locations (default: a fresh axios instance). */
  http?: Pick<AxiosInstance, "get">;
  /** Directory relative paths are resolved against (default: the process's working directory). */
  cwd?: string;
  /** Download timeout for `http(s)://` locations (default 60 s). */
  timeoutMs?: number;
}

type Location = { kind: "path"; path: string; shown: string } | { kind: "http"; url: string; shown: string };
type Format = "csv" | "parquet";

/**
 * A source reading one long file that holds the dataset's columns (time, keys, value): an
 * Energi Data Service CSV download or any CSV (`.csv`), or a parquet file (`.parquet`; the time
 * column may be strings or timestamps). `location` is a path (relative to `cwd`), a `file:` URL
 * (`file:///abs/x.csv` or `file:rel/x.csv`) or an `http(s)://` URL.
 *
 * A CSV file is streamed, never held whole: its extent (on first use, cached) and each extract
 * read it once more, piece by piece, checking every row and keeping only the extract's rows (in
 * compact columns while reading), so a file of millions of rows needs memory for the window only.
 * A parquet file is read whole, on first use, and cached; each extract slices the cache (its
 * reader needs the whole file, and its columns are compact already). A file downloaded over HTTP
 * is downloaded once and its bytes cached. The description names a local file by its path
 * relative to `cwd` (or its name, outside it), never by its absolute path: it is recorded in the
 * store. Errors reject the promise of the call that needs the file and are retried by the next call.
 */
export function fileSource(location: string, options: FileSourceOptions = {}): Source {
  const cwd = options.cwd ?? process.cwd();
  const loc = resolveLocation(location, cwd);
  const where = `source file "${loc.shown}"`;
  const format = formatOf(loc);
  const parquetCache = new Map<string, Promise<RawColumns>>();
  const extentCache = new Map<string, Promise<TimeRange | undefined>>();
  let downloaded: Promise<Uint8Array> | undefined;

  /** A failed promise is not cached: the next call tries again (the file may have been fixed). */
  const cached = <T>(cache: Map<string, Promise<T>>, key: string, f: () => Promise<T>): Promise<T> => {
    let pending = cache.get(key);
    if (!pending) {
      pending = f();
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  };
  const specKey = (spec: DatasetSpec) => JSON.stringify([spec.time, spec.keys, spec.value, spec.unitColumn]);
  const bytes = (): Promise<Uint8Array> => {
    if (loc.kind === "path") return readLocal(loc.path, where);
    if (!downloaded) {
      downloaded = download(loc, where, options);
      downloaded.catch(() => (downloaded = undefined));
    }
    return downloaded;
  };
  const checkFormat = (spec: DatasetSpec): Format => {
    if (!format) {
      throw new PipelineError(
        "ingest",
        `${where} has an unsupported format; expected a .csv or .parquet file with the columns ${sourceColumns(spec).join(", ")}`,
      );
    }
    return format;
  };
  const parquet = (spec: DatasetSpec) => cached(parquetCache, specKey(spec), async () => sortByTime(parquetColumns(await bytes(), spec, where)));
  const csv = (spec: DatasetSpec, window: RowWindow): Promise<CsvRead> =>
    loc.kind === "path" ? streamLocalCsv(loc.path, spec, where, window) : bytes().then((b) => csvFromBytes(b, spec, where, window));

  return {
    // Recorded in validation results and quarantine notes: no absolute local path (the file's
    // path relative to the working directory, or its name).
    description: `${format === "parquet" ? "parquet" : "CSV"} file ${loc.kind === "path" ? publicPath(loc.path, cwd) : loc.shown}`,
    async extract(range: TimeRange, spec: DatasetSpec, filter?: SeriesFilter): Promise<RawColumns> {
      checkRange(range, where);
      const rows =
        checkFormat(spec) === "csv"
          ? sortByTime((await csv(spec, { range, filter })).columns)
          : filterColumns(sliceByTime(await parquet(spec), range), spec, filter);
      // Report this extract's daylight-saving readings (a parquet cache counts the whole file's).
      return { ...rows, dst: countDst(rows, spec.time.zone) };
    },
    async extent(spec: DatasetSpec): Promise<TimeRange | undefined> {
      if (checkFormat(spec) === "parquet") return columnsExtent(await parquet(spec));
      // Nothing is kept: an empty range holds no hour.
      return cached(extentCache, specKey(spec), async () => (await csv(spec, { range: { start: 0, end: 0 } })).extent);
    },
  };
}

function resolveLocation(location: string, cwd: string): Location {
  if (/^https?:\/\//i.test(location)) return { kind: "http", url: location, shown: redactLocation(location) };
  let path: string;
  if (/^file:\/\//i.test(location)) {
    try {
      path = fileURLToPath(location);
    } catch (cause) {
      throw new PipelineError(
        "ingest",
        `source "${location}" is not a usable file URL (${String(cause)}); use file:///absolute/path.csv or file:relative/path.csv`,
        { cause },
      );
    }
  } else if (/^file:/i.test(location)) {
    path = location.slice(5);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new PipelineError(
      "ingest",
      `source "${redactLocation(location)}" uses an unsupported scheme; use a path, a file: URL or an http(s):// URL to a CSV or parquet file`,
    );
  } else {
    path = location;
  }
  const abs = resolve(cwd, path);
  return { kind: "path", path: abs, shown: abs };
}

function formatOf(loc: Location): Format | undefined {
  const path = loc.kind === "path" ? loc.path : new URL(loc.url).pathname;
  const ext = extname(path).toLowerCase();
  return ext === ".csv" ? "csv" : ext === ".parquet" ? "parquet" : undefined;
}

/** Bytes read from a file per step: large enough for few reads, small next to any window. */
const CHUNK_BYTES = 1 << 20;

/** Reads a local CSV file piece by piece through a {@link CsvColumnsReader}. */
async function streamLocalCsv(path: string, spec: DatasetSpec, where: string, window: RowWindow): Promise<CsvRead> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (cause) {
    throw readError(cause, where);
  }
  try {
    const reader = new CsvColumnsReader(spec, where, window);
    // One buffer for every read: the reader decodes each piece before the next read.
    const buffer = new Uint8Array(CHUNK_BYTES);
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (cause) {
        throw readError(cause, where);
      }
      if (bytesRead === 0) break;
      reader.pushBytes(buffer.subarray(0, bytesRead));
    }
    return reader.end();
  } finally {
    await handle.close();
  }
}

/** A downloaded CSV file's bytes, through a {@link CsvColumnsReader} in pieces (the bytes are cached whole; the rows are not). */
function csvFromBytes(bytes: Uint8Array, spec: DatasetSpec, where: string, window: RowWindow): CsvRead {
  const reader = new CsvColumnsReader(spec, where, window);
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) reader.pushBytes(bytes.subarray(i, i + CHUNK_BYTES));
  return reader.end();
}

async function readLocal(path: string, where: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw readError(cause, where);
  }
}

/** A failed open or read of a local file, in words that say what to pass instead. */
function readError(cause: unknown, where: string): PipelineError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new PipelineError("ingest", `${where} not found; pass --source file:<path> to an existing CSV or parquet file`, { cause });
  }
  if (code === "EISDIR") {
    return new PipelineError("ingest", `${where} is a directory; pass --source file:<path> to a CSV or parquet file`, { cause });
  }
  return new PipelineError("ingest", `cannot read ${where}: ${(cause as Error).message}; check its permissions`, { cause });
}

async function download(loc: Extract<Location, { kind: "http" }>, where: string, options: FileSourceOptions): Promise<Uint8Array> {
  const http = options.http ?? (await loadAxios()).create();
  let res;
  try {
    res = await http.get<ArrayBuffer>(loc.url, {
      responseType: "arraybuffer",
      validateStatus: () => true,
      timeout: options.timeoutMs ?? 60_000,
    });
  } catch (cause) {
    throw new PipelineError("ingest", `cannot download ${where}: ${(cause as Error).message}; check the URL and the network, or use a local file`, { cause });
  }
  if (res.status === 404) {
    throw new PipelineError("ingest", `${where} not found (HTTP 404); pass --source with the URL of an existing CSV or parquet file`);
  }
  if (res.status < 200 || res.status >= 300) {
    throw new PipelineError("ingest", `cannot download ${where}: HTTP ${res.status} ${res.statusText ?? ""}`.trimEnd() + "; check the URL or retry later");
  }
  return new Uint8Array(res.data);
}

/**
 * A parquet file with the dataset's columns; timestamps (epoch ms or Date) become time strings.
 * Read whole, unlike CSV: parquet-wasm decodes a whole file's bytes at once (streaming it by row
 * group is left for when large parquet sources appear).
 */
function parquetColumns(bytes: Uint8Array, spec: DatasetSpec, where: string): RawColumns {
  const table = readParquet(bytes, undefined, where);
  const names = table.columnNames();
  const expected = sourceColumns(spec);
  const missing = expected.filter((name) => !names.includes(name));
  if (missing.length > 0) throw driftError(where, "the file", missing, names, spec);
  const n = table.numRows();
  const columns = expected.map((name) => table.array(name) as ArrayLike<unknown>);
  const records = new Array<Record<string, unknown>>(n);
  for (let i = 0; i < n; i++) {
    const record: Record<string, unknown> = {};
    for (let k = 0; k < expected.length; k++) record[expected[k]] = normalise(columns[k][i], k === 0);
    records[i] = record;
  }
  return recordsToColumns(records, spec, where, (i) => `row ${i}`);
}

function normalise(v: unknown, time: boolean): unknown {
  if (typeof v === "bigint") v = Number(v);
  if (time) {
    if (v instanceof Date) return formatWallTime(v.getTime());
    if (typeof v === "number" && Number.isFinite(v)) return formatWallTime(v);
  }
  return v === undefined ? null : v;
}
