import type { AxiosInstance, AxiosResponse } from "axios";
import { lazyHttpClient, loadAxios } from "./http.js";
import { systemClock, silentLogger, type Clock, type Logger } from "../core/effects.js";
import { PipelineError } from "../core/errors.js";
import { sourceColumns, type DatasetSpec } from "../dataset/spec.js";
import type { KeyValue } from "../series/key.js";
import { driftError, emptyColumns, recordsToColumns, showValue, sortByTime, type RawColumns } from "./records.js";
import { describeRange, formatApiTime, formatWallTime } from "../time/index.js";
import { layoutPage, parseRecords } from "./eds-page.js";
import { RequestPacer, seconds } from "./eds-rate-limit.js";
import { checkRange, redactLocation, type SeriesFilter, type Source, type TimeRange, PartialExtractError } from "./source.js";

/** Records per request unless told otherwise: large, because every request counts against the service's rate limit. */
export const DEFAULT_PAGE_SIZE = 100_000;
/** Records converted at a time within a page: small enough that their objects die young. */
const SLICE_RECORDS = 5_000;
/** The longest one extract waits for the rate limit and retries in total, unless told otherwise. */
export const DEFAULT_MAX_WAIT_MS = 300_000;

/** Options of {@link edsApiSource}. */
export interface EdsApiOptions {
  /** API root, e.g. `https://api.energidataservice.dk` (requests go to `<baseUrl>/dataset/<name>`). */
  baseUrl: string;
  /** HTTP client (default: a fresh axios instance). */
  http?: AxiosInstance;
  /** Records per request (`limit`), default {@link DEFAULT_PAGE_SIZE}. */
  pageSize?: number;
  /** Retries of one request after its first attempt, default 5 (so at most 6 attempts); 0 disables retrying. */
  maxRetries?: number;
  /** First backoff delay; doubles with every retry. Default 500 ms. */
  retryBaseMs?: number;
  /**
   * Upper bound of any single backoff wait, including a `Retry-After` on 5xx answers. Default 60 s.
   * A 429's `Retry-After` is never shortened (a request inside the window would only be refused
   * again); {@link maxWaitMs} bounds it instead.
   */
  maxRetryDelayMs?: number;
  /**
   * The most one extract may wait in total (rate-limit waits, pacing and retry backoff), default
   * {@link DEFAULT_MAX_WAIT_MS}. A wait that would exceed it stops the extract at once with an
   * error that says how long it would have had to wait (EDS_MAX_WAIT_SECONDS).
   */
  maxWaitMs?: number;
  /** Deadline of one request, response body included. Default 30 s. */
  timeoutMs?: number;
  /** Waits between attempts (inject a recorder in tests). Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic ms for pacing requests (inject with `sleep` in tests). Default `performance.now`. */
  now?: () => number;
  /** Retries are logged as warnings, pages at debug level. */
  logger?: Logger;
  /** Reads "now" to turn an HTTP-date `Retry-After` into a delay. */
  clock?: Clock;
  /** Optional jitter source in [0, 1): each backoff delay is scaled into [50%, 100%). Seed it for determinism. Default: no jitter. */
  jitter?: () => number;
}

/** What one failed attempt looked like, for the retry log and the final error. */
type Failure =
  | { kind: "status"; status: number; statusText: string; retryAfterMs?: number }
  | { kind: "timeout"; ms: number }
  | { kind: "network"; code: string; message: string };

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** Progress of one extract, for pacing, the wait budget and messages. */
interface Extract {
  spec: DatasetSpec;
  range: TimeRange;
  /** Milliseconds waited so far (rate limit, pacing, backoff). */
  waited: number;
  /** Records received so far, and the service's total once the first page arrived. */
  fetched: number;
  total?: number;
  /** The columns filled so far (rows 0..fetched-1), once the first page arrived. */
  all?: RawColumns;
}

