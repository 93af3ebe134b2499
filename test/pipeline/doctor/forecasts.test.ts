import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnTable } from "arquero";
import { examineStore, repairStore } from "../../../src/pipeline/doctor/doctor.js";
import { formatDoctorReport } from "../../../src/pipeline/doctor/report.js";
import { listAllParts, readForecastsState, readParts } from "../../../src/pipeline/history/partitions.js";
import { emptyMonitoringState, writeMonitoringState } from "../../../src/pipeline/monitor/incremental.js";
import { readParquet } from "../../../src/pipeline/parquet/read.js";
import { writeTable } from "../../../src/pipeline/predict/outputs.js";
import { predictionsSchema } from "../../../src/pipeline/predict/schema.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { DAY0, fiveDays, forecasts, GROUP, H, KEYS, NOW, threeDays } from "./fixtures.js";

const WINDOW = "predictions_monitoring.parquet";
const STATE = "forecasts/state.json";
const MONITORING = "monitoring/state.json";
const SCHEMA = predictionsSchema(KEYS);
/** HISTORY_WINDOW_DAYS of 2: the store holds 5 days of origins, more than the window. */
const options = { now: NOW, runId: "doctor-20230201T000000Z-000000", group: GROUP, windowDays: 2 };
const part = (day: number) => `forecasts/origin=2023-01-0${day + 1}/2023010${day + 1}T230000Z.parquet`;
const rows = (t: ColumnTable | undefined) => (t ? t.orderby("origin", "area", "consumer_type", "datetime_utc").objects() : []);
const FEATURES_NOTE = {
  area: "features",
  severity: "note",
  subject: "features/energy_consumption/v1/data/",
  message:
    "1 partition file(s) not referenced by the manifest (superseded or from an unfinished upsert): a later upsert deletes them once their grace period is over",
};

