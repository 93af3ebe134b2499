import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { systemClock, silentLogger, type Clock, type Logger } from "../core/effects.js";
import { PipelineError } from "../core/errors.js";
import type { DatasetSpec } from "../dataset/spec.js";
import { concatColumns, formatSourceTime, recordsToColumns, showValue, sortByTime, type RawColumns } from "./records.js";
import { checkRange, describeRange, formatApiTime, redactLocation, type SeriesFilter, type Source, type TimeRange } from "./source.js";

/** Options of {@link edsApiSource}. */
export interface EdsApiOptions {
  /** API root, e.g. `https://api.energidataservice.dk` (requests go to `<baseUrl>/dataset/<name>`). */
  baseUrl: string;
  /** HTTP client (default: a fresh axios instance). */
  http?: AxiosInstance;
  /** Records per request (`limit`), default 10 000. */
  pageSize?: number;
  /** Retries of one request after its first attempt, default 5 (so at most 6 attempts); 0 disables retrying. */
  maxRetries?: number;
  /** First backoff delay; doubles with every retry. Default 500 ms. */
  retryBaseMs?: number;
  /** Upper bound of any single wait, including a server's `Retry-After`. Default 60 s. */
  maxRetryDelayMs?: number;
  /** Deadline of one request, response body included. Default 30 s. */
  timeoutMs?: number;
  /** Waits between attempts (inject a recorder in tests). Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
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

/**
 * The Energi Data Service API as a {@link Source}: `GET <baseUrl>/dataset/<spec.api.dataset>` with
 * `start`/`end` in UTC (`timezone=utc`), sorted by the UTC hour, paged with `offset`/`limit`
 * until `total` records arrived.
 *
 * The service is rate-limited: 429, 5xx, timeouts and dropped connections are retried with
 * exponential backoff, honouring `Retry-After`; other 4xx fail at once with the server's message.
 * Bodies are parsed here (not by axios) so truncated or malformed JSON, a changed response shape
 * and records that do not match the spec are reported as such.
 */
export function edsApiSource(options: EdsApiOptions): Source {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const http = options.http ?? axios.create();
  const pageSize = options.pageSize ?? 10_000;
  const maxRetries = options.maxRetries ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new PipelineError("ingest", `Energi Data Service page size must be a positive integer, got ${pageSize}; set EDS_PAGE_SIZE`);
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new PipelineError("ingest", `Energi Data Service retries must be an integer >= 0, got ${maxRetries}; set EDS_MAX_RETRIES`);
  }

  /** Context of one request for messages: `ConsumptionDE35Hour 2023-01-01T00:00..2023-01-02T00:00`. */
  const about = (spec: DatasetSpec, range: TimeRange, offset: number) =>
    `${apiName(spec)} ${describeRange(range)}${offset > 0 ? ` (page at offset ${offset})` : ""}`;

  const backoff = (retry: number, failure: Failure): number => {
    if (failure.kind === "status" && failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, maxRetryDelayMs);
    const scale = options.jitter ? 0.5 + 0.5 * options.jitter() : 1;
    return Math.min(maxRetryDelayMs, Math.round(retryBaseMs * 2 ** (retry - 1) * scale));
  };

