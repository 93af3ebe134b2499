import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnTable } from "arquero";
import { runCliInProcess as runCli } from "../support/cli.js";
import { DEFAULT_METERS, meterFile } from "../../src/pipeline/backtest/synthetic-file.js";
import { EMBEDDED_DATA_PATH } from "../../src/pipeline/config/paths.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import { predictionsSchema } from "../../src/pipeline/predict/schema.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import { listManifests } from "../../src/pipeline/run/manifest.js";
import type { KeyColumn } from "../../src/pipeline/series/key.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";

const H = 3_600_000;
const GROUP = { name: "energy_consumption", version: 1 };
const KEYS: KeyColumn[] = [
  { name: "site", type: "utf8" },
  { name: "meter", type: "utf8" },
];
/** The six series of the default file, in key order. */
const SERIES = DEFAULT_METERS.map((m) => ({ site: m.site, meter: m.meter }));
/** The flags that describe the meter file: two string keys, local wall-clock hours, kWh. */
const fileFlags = (csv: string) => [
  "--source",
  `file:${csv}`,
  "--keys",
  "site,meter",
  "--time",
  "read_at",
  "--time-zone",
  "Europe/Copenhagen",
  "--value",
  "kwh",
  "--unit",
  "kWh",
];
/** Two training folds keep the CLI runs short; the data is visible at once (no publication delay). */
const ENV = { TRAIN_FOLDS: "2", DATA_DELAY_DAYS: "0" };
const iso = (s: string) => new Date(s).toISOString();

/** Per series (`site/meter`), its stored UTC hours in order. */
function hoursBySeries(table: ColumnTable): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of table.objects() as Array<{ site: string; meter: string; datetime_utc: number }>) {
    const id = `${r.site}/${r.meter}`;
    out.set(id, [...(out.get(id) ?? []), r.datetime_utc]);
  }
  return out;
}

/** The value the file holds for a series at the `n`-th (1-based) row with wall time `wall`. */
function fileValue(csv: string, wall: string, site: string, meter: string, n = 1): number {
  const rows = csv.split("\n").filter((l) => l.startsWith(`${wall},${site},${meter},`));
  return Number(rows[n - 1].split(",")[3]);
}

