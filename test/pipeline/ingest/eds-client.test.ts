import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock, memoryLogger } from "../../../src/pipeline/core/effects.js";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { loadPreset } from "../../../src/pipeline/dataset/preset.js";
import { edsApiSource, parseRetryAfter, type EdsApiOptions } from "../../../src/pipeline/ingest/eds-client.js";
import type { RawColumns } from "../../../src/pipeline/ingest/records.js";
import { generatedPrivIndustry } from "../../support/eds-datasets.js";
import { de35Records, startEdsServer, type EdsRecord, type EdsServer } from "../../support/eds-server.js";

const DE35 = loadPreset("de35");

const H = 3_600_000;
const DAY = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 0, 2) };
const ABOUT = "ConsumptionDE35Hour 2023-01-01T00:00..2023-01-02T00:00";

function expectedRows(range: { start: number; end: number }) {
  const from = new Date(range.start).toISOString().slice(0, 19);
  const to = new Date(range.end).toISOString().slice(0, 19);
  return de35Records().filter((r) => (r.HourUTC as string) >= from && (r.HourUTC as string) < to);
}

/** The extracted rows as records of the columns the preset reads (time, keys, value). */
function rowsOf(cols: RawColumns): EdsRecord[] {
  return cols.time.map((t, i) => ({ HourUTC: t, PriceArea: cols.keys[0][i], ConsumerType_DE35: cols.keys[1][i], TotalCon: cols.value[i] }));
}

/** The CSV's records without the column the preset does not read. */
function readColumns(rows: EdsRecord[]): EdsRecord[] {
  return rows.map(({ HourUTC, PriceArea, ConsumerType_DE35, TotalCon }) => ({ HourUTC, PriceArea, ConsumerType_DE35, TotalCon }));
}

let server: EdsServer;
let sleeps: number[];

beforeAll(async () => {
  server = await startEdsServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.setFaults([]);
  sleeps = [];
});

/** A client against the local server whose waits are recorded, not slept. */
function client(over: Partial<EdsApiOptions> = {}) {
  return edsApiSource({
    baseUrl: server.url,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...over,
  });
}

async function rejection(p: Promise<unknown>): Promise<PipelineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineError);
    return e as PipelineError;
  }
  throw new Error("expected a rejection");
}

