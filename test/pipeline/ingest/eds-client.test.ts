import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock, memoryLogger } from "../../../src/pipeline/core/effects.js";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { DE35 } from "../../../src/pipeline/dataset/spec.js";
import { edsApiSource, parseRetryAfter, type EdsApiOptions } from "../../../src/pipeline/ingest/eds-client.js";
import { de35Records, startEdsServer, type EdsServer } from "../../support/eds-server.js";

const H = 3_600_000;
const DAY = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 0, 2) };
const ABOUT = "ConsumptionDE35Hour 2023-01-01T00:00..2023-01-02T00:00";

function expectedRows(range: { start: number; end: number }) {
  const from = new Date(range.start).toISOString().slice(0, 19);
  const to = new Date(range.end).toISOString().slice(0, 19);
  return de35Records().filter((r) => (r.HourUTC as string) >= from && (r.HourUTC as string) < to);
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
  it("extracts a day: 76 series x 24 hours, equal to the CSV's rows, in one request", async () => {
    const source = client();
    expect(source.description).toBe(`Energi Data Service API ${server.url}`);
    expect(await source.extent(DE35)).toBeUndefined();
    const t = await source.extract(DAY, DE35);
    expect(t.numRows()).toBe(76 * 24);
    expect(t.columnNames()).toEqual(["HourUTC", "HourDK", "PriceArea", "ConsumerType_DE35", "TotalCon"]);
    expect(t.objects()).toEqual(expectedRows(DAY));
    expect(t.object(0)).toEqual({ HourUTC: "2023-01-01T00:00:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 65874 });
    const last = t.object(t.numRows() - 1);
    expect(last).toEqual({ HourUTC: "2023-01-01T23:00:00", HourDK: "2023-01-02T00:00:00", PriceArea: "DK2", ConsumerType_DE35: 999, TotalCon: 493385 });
    expect(server.requests).toEqual([
      {
        method: "GET",
        path: "/dataset/ConsumptionDE35Hour",
        query: { start: "2023-01-01T00:00", end: "2023-01-02T00:00", timezone: "utc", sort: "HourUTC asc", offset: "0", limit: "10000" },
      },
    ]);
  });

  it("pages with a small page size to the identical result, with the expected requests", async () => {
    const whole = await client().extract(DAY, DE35);
    server.requests.length = 0;
    const paged = await client({ pageSize: 500 }).extract(DAY, DE35);
    expect(paged.objects()).toEqual(whole.objects());
    expect(server.requests.map((r) => [r.query.offset, r.query.limit])).toEqual([
      ["0", "500"],
      ["500", "500"],
      ["1000", "500"],
      ["1500", "500"],
    ]);
  });

  it("extracts the whole file's span across many pages", async () => {
    const all = { start: Date.UTC(2022, 11, 21, 16), end: Date.UTC(2023, 0, 14, 23) };
    const t = await client({ pageSize: 20_000 }).extract(all, DE35);
    expect(t.numRows()).toBe(44_308);
    expect(server.requests).toHaveLength(3);
  });

  it("returns an empty table for a range with no data", async () => {
    const t = await client().extract({ start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2) }, DE35);
    expect(t.numRows()).toBe(0);
    expect(t.columnNames()).toHaveLength(5);
  });

  it("retries a 500 with backoff, logging the retry, then succeeds", async () => {
    server.setFaults([{ kind: "status", status: 500 }, { kind: "status", status: 502 }]);
    const logger = memoryLogger();
    const t = await client({ logger }).extract(DAY, DE35);
    expect(t.numRows()).toBe(1824);
    expect(sleeps).toEqual([500, 1000]);
    expect(server.requests.map((r) => r.fault)).toEqual(["status", "status", undefined]);
    const warns = logger.lines.filter((l) => l.startsWith("warn"));
    expect(warns).toEqual([
      'warn  Energi Data Service request failed, retrying dataset=ConsumptionDE35Hour offset=0 attempt=1 of=6 reason=HTTP 500 Internal Server Error delayMs=500',
      'warn  Energi Data Service request failed, retrying dataset=ConsumptionDE35Hour offset=0 attempt=2 of=6 reason=HTTP 502 Bad Gateway delayMs=1000',
    ]);
  });

  it("honours Retry-After in seconds and as an HTTP date, capped by maxRetryDelayMs", async () => {
    const clock = fixedClock("2023-02-01T12:00:00Z");
    server.setFaults([
      { kind: "status", status: 429, retryAfter: "7" },
      { kind: "status", status: 429, retryAfter: "Wed, 01 Feb 2023 12:00:30 GMT" },
      { kind: "status", status: 503, retryAfter: "3600" },
    ]);
    const t = await client({ clock, maxRetryDelayMs: 120_000 }).extract(DAY, DE35);
    expect(t.numRows()).toBe(1824);
    expect(sleeps).toEqual([7_000, 30_000, 120_000]);
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
    server.setFaults([{ kind: "delay", ms: 2_000 }]);
    const logger = memoryLogger();
    const t0 = performance.now();
    const t = await client({ timeoutMs: 150, logger }).extract(DAY, DE35);
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(t.numRows()).toBe(1824);
    expect(server.requests).toHaveLength(2);
    expect(logger.lines.some((l) => l.includes("reason=timeout after 150 ms"))).toBe(true);
  });

  it("retries a connection dropped mid-body", async () => {
    server.setFaults([{ kind: "reset" }]);
    const logger = memoryLogger();
    const t = await client({ logger }).extract(DAY, DE35);
    expect(t.numRows()).toBe(1824);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([500]);
    expect(logger.lines.find((l) => l.startsWith("warn"))).toContain("reason=ECONNRESET ");
  });

  it("reports a 404 dataset at once with the server's message", async () => {
    const e = await rejection(client().extract(DAY, { ...DE35, name: "ConsumptionDE99Hour" }));
    expect(e.message).toBe(
      "ingest: Energi Data Service rejected the request for ConsumptionDE99Hour 2023-01-01T00:00..2023-01-02T00:00 with HTTP 404 Not Found: " +
        "\"Not Found: Dataset 'ConsumptionDE99Hour' not found\"; check the dataset name (EDS_DATASET) and the API URL (EDS_API_URL)",
    );
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("reports a 400 (unknown sort column) at once, pointing at the column mapping", async () => {
    const spec = { ...DE35, columns: { ...DE35.columns, timeUtc: "TimeUTC" } };
    const e = await rejection(client().extract(DAY, spec));
    expect(e.message).toBe(
      `ingest: Energi Data Service rejected the request for ${ABOUT} with HTTP 400 Bad Request: "Bad Request: Unknown column 'TimeUTC' in sort"; ` +
        "check the dataset's column names (EDS_COLUMN_*): the request sorts by the UTC time column",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("reports truncated JSON", async () => {
    server.setFaults([{ kind: "truncate", keep: 1000 }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toMatch(
      new RegExp(`^ingest: Energi Data Service returned truncated JSON for ${ABOUT} \\(1000 characters, ends with ".*"\\): .+; the response was cut off: run again, or use --source file:<csv>$`),
    );
    expect(server.requests).toHaveLength(1);
  });

  it("reports a body that is not JSON", async () => {
    server.setFaults([{ kind: "invalidJson" }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toMatch(
      new RegExp(`^ingest: Energi Data Service returned malformed JSON for ${ABOUT} \\(50 characters, starting "<html><body><h1>502 Bad Gateway</h1></body></html>"\\): .+; the URL may not point at the API`),
    );
  });

  it("reports a response without total, or without records", async () => {
    server.setFaults([{ kind: "dropField", field: "total" }, { kind: "dropField", field: "records" }]);
    const noTotal = await rejection(client().extract(DAY, DE35));
    expect(noTotal.message).toBe(
      `ingest: Energi Data Service response for ${ABOUT} has no valid "total" (total is missing; keys: limit, dataset, sort, records), ` +
        "expected an object { total, limit, dataset, records: [...] }; the API's response format changed: update src/pipeline/ingest/eds-client.ts, or use --source file:<csv>",
    );
    const noRecords = await rejection(client().extract(DAY, DE35));
    expect(noRecords.message).toContain('has no "records" array (records is missing; keys: total, limit, dataset, sort)');
  });

  it("names the renamed column (schema drift)", async () => {
    server.setFaults([{ kind: "renameColumn", from: "TotalCon", to: "TotalConsumption" }]);
    const e = await rejection(client().extract(DAY, DE35));
    expect(e.message).toBe(
      `ingest: Energi Data Service ${ABOUT}: record 0 lacks column(s) "TotalCon"; the dataset's columns are HourUTC, HourDK, PriceArea, ConsumerType_DE35, TotalConsumption, ` +
        "expected HourUTC, HourDK, PriceArea, ConsumerType_DE35, TotalCon; the dataset's schema changed: set EDS_COLUMN_VALUE (the dataset spec's column names) to match",
    );
  });

  it("names the record and column of a string value, counting from the page's offset", async () => {
    server.setFaults([undefined, { kind: "stringValue", column: "TotalCon", format: (v) => String(v).replace(/(\d)(\d{3})$/, "$1.$2") }]);
    const e = await rejection(client({ pageSize: 1000 }).extract(DAY, DE35));
    expect(e.message).toMatch(
      new RegExp(`^ingest: Energi Data Service ${ABOUT} \\(page at offset 1000\\): record 1000 column "TotalCon" is "\\d+\\.\\d{3}" \\(string\\), expected a finite number or null;`),
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
    const times = t.array("HourUTC") as string[];
    expect(times[0]).toBe("2023-01-01T00:00:00");
    expect(times[times.length - 1]).toBe("2023-01-01T23:00:00");
  });

  it("reports an unreachable service after retries", async () => {
    const closed = await startEdsServer({ datasets: {} });
    const url = closed.url;
    await closed.close();
    const e = await rejection(edsApiSource({ baseUrl: url, maxRetries: 2, sleep: async () => {} }).extract(DAY, DE35));
    expect(e.message).toMatch(/^ingest: Energi Data Service request failed after 3 attempts \(last: ECONNREFUSED .*\) for ConsumptionDE35Hour .*; the service is failing or unreachable/);
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
    const filtered = await get(`start=2023-01&end=2023-01-02&timezone=utc&filter=${encodeURIComponent('{"PriceArea":["DK2"],"ConsumerType_DE35":[111]}')}&limit=0`);
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

describe("edsApiSource description", () => {
  it("hides credentials and query, and ignores a trailing slash", () => {
    expect(edsApiSource({ baseUrl: "https://user:secret@api.example.dk/?key=1" }).description).toBe("Energi Data Service API https://api.example.dk/?…");
    expect(edsApiSource({ baseUrl: "https://api.energidataservice.dk/" }).description).toBe("Energi Data Service API https://api.energidataservice.dk");
  });
});