// The "done when": the generic file source runs ingest, backtest, train, predict, run and
// backfill on a long file with string keys and local times across both DST changes of a year.
// The file (src/pipeline/backtest/synthetic-file.ts) holds 6 series keyed by site and meter,
// hourly kWh from 2023-03-01 to 2023-11-15 Copenhagen time, written as a correct exporter does:
// no 02:00 on 2023-03-26, two 02:00 rows per series on 2023-10-29 (file order = time order).
describe("a long file with string keys and local times, through the CLI", () => {
  let dir: string;
  let csv: string;
  let text: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cli-generic-file-"));
    csv = join(dir, "meters.csv");
    text = meterFile().csv;
    writeFileSync(csv, text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("generates the file as a correct local-time exporter writes it, the same for the same seed", () => {
    const lines = text.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "read_at,site,meter,kwh",
      expect.stringMatching(/^2023-03-01 00:00,north,m-01,\d+\.\d{3}$/),
      expect.stringMatching(/^2023-03-01 00:00,north,m-02,/),
    ]);
    const wallsOf = (day: string) => [...new Set(lines.filter((l) => l.startsWith(day)).map((l) => l.slice(11, 16)))];
    expect(wallsOf("2023-03-26")).toHaveLength(23);
    expect(wallsOf("2023-03-26")).not.toContain("02:00");
    expect(lines.filter((l) => l.startsWith("2023-10-29 02:00,north,m-01,"))).toHaveLength(2);
    expect(lines[lines.length - 2]).toMatch(/^2023-11-15 23:00,south,m-03,/);
    expect(meterFile()).toMatchObject({ rows: 6 * 6240, dst: { nonexistent: 0, repeated: 6 } });
    expect(meterFile().csv).toBe(text);
    expect(meterFile({ seed: 2 }).csv).not.toBe(text);
  });

  it("ingests every reading: none nonexistent, one repeated per series, UTC hours continuous across both changes", async () => {
    const store = join(dir, "store");
    // The file's series live by Danish holidays (the generator's); the flags say so, or the calendar would have none.
    const r = await runCli(["--store", store, "ingest", ...fileFlags(csv), "--holidays", "DK", "--days-delay", "0", "--days-export", "260", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    // 260 days of 24 UTC hours: the local day of 23 hours and the one of 25 hours even out.
    expect(report).toMatchObject({
      rows: 6 * 6240,
      series: 6,
      transform: { dst: { nonexistent: 0, repeated: 6 } },
      validation: { success: true },
      featureStore: { added: 6 * 6240, totalRows: 6 * 6240 },
      window: { extracted: [iso("2023-02-28T23:00Z"), iso("2023-11-15T23:00Z")], coverage: 1 },
    });

    const features = new FeatureStore(createLocalStorage(store), GROUP);
    expect(await features.info()).toMatchObject({ name: "file", keys: KEYS, unit: "kWh", calendar: { zone: "Europe/Copenhagen", holidays: "DK" } });
    const table = await features.read();
    expect(table.columnNames()).toEqual(["datetime_utc", "site", "meter", "energy_consumption"]);
    const hours = hoursBySeries(table);
    expect([...hours.keys()]).toEqual(SERIES.map((s) => `${s.site}/${s.meter}`));
    for (const [id, ts] of hours) {
      expect(ts.length, id).toBe(6240);
      expect(
        ts.every((t, i) => i === 0 || t - ts[i - 1] === H),
        `${id} continuous`,
      ).toBe(true);
    }
    // Spring: local 01:00 (CET) and 03:00 (CEST) are consecutive UTC hours. Fall: the two 02:00
    // readings are 00:00Z (CEST) and 01:00Z (CET), in the order the file gives them.
    const at = (t: string) =>
      table
        .params({ t: Date.parse(t) })
        .filter(
          (d: { site: string; meter: string; datetime_utc: number }, $: { t: number }) => d.site === "south" && d.meter === "m-02" && d.datetime_utc === $.t,
        )
        .array("energy_consumption")[0];
    expect(at("2023-03-26T00:00Z")).toBe(fileValue(text, "2023-03-26 01:00", "south", "m-02"));
    expect(at("2023-03-26T01:00Z")).toBe(fileValue(text, "2023-03-26 03:00", "south", "m-02"));
    expect(at("2023-10-29T00:00Z")).toBe(fileValue(text, "2023-10-29 02:00", "south", "m-02", 1));
    expect(at("2023-10-29T01:00Z")).toBe(fileValue(text, "2023-10-29 02:00", "south", "m-02", 2));
    expect(at("2023-10-29T00:00Z")).not.toBe(at("2023-10-29T01:00Z"));
  }, 600_000);

  // train and predict read the store the previous test filled: the model and the outputs carry the file's key columns.
  it("trains and predicts from that store: predictions.parquet is keyed by site and meter", async () => {
    const store = join(dir, "store");
    const trained = await runCli(["--store", store, "train", "--search", "none", "--json"], ENV);
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout).registered).toMatchObject({
      name: "gbm-blend",
      version: 1,
      trainingWindow: { start: iso("2023-02-28T23:00Z"), end: iso("2023-11-15T22:00Z") },
    });
    // The model reads hours and days on the calendar the store records (not the default preset's: train is given no dataset flags).
    const { artifact } = await new ModelRegistry(createLocalStorage(store)).load("gbm-blend", 1);
    type Member = { name: string; members?: Member[]; features?: { calendar: unknown }; calendar?: unknown };
    const leaves = (m: Member): Member[] => m.members?.flatMap(leaves) ?? [m];
    const members = leaves(artifact as Member);
    expect(members.map((m) => [m.name, m.features?.calendar ?? m.calendar])).toEqual(
      ["gbm", "gbm-scale-24", "profile-naive-3-level-24"].map((name) => [name, { zone: "Europe/Copenhagen", holidays: "DK" }]),
    );
    const predicted = await runCli(["--store", store, "predict", "--json"], ENV);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(JSON.parse(predicted.stdout)).toMatchObject({
      model: "gbm-blend",
      modelVersion: 1,
      origin: iso("2023-11-15T22:00Z"),
      series: 6,
      rows: 6 * 24,
      stale: [],
      baseline: [],
    });
    const predictions = readParquet(await createLocalStorage(store).read("predictions.parquet"), predictionsSchema(KEYS));
    expect(predictions.columnNames().slice(0, 4)).toEqual(["site", "meter", "datetime_utc", "origin"]);
    expect(predictions.numRows()).toBe(6 * 24);
    expect([...new Set(predictions.array("model") as string[])]).toEqual(["gbm-blend"]);
    const first = predictions.object(0) as { site: string; meter: string; datetime_utc: number; prediction: number; lower_80: number; upper_80: number };
    expect(first).toMatchObject({ site: "north", meter: "m-01", datetime_utc: Date.parse("2023-11-15T23:00Z") });
    expect(first.lower_80).toBeLessThanOrEqual(first.prediction);
    expect(first.prediction).toBeLessThanOrEqual(first.upper_80);
  }, 600_000);

  it("backtests origins around the autumn change, with errors per series named by site and meter", async () => {
    const r = await runCli([
      "backtest",
      ...fileFlags(csv),
      "--from",
      "2023-10-27T23:00",
      "--to",
      "2023-10-29T23:00",
      "--models",
      "seasonal-naive-168,gbm-blend",
      "--by",
      "series",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // The horizon of the 2023-10-28T23:00Z origin holds the 25-hour local day: 24 UTC hours.
    expect(out).toMatchObject({ origins: 3, horizon: 24, default: "gbm-blend" });
    expect(out.models.map((m: { name: string }) => m.name)).toEqual(["seasonal-naive-168", "gbm-blend"]);
    for (const m of out.models) {
      expect(m.bySeries.map((s: { key: object }) => s.key)).toEqual(SERIES);
      expect(m.bySeries.map((s: { n: number }) => s.n)).toEqual(SERIES.map(() => 3 * 24));
      expect(m.mape).toBeGreaterThan(0);
      expect(m.mape).toBeLessThan(0.3);
    }
  }, 600_000);

  // A meter installed later and one removed: as-of 2023-11-11T00:00Z (no delay) sees south/m-03,
  // installed 2023-11-06 00:00 local, with 121 hours (the model needs 169) and north/m-03, removed
  // 2023-11-08 00:00 local, last read at 2023-11-07T22:00Z.
  it("runs and backfills ticks: a new series gets the baseline until it has the model's history, a stopped one is stale", async () => {
    const series = DEFAULT_METERS.map((m) =>
      m.site === "south" && m.meter === "m-03"
        ? { ...m, from: "2023-11-06 00:00" }
        : m.site === "north" && m.meter === "m-03"
          ? { ...m, until: "2023-11-08 00:00" }
          : m,
    );
    const comego = join(dir, "come-and-go.csv");
    writeFileSync(comego, meterFile({ series }).csv);
    const store = join(dir, "store-ticks");
    const backfill = await runCli(
      ["--store", store, "backfill", ...fileFlags(comego), "--from", "2023-11-09T00:00", "--to", "2023-11-10T00:00", "--every", "24"],
      ENV,
    );
    expect(backfill.code, backfill.stderr).toBe(0);
    const run = await runCli(["--store", store, "run", ...fileFlags(comego), "--as-of", "2023-11-11T00:00", "--json"], ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("warn  predict: stale series not forecast (no observation at the origin) stale=1");

    const manifests = await listManifests(createLocalStorage(store));
    expect(manifests.map((m) => [m.asOf, m.train.trained, m.ingest.window, m.ingest.dst])).toEqual([
      // The first tick's 30-day window holds the fall-back day: one repeated reading per series then reporting.
      [iso("2023-11-09T00:00Z"), true, [iso("2023-10-10T00:00Z"), iso("2023-11-09T00:00Z")], { nonexistent: 0, repeated: 5 }],
      // Incremental ticks re-read 48 hours: no daylight-saving change in them.
      [iso("2023-11-10T00:00Z"), false, [iso("2023-11-07T00:00Z"), iso("2023-11-10T00:00Z")], { nonexistent: 0, repeated: 0 }],
      [iso("2023-11-11T00:00Z"), false, [iso("2023-11-08T00:00Z"), iso("2023-11-11T00:00Z")], { nonexistent: 0, repeated: 0 }],
    ]);
    const manifest = JSON.parse(run.stdout);
    expect(manifest.dataset).toEqual({ name: "file", keys: ["site", "meter"], unit: "kWh" });
    expect(manifest.monitor.scored).toBeGreaterThan(0);
    expect(manifest.predict).toMatchObject({
      model: "gbm-blend",
      modelVersion: 1,
      origin: iso("2023-11-10T23:00Z"),
      series: 5,
      rows: 5 * 24,
      stale: [{ key: { site: "north", meter: "m-03" }, lastObserved: iso("2023-11-07T22:00Z") }],
      baseline: [{ key: { site: "south", meter: "m-03" }, hours: 121 }],
    });
    // The first tick already saw both situations.
    expect(manifests[0].predict.stale?.map((s) => s.key)).toEqual([{ site: "north", meter: "m-03" }]);
    expect(manifests[0].predict.baseline).toEqual([{ key: { site: "south", meter: "m-03" }, hours: 73 }]);

    const storage = createLocalStorage(store);
    const predictions = readParquet(await storage.read(`runs/${manifest.runId}/predictions.parquet`), predictionsSchema(KEYS));
    const byModel = predictions.groupby("site", "meter", "model", "model_version").count().objects();
    expect(byModel).toEqual([
      { site: "north", meter: "m-01", model: "gbm-blend", model_version: 1, count: 24 },
      { site: "north", meter: "m-02", model: "gbm-blend", model_version: 1, count: 24 },
      { site: "south", meter: "m-01", model: "gbm-blend", model_version: 1, count: 24 },
      { site: "south", meter: "m-02", model: "gbm-blend", model_version: 1, count: 24 },
      { site: "south", meter: "m-03", model: "seasonal-naive-24", model_version: 0, count: 24 },
    ]);
    // The baseline repeats the new meter's last day: step k is the value 24 hours before its hour.
    const stored = await new FeatureStore(storage, GROUP).read({ start: Date.parse("2023-11-10T00:00Z"), end: Date.parse("2023-11-11T00:00Z") });
    const lastDay = stored.filter((d: { site: string; meter: string }) => d.site === "south" && d.meter === "m-03").array("energy_consumption") as number[];
    const baseline = predictions.filter((d: { model: string }) => d.model === "seasonal-naive-24").array("prediction") as number[];
    expect(Array.from(baseline)).toEqual(Array.from(lastDay));
  }, 180_000);

  // A naive exporter numbers every local day 00..23, so the spring-forward day holds a 02:00 that
  // never existed. It is read as the following hour (03:00 CEST) and counted; the real 03:00 row
  // then collides with it, and validation rejects the extract rather than keep either silently.
  it("rejects a naive export of the nonexistent spring hour: counted, read as the next hour, the duplicate fails validation (exit 3)", async () => {
    const naive = join(dir, "naive.csv");
    writeFileSync(naive, meterFile({ naiveSpringHour: true, from: "2023-03-20", to: "2023-04-01" }).csv);
    const store = join(dir, "store-naive");
    const r = await runCli(["--store", store, "ingest", ...fileFlags(naive), "--days-delay", "0", "--days-export", "12"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "warn  ingest: wall times that do not exist (spring forward) read as the following hour nonexistent=6 repeated=0 zone=Europe/Copenhagen",
    );
    const run = /quarantined under (quarantine\/ingest-\d{8}T\d{6}Z-[0-9a-f]{6}\/)/.exec(r.stderr)?.[1];
    expect(run).toBeDefined();
    expect(r.stderr).toContain(
      // The source is recorded by its name (it lies outside the working directory), never its absolute path.
      "validate: 1 of 17 expectations failed for the extract of 2023-03-19T23:00Z..2023-03-31T22:00Z from CSV file …/naive.csv " +
        `(quarantined under ${run}; 6 wall time(s) that do not exist in Europe/Copenhagen (the hour skipped when clocks spring forward) were read as the following hour): ` +
        `expect_compound_columns_to_be_unique(site, meter, datetime_utc) 6 duplicate keys (12 rows), e.g. {"site":"north","meter":"m-01","datetime_utc":${Date.parse("2023-03-26T01:00Z")},"count":2}`,
    );
    const storage = createLocalStorage(store);
    expect(await storage.list("features/")).toEqual([]);
    const info = JSON.parse(new TextDecoder().decode(await storage.read(`${run}info.json`)));
    expect(info).toMatchObject({ rows: 6 * 288, dst: { nonexistent: 6, repeated: 0 }, failedExpectations: ["expect_compound_columns_to_be_unique"] });
  }, 180_000);

  it("names the problem with each bad input: missing key column, unknown zone, mixed units, drifted columns", async () => {
    const mixed = join(dir, "mixed-units.csv");
    writeFileSync(
      mixed,
      [
        "read_at,site,meter,kwh,unit",
        "2023-03-01 00:00,north,m-01,12.5,kWh",
        "2023-03-01 00:00,south,m-01,0.4,MWh",
        "2023-03-01 01:00,north,m-01,12.1,kWh",
        "2023-03-01 01:00,south,m-01,0.5,MWh",
      ].join("\n") + "\n",
    );
    // The embedded DE35 extract as the service might publish it after renaming its value column.
    const drifted = join(dir, "de35-drifted.csv");
    const de35 = readFileSync(EMBEDDED_DATA_PATH, "utf8").split("\n").slice(0, 77);
    writeFileSync(drifted, [de35[0].replace("TotalCon", "TotalConsumption"), ...de35.slice(1)].join("\n") + "\n");
    const store = join(dir, "store-bad");
    const flags = fileFlags(csv);
    const [missingKey, zone, units, drift] = await Promise.all([
      runCli(["--store", store, "ingest", ...flags.map((f) => (f === "site,meter" ? "site,feeder" : f))]),
      runCli(["--store", store, "ingest", ...flags.map((f) => (f === "Europe/Copenhagen" ? "Mars/Base" : f))]),
      runCli(["--store", store, "--log-level", "error", "ingest", ...fileFlags(mixed), "--unit-column", "unit"]),
      runCli(["--store", store, "ingest", "--source", `file:${drifted}`]),
    ]);
    expect([missingKey.code, zone.code, units.code, drift.code]).toEqual([1, 2, 1, 1]);
    expect(missingKey.stderr.trim()).toBe(
      `ingest: source file "${csv}": the CSV header lacks column(s) "feeder"; the source's columns are read_at, site, meter, kwh, expected read_at, site, feeder, kwh ` +
        "(columns the dataset spec does not know: meter); the dataset's schema changed or the wrong dataset was picked: fix the flags --keys/--time/--value",
    );
    expect(zone.stderr.split("\n")[0]).toBe(
      'config: the dataset flags (--keys/--time/--time-zone/--value/--unit/--unit-column/--calendar-zone/--holidays): time.zone (--time-zone) "Mars/Base" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen',
    );
    expect(units.stderr.trim()).toBe(
      'ingest: the unit column "unit" holds kWh (2 rows), MWh (2 rows); expected every row in kWh (--unit); convert the file to one unit or ingest each unit into its own store',
    );
    expect(drift.stderr.trim()).toBe(
      `ingest: source file "${drifted}": the CSV header lacks column(s) "TotalCon"; the source's columns are HourUTC, HourDK, PriceArea, ConsumerType_DE35, TotalConsumption, ` +
        "expected HourUTC, PriceArea, ConsumerType_DE35, TotalCon (columns the dataset spec does not know: TotalConsumption); " +
        "the dataset's schema changed or the wrong dataset was picked: fix the preset file (src/pipeline/dataset/presets/de35.json) or pass --keys/--time/--value",
    );
    // Nothing was written for any of them.
    expect(await createLocalStorage(store).list("")).toEqual([]);
  }, 180_000);
});
