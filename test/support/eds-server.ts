/**
 * A local stand-in for the Energi Data Service API (`GET /dataset/<name>`), serving the genuine
 * ConsumptionDE35Hour CSV (and, with `presetDatasets()` from eds-datasets.ts, the other presets'
 * datasets derived from it by renaming and regrouping) in the API's JSON shape
 * `{ total, limit, dataset, filters?, sort?, records }`, with scriptable faults. A real
 * `node:http` server on 127.0.0.1, ephemeral port.
 *
 * Query semantics follow the API: `start` included, `end` excluded, formats `yyyy`, `yyyy-MM`,
 * `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm`; `timezone=utc` compares with HourUTC, otherwise (Danish
 * local time) with HourDK; `filter` is JSON equality (`{"PriceArea":["DK1"]}`, a value or a list);
 * `columns` projects; `sort` is `Col [asc|desc][, ...]` (default `HourUTC desc`); `offset`;
 * `limit` (default 100, 0 = all).
 *
 * The rate limit, as the service has it since 2025 (about one request per dataset per minute per
 * IP), scaled down for tests: with `rateLimit: { requests, windowMs }` each dataset accepts
 * `requests` requests per window (a window opens with the first request after the previous one
 * closed); the next one is answered 429 with `Retry-After` in whole seconds until the window
 * closes. Rejected requests do not count.
 *
 * Tests can revise values (`revise`) and publish hours later (`publishUntil`), as the service does.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { GeneratedDataset } from "./eds-datasets.js";

/** Path of the genuine dataset copy. */
export const DE35_CSV = fileURLToPath(new URL("../../data/de35/ConsumptionDE35Hour_2022-12-21T16_2023-01-14T22.csv", import.meta.url));

/** A row as the API serves it. */
export type EdsRecord = Record<string, string | number | null>;

/** The API's response body. */
export interface EdsBody {
  total: number;
  limit: number;
  dataset: string;
  filters?: string;
  sort?: string;
  records: EdsRecord[];
}

/** One scripted misbehaviour, applied to one request instead of (or on top of) the normal answer. */
export type Fault =
  /** Answer with this status (and optional `Retry-After` header / body) instead of data. */
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  /** Wait before answering normally (longer than the client's timeout makes it time out). */
  | { kind: "delay"; ms: number }
  /** The normal JSON cut to `keep` characters (default: half), served as a complete 200 response. */
  | { kind: "truncate"; keep?: number }
  /** A 200 response whose body is not JSON (default: an HTML error page). */
  | { kind: "invalidJson"; body?: string }
  /** Send half the body, then destroy the connection. */
  | { kind: "reset" }
  /** Schema drift: every record's column `from` renamed to `to`. */
  | { kind: "renameColumn"; from: string; to: string }
  /** Every record's `column` turned into a string (e.g. `"12,5"` style values). */
  | { kind: "stringValue"; column: string; format?: (v: unknown) => string }
  /** A top-level field of the body removed (e.g. `total`). */
  | { kind: "dropField"; field: string }
  /** Any change of the normal body; the returned value is serialised as the answer. */
  | { kind: "mutate"; fn: (body: EdsBody) => unknown };

/** What the server saw. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The fault applied, if any. */
  fault?: Fault["kind"];
  /** Arrival time (epoch ms). */
  at: number;
  /** Status of the answer once sent (absent for a dropped connection). */
  status?: number;
  /** `Retry-After` of a 429 from the rate limit. */
  retryAfter?: string;
}

/** At most `requests` accepted requests per dataset per `windowMs`. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** What a dataset is served from: records in any order, or a generated panel (eds-datasets.ts). */
export type EdsDataset = EdsRecord[] | GeneratedDataset;

/** Faults as a queue (one entry per request, `undefined` = answer normally) or a function. */
export type FaultScript = Array<Fault | undefined> | ((request: LoggedRequest, index: number) => Fault | undefined);

