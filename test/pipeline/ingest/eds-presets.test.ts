/**
 * Every dataset preset ingested from the local Energi Data Service through the real client and the
 * real ingest step into a local store, tick after tick.
 *
 * Only ConsumptionDE35Hour is genuine data: the server serves the other presets' datasets DERIVED
 * from it by renaming and regrouping (test/support/eds-datasets.ts), in each dataset's shape.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/pipeline/config/config.js";
import { fixedClock, silentLogger } from "../../../src/pipeline/core/effects.js";
import { loadPreset } from "../../../src/pipeline/dataset/preset.js";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { ingest, type IngestReport } from "../../../src/pipeline/ingest/ingest.js";
import { openSource } from "../../../src/pipeline/ingest/open-source.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import { presetDatasets } from "../../support/eds-datasets.js";
import { startEdsServer, type EdsRecord, type EdsServer } from "../../support/eds-server.js";

const GROUP = { name: "energy_consumption", version: 1 };

let server: EdsServer;
let dir: string;

beforeAll(async () => {
  server = await startEdsServer({ datasets: presetDatasets() });
  dir = mkdtempSync(join(tmpdir(), "eds-presets-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  server.setFaults([]);
});

/** One scheduled tick: `ingest` with the API source, as of `asOf`, 2 days exported, no publication delay. */
async function tick(preset: string, store: string, asOf: string, env: Record<string, string> = {}): Promise<IngestReport> {
  const config = loadConfig(
    { EDS_API_URL: server.url, REVISION_HOURS: "3", ...env },
    { store, source: "api", dataset: preset, delayDays: "0", exportDays: "2" },
  );
  const source = openSource(config, silentLogger);
  const now = new Date(Date.parse(asOf) + 60_000).toISOString();
  const ctx = {
    storage: createLocalStorage(store),
    group: config.featureGroup,
    runId: `tick-${asOf.slice(0, 13)}`,
    clock: fixedClock(now),
    logger: silentLogger,
  };
  return ingest(ctx, { config, source, asOf: Date.parse(asOf) });
}

/** Sum of a dataset's values over `[from, to)` (UTC hour texts), for comparing with the store. */
function served(dataset: string, valueColumn: string, from: string, to: string): { rows: number; sum: number } {
  const rows = (server.datasets[dataset] as EdsRecord[]).filter((r) => (r.HourUTC as string) >= from && (r.HourUTC as string) < to);
  return { rows: rows.length, sum: rows.reduce((s, r) => s + (r[valueColumn] as number), 0) };
}

async function stored(store: string): Promise<{ rows: number; sum: number; table: Awaited<ReturnType<FeatureStore["read"]>> }> {
  const table = await new FeatureStore(createLocalStorage(store), GROUP).read();
  const values = table.array("energy_consumption") as ArrayLike<number>;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return { rows: table.numRows(), sum, table };
}

const PRESETS: Array<[preset: string, series: number]> = [
  ["de35", 76],
  ["production-consumption-settlement", 2],
  ["consumption-industry", 12],
  ["priv-industry-consumption-hour", 24],
];