/**
 * The Energi Data Service API as a {@link Source}: `GET <baseUrl>/dataset/<spec.api.dataset>` with
 * `start`/`end` in UTC (`timezone=utc`), sorted by the UTC hour, paged with `offset`/`limit`
 * until `total` records arrived.
 *
 * The service allows about one request per dataset per minute: pages are large (one request per
 * 100 000 rows by default), a 429 is waited out for exactly its `Retry-After` and teaches the
 * client the spacing of later requests to the dataset, and no extract waits longer in total than
 * `maxWaitMs`: past it the extract stops with an error before anything is written, and the next
 * tick starts again from the store's latest hour. 5xx, timeouts and dropped connections are
 * retried with exponential backoff; other 4xx fail at once with the server's message. Bodies are
 * read here (not by axios), a slice of records at a time (eds-page.ts), so truncated or malformed
 * JSON, a changed response shape, columns that drifted from the preset and records that do not
 * match the spec are reported as such.
 * `requests` counts every HTTP request made, rejected ones included.
 */
export function edsApiSource(options: EdsApiOptions): Source {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const http = lazyHttpClient(options.http);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxRetries = options.maxRetries ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const now = options.now ?? (() => performance.now());
  const pacer = new RequestPacer(now);
  let requests = 0;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new PipelineError("ingest", `Energi Data Service page size must be a positive integer, got ${pageSize}; set EDS_PAGE_SIZE`);
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new PipelineError("ingest", `Energi Data Service retries must be an integer >= 0, got ${maxRetries}; set EDS_MAX_RETRIES`);
  }
  if (!(maxWaitMs >= 0)) {
    throw new PipelineError("ingest", `Energi Data Service wait budget must be a number of ms >= 0, got ${maxWaitMs}; set EDS_MAX_WAIT_SECONDS`);
  }

  /** Context of one request for messages: `ConsumptionDE35Hour 2023-01-01T00:00..2023-01-02T00:00`. */
  const about = (spec: DatasetSpec, range: TimeRange, offset: number) =>
    `${apiName(spec)} ${describeRange(range)}${offset > 0 ? ` (page at offset ${offset})` : ""}`;

  const backoff = (retry: number, failure: Failure): number => {
    if (failure.kind === "status" && failure.retryAfterMs !== undefined) {
      // A 429 is waited out in full: asking again inside the window only earns another 429.
      return failure.status === 429 ? failure.retryAfterMs : Math.min(failure.retryAfterMs, maxRetryDelayMs);
    }
    const scale = options.jitter ? 0.5 + 0.5 * options.jitter() : 1;
    return Math.min(maxRetryDelayMs, Math.round(retryBaseMs * 2 ** (retry - 1) * scale));
  };

  /**
   * Waits `ms` within the extract's budget, or stops: ingest writes nothing before the extract
   * returns, so stopping here leaves the store as it was and the next tick starts over.
   */
  const wait = async (x: Extract, offset: number, ms: number, why: () => string, failed?: Failure): Promise<void> => {
    if (ms <= 0) return;
    if (x.waited + ms > maxWaitMs) throw budgetError(x, offset, ms, why(), failed);
    x.waited += ms;
    await sleep(ms);
  };

  const budgetError = (x: Extract, offset: number, ms: number, why: string, failed?: Failure): PipelineError => {
    const rows = x.total === undefined ? "no rows fetched yet" : `${x.fetched} of ${x.total} rows fetched`;
    const spent = `${seconds(x.waited)} waited, ${requests} request${requests === 1 ? "" : "s"} made, ${rows}`;
    const stopped = "stopped before writing anything: the next tick starts again from the store's latest hour";
    if (failed && !(failed.kind === "status" && failed.status === 429)) {
      return new PipelineError(
        "ingest",
        `Energi Data Service request failed (last: ${describeFailure(failed)}) for ${about(x.spec, x.range, offset)} and the next retry would wait ${seconds(ms)}, ` +
          `beyond the wait budget of ${seconds(maxWaitMs)} (EDS_MAX_WAIT_SECONDS; ${spent}); ${stopped}; the service is failing or unreachable: retry later or use --source file:<csv>`,
      );
    }
    // What the whole window would need: this wait plus one spacing per further page.
    let fix = "raise EDS_MAX_WAIT_SECONDS";
    if (x.total !== undefined) {
      const pagesLeft = Math.max(1, Math.ceil((x.total - x.fetched) / pageSize));
      const needed = x.waited + ms + (pagesLeft - 1) * (pacer.spacing(apiName(x.spec)) ?? ms);
      fix = `to fetch this window in one run allow about ${Math.ceil(needed / 1000)} s (EDS_MAX_WAIT_SECONDS) or use larger pages (EDS_PAGE_SIZE)`;
    }
    const complete = x.all === undefined ? undefined : completeHours(x.all, x.fetched);
    if (complete !== undefined && complete.cols.times.length > 0) {
      // Pages come sorted by hour: every hour before the last one fetched is complete. Keeping
      // them lets a long first extract progress tick by tick under the rate limit.
      return new PartialExtractError(
        `Energi Data Service rate limit hit for ${about(x.spec, x.range, offset)}: ${why}; waiting would exceed the wait budget of ${seconds(maxWaitMs)} ` +
          `(EDS_MAX_WAIT_SECONDS; ${spent}); stopped, keeping the ${complete.cols.times.length} rows of the complete hours before ${formatApiTime(complete.until)}: ` +
          `the next tick continues from there; ${fix}`,
        complete.cols,
        complete.until,
      );
    }
    return new PipelineError(
      "ingest",
      `Energi Data Service rate limit hit for ${about(x.spec, x.range, offset)}: ${why}; waiting would exceed the wait budget of ${seconds(maxWaitMs)} ` +
        `(EDS_MAX_WAIT_SECONDS; ${spent}); ${stopped}; ${fix}`,
    );
  };

  /** One page, paced and retried. Resolves to the body of a 2xx answer. */
  const fetchPage = async (url: string, x: Extract, offset: number): Promise<Uint8Array> => {
    const attempts = maxRetries + 1;
    const { spec, range } = x;
    const dataset = apiName(spec);
    for (let attempt = 1; ; attempt++) {
      const pace = pacer.waitBefore(dataset);
      if (pace > 0) {
        logger.debug("Energi Data Service pacing for its rate limit", { dataset, offset, delayMs: pace });
        await wait(
          x,
          offset,
          pace,
          () =>
            `the service allows about one request per ${seconds(pacer.spacing(dataset)!)} to ${dataset} (learned from its Retry-After) and the next one must wait ${seconds(pace)}`,
        );
      }
      const sentAt = now();
      requests++;
      const outcome = await attemptOnce(await http(), url, timeoutMs, clock);
      if (outcome instanceof Uint8Array) {
        pacer.accepted(dataset, sentAt);
        return outcome;
      }
      if ("rejected" in outcome) {
        pacer.accepted(dataset, sentAt);
        throw rejection(outcome.rejected, about(spec, range, offset));
      }
      const limited = outcome.kind === "status" && outcome.status === 429;
      if (limited && outcome.retryAfterMs !== undefined) pacer.limited(dataset, outcome.retryAfterMs);
      if (attempt >= attempts) {
        const hint =
          outcome.kind === "status" && (outcome.status === 429 || outcome.status === 503)
            ? "the service is rate-limited: retry later or use --source file:<csv>"
            : "the service is failing or unreachable: retry later or use --source file:<csv>";
        throw new PipelineError(
          "ingest",
          `Energi Data Service request failed after ${attempts} attempt${attempts === 1 ? "" : "s"} (last: ${describeFailure(outcome)}) for ${about(spec, range, offset)}; ${hint}`,
        );
      }
      const delayMs = backoff(attempt, outcome);
      logger.warn(limited ? "Energi Data Service rate limit hit, waiting" : "Energi Data Service request failed, retrying", {
        dataset,
        offset,
        attempt,
        of: attempts,
        reason: describeFailure(outcome),
        delayMs,
      });
      const why = () =>
        limited && outcome.retryAfterMs !== undefined
          ? `HTTP 429 Too Many Requests asks to wait ${seconds(outcome.retryAfterMs)} (Retry-After)`
          : `${describeFailure(outcome)}, the next retry would wait ${seconds(delayMs)}`;
      await wait(x, offset, delayMs, why, outcome);
    }
  };

  return {
    description: `Energi Data Service API ${redactLocation(baseUrl)}`,

    get requests() {
      return requests;
    },

    async extract(range: TimeRange, spec: DatasetSpec, filter?: SeriesFilter): Promise<RawColumns> {
      const where0 = `Energi Data Service ${apiName(spec)} ${describeRange(range)}`;
      checkRange(range, where0);
      const x: Extract = { spec, range, waited: 0, fetched: 0 };
      // Pages are converted as they arrive and copied into one set of columns sized by the first
      // page's total, so the JSON of only one page is alive at a time (a 2 M-row window would not
      // fit in memory as records) and the columns never grow by reallocation.
      let all = emptyColumns(spec);
      let pages = 0;
      // Every page must make progress, so the loop ends after at most `total` iterations.
      for (;;) {
        const offset = x.fetched;
        const url = pageUrl(baseUrl, spec, range, offset, pageSize, filter);
        const page = openPage(await fetchPage(url, x, offset), about(spec, range, offset));
        if (x.total === undefined) {
          x.total = page.total;
          all = allocateColumns(spec, page.total);
          x.all = all;
        } else if (page.total !== x.total) {
          throw new PipelineError(
            "ingest",
            `Energi Data Service changed its total for ${about(spec, range, offset)} from ${x.total} to ${page.total} between pages; the dataset was updated during the extract: run again`,
          );
        }
        const where = `Energi Data Service ${about(spec, range, offset)}`;
        // Local wall times need a page's rows together (a repeated hour's two readings per
        // series); UTC rows are converted a slice at a time, so each slice's objects die young.
        const step = spec.time.zone === "UTC" ? SLICE_RECORDS : Math.max(1, page.count);
        for (let from = 0; from < page.count; from += step) {
          const records = page.records(from, Math.min(page.count, from + step));
          if (pages === 0 && from === 0) checkColumns(records[0], spec, where, logger);
          const cols = recordsToColumns(records, spec, where, (i) => `record ${offset + from + i}`);
          checkInRange(cols, range, where, offset + from);
          placeColumns(all, cols, offset + from);
        }
        pages++;
        x.fetched += page.count;
        logger.debug("Energi Data Service page", { dataset: apiName(spec), offset: x.fetched, total: x.total, records: page.count });
        if (x.fetched >= x.total) break;
        if (page.count === 0) {
          throw new PipelineError(
            "ingest",
            `Energi Data Service returned no records at offset ${x.fetched} for ${apiName(spec)} ${describeRange(range)} although its total is ${x.total}; the service's paging is inconsistent: run again or use --source file:<csv>`,
          );
        }
      }
      const sorted = sortByTime(x.fetched === x.total ? all : sliceColumns(all, x.fetched));
      if (pages > 1) checkNoRepeats(sorted, spec, range);
      logger.info("Energi Data Service extract", {
        dataset: apiName(spec),
        range: describeRange(range),
        rows: sorted.times.length,
        pages,
        requests,
        ...(x.waited > 0 ? { waitedMs: Math.round(x.waited) } : {}),
      });
      return sorted;
    },

    async extent(): Promise<TimeRange | undefined> {
      return undefined;
    },
  };
}

