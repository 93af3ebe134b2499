/**
 * Ingest checks a batch against the stored series and the clock, not only against itself (issue
 * 11's probes): a batch that would leave a gap, rows from the future, implausible values. Each
 * refusal is a named expectation of the stored validation result, quarantines the extract and
 * leaves the feature store as it was. Real parts: genuine DE35 rows in CSV files, the file source,
 * a local store; the clock is fixed so the present is known.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/pipeline/config/config.js";
import { fixedClock, memoryLogger, silentLogger, type Logger } from "../../../src/pipeline/core/effects.js";
import { ValidationFailedError } from "../../../src/pipeline/core/errors.js";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { fileSource } from "../../../src/pipeline/ingest/file-source.js";
import { ingest, type IngestOptions, type IngestReport } from "../../../src/pipeline/ingest/ingest.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import type { ValidationResult } from "../../../src/validation/index.js";
import { DE35_CSV } from "../../support/eds-server.js";

const lines = readFileSync(DE35_CSV, "utf8").trimEnd().split("\n");
const HEADER = lines[0];
/** The file's hours [from, to) (76 series, one row each per hour; hour 0 = 2022-12-21T16:00Z, 582 = 2023-01-14T22:00Z). */
const hours = (from: number, to: number): string[] => lines.slice(1 + 76 * from, 1 + 76 * to);
const LAST = 582;
const GROUP = { name: "energy_consumption", version: 1 };
/** The clock of every run: the present ends at 2026-12-02T08:00Z. */
const NOW = "2026-12-02T07:30:00Z";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ingest-checks-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, rows: string[]): string {
  writeFileSync(join(dir, name), [HEADER, ...rows].join("\n") + "\n");
  return name;
}

/** One ingest of `file` (relative to the test directory) into `storage`. */
function run(
  storage: Storage,
  file: string,
  runId: string,
  options: Omit<IngestOptions, "config" | "source"> = {},
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
): Promise<IngestReport> {
  const config = loadConfig(env, { logLevel: "silent" });
  const source = fileSource(file, { cwd: dir });
  return ingest({ storage, group: config.featureGroup, runId, clock: fixedClock(NOW), logger }, { ...options, config, source });
}

/** The error of a refused ingest. */
async function refusal(p: Promise<unknown>): Promise<ValidationFailedError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailedError);
  return error as ValidationFailedError;
}

async function snapshot(storage: Storage, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await storage.list(prefix)) out[key] = Buffer.from(await storage.read(key)).toString("base64");
  return out;
}

async function validationOf(storage: Storage, runId: string): Promise<ValidationResult> {
  return JSON.parse(new TextDecoder().decode(await storage.read(`validation/${runId}.json`))) as ValidationResult;
}

const failedTypes = (r: ValidationResult): string[] => r.results.filter((x) => !x.success).map((x) => x.expectation_config.expectation_type);