  /** One page, with retries. Resolves to the response text of a 2xx answer. */
  const fetchText = async (url: string, spec: DatasetSpec, range: TimeRange, offset: number): Promise<string> => {
    const attempts = maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(http, url, timeoutMs, clock);
      if (typeof outcome === "string") return outcome;
      if ("rejected" in outcome) throw rejection(outcome.rejected, about(spec, range, offset));
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
      logger.warn("Energi Data Service request failed, retrying", {
        dataset: apiName(spec),
        offset,
        attempt,
        of: attempts,
        reason: describeFailure(outcome),
        delayMs,
      });
      await sleep(delayMs);
    }
  };

  return {
    description: `Energi Data Service API ${redactLocation(baseUrl)}`,

    async extract(range: TimeRange, spec: DatasetSpec, filter?: SeriesFilter): Promise<RawColumns> {
      const where0 = `Energi Data Service ${apiName(spec)} ${describeRange(range)}`;
      checkRange(range, where0);
      const pages: RawColumns[] = [];
      let offset = 0;
      let total: number | undefined;
      // Every page must make progress, so the loop ends after at most `total` iterations.
      for (;;) {
        const url = pageUrl(baseUrl, spec, range, offset, pageSize, filter);
        const text = await fetchText(url, spec, range, offset);
        const body = parseBody(text, about(spec, range, offset));
        if (total === undefined) total = body.total;
        else if (body.total !== total) {
          throw new PipelineError(
            "ingest",
            `Energi Data Service changed its total for ${about(spec, range, offset)} from ${total} to ${body.total} between pages; the dataset was updated during the extract: run again`,
          );
        }
        const where = `Energi Data Service ${about(spec, range, offset)}`;
        const cols = recordsToColumns(body.records, spec, where, (i) => `record ${offset + i}`);
        checkInRange(cols, range, where, offset);
        pages.push(cols);
        offset += body.records.length;
        logger.debug("Energi Data Service page", { dataset: apiName(spec), offset, total, records: body.records.length });
        if (offset >= total) break;
        if (body.records.length === 0) {
          throw new PipelineError(
            "ingest",
            `Energi Data Service returned no records at offset ${offset} for ${apiName(spec)} ${describeRange(range)} although its total is ${total}; the service's paging is inconsistent: run again or use --source file:<csv>`,
          );
        }
      }
      const all = sortByTime(concatColumns(pages, spec));
      if (pages.length > 1) checkNoRepeats(all, spec, range);
      logger.info("Energi Data Service extract", { dataset: apiName(spec), range: describeRange(range), rows: all.times.length, pages: pages.length });
      return all;
    },

    async extent(): Promise<TimeRange | undefined> {
      return undefined;
    },
  };
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
type Outcome = string | Failure | { rejected: AxiosResponse<string> };

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
    const res = await http.get<string>(url, {
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      timeout: timeoutMs,
      signal: controller.signal,
      headers: { Accept: "application/json" },
    });
    if (res.status >= 200 && res.status < 300) return typeof res.data === "string" ? res.data : String(res.data ?? "");
    if (RETRYABLE_STATUS.has(res.status)) {
      return { kind: "status", status: res.status, statusText: res.statusText ?? "", retryAfterMs: parseRetryAfter(header(res, "retry-after"), clock) };
    }
    return { rejected: res };
  } catch (error) {
    if (timedOut) return { kind: "timeout", ms: timeoutMs };
    if (axios.isAxiosError(error)) {
      const code = error.code ?? "";
      if (code === "ECONNABORTED" || code === "ETIMEDOUT") return { kind: "timeout", ms: timeoutMs };
      const causeCode = (error.cause as NodeJS.ErrnoException | undefined)?.code ?? "";
      if (TRANSIENT_CODES.has(code) || TRANSIENT_CODES.has(causeCode) || error.message === "stream has been aborted") {
        return { kind: "network", code: TRANSIENT_CODES.has(code) ? code : causeCode || "ECONNRESET", message: error.message };
      }
      throw new PipelineError("ingest", `Energi Data Service request to ${redactLocation(url)} failed: ${error.message}${code ? ` (${code})` : ""}; check EDS_API_URL and the network`, { cause: error });
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
        ? "check the dataset's column names (EDS_COLUMN_*): the request sorts by the UTC time column"
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

/** Checks the response shape `{ total, limit, dataset, records }`. */
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
  const shape = "expected an object { total, limit, dataset, records: [...] }";
  const fix = "the API's response format changed: update src/pipeline/ingest/eds-client.ts, or use --source file:<csv>";
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new PipelineError("ingest", `Energi Data Service response for ${about} is ${showValue(body)}, ${shape}; ${fix}`);
  }
  const o = body as Record<string, unknown>;
  const keys = Object.keys(o).join(", ") || "none";
  if (!Array.isArray(o.records)) {
    throw new PipelineError("ingest", `Energi Data Service response for ${about} has no "records" array (records is ${showValue(o.records)}; keys: ${keys}), ${shape}; ${fix}`);
  }
  if (typeof o.total !== "number" || !Number.isInteger(o.total) || o.total < 0) {
    throw new PipelineError("ingest", `Energi Data Service response for ${about} has no valid "total" (total is ${showValue(o.total)}; keys: ${keys}), ${shape}; ${fix}`);
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
 */
function checkNoRepeats(cols: RawColumns, spec: DatasetSpec, range: TimeRange): void {
  const seen = new Set<string>();
  for (let i = 0; i < cols.times.length; i++) {
    const key = `${cols.times[i]}|${cols.keys.map((k) => String(k[i])).join("|")}`;
    if (seen.has(key)) {
      throw new PipelineError(
        "ingest",
        `Energi Data Service returned the row ${formatSourceTime(cols.times[i])} ${spec.keys.map((k, j) => `${k.source}=${String(cols.keys[j][i])}`).join(" ")} twice across pages for ${apiName(spec)} ${describeRange(range)}; ` +
          `either the dataset holds duplicates or its paging order is unstable (rows may be missing): raise EDS_PAGE_SIZE so the range fits in one page, or use --source file:<csv>`,
      );
    }
    seen.add(key);
  }
}