/** The rows of the hours before the last hour among the first `n` rows (sorted by time), and that hour. */
function completeHours(all: RawColumns, n: number): { cols: RawColumns; until: number } | undefined {
  if (n === 0) return undefined;
  const rows = sortByTime(sliceColumns(all, n));
  const until = rows.times[rows.times.length - 1];
  let k = 0;
  while (k < rows.times.length && rows.times[k] < until) k++;
  return { cols: sliceColumns(rows, k), until };
}

/**
 * Columns for `n` rows, filled with placeholders: arrays filled up front stay packed (fast, no
 * per-element boxing of numbers) and are never reallocated, unlike arrays grown by `push`.
 */
function allocateColumns(spec: DatasetSpec, n: number): RawColumns {
  return {
    time: new Array<string>(n).fill(""),
    keys: spec.keys.map(() => new Array<KeyValue>(n).fill("")),
    value: new Array<number | null>(n).fill(0),
    ...(spec.unitColumn ? { unit: new Array<string>(n).fill("") } : {}),
    times: new Array<number>(n).fill(0),
    dst: { nonexistent: 0, repeated: 0 },
  };
}

/** Copies a page's rows into `into` from row `at` on; daylight-saving counts add up. */
function placeColumns(into: RawColumns, part: RawColumns, at: number): void {
  const n = part.times.length;
  for (let i = 0; i < n; i++) into.time[at + i] = part.time[i];
  part.keys.forEach((k, j) => {
    const out = into.keys[j];
    for (let i = 0; i < n; i++) out[at + i] = k[i];
  });
  for (let i = 0; i < n; i++) into.value[at + i] = part.value[i];
  if (into.unit && part.unit) for (let i = 0; i < n; i++) into.unit[at + i] = part.unit[i];
  for (let i = 0; i < n; i++) into.times[at + i] = part.times[i];
  into.dst.nonexistent += part.dst.nonexistent;
  into.dst.repeated += part.dst.repeated;
}