describe("ingest refuses a batch that would leave a gap after the stored series", () => {
  it("a file holding only the latest hour: refused with the window that fills the gap; ingesting that window first makes it fit", async () => {
    const storage = createLocalStorage(join(dir, "store-gap"));
    // The store holds the series up to 2023-01-08T22:00Z.
    await run(storage, csv("upto-jan-8.csv", hours(400, 439)), "ingest-1");
    const before = await snapshot(storage, "features/");

    const error = await refusal(run(storage, csv("latest.csv", hours(LAST, LAST + 1)), "ingest-2"));
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      "validate: 1 of 19 expectations failed for the extract of 2023-01-14T22:00Z..2023-01-14T23:00Z from CSV file latest.csv (quarantined under quarantine/ingest-2/): " +
        "expect_column_values_to_continue_stored_series(datetime_utc, area, consumer_type) 76 of 76 stored series would be left with a gap after their last stored hour: " +
        "the hours 2023-01-08T23:00Z..2023-01-14T22:00Z are missing (10868 steps in all), " +
        'e.g. {"area":1,"consumer_type":111,"last_stored":"2023-01-08T22:00Z","first_in_batch":"2023-01-14T22:00Z","missing_steps":143}; ' +
        "ingest the missing hours 2023-01-08T23:00Z..2023-01-14T22:00Z first, from a source that holds them " +
        "(energy-forecast ingest --full --as-of 2023-01-29T22:00 --days-delay 15: its window ends at 2023-01-14T22:00Z), then this batch again",
    );
    expect(await snapshot(storage, "features/")).toEqual(before);
    expect(await storage.list("quarantine/ingest-2/")).toEqual(["quarantine/ingest-2/extract.parquet", "quarantine/ingest-2/info.json"]);
    const result = await validationOf(storage, "ingest-2");
    expect(failedTypes(result)).toEqual(["expect_column_values_to_continue_stored_series"]);
    expect(result.results.find((r) => !r.success)!.expectation_config.kwargs).toEqual({
      column: "datetime_utc",
      group_by: ["area", "consumer_type"],
      step_ms: 3_600_000,
      continue_from: "2023-01-08T23:00Z",
      visible_until: "2023-01-14T23:00Z",
    });

    // The advice, followed: the full file with that as-of fills the gap; then the batch fits.
    const filled = await run(storage, csv("full.csv", hours(0, LAST + 1)), "ingest-3", { asOf: Date.parse("2023-01-29T22:00Z"), incremental: false });
    expect(filled.window.extracted).toEqual(["2022-12-21T16:00:00.000Z", "2023-01-14T22:00:00.000Z"]);
    const again = await run(storage, "latest.csv", "ingest-4");
    expect(again.featureStore).toMatchObject({ added: 76, totalRows: 76 * (LAST + 1) });
  });

  it("the window advice adds --days-export when the gap is longer than the export window", async () => {
    const storage = createLocalStorage(join(dir, "store-long-gap"));
    await run(storage, csv("first-day.csv", hours(0, 24)), "ingest-1");
    const error = await refusal(run(storage, "latest.csv", "ingest-2", {}, { EXPORT_DAYS: "7" }));
    expect(error.message).toContain(
      "ingest the missing hours 2022-12-22T16:00Z..2023-01-14T22:00Z first, from a source that holds them " +
        "(energy-forecast ingest --full --as-of 2023-01-29T22:00 --days-delay 15 --days-export 24: its window ends at 2023-01-14T22:00Z), then this batch again",
    );
  });

  it("continues the stored series, re-reads the revision overlap, and lets a series that had stopped before the window come back", async () => {
    const storage = createLocalStorage(join(dir, "store-come-back"));
    // Series DK1/111 stops at hour 10; the others run to hour 23.
    const first = hours(0, 24).filter((l, i) => !(l.includes(";DK1;111;") && i >= 76 * 11));
    await run(storage, csv("first.csv", first), "ingest-1");
    const report = await run(storage, csv("next.csv", hours(24, 72)), "ingest-2");
    expect(report.featureStore.added).toBe(76 * 48);
    // But a live series missing the batch's first hours would leave a hole: refused.
    const holed = hours(72, 96).filter((l, i) => !(l.includes(";DK2;999;") && i < 76 * 2));
    const error = await refusal(run(storage, csv("holed.csv", holed), "ingest-3"));
    expect(error.message).toContain(
      "expect_column_values_to_continue_stored_series(datetime_utc, area, consumer_type) 1 of 76 stored series would be left with a gap after their last stored hour: " +
        'the hours 2022-12-24T16:00Z..2022-12-24T18:00Z are missing (2 steps in all), e.g. {"area":2,"consumer_type":999,"last_stored":"2022-12-24T15:00Z","first_in_batch":"2022-12-24T18:00Z","missing_steps":2}',
    );
  });

  it("re-ingesting a window still replaces a damaged partition (the stored series are read around it)", async () => {
    const storage = createLocalStorage(join(dir, "store-damaged"));
    await run(storage, csv("two-days.csv", hours(8, 56)), "ingest-1");
    const manifest = await new FeatureStore(storage, GROUP).manifest();
    const part = manifest!.partitions["2022-12-22"].key;
    await storage.write(part, "not parquet");
    const logger = memoryLogger();
    const report = await run(storage, "two-days.csv", "ingest-2", { incremental: false }, {}, logger);
    expect(report.featureStore.damaged).toMatchObject([{ day: "2022-12-22", key: part, damage: "undecodable" }]);
    expect(logger.lines.join("\n")).toContain("warn  ingest: a damaged partition is left out of the stored series the batch is checked against day=2022-12-22");
  });
});