for (const [preset, series] of PRESETS) {
  describe(`preset ${preset} from the local Energi Data Service`, () => {
    const spec = loadPreset(preset);
    const dataset = spec.api!.dataset;
    const value = spec.value.source;
    let store: string;
    beforeAll(() => {
      store = join(dir, preset);
      server.publishUntil(dataset, "2023-01-03T00:00:00");
    });

    it("ingests the window into a local store in one request", async () => {
      const r = await tick(preset, store, "2023-01-03T00:00:00Z");
      expect(r).toMatchObject({ rows: series * 48, series, requests: 1, featureStore: { added: series * 48, changed: 0, commit: 1 } });
      expect(r.incremental).toBeUndefined();
      expect(server.requests.map((q) => q.query)).toEqual([
        { start: "2023-01-01T00:00", end: "2023-01-03T00:00", timezone: "utc", sort: "HourUTC asc", offset: "0", limit: "100000" },
      ]);
      expect(server.requests[0].path).toBe(`/dataset/${dataset}`);
      const s = await stored(store);
      const expected = served(dataset, value, "2023-01-01T00:00:00", "2023-01-03T00:00:00");
      expect(s.rows).toBe(expected.rows);
      expect(s.sum).toBeCloseTo(expected.sum, 3);
      expect(s.table.columnNames()).toEqual(["datetime_utc", ...spec.keys.map((k) => k.name), "energy_consumption"]);
    });

    it("a later tick fetches only the new hours plus the revision overlap, and upserts a revised value as changed", async () => {
      // The service publishes the next day and corrects one value of the last stored day.
      server.publishUntil(dataset, "2023-01-04T00:00:00");
      const target = (server.datasets[dataset] as EdsRecord[]).find((r) => r.HourUTC === "2023-01-02T22:00:00")!;
      const revised = (target[value] as number) + 1.5;
      expect(server.revise(dataset, (r) => r === target, { [value]: revised })).toBe(1);

      const r = await tick(preset, store, "2023-01-04T00:00:00Z");
      // Store latest 2023-01-02T23:00, overlap 3 hours: from 21:00.
      expect(server.requests.map((q) => [q.query.start, q.query.end])).toEqual([["2023-01-02T21:00", "2023-01-04T00:00"]]);
      expect(r.requests).toBe(1);
      expect(r.incremental).toEqual({ storeLatest: "2023-01-02T23:00:00.000Z", revisionHours: 3, skipped: false });
      expect(r.featureStore).toMatchObject({ added: series * 24, changed: 1, unchanged: series * 3 - 1, commit: 2, totalRows: series * 72 });

      const s = await stored(store);
      expect(s.rows).toBe(series * 72);
      expect(s.sum).toBeCloseTo(served(dataset, value, "2023-01-01T00:00:00", "2023-01-04T00:00:00").sum, 3);
      const at = Date.UTC(2023, 0, 2, 22);
      const times = s.table.array("datetime_utc") as ArrayLike<number>;
      const values = s.table.array("energy_consumption") as ArrayLike<number>;
      expect(Array.from({ length: s.rows }, (_, i) => i).filter((i) => times[i] === at && values[i] === revised)).toHaveLength(1);
    });

    it("a tick with nothing new makes no request at all", async () => {
      const r = await tick(preset, store, "2023-01-04T00:00:00Z", { REVISION_HOURS: "0" });
      expect(server.requests).toEqual([]);
      expect(r).toMatchObject({ rows: 0, requests: 0, incremental: { storeLatest: "2023-01-03T23:00:00.000Z", revisionHours: 0, skipped: true } });
      expect(r.featureStore).toMatchObject({ added: 0, changed: 0, commit: 2, totalRows: series * 72 });
    });
  });
}

describe("filters and drifted columns", () => {
  it("sends --filter as the API's filter parameter and stores only those series", async () => {
    const store = join(dir, "filtered");
    const r = await tick("consumption-industry", store, "2023-01-03T00:00:00Z", { FILTER: '{"MunicipalityNo":"101","Branche":["Privat","Erhverv"]}' });
    expect(server.requests.map((q) => q.query.filter)).toEqual(['{"MunicipalityNo":["101"],"Branche":["Privat","Erhverv"]}']);
    expect(r).toMatchObject({ rows: 2 * 48, series: 2 });
    const { table } = await stored(store);
    expect(new Set(table.array("MunicipalityNo") as string[])).toEqual(new Set(["101"]));
    expect(new Set(table.array("Branche") as string[])).toEqual(new Set(["Erhverv", "Privat"]));
  });

  it("names the missing and unknown columns and the preset file to fix when the service's columns drift, writing nothing", async () => {
    const store = join(dir, "drifted");
    server.setFaults([{ kind: "renameColumn", from: "GrossConsumptionMWh", to: "GrossConMWh" }]);
    await expect(tick("production-consumption-settlement", store, "2023-01-03T00:00:00Z")).rejects.toThrow(
      'ingest: Energi Data Service ProductionConsumptionSettlement 2023-01-01T00:00..2023-01-03T00:00: record 0 lacks column(s) "GrossConsumptionMWh"; ' +
        "the source's columns are HourUTC, HourDK, PriceArea, CentralPowerMWh, GrossConMWh, GridLossTransmissionMWh, expected HourUTC, PriceArea, GrossConsumptionMWh " +
        "(columns the dataset spec does not know: CentralPowerMWh, GrossConMWh, GridLossTransmissionMWh); the dataset's schema changed or the wrong dataset was picked: " +
        "fix the preset file (src/pipeline/dataset/presets/production-consumption-settlement.json) or pass --keys/--time/--value",
    );
    expect(await createLocalStorage(store).list("")).toEqual([]);
  });
});

