import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { examineStore, repairStore } from "../../../src/pipeline/doctor/doctor.js";
import { readParquet } from "../../../src/pipeline/parquet/read.js";
import { readTableIfExists, writeTable } from "../../../src/pipeline/predict/outputs.js";
import { predictionsSchema } from "../../../src/pipeline/predict/schema.js";
import { outputKeys } from "../../../src/pipeline/storage/layout.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { DAY0, forecasts, fourRuns, GROUP, H, KEYS, NOW, threeDays } from "./fixtures.js";

const HISTORY = "predictions_monitoring.parquet";
const SCHEMA = predictionsSchema(KEYS);
const options = { now: NOW, runId: "doctor-20230201T000000Z-000000", group: GROUP };

// A store not yet partitioned (a single-file history, no forecasts/state.json): examined and
// repaired the old way; its next run migrates it (forecasts.test.ts covers a partitioned store).
describe("doctor: a single-file forecast history (store not yet partitioned) against the run folders", () => {
  let dir: string;
  let storage: Storage;
  let ids: string[];
  let expected: object[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "doctor-history-"));
    storage = createLocalStorage(dir);
    await threeDays(storage);
    ids = await fourRuns(storage);
    // A run that failed after writing its folder's forecasts: not part of the record.
    await writeTable(storage, `runs/run-20230204T000000Z-eeeeee/predictions.parquet`, forecasts("run-20230204T000000Z-eeeeee", DAY0 + 130 * H, 3, 900), SCHEMA);
    await storage.write("runs/run-20230204T000000Z-eeeeee/failure.json", JSON.stringify({ format: "energy-forecast/run-failure", step: "write" }));
    expected = readParquet(await storage.read(HISTORY), SCHEMA).objects();
    // Written before the history was partitioned: only predictions_monitoring.parquet holds the history.
    for (const key of await storage.list("forecasts/")) await storage.delete(key);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("finds a healthy store healthy", async () => {
    const { report } = await examineStore(storage, options);
    expect(expected).toHaveLength(18); // 3 origins x 2 series x 3 hours: the rerun replaced its origin's forecasts
    expect(report.findings).toEqual([
      {
        area: "features",
        severity: "note",
        subject: "features/energy_consumption/v1/data/",
        message:
          "1 partition file(s) not referenced by the manifest (superseded or from an unfinished upsert): a later upsert deletes them once their grace period is over",
      },
    ]);
    expect(report).toMatchObject({ healthy: true, problems: 0, checked: { featureGroups: 1, partitions: 3, runFolders: 5, historyRows: 18 } });
  });

  it("a corrupt history blocks runs with a message naming the repair, which rebuilds it from the run folders with exactly their rows", async () => {
    const garbage = new TextEncoder().encode("PAR1 this is not a parquet file PAR1");
    await storage.write(HISTORY, garbage);
    const message = `predict: the forecast history ${HISTORY} in ${storage.uri} cannot be read; run energy-forecast doctor --repair to set it aside under damaged/ and rebuild it from runs/*/predictions.parquet`;
    await expect(readTableIfExists(storage, outputKeys.history, SCHEMA)).rejects.toThrow(message);
    // Runs no longer read it (it is the compacted window, rewritten from the partitions each tick).

    const exam = await examineStore(storage, options);
    expect(exam.report.healthy).toBe(false);
    expect(exam.report.findings.filter((f) => f.area !== "features")).toEqual([
      {
        area: "history",
        severity: "problem",
        subject: HISTORY,
        message: expect.stringMatching(
          /^the forecast history does not decode \(parquet: cannot decode predictions_monitoring\.parquet \(36 bytes\): .*\); every run and monitor fails on it$/,
        ),
        repair: "set it aside under damaged/ and rebuild it from the 4 run folder(s) (runs/*/predictions.parquet)",
      },
    ]);
    const actions = await repairStore(exam);
    expect(actions).toEqual([
      { area: "history", action: "set aside", subject: HISTORY, to: `damaged/${HISTORY}`, detail: "the forecast history did not decode" },
      { area: "history", action: "rebuilt", subject: HISTORY, detail: "from runs/*/predictions.parquet of 4 run(s): 18 forecast(s)" },
    ]);
    expect(await storage.read(`damaged/${HISTORY}`)).toEqual(garbage);
    expect(readParquet(await storage.read(HISTORY), SCHEMA).objects()).toEqual(expected);
    expect((await examineStore(storage, options)).report.healthy).toBe(true);
  });

  it("adds the forecasts of runs the history lacks, keeping every row it has", async () => {
    const history = readParquet(await storage.read(HISTORY), SCHEMA);
    const gone = forecasts("run-without-folder", DAY0 + 10 * H, 1, 7);
    const lacking = history
      .params({ drop: [ids[0], ids[3]] })
      .filter("(d, $) => !op.includes($.drop, d.run_id)")
      .concat(gone);
    await writeTable(storage, HISTORY, lacking, SCHEMA);
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.area !== "features")).toEqual([
      {
        area: "history",
        severity: "problem",
        subject: `runs/${ids[0]}/predictions.parquet`,
        message: `6 of 6 forecast(s) of run ${ids[0]} are not in the forecast history`,
        repair: "add them to the history",
      },
      {
        area: "history",
        severity: "warning",
        subject: `runs/${ids[3]}/predictions.parquet`,
        message: `6 of 6 forecast(s) of run ${ids[3]} are not in the forecast history (a run without manifest: a predict command, or a run that was interrupted or is still running)`,
        repair: "add them to the history",
      },
      {
        area: "history",
        severity: "note",
        subject: HISTORY,
        message: "2 forecast(s) of the history come from runs that have no run folder (deleted?); a rebuild from the run folders would not have them",
      },
    ]);
    expect(await repairStore(exam)).toEqual([
      { area: "history", action: "filled in", subject: HISTORY, detail: `added 12 forecast(s) of 2 run(s) (${ids[0]}, ${ids[3]}); 20 row(s) now` },
    ]);
    const repaired = readParquet(await storage.read(HISTORY), SCHEMA);
    expect(repaired.filter((d) => d!.run_id !== "run-without-folder").objects()).toEqual(expected);
    expect(repaired.numRows()).toBe(20);
    expect((await examineStore(storage, options)).report.problems).toBe(0);
  });

  it("rebuilds a missing history when run folders hold forecasts", async () => {
    await storage.delete(HISTORY);
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.area !== "features")).toEqual([
      {
        area: "history",
        severity: "problem",
        subject: HISTORY,
        message: "there is no forecast history, but 4 run folder(s) hold 24 forecast(s)",
        repair: "rebuild it from the 4 run folder(s)",
      },
    ]);
    await repairStore(exam);
    expect(readParquet(await storage.read(HISTORY), SCHEMA).objects()).toEqual(expected);
  });

  it("sets aside a corrupt run file (nothing can rebuild it) and restores a corrupt latest output from the latest run folder", async () => {
    await storage.write(`runs/${ids[1]}/X.parquet`, "corrupt");
    await storage.write("predictions.parquet", "corrupt");
    await storage.write("metrics_monitoring.parquet", "corrupt");
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.area !== "features").map((f) => [f.severity, f.area, f.subject, f.repair])).toEqual([
      ["problem", "outputs", "predictions.parquet", `replace it with the latest run's copy runs/${ids[3]}/predictions.parquet`],
      ["problem", "outputs", "metrics_monitoring.parquet", "set it aside under damaged/ (the next run's monitoring writes it again)"],
      ["problem", "runs", `runs/${ids[1]}/X.parquet`, "set it aside under damaged/ (a run folder cannot be rebuilt)"],
    ]);
    const actions = await repairStore(exam);
    expect(actions.map((a) => `${a.action} ${a.subject}${a.to ? ` -> ${a.to}` : ""}`)).toEqual([
      `set aside runs/${ids[1]}/X.parquet -> damaged/runs/${ids[1]}/X.parquet`,
      "set aside predictions.parquet -> damaged/predictions.parquet",
      `restored predictions.parquet`,
      "set aside metrics_monitoring.parquet -> damaged/metrics_monitoring.parquet",
    ]);
    expect(await storage.read("predictions.parquet")).toEqual(await storage.read(`runs/${ids[3]}/predictions.parquet`));
    expect((await examineStore(storage, options)).report.healthy).toBe(true);
  });
});