describe("ingest refuses rows after the visible time", () => {
  const future = () => csv("future.csv", [...hours(0, 48), "2099-01-01T00:00:00;2099-01-01T01:00:00;DK1;111;65874"]);

  it("one row dated 2099: refused by name; it no longer moves the default window to 2099, and nothing is stored", async () => {
    const storage = createLocalStorage(join(dir, "store-2099"));
    const error = await refusal(run(storage, future(), "ingest-f"));
    expect(error.message).toBe(
      "validate: 1 of 19 expectations failed for the extract of 2026-11-02T08:00Z..2026-12-02T08:00Z and 1 row dated after the present from CSV file future.csv " +
        "(quarantined under quarantine/ingest-f/): expect_column_values_to_be_visible(datetime_utc) 1 of 1 rows (100%) are dated at or after the visible time 2026-12-02T08:00Z, " +
        "e.g. [2099-01-01T00:00Z]; remove the rows dated at or after 2026-12-02T08:00Z from the source or correct their time (a mistyped year, a wrong --time-zone): " +
        "they cannot have been published yet",
    );
    expect(await storage.list("features/")).toEqual([]);
    expect(failedTypes(await validationOf(storage, "ingest-f"))).toEqual(["expect_column_values_to_be_visible"]);
    const info = JSON.parse(new TextDecoder().decode(await storage.read("quarantine/ingest-f/info.json")));
    expect(info).toMatchObject({ rows: 1, source: "CSV file future.csv", failedExpectations: ["expect_column_values_to_be_visible"] });
  });

  it("a file holding nothing but a 2099 row: refused by name as well, not a window without data", async () => {
    const storage = createLocalStorage(join(dir, "store-only-2099"));
    const only = csv("only-2099.csv", ["2099-01-01T00:00:00;2099-01-01T01:00:00;DK1;111;65874"]);
    const error = await refusal(run(storage, only, "ingest-o"));
    expect(error.message).toContain(
      "for the extract of 1 row dated after the present from CSV file only-2099.csv (quarantined under quarantine/ingest-o/): " +
        "expect_column_values_to_be_visible(datetime_utc) 1 of 1 rows (100%) are dated at or after the visible time 2026-12-02T08:00Z",
    );
  });

  it("with an --as-of, the window's rows and the far-future row: refused as well", async () => {
    const storage = createLocalStorage(join(dir, "store-2099-as-of"));
    const error = await refusal(run(storage, future(), "ingest-g", { asOf: Date.parse("2023-01-10T00:00Z") }));
    expect(error.message).toContain(
      "expect_column_values_to_be_visible(datetime_utc) 1 of 3649 rows (0.0274%) are dated at or after the visible time 2022-12-26T00:00Z, e.g. [2099-01-01T00:00Z]",
    );
    expect(await storage.list("features/")).toEqual([]);
  });

  it("the same file without the 2099 row is ingested whole by default", async () => {
    const storage = createLocalStorage(join(dir, "store-no-2099"));
    const report = await run(storage, csv("plain.csv", hours(0, 48)), "ingest-p");
    expect(report.window.extracted).toEqual(["2022-12-21T16:00:00.000Z", "2022-12-23T16:00:00.000Z"]);
    expect(report.rows).toBe(76 * 48);
  });
});

describe("ingest refuses implausible values (MAX_VALUE_RATIO; float32's range always)", () => {
  const withLastValue = (name: string, value: string) => {
    const rows = hours(0, 48);
    rows[rows.length - 1] = rows[rows.length - 1].replace(/;[^;]*$/, `;${value}`);
    return csv(name, rows);
  };

  it("a value of 1e308 fails expect_column_values_to_be_plausible", async () => {
    const storage = createLocalStorage(join(dir, "store-1e308"));
    await run(storage, csv("day-one.csv", hours(0, 24)), "ingest-1");
    const error = await refusal(run(storage, withLastValue("huge.csv", "1e308"), "ingest-2"));
    expect(error.message).toBe(
      "validate: 1 of 19 expectations failed for the extract of 2022-12-21T16:00Z..2022-12-23T16:00Z from CSV file huge.csv (quarantined under quarantine/ingest-2/): " +
        "expect_column_values_to_be_plausible(energy_consumption, area, consumer_type) 1 of 3648 values are implausible, " +
        'e.g. [{"area":2,"consumer_type":999,"datetime_utc":"2022-12-23T15:00Z","value":1e+308,"limit":3.4028234663852886e+38,"basis":"absolute_max"}]; ' +
        "correct the values at the source: a value beyond float32's range is never accepted",
    );
    expect(failedTypes(await validationOf(storage, "ingest-2"))).toEqual(["expect_column_values_to_be_plausible"]);
    // Into an empty store too, where the series' own batch median is all there is.
    await refusal(run(createLocalStorage(join(dir, "store-1e308-fresh")), "huge.csv", "ingest-3"));
  });

  it("a value above 50 x the series' stored maximum is refused; MAX_VALUE_RATIO=0 turns that check off", async () => {
    const storage = createLocalStorage(join(dir, "store-ratio"));
    await run(storage, "day-one.csv", "ingest-1");
    const error = await refusal(run(storage, withLastValue("big.csv", "99999999"), "ingest-2"));
    expect(error.message).toMatch(
      /expect_column_values_to_be_plausible\(energy_consumption, area, consumer_type\) 1 of 3648 values are implausible, e\.g\. \[\{"area":2,"consumer_type":999,"datetime_utc":"2022-12-23T15:00Z","value":99999999,"limit":\d+,"basis":"50 x stored max \d+"\}\]; correct the implausible values at the source \(a unit or decimal-separator mix-up\?\), or raise MAX_VALUE_RATIO \(now 50\)$/,
    );
    const accepted = await run(storage, "big.csv", "ingest-3", {}, { MAX_VALUE_RATIO: "0" });
    expect(accepted.featureStore.changed + accepted.featureStore.added).toBeGreaterThan(0);
    expect(() => loadConfig({ MAX_VALUE_RATIO: "0.5" })).toThrow('config: MAX_VALUE_RATIO must be 0 (off) or a ratio >= 1 such as 50, got "0.5"');
  });
});