describe("edsApiSource against the local Energi Data Service", () => {
  it("extracts a day: 76 series x 24 hours, equal to the CSV's rows, in one request of up to 100,000 rows", async () => {
    const source = client();
    expect(source.description).toBe(`Energi Data Service API ${server.url}`);
    expect(source.requests).toBe(0);
    expect(await source.extent(DE35)).toBeUndefined();
    const t = await source.extract(DAY, DE35);
    expect(t.times).toHaveLength(76 * 24);
    expect(rowsOf(t)).toEqual(readColumns(expectedRows(DAY)));
    expect(rowsOf(t)[0]).toEqual({ HourUTC: "2023-01-01T00:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 65874 });
    expect(rowsOf(t)[t.times.length - 1]).toEqual({ HourUTC: "2023-01-01T23:00:00", PriceArea: "DK2", ConsumerType_DE35: 999, TotalCon: 493385 });
    expect(t.times[0]).toBe(DAY.start);
    expect(t.times[t.times.length - 1]).toBe(DAY.end - H);
    expect(server.requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      {
        method: "GET",
        path: "/dataset/ConsumptionDE35Hour",
        query: { start: "2023-01-01T00:00", end: "2023-01-02T00:00", timezone: "utc", sort: "HourUTC asc", offset: "0", limit: "100000" },
      },
    ]);
    expect(source.requests).toBe(1);
  });

  it("pages with a small page size to the identical result, with the expected requests", async () => {
    const whole = await client().extract(DAY, DE35);
    server.requests.length = 0;
    const source = client({ pageSize: 500 });
    const paged = await source.extract(DAY, DE35);
    expect(rowsOf(paged)).toEqual(rowsOf(whole));
    expect(paged.times).toEqual(whole.times);
    expect(server.requests.map((r) => [r.query.offset, r.query.limit])).toEqual([
      ["0", "500"],
      ["500", "500"],
      ["1000", "500"],
      ["1500", "500"],
    ]);
    expect(source.requests).toBe(4);
  });

  it("extracts the whole file's span across many pages, each read in slices of 5,000 records", async () => {
    const all = { start: Date.UTC(2022, 11, 21, 16), end: Date.UTC(2023, 0, 14, 23) };
    const t = await client({ pageSize: 20_000 }).extract(all, DE35);
    expect(t.times).toHaveLength(44_308);
    expect(rowsOf(t)).toEqual(readColumns(de35Records()));
    expect(server.requests).toHaveLength(3);
  });

  it("names a bad record by its number in the extract when it sits in a later slice of a later page", async () => {
    const all = { start: Date.UTC(2022, 11, 21, 16), end: Date.UTC(2023, 0, 14, 23) };
    const bad = (body: { records: EdsRecord[] }) => {
      body.records[7_000].TotalCon = "12,5";
      return body;
    };
    server.setFaults([undefined, { kind: "mutate", fn: bad }]);
    const e = await rejection(client({ pageSize: 20_000 }).extract(all, DE35));
    expect(e.message).toBe(
      'ingest: Energi Data Service ConsumptionDE35Hour 2022-12-21T16:00..2023-01-14T23:00 (page at offset 20000): record 27000 column "TotalCon" is "12,5" (string), expected a finite number or null; ' +
        "the source's data does not match the dataset spec: check that --value (or the preset) names the right column, or fix the source data",
    );
  });

  it("returns empty columns for a range with no data", async () => {
    const t = await client().extract({ start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2) }, DE35);
    expect(t.times).toHaveLength(0);
    expect(t.keys).toHaveLength(2);
  });

  it("sends a filter as the API's filter parameter and gets only those series", async () => {
    const t = await client().extract(DAY, DE35, { PriceArea: ["DK2"], ConsumerType_DE35: [111, 999] });
    expect(server.requests[0].query.filter).toBe('{"PriceArea":["DK2"],"ConsumerType_DE35":[111,999]}');
    expect(t.times).toHaveLength(2 * 24);
    expect(new Set(t.keys[0])).toEqual(new Set(["DK2"]));
    expect(new Set(t.keys[1])).toEqual(new Set([111, 999]));
  });

  it("retries a 500 with backoff, logging the retry, then succeeds", async () => {
    server.setFaults([
      { kind: "status", status: 500 },
      { kind: "status", status: 502 },
    ]);
    const logger = memoryLogger();
    const t = await client({ logger }).extract(DAY, DE35);
    expect(t.times).toHaveLength(1824);
    expect(sleeps).toEqual([500, 1000]);
    expect(server.requests.map((r) => r.fault)).toEqual(["status", "status", undefined]);
    const warns = logger.lines.filter((l) => l.startsWith("warn"));
    expect(warns).toEqual([
      "warn  Energi Data Service request failed, retrying dataset=ConsumptionDE35Hour offset=0 attempt=1 of=6 reason=HTTP 500 Internal Server Error delayMs=500",
      "warn  Energi Data Service request failed, retrying dataset=ConsumptionDE35Hour offset=0 attempt=2 of=6 reason=HTTP 502 Bad Gateway delayMs=1000",
    ]);
  });

  it("honours Retry-After in seconds and as an HTTP date; caps a 5xx's at maxRetryDelayMs but waits out a 429's in full", async () => {
    const clock = fixedClock("2023-02-01T12:00:00Z");
    server.setFaults([
      { kind: "status", status: 429, retryAfter: "7" },
      { kind: "status", status: 429, retryAfter: "Wed, 01 Feb 2023 12:00:30 GMT" },
      { kind: "status", status: 503, retryAfter: "3600" },
      { kind: "status", status: 429, retryAfter: "90" },
    ]);
    const source = client({ clock, maxRetryDelayMs: 60_000 });
    const t = await source.extract(DAY, DE35);
    expect(t.times).toHaveLength(1824);
    expect(sleeps).toEqual([7_000, 30_000, 60_000, 90_000]);
    expect(source.requests).toBe(5);
  });

  it("learns the spacing from a 429 and paces later pages instead of being refused again", async () => {
    // A fake monotonic clock that the recorded sleeps advance: the pacing is then exact.
    let t = 0;
    server.setFaults([undefined, { kind: "status", status: 429, retryAfter: "2" }]);
    const logger = memoryLogger();
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    };
    const source = edsApiSource({ baseUrl: server.url, pageSize: 700, logger, now: () => t, sleep });
    const cols = await source.extract(DAY, DE35);
    expect(cols.times).toHaveLength(1824);
    // 2 s after the 429 (its Retry-After), then 2 s before page 3: the spacing the 429 taught.
    expect(sleeps).toEqual([2_000, 2_000]);
    expect(server.requests.map((r) => [r.query.offset, r.status])).toEqual([
      ["0", 200],
      ["700", 429],
      ["700", 200],
      ["1400", 200],
    ]);
    expect(source.requests).toBe(4);
    expect(logger.lines.filter((l) => l.startsWith("warn"))).toEqual([
      "warn  Energi Data Service rate limit hit, waiting dataset=ConsumptionDE35Hour offset=700 attempt=1 of=6 reason=HTTP 429 Too Many Requests delayMs=2000",
    ]);
    expect(logger.lines).toContain("debug Energi Data Service pacing for its rate limit dataset=ConsumptionDE35Hour offset=1400 delayMs=2000");
  });

  it("stops at once when a Retry-After exceeds the wait budget, saying how long it would have to wait", async () => {
    server.setFaults([{ kind: "status", status: 429, retryAfter: "400" }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service rate limit hit for ${ABOUT}: HTTP 429 Too Many Requests asks to wait 400 s (Retry-After); ` +
        "waiting would exceed the wait budget of 300 s (EDS_MAX_WAIT_SECONDS; 0 s waited, 1 request made, no rows fetched yet); " +
        "stopped before writing anything: the next tick starts again from the store's latest hour; raise EDS_MAX_WAIT_SECONDS",
    );
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it("counts every wait against the budget: retry backoff that would exceed it stops the extract", async () => {
    server.setFaults(() => ({ kind: "status", status: 500 }));
    const e = await rejection(client({ maxWaitMs: 2_000 }).extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service request failed (last: HTTP 500 Internal Server Error) for ${ABOUT} and the next retry would wait 2 s, ` +
        "beyond the wait budget of 2 s (EDS_MAX_WAIT_SECONDS; 1.5 s waited, 3 requests made, no rows fetched yet); " +
        "stopped before writing anything: the next tick starts again from the store's latest hour; the service is failing or unreachable: retry later or use --source file:<csv>",
    );
    expect(sleeps).toEqual([500, 1000]);
  });

  it("gives up after maxRetries with an exact message", async () => {
    server.setFaults(() => ({ kind: "status", status: 503 }));
    const e = await rejection(client({ maxRetries: 4 }).extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service request failed after 5 attempts (last: HTTP 503 Service Unavailable) for ${ABOUT}; the service is rate-limited: retry later or use --source file:<csv>`,
    );
    expect(server.requests).toHaveLength(5);
    expect(sleeps).toEqual([500, 1000, 2000, 4000]);
  });

  it("caps exponential backoff and applies seeded jitter", async () => {
    server.setFaults(() => ({ kind: "status", status: 500 }));
    const e = await rejection(client({ maxRetries: 5, retryBaseMs: 1000, maxRetryDelayMs: 5000, jitter: () => 0.5 }).extract(DAY, DE35));
    expect(e.message).toContain("failed after 6 attempts (last: HTTP 500 Internal Server Error)");
    expect(e.message).toContain("the service is failing or unreachable: retry later or use --source file:<csv>");
    expect(sleeps).toEqual([750, 1500, 3000, 5000, 5000]);
  });

  it("does not retry with maxRetries 0", async () => {
    server.setFaults([{ kind: "status", status: 500 }]);
    const e = await rejection(client({ maxRetries: 0 }).extract(DAY, DE35));
    expect(e.message).toMatch(/failed after 1 attempt \(last: HTTP 500 Internal Server Error\)/);
    expect(sleeps).toEqual([]);
  });

  it("times out a slow response for real and retries it", async () => {
    // A timeout with room for the retry's own answer on a loaded CI machine (150 ms once timed
    // the retry out too), and a delay far beyond it: the call must not wait for the slow answer.
    server.setFaults([{ kind: "delay", ms: 6_000 }]);
    const logger = memoryLogger();
    const t0 = performance.now();
    const t = await client({ timeoutMs: 800, logger }).extract(DAY, DE35);
    expect(performance.now() - t0).toBeLessThan(4_000);
    expect(t.times).toHaveLength(1824);
    expect(server.requests).toHaveLength(2);
    expect(logger.lines.some((l) => l.includes("reason=timeout after 800 ms"))).toBe(true);
  });

  it("retries a connection dropped mid-body", async () => {
    server.setFaults([{ kind: "reset" }]);
    const logger = memoryLogger();
    const t = await client({ logger }).extract(DAY, DE35);
    expect(t.times).toHaveLength(1824);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([500]);
    expect(logger.lines.find((l) => l.startsWith("warn"))).toContain("reason=ECONNRESET ");
  });

  it("reports a 404 dataset at once with the server's message", async () => {
    const e = await rejection(client().extract(DAY, { ...DE35, api: { ...DE35.api!, dataset: "ConsumptionDE99Hour" } }));
    expect(e.message).toBe(
      "ingest: Energi Data Service rejected the request for ConsumptionDE99Hour 2023-01-01T00:00..2023-01-02T00:00 with HTTP 404 Not Found: " +
        "\"Not Found: Dataset 'ConsumptionDE99Hour' not found\"; check the dataset name (EDS_DATASET) and the API URL (EDS_API_URL)",
    );
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("reports a 400 (unknown sort column) at once, pointing at the column names", async () => {
    const spec = { ...DE35, time: { source: "TimeUTC", zone: "UTC" } };
    const e = await rejection(client().extract(DAY, spec));
    expect(e.message).toBe(
      `ingest: Energi Data Service rejected the request for ${ABOUT} with HTTP 400 Bad Request: "Bad Request: Unknown column 'TimeUTC' in sort"; ` +
        "check the dataset's column names (the preset file or --time/--keys): the request sorts by its time column and filters on its key columns",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("reports truncated JSON", async () => {
    server.setFaults([{ kind: "truncate", keep: 1000 }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toMatch(
      new RegExp(
        `^ingest: Energi Data Service returned truncated JSON for ${ABOUT} \\(1000 characters, ends with ".*"\\): .+; the response was cut off: run again, or use --source file:<csv>$`,
      ),
    );
    expect(server.requests).toHaveLength(1);
  });

  it("reports a body that is not JSON", async () => {
    server.setFaults([{ kind: "invalidJson" }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toMatch(
      new RegExp(
        `^ingest: Energi Data Service returned malformed JSON for ${ABOUT} \\(50 characters, starting "<html><body><h1>502 Bad Gateway</h1></body></html>"\\): .+; the URL may not point at the API`,
      ),
    );
  });

  it("reports a response without total, or without records", async () => {
    server.setFaults([
      { kind: "dropField", field: "total" },
      { kind: "dropField", field: "records" },
    ]);
    const noTotal = await rejection(client().extract(DAY, DE35));
    expect(noTotal.message).toBe(
      `ingest: Energi Data Service response for ${ABOUT} has no valid "total" (total is missing; keys: limit, dataset, sort, records), ` +
        "expected an object { total, limit, dataset, records: [...] }; the API's response format changed: update src/pipeline/ingest/eds-client.ts, or use --source file:<csv>",
    );
    const noRecords = await rejection(client().extract(DAY, DE35));
    expect(noRecords.message).toContain('has no "records" array (records is missing; keys: total, limit, dataset, sort)');
  });

  it("names the missing and unknown columns and the preset file when the first page's columns drifted", async () => {
    server.setFaults([{ kind: "renameColumn", from: "TotalCon", to: "TotalConsumption" }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service ${ABOUT}: record 0 lacks column(s) "TotalCon"; the source's columns are HourUTC, HourDK, PriceArea, ConsumerType_DE35, TotalConsumption, ` +
        "expected HourUTC, PriceArea, ConsumerType_DE35, TotalCon (columns the dataset spec does not know: TotalConsumption); " +
        "the dataset's schema changed or the wrong dataset was picked: fix the preset file (src/pipeline/dataset/presets/de35.json) or pass --keys/--time/--value",
    );
  });

  it("accepts columns the preset does not know when none is missing (logged at debug level)", async () => {
    server.setFaults([{ kind: "mutate", fn: (body) => ({ ...body, records: body.records.map((r) => ({ ...r, Comment: "new column" })) }) }]);
    const logger = memoryLogger();
    const t = await client({ logger }).extract(DAY, DE35);
    expect(t.times).toHaveLength(1824);
    expect(logger.lines).toContain("debug Energi Data Service columns the dataset spec does not use dataset=ConsumptionDE35Hour columns=Comment");
  });

  it("names the record and column of a string value, counting from the page's offset", async () => {
    server.setFaults([undefined, { kind: "stringValue", column: "TotalCon", format: (v) => String(v).replace(/(\d)(\d{3})$/, "$1.$2") }]);
    const e = await rejection(client({ pageSize: 1000 }).extract(DAY, DE35));
    expect(e.message).toMatch(
      new RegExp(
        `^ingest: Energi Data Service ${ABOUT} \\(page at offset 1000\\): record 1000 column "TotalCon" is "\\d+\\.\\d{3}" \\(string\\), expected a finite number or null;`,
      ),
    );
  });

  it("stops when the server returns fewer records than its total promises", async () => {
    server.setFaults(() => ({ kind: "mutate", fn: (body) => ({ ...body, total: body.total + 5 }) }));
    const e = await rejection(client({ pageSize: 1000 }).extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service returned no records at offset 1824 for ${ABOUT} although its total is 1829; the service's paging is inconsistent: run again or use --source file:<csv>`,
    );
    expect(server.requests).toHaveLength(3);
  });

  it("detects a total that changes between pages", async () => {
    server.setFaults([undefined, { kind: "mutate", fn: (body) => ({ ...body, total: body.total + 76 }) }]);
    const e = await rejection(client({ pageSize: 1000 }).extract(DAY, DE35));
    expect(e.message).toContain("changed its total for ConsumptionDE35Hour 2023-01-01T00:00..2023-01-02T00:00 (page at offset 1000) from 1824 to 1900");
  });

  it("detects rows repeated across pages (unstable paging order)", async () => {
    const rows = expectedRows(DAY);
    server.setFaults([undefined, { kind: "mutate", fn: (body) => ({ ...body, records: [rows[999], ...body.records.slice(1)] }) }]);
    const e = await rejection(client({ pageSize: 1000 }).extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service returned the row ${rows[999].HourUTC as string} PriceArea=${rows[999].PriceArea as string} ConsumerType_DE35=${rows[999].ConsumerType_DE35 as number} twice across pages for ${ABOUT}; ` +
        "either the dataset holds duplicates or its paging order is unstable (rows may be missing): raise EDS_PAGE_SIZE so the range fits in one page, or use --source file:<csv>",
    );
  });

  it("rejects rows outside the requested range (timezone ignored)", async () => {
    server.setFaults([{ kind: "mutate", fn: (body) => ({ ...body, records: body.records.map((r) => ({ ...r, HourUTC: r.HourDK })) }) }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service ${ABOUT}: record 1748 is at 2023-01-02T00:00:00, outside the requested range 2023-01-01T00:00..2023-01-02T00:00 (UTC); ` +
        "the service ignored start/end or timezone=utc: check EDS_API_URL",
    );
  });

  it("sorts rows the server did not sort", async () => {
    server.setFaults([{ kind: "mutate", fn: (body) => ({ ...body, records: [...body.records].reverse() }) }]);
    const t = await client().extract(DAY, DE35);
    expect(t.time[0]).toBe("2023-01-01T00:00:00");
    expect(t.time[t.time.length - 1]).toBe("2023-01-01T23:00:00");
    expect(t.times[0]).toBe(DAY.start);
  });

  it("reports an unreachable service after retries", async () => {
    const closed = await startEdsServer({ datasets: {} });
    const url = closed.url;
    await closed.close();
    const e = await rejection(edsApiSource({ baseUrl: url, maxRetries: 2, sleep: async () => {} }).extract(DAY, DE35));
    expect(e.message).toMatch(
      /^ingest: Energi Data Service request failed after 3 attempts \(last: ECONNREFUSED .*\) for ConsumptionDE35Hour .*; the service is failing or unreachable/,
    );
  });

  it("rejects an empty or inverted range before any request", async () => {
    const e = await rejection(client().extract({ start: DAY.end, end: DAY.start }, DE35));
    expect(e.message).toContain("cannot extract the time range 2023-01-02T00:00:00.000Z..2023-01-01T00:00:00.000Z");
    expect(server.requests).toHaveLength(0);
  });
});