/** A running server. */
export interface EdsServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (the client appends `/dataset/<name>`). */
  url: string;
  requests: LoggedRequest[];
  /** The datasets served (the server's own arrays: changing them changes the answers). */
  datasets: Record<string, EdsDataset>;
  /** Replaces the fault script; the queue form is consumed one entry per request. */
  setFaults(script: FaultScript): void;
  /** Turns the rate limit on (or off with undefined) and forgets the open windows. */
  setRateLimit(limit: RateLimit | undefined): void;
  /** Serves only the hours of `dataset` before `hourUtc` (`yyyy-MM-ddTHH:mm:ss`); undefined serves all. Record datasets only. */
  publishUntil(dataset: string, hourUtc: string | undefined): void;
  /** Replaces the records of `dataset` matching `match` by copies with `patch` applied (a revision); returns how many. */
  revise(dataset: string, match: (r: EdsRecord) => boolean, patch: EdsRecord): number;
  close(): Promise<void>;
}

let cached: EdsRecord[] | undefined;

/** The genuine CSV as API records (numbers for the code and value columns), loaded once per process. */
export function de35Records(): EdsRecord[] {
  if (cached) return cached;
  const lines = readFileSync(DE35_CSV, "utf8")
    .split(/\r?\n/)
    .filter((l) => l !== "");
  const header = lines[0].split(";");
  cached = lines.slice(1).map((line) => {
    const f = line.split(";");
    const r: EdsRecord = {};
    header.forEach((h, k) => {
      r[h] = h === "ConsumerType_DE35" || h === "TotalCon" ? Number(f[k]) : f[k];
    });
    return r;
  });
  return cached;
}