describe("the service's rate limit (1 request per dataset per 1 s window here; per minute on the real service)", () => {
  beforeAll(() => server.setRateLimit({ requests: 1, windowMs: 1_000 }));
  afterAll(() => server.setRateLimit(undefined));

  it("waits out the 429's Retry-After, then paces its pages: no request inside a window, one 429 in all", async () => {
    const store = join(dir, "limited");
    server.publishUntil("PrivIndustryConsumptionHour", undefined);
    // 24 series x 48 hours = 1,152 rows in pages of 400: three pages.
    const r = await tick("priv-industry-consumption-hour", store, "2023-01-03T00:00:00Z", { EDS_PAGE_SIZE: "400" });
    expect(r).toMatchObject({ rows: 1152, requests: 4, featureStore: { added: 1152 } });
    const log = server.requests;
    expect(log.map((q) => [q.query.offset, q.status])).toEqual([
      ["0", 200],
      ["400", 429],
      ["400", 200],
      ["800", 200],
    ]);
    expect(log[1].retryAfter).toBe("1");
    // The client sleeps only after the 429 arrived, so the gap is at least Retry-After (Node
    // timers may fire up to 1 ms early against Date.now, hence the 2 ms allowance).
    expect(log[2].at - log[1].at).toBeGreaterThanOrEqual(1_000 - 2);
    expect(log[3].at - log[2].at).toBeGreaterThanOrEqual(1_000 - 2);
  });

  it("stops with a clear error when the wait budget is too small, keeps the complete hours, and the next tick continues after them", async () => {
    const store = join(dir, "budget");
    server.setRateLimit({ requests: 1, windowMs: 1_000 }); // forget the previous test's open window
    const env = { EDS_PAGE_SIZE: "400", REVISION_HOURS: "0" };
    await expect(tick("priv-industry-consumption-hour", store, "2023-01-03T00:00:00Z", { ...env, EDS_MAX_WAIT_SECONDS: "0.5" })).rejects.toThrow(
      "ingest: Energi Data Service rate limit hit for PrivIndustryConsumptionHour 2023-01-01T00:00..2023-01-03T00:00 (page at offset 400): " +
        "HTTP 429 Too Many Requests asks to wait 1 s (Retry-After); waiting would exceed the wait budget of 0.5 s " +
        "(EDS_MAX_WAIT_SECONDS; 0 s waited, 2 requests made, 400 of 1152 rows fetched); " +
        "stopped, keeping the 384 rows of the complete hours before 2023-01-01T16:00: the next tick continues from there; " +
        "to fetch this window in one run allow about 3 s (EDS_MAX_WAIT_SECONDS) or use larger pages (EDS_PAGE_SIZE)",
    );
    expect(server.requests.map((q) => q.status)).toEqual([200, 429]);
    // The 16 complete hours (24 series each) are committed; the 17th hour, cut by the page, is not.
    const stored = await new FeatureStore(createLocalStorage(store), { name: "energy_consumption", version: 1 }).read();
    expect(stored.numRows()).toBe(384);
    expect(new Date(Math.max(...(stored.array("datetime_utc") as number[]))).toISOString()).toBe("2023-01-01T15:00:00.000Z");

    server.requests.length = 0;
    const next = await tick("priv-industry-consumption-hour", store, "2023-01-03T00:00:00Z", { ...env, EDS_MAX_WAIT_SECONDS: "10" });
    expect(next).toMatchObject({ rows: 1152 - 384, featureStore: { added: 1152 - 384, commit: 2, totalRows: 1152 } });
    expect(server.requests.filter((q) => q.status === 200).map((q) => q.query.start)).toEqual(["2023-01-01T16:00", "2023-01-01T16:00"]);
  });
});

describe("the local server's derived datasets", () => {
  it("keeps the genuine totals: each derived dataset sums to DE35's consumption of the same hours", () => {
    const d = presetDatasets();
    const total = (name: string, col: string) => d[name].reduce((s, r) => s + (r[col] as number), 0);
    const de35 = total("ConsumptionDE35Hour", "TotalCon");
    expect(total("ConsumptionIndustry", "ConsumptionkWh")).toBeCloseTo(de35, 0);
    expect(total("PrivIndustryConsumptionHour", "ConsumptionkWh")).toBeCloseTo(de35, 0);
    expect(total("ProductionConsumptionSettlement", "GrossConsumptionMWh") * 1000).toBeCloseTo(de35, -2);
    expect(d.ConsumptionIndustry[0]).toEqual({
      HourUTC: "2022-12-21T16:00:00",
      HourDK: "2022-12-21T17:00:00",
      MunicipalityNo: "101",
      Branche: "Erhverv",
      ConsumptionkWh: expect.any(Number),
    });
    expect(Object.keys(d.PrivIndustryConsumptionHour[0])).toEqual([
      "HourUTC",
      "HourDK",
      "MunicipalityNo",
      "HousingCategory",
      "HeatingCategory",
      "ConsumptionkWh",
    ]);
  });
});