/** The first `n` rows (an extract that ended short of the total it was sized for). */
function sliceColumns(cols: RawColumns, n: number): RawColumns {
  return {
    time: cols.time.slice(0, n),
    keys: cols.keys.map((k) => k.slice(0, n)),
    value: cols.value.slice(0, n),
    ...(cols.unit ? { unit: cols.unit.slice(0, n) } : {}),
    times: cols.times.slice(0, n),
    dst: cols.dst,
  };
}

/**
 * Schema drift: the first record must carry every column the preset reads. A missing one fails,
 * naming what is missing, what the service sends that the preset does not know, and the preset
 * file to fix; columns the preset does not know are otherwise harmless (logged at debug level).
 */
function checkColumns(first: unknown, spec: DatasetSpec, where: string, logger: Logger): void {
  if (typeof first !== "object" || first === null || Array.isArray(first)) return; // recordsToColumns names it
  const found = Object.keys(first);
  const missing = sourceColumns(spec).filter((c) => !found.includes(c));
  if (missing.length > 0) throw driftError(where, "record 0", missing, found, spec);
  const known = new Set([...sourceColumns(spec), ...(spec.extraColumns ?? [])]);
  const unknown = found.filter((c) => !known.has(c));
  if (unknown.length > 0) logger.debug("Energi Data Service columns the dataset spec does not use", { dataset: apiName(spec), columns: unknown.join(",") });
}