describe("parseRetryAfter", () => {
  const clock = fixedClock("2023-02-01T12:00:00Z");
  it("reads seconds, HTTP dates, past dates and junk", () => {
    expect(parseRetryAfter("120", clock)).toBe(120_000);
    expect(parseRetryAfter("1.5", clock)).toBe(1_500);
    expect(parseRetryAfter("Wed, 01 Feb 2023 12:01:00 GMT", clock)).toBe(60_000);
    expect(parseRetryAfter("Wed, 01 Feb 2023 11:00:00 GMT", clock)).toBe(0);
    expect(parseRetryAfter("soon", clock)).toBeUndefined();
    expect(parseRetryAfter(undefined, clock)).toBeUndefined();
  });
});

describe("the local Energi Data Service itself", () => {
  const get = async (query: string) => {
    const res = await fetch(`${server.url}/dataset/ConsumptionDE35Hour?${query}`);
    return { status: res.status, body: (await res.json()) as { total: number; records: Array<Record<string, unknown>> } };
  };

  it("follows the API's query semantics", async () => {
    // Danish local time by default: 2023-01-01T00:00 DK is 2022-12-31T23:00 UTC.
    const dk = await get("start=2023-01-01T00:00&end=2023-01-01T01:00&limit=0");
    expect(dk.body.total).toBe(76);
    expect(dk.body.records[0].HourUTC).toBe("2022-12-31T23:00:00");
    const filtered = await get(
      `start=2023-01&end=2023-01-02&timezone=utc&filter=${encodeURIComponent('{"PriceArea":["DK2"],"ConsumerType_DE35":[111]}')}&limit=0`,
    );
    expect(filtered.body.total).toBe(24);
    expect(new Set(filtered.body.records.map((r) => r.PriceArea))).toEqual(new Set(["DK2"]));
    const projected = await get("start=2023-01-01&end=2023-01-02&timezone=utc&columns=HourUTC,TotalCon&limit=2&offset=76&sort=HourUTC%20asc");
    expect(projected.body.records).toEqual([
      { HourUTC: "2023-01-01T01:00:00", TotalCon: expectedRows({ start: DAY.start + H, end: DAY.start + 2 * H })[0].TotalCon },
      { HourUTC: "2023-01-01T01:00:00", TotalCon: expectedRows({ start: DAY.start + H, end: DAY.start + 2 * H })[1].TotalCon },
    ]);
    const latestFirst = await get("start=2023-01-01&end=2023-01-02&timezone=utc");
    expect(latestFirst.body.records).toHaveLength(100);
    expect(latestFirst.body.records[0].HourUTC).toBe("2023-01-01T23:00:00");
    expect((await get("start=yesterday")).status).toBe(400);
  });
});