describe("doctor: the forecast history partitioned by origin", () => {
  let dir: string;
  let storage: Storage;
  let ids: string[];
  let rerun: string;
  let history: object[];
  const all = async () => rows(await readParts(storage, KEYS, await listAllParts(storage)));
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "doctor-forecasts-"));
    storage = createLocalStorage(dir);
    await threeDays(storage);
    ({ ids, rerun } = await fiveDays(storage, 2));
    // A run that failed after writing its folder's forecasts (another forecast of origin 3): not part of the record.
    const failed = "run-20230206T000000Z-eeeeee";
    await writeTable(storage, `runs/${failed}/predictions.parquet`, forecasts(failed, DAY0 + 71 * H, 3, 5000), SCHEMA);
    await storage.write(`runs/${failed}/failure.json`, JSON.stringify({ format: "energy-forecast/run-failure", step: "write" }));
    await writeMonitoringState(storage, { ...emptyMonitoringState(), scoredUntil: DAY0 + 120 * H });
    history = await all();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("finds a store with more days of origins than the compacted window holds healthy", async () => {
    expect(history).toHaveLength(30); // 5 origins x 2 series x 3 hours: the rerun replaced its origin's forecasts
    const window = readParquet(await storage.read(WINDOW), SCHEMA);
    expect(new Set(Array.from(window.array("origin") as ArrayLike<number>))).toEqual(new Set([DAY0 + 95 * H, DAY0 + 119 * H]));
    const { report } = await examineStore(storage, options);
    expect(report.findings).toEqual([FEATURES_NOTE]);
    expect(report).toMatchObject({
      healthy: true,
      problems: 0,
      checked: { featureGroups: 1, partitions: 3, outputs: 4, runFolders: 7, historyRows: 30, forecastPartitions: 5, monitoringFiles: 1 },
    });
    expect(formatDoctorReport(report)).toContain(
      "  checked 1 feature group(s) (3 partition file(s)), 4 output file(s), 7 run folder(s) (26 file(s)), forecast history of 30 row(s) in 5 origin partition(s), 1 monitoring file(s)\n",
    );
  });

  it("a corrupt origin partition is found; --repair sets it aside and rebuilds it from the run folders with no row lost, then the state, the window and monitoring", async () => {
    const garbage = new TextEncoder().encode("PAR1 garbage PAR1");
    await storage.write(part(1), garbage);
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.area !== "features")).toEqual([
      {
        area: "history",
        severity: "problem",
        subject: part(1),
        message: expect.stringMatching(
          /^the partition of origin 2023-01-02T23:00Z does not decode \(parquet: cannot decode forecasts\/origin=2023-01-02\/20230102T230000Z\.parquet \(17 bytes\): .*\); every monitor that scores its days fails on it$/,
        ),
        repair: "set it aside under damaged/ and rebuild it from the 2 run folder(s) holding forecasts of that origin",
      },
    ]);
    expect(await repairStore(exam)).toEqual([
      { area: "history", action: "set aside", subject: part(1), to: `damaged/${part(1)}`, detail: "the partition did not decode" },
      { area: "history", action: "rebuilt", subject: part(1), detail: `from runs/*/predictions.parquet of 1 run(s) (${rerun}): 6 forecast(s)` },
      { area: "history", action: "rebuilt", subject: STATE, detail: "from the partitions: 30 forecast(s), latest origin 2023-01-05T23:00Z, longest step 3 h" },
      { area: "history", action: "rebuilt", subject: WINDOW, detail: "from the partitions of the last 2 day(s) of origins: 12 forecast(s)" },
      {
        area: "monitoring",
        action: "set aside",
        subject: MONITORING,
        to: `damaged/${MONITORING}`,
        detail: "the forecast history changed: the next monitor rescores every day from the forecast partitions",
      },
    ]);
    expect(await storage.read(`damaged/${part(1)}`)).toEqual(garbage);
    expect(await all()).toEqual(history);
    expect(await storage.exists(MONITORING)).toBe(false);
    expect((await examineStore(storage, options)).report.findings).toEqual([FEATURES_NOTE]);
  });

  it("a deleted forecasts/state.json is found and rebuilt from the partitions, as it was", async () => {
    const state = await readForecastsState(storage);
    await storage.delete(STATE);
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.area !== "features")).toEqual([
      {
        area: "history",
        severity: "problem",
        subject: STATE,
        message:
          "the forecast history's state is missing but 5 partition file(s) exist; the next run would take the compacted window for a single-file history and record a wrong row count",
        repair: "rebuild it from the partitions (30 forecast(s) in 5 partition file(s), latest origin 2023-01-05T23:00Z)",
      },
    ]);
    expect(await repairStore(exam)).toEqual([
      { area: "history", action: "rebuilt", subject: STATE, detail: "from the partitions: 30 forecast(s), latest origin 2023-01-05T23:00Z, longest step 3 h" },
    ]);
    expect(await readForecastsState(storage)).toEqual(state);
    expect(await storage.exists(MONITORING)).toBe(true); // the history did not change
    expect((await examineStore(storage, options)).report.findings).toEqual([FEATURES_NOTE]);
  });

  it("runs whose forecasts are missing from their partition are found; --repair adds them (keeping every row there) or rebuilds the partition", async () => {
    const p0 = readParquet(await storage.read(part(0)), SCHEMA);
    await writeTable(
      storage,
      part(0),
      p0.filter((d: { area: number }) => d.area === 1),
      SCHEMA,
    );
    await storage.delete(part(4));
    await storage.write(MONITORING, "{}");
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.area !== "features")).toEqual([
      {
        area: "history",
        severity: "problem",
        subject: `runs/${ids[0]}/predictions.parquet`,
        message: `3 of 6 forecast(s) of run ${ids[0]} are not in the partition of their origin (${part(0)})`,
        repair: `add them to ${part(0)}`,
      },
      {
        area: "history",
        severity: "problem",
        subject: `runs/${ids[4]}/predictions.parquet`,
        message: `6 of 6 forecast(s) of run ${ids[4]} are not in the partition of their origin (${part(4)})`,
        repair: `add them to ${part(4)}`,
      },
      {
        // The state's bounds run ahead of the files (a deleted partition): only its row count is wrong.
        area: "history",
        severity: "note",
        subject: STATE,
        message:
          "records 30 forecast(s), latest origin 2023-01-05T23:00Z, longest step 3 h; the partitions hold 21, latest origin 2023-01-04T23:00Z, longest step 3 h",
        repair: "rebuild it from the partitions",
      },
      {
        area: "history",
        severity: "note",
        subject: WINDOW,
        message:
          "the compacted window of the forecast history does not match the partitions: 1 origin(s) from 2023-01-04T23:00Z on differ or are missing (an interrupted run; the next run rewrites it)",
        repair: "rewrite it from the partitions (the last 2 day(s) of origins)",
      },
      {
        area: "monitoring",
        severity: "problem",
        subject: MONITORING,
        message: "monitoring's state is not a monitoring state (format energy-forecast/monitoring-state); every monitor fails on it",
        repair: "set it aside under damaged/ (the next monitor rescores every day from the forecast partitions)",
      },
    ]);
    expect(await repairStore(exam)).toEqual([
      { area: "history", action: "filled in", subject: part(0), detail: `added 3 forecast(s) of 1 run(s) (${ids[0]}); 6 row(s) now` },
      { area: "history", action: "rebuilt", subject: part(4), detail: `from runs/*/predictions.parquet of 1 run(s) (${ids[4]}): 6 forecast(s)` },
      { area: "history", action: "rebuilt", subject: STATE, detail: "from the partitions: 30 forecast(s), latest origin 2023-01-05T23:00Z, longest step 3 h" },
      { area: "history", action: "rebuilt", subject: WINDOW, detail: "from the partitions of the last 2 day(s) of origins: 12 forecast(s)" },
      {
        area: "monitoring",
        action: "set aside",
        subject: MONITORING,
        to: `damaged/${MONITORING}`,
        detail: "monitoring's state did not parse: the next monitor rescores every day from the forecast partitions",
      },
    ]);
    expect(await all()).toEqual(history);
    expect((await examineStore(storage, options)).report.findings).toEqual([FEATURES_NOTE]);
  });

  it("a corrupt compacted window is set aside and rewritten from the partitions; the history is unchanged, so monitoring's state stays", async () => {
    await storage.write(WINDOW, "corrupt");
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.area !== "features").map((f) => [f.severity, f.subject, f.repair])).toEqual([
      ["problem", WINDOW, "set it aside under damaged/ and rewrite it from the partitions (the last 2 day(s) of origins)"],
    ]);
    expect((await repairStore(exam)).map((a) => `${a.action} ${a.subject}${a.to ? ` -> ${a.to}` : ""}`)).toEqual([
      `set aside ${WINDOW} -> damaged/${WINDOW}`,
      `rebuilt ${WINDOW}`,
    ]);
    expect(readParquet(await storage.read(WINDOW), SCHEMA).numRows()).toBe(12);
    expect(await storage.exists(MONITORING)).toBe(true);
    expect((await examineStore(storage, options)).report.healthy).toBe(true);
  });
});