/** The request URL. Built by hand so spaces encode as `%20` (not `+`) and logs show the exact query. */
function pageUrl(baseUrl: string, spec: DatasetSpec, range: TimeRange, offset: number, limit: number, filter?: SeriesFilter): string {
  const params: Array<[string, string]> = [
    ["start", formatApiTime(range.start)],
    ["end", formatApiTime(range.end)],
    ["timezone", "utc"],
    ["sort", `${spec.time.source} asc`],
    ...(filter && Object.keys(filter).length > 0 ? [["filter", JSON.stringify(filter)] as [string, string]] : []),
    ["offset", String(offset)],
    ["limit", String(limit)],
  ];
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  return `${baseUrl}/dataset/${encodeURIComponent(apiName(spec))}?${query}`;
}

/** The API's name of a dataset: the preset's `api.dataset`, else the spec's name. */
function apiName(spec: DatasetSpec): string {
  return spec.api?.dataset ?? spec.name;
}

/** A 2xx body, a retryable failure, or a definitive rejection (4xx other than 408/429). */
type Outcome = Uint8Array | Failure | { rejected: AxiosResponse<string> };

const decoder = new TextDecoder();
const utf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

/** A response body as bytes (axios gives a Buffer in Node, an ArrayBuffer elsewhere). */
function bytesOf(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new TextEncoder().encode(typeof data === "string" ? data : String(data ?? ""));
}