describe("the local server's generated datasets (benchmark data)", () => {
  it("writes the JSON text of a page directly, equal to the records it describes", async () => {
    const big = await startEdsServer({ datasets: { PrivIndustryConsumptionHour: generatedPrivIndustry({ municipalities: 2, days: 2, seed: 1 }) } });
    try {
      const url = `${big.url}/dataset/PrivIndustryConsumptionHour?start=2024-01-01T05:00&end=2024-01-02T00:00&timezone=utc&sort=HourUTC%20asc&offset=7&limit=50&filter=${encodeURIComponent('{"HeatingCategory":["Elvarme","Andet"]}')}`;
      const direct = await (await fetch(url)).text();
      // A body-editing fault makes the server build the records as objects and serialise them.
      big.setFaults([{ kind: "mutate", fn: (body) => body }]);
      const viaObjects = await (await fetch(url)).text();
      expect(direct).toBe(viaObjects);
      const body = JSON.parse(direct) as { total: number; records: EdsRecord[] };
      // 19 hours x 2 municipalities x 6 housing x 2 of the 5 heating categories; record 7 of hour 05:00 is series 7 of 24.
      expect(body.total).toBe(19 * 2 * 6 * 2);
      expect(body.records).toHaveLength(50);
      expect(Object.keys(body.records[0])).toEqual(["HourUTC", "HourDK", "MunicipalityNo", "HousingCategory", "HeatingCategory", "ConsumptionkWh"]);
      expect(body.records[0]).toMatchObject({
        HourUTC: "2024-01-01T05:00:00",
        HourDK: "2024-01-01T06:00:00",
        MunicipalityNo: "101",
        HousingCategory: "Sommerhuse",
        HeatingCategory: "Andet",
      });
    } finally {
      await big.close();
    }
  });
});

describe("edsApiSource description", () => {
  it("hides credentials and query, and ignores a trailing slash", () => {
    expect(edsApiSource({ baseUrl: "https://user:secret@api.example.dk/?key=1" }).description).toBe("Energi Data Service API https://api.example.dk/?…");
    expect(edsApiSource({ baseUrl: "https://api.energidataservice.dk/" }).description).toBe("Energi Data Service API https://api.energidataservice.dk");
  });
});