/** Starts the server. `datasets` defaults to the genuine `ConsumptionDE35Hour`; no rate limit unless given. */
export async function startEdsServer(options: { datasets?: Record<string, EdsDataset>; rateLimit?: RateLimit } = {}): Promise<EdsServer> {
  // Own copies of the arrays, so revisions never reach the shared records of other servers.
  const datasets: Record<string, EdsDataset> = Object.fromEntries(
    Object.entries(options.datasets ?? { ConsumptionDE35Hour: de35Records() }).map(([name, d]) => [name, Array.isArray(d) ? [...d] : d]),
  );
  const requests: LoggedRequest[] = [];
  let script: FaultScript = [];
  let rateLimit = options.rateLimit;
  const windows = new Map<string, { start: number; count: number }>();
  const until = new Map<string, string>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  /** The `Retry-After` (seconds) for a request to `name` now, or undefined when it is within the limit. */
  function limited(name: string, now: number): string | undefined {
    if (!rateLimit) return undefined;
    let w = windows.get(name);
    if (!w || now - w.start >= rateLimit.windowMs) windows.set(name, (w = { start: now, count: 0 }));
    if (w.count < rateLimit.requests) {
      w.count++;
      return undefined;
    }
    return String(Math.max(1, Math.ceil((w.start + rateLimit.windowMs - now) / 1000)));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const logged: LoggedRequest = { method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() };
    requests.push(logged);
    res.on("finish", () => (logged.status = res.statusCode));
    const m = /^\/dataset\/([^/]+)$/.exec(url.pathname);
    const retryAfter = m ? limited(decodeURIComponent(m[1]), logged.at) : undefined;
    if (retryAfter !== undefined) {
      logged.retryAfter = retryAfter;
      const windowS = rateLimit!.windowMs / 1000;
      res.writeHead(429, { "content-type": "application/json", "retry-after": retryAfter });
      res.end(
        JSON.stringify({
          statusCode: 429,
          error: "Too Many Requests",
          message: `Rate limit exceeded: ${rateLimit!.requests} request(s) per dataset per ${windowS} s; retry after ${retryAfter} s`,
        }),
      );
      return;
    }
    const index = requests.length - 1;
    const fault = typeof script === "function" ? script(logged, index) : script.shift();
    if (fault) logged.fault = fault.kind;
    handle(req, res, url, fault).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: "Internal Server Error", message: String(error) });
      else res.destroy();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, fault: Fault | undefined): Promise<void> {
    if (fault?.kind === "status") {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      res.end(fault.body ?? JSON.stringify({ statusCode: fault.status, error: "scripted fault" }));
      return;
    }
    if (fault?.kind === "delay") {
      await new Promise<void>((done) => {
        const t = setTimeout(() => {
          timers.delete(t);
          done();
        }, fault.ms);
        timers.add(t);
      });
      if (res.destroyed || req.socket.destroyed) return;
    }
    const m = /^\/dataset\/([^/]+)$/.exec(url.pathname);
    if (req.method !== "GET" || !m) return json(res, 404, { statusCode: 404, error: "Not Found", message: `Cannot ${req.method} ${url.pathname}` });
    const name = decodeURIComponent(m[1]);
    const data = datasets[name];
    if (!data) return json(res, 404, { statusCode: 404, error: "Not Found", message: `Dataset '${name}' not found` });
    const cut = until.get(name);
    const generated = Array.isArray(data) ? undefined : generatedPage(name, data, url.searchParams);
    if (generated && "error" in generated) return json(res, 400, { statusCode: 400, error: "Bad Request", message: generated.error });
    // A generated page is written as JSON text directly (a million-row benchmark would spend its
    // time building record objects); faults that edit the body get the records as objects.
    const editsBody = fault !== undefined && ["renameColumn", "stringValue", "dropField", "mutate"].includes(fault.kind);
    if (generated && !editsBody && fault?.kind !== "truncate" && fault?.kind !== "reset") return send(res, 200, generated.json());
    const answer = generated ? generated.body() : query(name, data as EdsRecord[], url.searchParams, cut);
    if ("error" in answer) return json(res, 400, { statusCode: 400, error: "Bad Request", message: answer.error });
    let body: unknown = answer;
    switch (fault?.kind) {
      case "renameColumn":
        body = { ...answer, records: answer.records.map((r) => renameKey(r, fault.from, fault.to)) };
        break;
      case "stringValue":
        body = { ...answer, records: answer.records.map((r) => ({ ...r, [fault.column]: (fault.format ?? String)(r[fault.column]) })) };
        break;
      case "dropField": {
        const copy: Record<string, unknown> = { ...answer };
        delete copy[fault.field];
        body = copy;
        break;
      }
      case "mutate":
        body = fault.fn(structuredClone(answer));
        break;
    }
    const text = JSON.stringify(body);
    if (fault?.kind === "truncate") return send(res, 200, text.slice(0, fault.keep ?? Math.floor(text.length / 2)));
    if (fault?.kind === "invalidJson") {
      return send(res, 200, fault.body ?? "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
    }
    if (fault?.kind === "reset") {
      const buf = Buffer.from(text);
      res.writeHead(200, { "content-type": "application/json", "content-length": String(buf.length) });
      res.write(buf.subarray(0, buf.length >> 1), () => res.destroy());
      return;
    }
    send(res, 200, text);
  }

  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    datasets,
    setFaults(next) {
      script = Array.isArray(next) ? [...next] : next;
    },
    setRateLimit(limit) {
      rateLimit = limit;
      windows.clear();
    },
    publishUntil(name, hourUtc) {
      if (hourUtc === undefined) until.delete(name);
      else until.set(name, hourUtc);
    },
    revise(name, match, patch) {
      const rows = datasets[name];
      if (!Array.isArray(rows)) throw new Error(`revise: dataset ${name} is not a record dataset`);
      let n = 0;
      rows.forEach((r, i) => {
        if (match(r)) {
          rows[i] = { ...r, ...patch };
          n++;
        }
      });
      return n;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      return new Promise<void>((done, fail) => server.close((e) => (e ? fail(e) : done())));
    },
  };
}

function renameKey(r: EdsRecord, from: string, to: string): EdsRecord {
  const out: EdsRecord = {};
  for (const [k, v] of Object.entries(r)) out[k === from ? to : k] = v;
  return out;
}

function send(res: ServerResponse, status: number, text: string, type = "application/json"): void {
  const buf = Buffer.from(text);
  res.writeHead(status, { "content-type": `${type}; charset=utf-8`, "content-length": String(buf.length) });
  res.end(buf);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body));
}

/** `yyyy`, `yyyy-MM`, `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm` -> `yyyy-MM-ddTHH:mm:ss` (comparable with the rows' strings). */
function parseBound(raw: string): string | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?)?$/.exec(raw);
  if (!m) return undefined;
  return `${m[1]}-${m[2] ?? "01"}-${m[3] ?? "01"}T${m[4] ?? "00"}:${m[5] ?? "00"}:00`;
}

