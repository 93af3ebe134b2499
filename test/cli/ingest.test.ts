import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { DE35_CSV } from "../support/eds-server.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";

const lines = readFileSync(DE35_CSV, "utf8").trimEnd().split("\n");
const header = lines[0];
/** The first `hours` hours of the genuine data (76 rows per hour). */
const firstHours = (hours: number) => lines.slice(1, 1 + 76 * hours);

describe("energy-forecast ingest", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cli-ingest-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stores the shared CSV (44,308 rows, 76 series); a second identical run re-reads only the revision overlap and adds 0 rows", async () => {
    const store = join(dir, "store-full");
    const first = await runCli(["ingest", "--source", `file:${DE35_CSV}`, "--store", store, "--json"]);
    expect(first.stderr).toContain("window is short: 583 of 720 hours");
    expect(first.code).toBe(0);
    const r1 = JSON.parse(first.stdout);
    expect(r1).toMatchObject({ rows: 44308, series: 76, validation: { success: true, evaluated: 19 } });
    expect(r1.featureStore).toMatchObject({ added: 44308, changed: 0, commit: 1, totalRows: 44308, group: "energy_consumption/v1" });
    expect(r1.window.extracted).toEqual(["2022-12-21T16:00:00.000Z", "2023-01-14T23:00:00.000Z"]);

    // Incremental: only the hours after the store's latest minus the preset's 2-day revision overlap.
    const second = JSON.parse((await runCli(["ingest", "--source", `file:${DE35_CSV}`, "--store", store, "--json"])).stdout);
    expect(second).toMatchObject({ rows: 76 * 48, incremental: { storeLatest: "2023-01-14T22:00:00.000Z", revisionHours: 48, skipped: false } });
    expect(second.window.extracted).toEqual(["2023-01-12T23:00:00.000Z", "2023-01-14T23:00:00.000Z"]);
    expect(second.featureStore).toMatchObject({ added: 0, changed: 0, unchanged: 76 * 48, commit: 1, totalRows: 44308 });

    const stored = await new FeatureStore(createLocalStorage(store), { name: "energy_consumption", version: 1 }).read();
    expect(stored.numRows()).toBe(44308);
    expect(readdirSync(join(store, "validation"))).toHaveLength(2);
  });

  it("takes the reference's window: --as-of, --days-delay, --days-export", async () => {
    const store = join(dir, "store-window");
    const r = await runCli(["ingest", "--store", store, "--as-of", "2023-01-16T00:00", "--days-delay", "2", "--days-export", "1", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      rows: 76 * 24,
      series: 76,
      window: { extracted: ["2023-01-13T00:00:00.000Z", "2023-01-14T00:00:00.000Z"], coverage: 1 },
    });
  });

  const badCases: Array<[string, (rows: string[]) => string[], string]> = [
    [
      "a negative value",
      (rows) => [...rows.slice(0, -1), rows[rows.length - 1].replace(/;\d+(\.\d+)?$/, ";-5")],
      "expect_column_min_to_be_between(energy_consumption) observed -5, expected >= 0",
    ],
    [
      "a duplicated key",
      (rows) => [...rows, rows[3].replace(/;\d+(\.\d+)?$/, ";12345")],
      "expect_compound_columns_to_be_unique(area, consumer_type, datetime_utc)",
    ],
    [
      "an unknown consumer type",
      (rows) => [...rows.slice(0, -1), rows[rows.length - 1].replace(/;999;/, ";998;")],
      "expect_column_distinct_values_to_be_in_set(consumer_type)",
    ],
  ];

  /** A store that ingested the first 24 hours, ingested once and copied for each bad case. */
  let goodStore: Promise<string> | undefined;
  const storeWithGoodBatch = (): Promise<string> =>
    (goodStore ??= (async () => {
      const store = join(dir, "store-good");
      const good = join(dir, "good.csv");
      writeFileSync(good, [header, ...firstHours(24)].join("\n") + "\n");
      const r = await runCli(["ingest", "--source", good, "--store", store]);
      expect(r.code, r.stderr).toBe(0);
      return store;
    })());

  for (const [what, corrupt, expectation] of badCases) {
    it(`rejects ${what}: exit 3, expectation named, store unchanged but for quarantine and validation result`, async () => {
      const store = join(dir, `store-${what.replace(/\W+/g, "-")}`);
      cpSync(await storeWithGoodBatch(), store, { recursive: true });
      const storage = createLocalStorage(store);
      const featuresBefore = await snapshot(storage, "features/");

      const bad = join(dir, `bad-${what.replace(/\W+/g, "-")}.csv`);
      writeFileSync(bad, [header, ...corrupt(firstHours(48))].join("\n") + "\n");
      const r = await runCli(["ingest", "--source", bad, "--store", store]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("validate: 1 of 19 expectations failed for the extract of");
      expect(r.stderr).toContain(expectation);
      expect(r.stderr).toMatch(/quarantined under quarantine\/ingest-\d{8}T\d{6}Z-[0-9a-f]{6}\//);

      expect(await snapshot(storage, "features/")).toEqual(featuresBefore);
      const quarantined = await storage.list("quarantine/");
      expect(quarantined.map((k) => k.replace(/ingest-[^/]+/, "<run>"))).toEqual(["quarantine/<run>/extract.parquet", "quarantine/<run>/info.json"]);
      const info = JSON.parse(new TextDecoder().decode(await storage.read(quarantined[1])));
      expect(info.rows).toBe(corrupt(firstHours(48)).length);
      const results = await storage.list("validation/");
      expect(results).toHaveLength(2);
      const failed = JSON.parse(new TextDecoder().decode(await storage.read(info.validation)));
      expect(failed.success).toBe(false);
    });
  }

  it("explains a missing source file and a bad setting, with distinct exit codes", async () => {
    // At once, each with its own store (so none waits for another's lock).
    const [missing, bad, late] = await Promise.all([
      runCli(["ingest", "--source", join(dir, "nope.csv"), "--store", join(dir, "s-missing")]),
      runCli(["ingest", "--store", join(dir, "s-bad")], { DATA_DELAY_DAYS: "soon" }),
      runCli(["ingest", "--store", join(dir, "s-late"), "--as-of", "2026-11-22T00:00"]),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`source file "${join(dir, "nope.csv")}" not found`);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('config: DATA_DELAY_DAYS must be a number >= 0, got "soon"');
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("has no data: the source covers 2022-12-21T16:00Z..2023-01-14T23:00Z; check --as-of and --days-delay");
  });

  it("prints --help for the program and every command", async () => {
    const [unknown, ...helps] = await Promise.all([["ingets"], ["--help"], ["ingest", "--help"], ["validate", "--help"]].map((args) => runCli(args)));
    for (const r of helps) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Usage: energy-forecast");
      expect(r.stdout).toContain("--store");
    }
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'ingets'");
  });
});

async function snapshot(storage: ReturnType<typeof createLocalStorage>, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await storage.list(prefix)) out[key] = Buffer.from(await storage.read(key)).toString("base64");
  return out;
}