async function attemptOnce(http: AxiosInstance, url: string, timeoutMs: number, clock: Clock): Promise<Outcome> {
  // axios's own timeout only watches socket inactivity; the abort timer bounds the whole
  // exchange, so a server trickling a body slowly cannot hold a run forever.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    // Bytes, not text: a page is read a slice of records at a time (eds-page.ts).
    const res = await http.get<unknown>(url, {
      responseType: "arraybuffer",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      timeout: timeoutMs,
      signal: controller.signal,
      headers: { Accept: "application/json" },
    });
    if (res.status >= 200 && res.status < 300) return bytesOf(res.data);
    if (RETRYABLE_STATUS.has(res.status)) {
      return { kind: "status", status: res.status, statusText: res.statusText ?? "", retryAfterMs: parseRetryAfter(header(res, "retry-after"), clock) };
    }
    return { rejected: { ...res, data: utf8(bytesOf(res.data)) } };
  } catch (error) {
    if (timedOut) return { kind: "timeout", ms: timeoutMs };
    if ((await loadAxios()).isAxiosError(error)) {
      const code = error.code ?? "";
      if (code === "ECONNABORTED" || code === "ETIMEDOUT") return { kind: "timeout", ms: timeoutMs };
      const causeCode = (error.cause as NodeJS.ErrnoException | undefined)?.code ?? "";
      if (TRANSIENT_CODES.has(code) || TRANSIENT_CODES.has(causeCode) || error.message === "stream has been aborted") {
        return { kind: "network", code: TRANSIENT_CODES.has(code) ? code : causeCode || "ECONNRESET", message: error.message };
      }
      throw new PipelineError(
        "ingest",
        `Energi Data Service request to ${redactLocation(url)} failed: ${error.message}${code ? ` (${code})` : ""}; check EDS_API_URL and the network`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function header(res: AxiosResponse, name: string): string | undefined {
  const v = (res.headers as Record<string, unknown>)[name];
  return typeof v === "string" ? v : Array.isArray(v) ? String(v[0]) : undefined;
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, clock: Clock = systemClock): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - clock.now().getTime());
}

function describeFailure(f: Failure): string {
  switch (f.kind) {
    case "status":
      return `HTTP ${f.status}${f.statusText ? " " + f.statusText : ""}`;
    case "timeout":
      return `timeout after ${f.ms} ms`;
    case "network":
      return `${f.code} ${f.message}`;
  }
}

function rejection(res: AxiosResponse<string>, about: string): PipelineError {
  const hint =
    res.status === 404
      ? "check the dataset name (EDS_DATASET) and the API URL (EDS_API_URL)"
      : res.status === 400
        ? "check the dataset's column names (the preset file or --time/--keys): the request sorts by its time column and filters on its key columns"
        : res.status === 401 || res.status === 403
          ? "the service refused access: check EDS_API_URL points at the public API"
          : "check the request and the API URL (EDS_API_URL)";
  return new PipelineError(
    "ingest",
    `Energi Data Service rejected the request for ${about} with HTTP ${res.status}${res.statusText ? " " + res.statusText : ""}: ${serverMessage(res.data)}; ${hint}`,
  );
}

/** The server's explanation: the JSON `message`/`error` field when there is one, else the start of the body. */
function serverMessage(body: unknown): string {
  const text = typeof body === "string" ? body : String(body ?? "");
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object") {
      const o = parsed as Record<string, unknown>;
      const msg = [o.error, o.message].filter((x) => typeof x === "string" && x !== "").join(": ");
      if (msg) return `"${msg}"`;
    }
  } catch {
    // not JSON: show the text itself
  }
  const trimmed = text.trim().replace(/\s+/g, " ");
  return trimmed === "" ? "(empty body)" : `"${trimmed.length > 200 ? trimmed.slice(0, 197) + "..." : trimmed}"`;
}

/**
 * A page's total and its records. The body is laid out without parsing it whole (eds-page.ts),
 * and records are parsed a slice at a time; a body the layout does not recognise, or a slice that
 * is not valid JSON, goes through {@link parseBody}, which names the problem.
 */
function openPage(bytes: Uint8Array, about: string): { total: number; count: number; records(from: number, to: number): unknown[] } {
  const whole = () => parseBody(utf8(bytes), about);
  const layout = layoutPage(bytes, utf8);
  let rest: unknown;
  try {
    rest = layout ? JSON.parse(layout.rest) : undefined;
  } catch {
    rest = undefined;
  }
  if (!layout || rest === undefined) {
    const body = whole();
    return { total: body.total, count: body.records.length, records: (from, to) => body.records.slice(from, to) };
  }
  const { total } = checkShape(rest, about);
  return {
    total,
    count: layout.count,
    records(from, to) {
      try {
        return parseRecords(bytes, layout, from, to, utf8);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        return whole().records.slice(from, to);
      }
    },
  };
}