/** `until`: only the hours before it are published yet (HourUTC text). */
function query(name: string, data: EdsRecord[], p: URLSearchParams, until?: string): EdsBody | { error: string } {
  const columns = data.length > 0 ? Object.keys(data[0]) : [];
  const all = until === undefined ? data : data.filter((r) => (r.HourUTC as string) < until);
  const tz = (p.get("timezone") ?? "dk").toLowerCase();
  if (tz !== "utc" && tz !== "dk") return { error: `Invalid timezone '${tz}'` };
  const timeColumn = tz === "utc" ? "HourUTC" : "HourDK";
  const bounds: Array<string | undefined> = [];
  for (const key of ["start", "end"]) {
    const raw = p.get(key);
    if (raw === null) {
      bounds.push(undefined);
      continue;
    }
    const b = parseBound(raw);
    if (b === undefined) return { error: `Invalid ${key} '${raw}'` };
    bounds.push(b);
  }
  const [start, end] = bounds;
  let rows = all.filter((r) => {
    const t = r[timeColumn] as string;
    return (start === undefined || t >= start) && (end === undefined || t < end);
  });

  const filterRaw = p.get("filter");
  if (filterRaw !== null) {
    const filter = parseFilter(filterRaw, columns);
    if (!(filter instanceof Map)) return filter;
    for (const [col, allowed] of filter) rows = rows.filter((r) => allowed.has(String(r[col])));
  }

  const sortRaw = p.get("sort") ?? "HourUTC desc";
  const keys: Array<{ col: string; dir: number }> = [];
  for (const part of sortRaw.split(",")) {
    const [col, dir = "asc"] = part.trim().split(/\s+/);
    if (!columns.includes(col)) return { error: `Unknown column '${col}' in sort` };
    if (!/^(asc|desc)$/i.test(dir)) return { error: `Invalid sort direction '${dir}'` };
    keys.push({ col, dir: dir.toLowerCase() === "desc" ? -1 : 1 });
  }
  // The file is already in HourUTC-ascending order; skipping a no-op sort keeps big pages fast.
  if (!(keys.length === 1 && keys[0].col === "HourUTC" && keys[0].dir === 1)) {
    rows = [...rows].sort((a, b) => {
      for (const { col, dir } of keys) {
        const x = a[col] as string | number;
        const y = b[col] as string | number;
        if (x < y) return -dir;
        if (x > y) return dir;
      }
      return 0;
    });
  }

  const offset = Number(p.get("offset") ?? "0");
  const limit = Number(p.get("limit") ?? "100");
  if (!Number.isInteger(offset) || offset < 0) return { error: `Invalid offset '${p.get("offset")}'` };
  if (!Number.isInteger(limit) || limit < 0) return { error: `Invalid limit '${p.get("limit")}'` };
  const page = rows.slice(offset, limit === 0 ? undefined : offset + limit);

  const columnsRaw = p.get("columns");
  let records = page;
  if (columnsRaw !== null) {
    const wanted = columnsRaw.split(",").map((c) => c.trim());
    const unknown = wanted.find((c) => !columns.includes(c));
    if (unknown) return { error: `Unknown column '${unknown}' in columns` };
    records = page.map((r) => Object.fromEntries(wanted.map((c) => [c, r[c]])));
  }
  return {
    total: rows.length,
    limit,
    dataset: name,
    ...(filterRaw !== null ? { filters: filterRaw } : {}),
    ...(p.get("sort") !== null ? { sort: sortRaw } : {}),
    records,
  };
}

/** Parses the `filter` parameter: column -> allowed texts. */
function parseFilter(raw: string, columns: string[]): Map<string, Set<string>> | { error: string } {
  let filter: unknown;
  try {
    filter = JSON.parse(raw);
  } catch {
    return { error: `Invalid filter '${raw}'` };
  }
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) return { error: "filter must be a JSON object" };
  const out = new Map<string, Set<string>>();
  for (const [col, wanted] of Object.entries(filter)) {
    if (!columns.includes(col)) return { error: `Unknown column '${col}' in filter` };
    out.set(col, new Set((Array.isArray(wanted) ? wanted : [wanted]).map(String)));
  }
  return out;
}

