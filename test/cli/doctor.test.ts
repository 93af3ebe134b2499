import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliInProcess } from "../support/cli.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import { predictionsSchema } from "../../src/pipeline/predict/schema.js";
import { LEGACY_DE35_INFO } from "../../src/pipeline/dataset/spec.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { listAllParts, readParts } from "../../src/pipeline/history/partitions.js";
import { SMALL_PANEL_ENV, SMALL_PANEL_SERIES } from "../support/small-panel.js";

const GROUP = { name: "energy_consumption", version: 1 };
const MANIFEST = "features/energy_consumption/v1/manifest.json";
const DATA = "features/energy_consumption/v1/data";
const HISTORY_SCHEMA = predictionsSchema(LEGACY_DE35_INFO.keys);
/** A cheap model so that train and predict take seconds, on the small panel (the repairs do not depend on the data's width). */
const ENV = { ...SMALL_PANEL_ENV, MODEL_NAME: "seasonal-naive-24", TRAIN_FOLDS: "2", HISTORY_WINDOW_DAYS: "2" };
/** The small panel's rows of the embedded DE35 file: 583 hours of each series. */
const ROWS = SMALL_PANEL_SERIES * 583;

// The probes of a damaged store, through the CLI's main in this process (the subject is what each
// command says and does to the store; the reliability tests run the real process) on the embedded DE35
// file (the small panel: 4 series, 2,332 rows in 25 day partitions): a deleted feature manifest, a
// corrupt feature part, a corrupt forecast partition and a deleted history state. Each is refused with
// a message naming the fix, and the fix restores the store with no row lost. The tests run in order on
// one store.
describe("energy-forecast doctor and the repairs it names", () => {
  let dir: string;
  let store: string;
  const cli = (...args: string[]) => runCliInProcess(["--store", store, ...args], ENV);
  const parts = () => createLocalStorage(store).list(`${DATA}/`);
  const featureRows = async () => (await new FeatureStore(createLocalStorage(store), GROUP).read()).objects();
  let rowsBefore: object[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cli-doctor-"));
    store = join(dir, "store");
    for (const args of [["ingest"], ["train", "--search", "none"]]) {
      const r = await cli(...args);
      if (r.code !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
    }
    rowsBefore = await featureRows();
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds a fresh store healthy (exit 0)", async () => {
    const r = await cli("doctor", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ healthy: true, problems: 0, lock: { state: "free" }, checked: { featureGroups: 1, partitions: 25 } });
    expect(rowsBefore).toHaveLength(ROWS);
  }, 180_000);

  it("deleted manifest: ingest refuses naming the repair and deletes no part; doctor --repair rebuilds it; ingest and predict then work with no row lost", async () => {
    const before = await parts();
    expect(before).toHaveLength(25);
    unlinkSync(join(store, MANIFEST));

    const ingest = await cli("ingest");
    expect(ingest.code).toBe(1);
    expect(ingest.stderr).toContain(
      `featurestore: manifest ${MANIFEST} is missing in ${createLocalStorage(store).uri} but 25 partition file(s) exist under ${DATA}/; ` +
        "the feature group is left as it is: run energy-forecast doctor --repair to rebuild the manifest from the partition files",
    );
    expect(await parts()).toEqual(before);

    const check = await cli("doctor");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      `  problem  features  ${MANIFEST}: the manifest is missing but 25 partition file(s) exist; every command that reads or writes the group refuses to run\n` +
        `                     --repair: rebuild it from the partition files: 25 day(s), ${ROWS} row(s), dataset de35 (unit kWh)\n`,
    );

    const repair = await cli("doctor", "--repair", "--json");
    expect(repair.code).toBe(0);
    const report = JSON.parse(repair.stdout);
    expect(report.repair.actions).toEqual([
      {
        area: "features",
        action: "rebuilt",
        subject: MANIFEST,
        detail: `from 25 partition file(s) (one per day, the newest that decodes): ${ROWS} row(s), commit 2, dataset de35 (keys area:int8,consumer_type:int32, unit kWh)`,
      },
    ]);
    expect(report.repair.after).toMatchObject({ healthy: true, problems: 0, lock: { state: "free" } });

    const again = await cli("ingest", "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).featureStore).toMatchObject({ added: 0, changed: 0, totalRows: ROWS });
    const predict = await cli("predict", "--json");
    expect(predict.code).toBe(0);
    expect(JSON.parse(predict.stdout)).toMatchObject({ series: SMALL_PANEL_SERIES, horizon: 24 });
    expect(await featureRows()).toEqual(rowsBefore);
  }, 600_000);

  it("corrupt feature part: predict names the part and the fix; ingest --full of its window sets it aside under damaged/ and restores the day", async () => {
    const part = `${DATA}/date=2023-01-05/part-000001.parquet`;
    writeFileSync(join(store, part), "this is not parquet");
    const predict = await cli("predict");
    expect(predict.code).toBe(1);
    expect(predict.stderr).toContain(
      `featurestore: partition ${part} (day 2023-01-05) cannot be decoded in ${createLocalStorage(store).uri}; ` +
        "re-ingest a window that covers 2023-01-05 (energy-forecast ingest --full, with an --as-of whose window holds that day) to replace it, " +
        "or run energy-forecast doctor --repair to set it aside",
    );

    const ingest = await cli("ingest", "--full");
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toContain(
      `  repaired    day 2023-01-05: partition ${part} was corrupt (set aside as damaged/${part}); the day now holds this batch's rows\n`,
    );
    expect(readdirSync(join(store, "damaged", DATA, "date=2023-01-05"))).toEqual(["part-000001.parquet"]);
    expect(await featureRows()).toEqual(rowsBefore);
    expect((await cli("predict")).code).toBe(0);
  }, 600_000);

  it("partitioned forecast history of more days than the window: healthy; a corrupt origin partition and a deleted state are found, and --repair rebuilds them from runs/*/predictions.parquet with no row lost", async () => {
    for (const asOf of ["2023-01-26T00:00", "2023-01-27T00:00", "2023-01-28T00:00", "2023-01-28T00:00"])
      expect((await cli("predict", "--as-of", asOf)).code).toBe(0);
    const storage = createLocalStorage(store);
    const all = async () =>
      (await readParts(storage, LEGACY_DE35_INFO.keys, await listAllParts(storage)))!.orderby("origin", "area", "consumer_type", "datetime_utc").objects();
    const healthy = await cli("doctor", "--json");
    expect(healthy.code).toBe(0);
    const parts = await listAllParts(storage);
    expect(JSON.parse(healthy.stdout).checked).toMatchObject({ forecastPartitions: parts.length, historyRows: SMALL_PANEL_SERIES * 24 * parts.length });
    const window = readParquet(await storage.read("predictions_monitoring.parquet"), HISTORY_SCHEMA);
    expect(new Set(Array.from(window.array("origin") as ArrayLike<number>)).size).toBeLessThan(parts.length); // HISTORY_WINDOW_DAYS=2: older origins only in the partitions
    const before = await all();

    const corrupt = parts[1].key;
    writeFileSync(join(store, corrupt), "PAR1 garbage");
    unlinkSync(join(store, "forecasts/state.json"));
    const check = await cli("doctor");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      `  problem  history   forecasts/state.json: the forecast history's state is missing but ${parts.length} partition file(s) exist; the next run would take the compacted window for a single-file history and record a wrong row count\n`,
    );
    expect(check.stdout).toContain(
      `  problem  history   ${corrupt}: the partition of origin ${new Date(parts[1].origin).toISOString().slice(0, 16)}Z does not decode (parquet: cannot decode ${corrupt} (12 bytes): `,
    );
    const repair = await cli("doctor", "--repair");
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain(`  set aside ${corrupt} -> damaged/${corrupt}: the partition did not decode\n`);
    expect(repair.stdout).toMatch(
      new RegExp(
        `  rebuilt   ${corrupt.replace(/[.]/g, "\\.")}: from runs/\\*/predictions\\.parquet of 1 run\\(s\\) \\([^)]+\\): ${SMALL_PANEL_SERIES * 24} forecast\\(s\\)\n`,
      ),
    );
    expect(repair.stdout).toContain(`  rebuilt   forecasts/state.json: from the partitions: ${before.length} forecast(s), latest origin `);
    expect(repair.stdout).toContain("after repair: healthy");
    expect(await all()).toEqual(before);
    expect((await cli("predict", "--as-of", "2023-01-29T00:00")).code).toBe(0);
    expect((await cli("doctor")).code).toBe(0);
  }, 180_000);
});