/** Parses a whole body, naming truncated or malformed JSON, then checks its shape. */
function parseBody(text: string, about: string): { total: number; records: unknown[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    const trimmed = text.trimEnd();
    const truncated = trimmed !== "" && (trimmed.startsWith("{") || trimmed.startsWith("[")) && !/[}\]]$/.test(trimmed);
    const snippet = JSON.stringify(trimmed.length > 80 ? (truncated ? "..." + trimmed.slice(-60) : trimmed.slice(0, 77) + "...") : trimmed);
    throw new PipelineError(
      "ingest",
      truncated
        ? `Energi Data Service returned truncated JSON for ${about} (${text.length} characters, ends with ${snippet}): ${(cause as Error).message}; the response was cut off: run again, or use --source file:<csv>`
        : `Energi Data Service returned malformed JSON for ${about} (${text.length} characters, starting ${snippet}): ${(cause as Error).message}; the URL may not point at the API: check EDS_API_URL, or use --source file:<csv>`,
      { cause },
    );
  }
  return checkShape(body, about);
}

/** Checks the response shape `{ total, limit, dataset, records }`. */
function checkShape(body: unknown, about: string): { total: number; records: unknown[] } {
  const shape = "expected an object { total, limit, dataset, records: [...] }";
  const fix = "the API's response format changed: update src/pipeline/ingest/eds-client.ts, or use --source file:<csv>";
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new PipelineError("ingest", `Energi Data Service response for ${about} is ${showValue(body)}, ${shape}; ${fix}`);
  }
  const o = body as Record<string, unknown>;
  const keys = Object.keys(o).join(", ") || "none";
  if (!Array.isArray(o.records)) {
    throw new PipelineError(
      "ingest",
      `Energi Data Service response for ${about} has no "records" array (records is ${showValue(o.records)}; keys: ${keys}), ${shape}; ${fix}`,
    );
  }
  if (typeof o.total !== "number" || !Number.isInteger(o.total) || o.total < 0) {
    throw new PipelineError(
      "ingest",
      `Energi Data Service response for ${about} has no valid "total" (total is ${showValue(o.total)}; keys: ${keys}), ${shape}; ${fix}`,
    );
  }
  return { total: o.total, records: o.records };
}

/** A row outside the requested range means the service ignored `start`/`end` or `timezone=utc`. */
function checkInRange(cols: RawColumns, range: TimeRange, where: string, offset: number): void {
  for (let i = 0; i < cols.times.length; i++) {
    const t = cols.times[i];
    if (t < range.start || t >= range.end) {
      throw new PipelineError(
        "ingest",
        `${where}: record ${offset + i} is at ${cols.time[i]}, outside the requested range ${describeRange(range)} (UTC); ` +
          `the service ignored start/end or timezone=utc: check EDS_API_URL`,
      );
    }
  }
}

/**
 * Offset paging over a sort key with ties (many rows per hour) is only safe if the service's
 * order is stable between requests; a row seen twice shows it was not (and rows were missed).
 * The columns are sorted by hour, so a repeat can only be within one hour: the set of seen keys
 * is per hour, which keeps this check small for million-row extracts.
 */
function checkNoRepeats(cols: RawColumns, spec: DatasetSpec, range: TimeRange): void {
  const seen = new Set<string>();
  let hour = NaN;
  for (let i = 0; i < cols.times.length; i++) {
    if (cols.times[i] !== hour) {
      hour = cols.times[i];
      seen.clear();
    }
    const key = cols.keys.length === 1 ? String(cols.keys[0][i]) : cols.keys.map((k) => String(k[i])).join("\u0000");
    if (seen.has(key)) {
      throw new PipelineError(
        "ingest",
        `Energi Data Service returned the row ${formatWallTime(cols.times[i])} ${spec.keys.map((k, j) => `${k.source}=${String(cols.keys[j][i])}`).join(" ")} twice across pages for ${apiName(spec)} ${describeRange(range)}; ` +
          `either the dataset holds duplicates or its paging order is unstable (rows may be missing): raise EDS_PAGE_SIZE so the range fits in one page, or use --source file:<csv>`,
      );
    }
    seen.add(key);
  }
}