/** A page of a generated dataset: as a body of records, or as its JSON text built directly. */
interface GeneratedPage {
  body(): EdsBody;
  json(): string;
}

/**
 * A page of a generated dataset, from index arithmetic (hour-major, series in order) so that
 * millions of rows cost nothing until asked for. Only what the client sends is supported:
 * `timezone=utc` and `sort=<time column> asc`.
 */
function generatedPage(name: string, d: GeneratedDataset, p: URLSearchParams): GeneratedPage | { error: string } {
  const columns = [d.timeColumn, "HourDK", ...d.keyColumns, d.valueColumn];
  if ((p.get("timezone") ?? "dk").toLowerCase() !== "utc") return { error: "the local generated dataset answers timezone=utc only" };
  const sortRaw = p.get("sort") ?? "";
  if (sortRaw.trim().replace(/\s+/g, " ") !== `${d.timeColumn} asc`)
    return { error: `the local generated dataset is sorted by '${d.timeColumn} asc' only, got sort '${sortRaw}'` };
  const hourAt = (key: string, fallback: number): number | { error: string } => {
    const raw = p.get(key);
    if (raw === null) return fallback;
    const b = parseBound(raw);
    if (b === undefined) return { error: `Invalid ${key} '${raw}'` };
    return Math.min(d.hours, Math.max(0, Math.ceil((Date.parse(b + "Z") - d.start) / 3_600_000)));
  };
  const h0 = hourAt("start", 0);
  const h1 = hourAt("end", d.hours);
  if (typeof h0 !== "number") return h0;
  if (typeof h1 !== "number") return h1;
  let series = d.series.map((_, s) => s);
  const filterRaw = p.get("filter");
  if (filterRaw !== null) {
    const filter = parseFilter(filterRaw, columns);
    if (!(filter instanceof Map)) return filter;
    for (const [col, allowed] of filter) {
      const k = d.keyColumns.indexOf(col);
      if (k < 0) return { error: `the local generated dataset filters on key columns only, got '${col}'` };
      series = series.filter((s) => allowed.has(d.series[s][k]));
    }
  }
  const offset = Number(p.get("offset") ?? "0");
  const limit = Number(p.get("limit") ?? "100");
  if (!Number.isInteger(offset) || offset < 0) return { error: `Invalid offset '${p.get("offset")}'` };
  if (!Number.isInteger(limit) || limit < 0) return { error: `Invalid limit '${p.get("limit")}'` };
  const m = series.length;
  const total = Math.max(0, h1 - h0) * m;
  const stop = Math.min(total, limit === 0 ? total : offset + limit);
  const n = d.series.length;
  const head = { total, limit, dataset: name, ...(filterRaw !== null ? { filters: filterRaw } : {}), sort: sortRaw };
  const at = (i: number) => ({ h: h0 + Math.floor(i / m), s: series[i % m] });
  return {
    body() {
      const records: EdsRecord[] = [];
      for (let i = offset; i < stop; i++) {
        const { h, s } = at(i);
        const r: EdsRecord = { [d.timeColumn]: d.utcTexts[h], HourDK: d.dkTexts[h] };
        d.keyColumns.forEach((c, k) => (r[c] = d.series[s][k]));
        r[d.valueColumn] = d.values[h * n + s];
        records.push(r);
      }
      return { ...head, records };
    },
    json() {
      // The same text JSON.stringify(body()) gives: fixed fragments per hour and per series.
      const hourText = d.utcTexts.map((t, h) => `{${JSON.stringify(d.timeColumn)}:${JSON.stringify(t)},"HourDK":${JSON.stringify(d.dkTexts[h])},`);
      const seriesText = d.series.map(
        (key) => d.keyColumns.map((c, k) => `${JSON.stringify(c)}:${JSON.stringify(key[k])},`).join("") + `${JSON.stringify(d.valueColumn)}:`,
      );
      const parts: string[] = [];
      for (let i = offset; i < stop; i++) {
        const { h, s } = at(i);
        parts.push(hourText[h] + seriesText[s] + String(d.values[h * n + s]) + "}");
      }
      return `${JSON.stringify(head).slice(0, -1)},"records":[${parts.join(",")}]}`;
    },
  };
}
