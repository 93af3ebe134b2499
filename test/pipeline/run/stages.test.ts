/**
 * The staged run's records and refusals, in process on a local store seeded with hand-written
 * records (no data needed): the keys it writes, run ids it refuses, and what finish says while a
 * shard is missing, when shards disagree on N, and when the prepare record is missing. The whole
 * staged run, end to end and as separate processes, is in test/cli/run-stages.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, ExitCode } from "../../../src/pipeline/core/errors.js";
import { fixedClock, silentLogger } from "../../../src/pipeline/core/effects.js";
import type { StepContext } from "../../../src/pipeline/core/step.js";
import { RunStageError } from "../../../src/pipeline/run/errors.js";
import { checkRunId, checkSameAsOf, finishRun, predictShard, prepareRun, type PrepareRecord } from "../../../src/pipeline/run/stages.js";
import * as layout from "../../../src/pipeline/storage/layout.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";

const RUN = "run-20230101T000000Z-abc123";

describe("the staged run's keys", () => {
  it("are named in the layout, exactly", () => {
    expect({
      stages: layout.runStagesPrefix(RUN),
      prepare: layout.runPrepareKey(RUN),
      input: layout.runInputKey(RUN),
      shards: layout.runShardsPrefix(RUN),
      shard: layout.runShardKey(RUN, { index: 2, count: 16 }),
      shardPredictions: layout.runShardPredictionsKey(RUN, { index: 2, count: 16 }),
    }).toEqual({
      stages: "runs/run-20230101T000000Z-abc123/stages/",
      prepare: "runs/run-20230101T000000Z-abc123/stages/prepare.json",
      input: "runs/run-20230101T000000Z-abc123/stages/features.parquet",
      shards: "runs/run-20230101T000000Z-abc123/shards/",
      shard: "runs/run-20230101T000000Z-abc123/shards/shard-00002-of-00016.json",
      shardPredictions: "runs/run-20230101T000000Z-abc123/shards/shard-00002-of-00016.parquet",
    });
    expect(layout.RUN_SHARD_KEY.exec(layout.runShardKey(RUN, { index: 2, count: 16 }))?.slice(1)).toEqual([RUN, "00002", "00016"]);
    expect(layout.RUN_SHARD_KEY.test(layout.runShardPredictionsKey(RUN, { index: 2, count: 16 }))).toBe(false);
    // Nothing of a staged run's subfolders is a run folder's own file (doctor and the report read those).
    expect(layout.RUN_FILE_KEY.test(layout.runPrepareKey(RUN))).toBe(false);
    expect(layout.RUN_FILE_KEY.test(layout.runShardKey(RUN, { index: 0, count: 1 }))).toBe(false);
  });

  it("accept only run ids that are one safe key segment (exit 2 otherwise)", () => {
    for (const ok of [RUN, "gh-12345", "a", "run.2023-01-30_b", "x".repeat(128)]) expect(checkRunId(ok)).toBe(ok);
    for (const bad of ["a/b", "..", ".tmp-x", "-x", "", "a b", "x".repeat(129), "é", "$(RUN_ID)"]) {
      let error: unknown;
      try {
        checkRunId(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).exitCode).toBe(ExitCode.usage);
      expect((error as Error).message).toBe(
        `config: --run-id ${JSON.stringify(bad)} cannot name a run folder in the store; use 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. run-2023-01-30)`,
      );
    }
  });

  it("refuse another as-of than the run's, as a usage error", () => {
    expect(() => checkSameAsOf(RUN, "2023-01-30T00:00:00.000Z", undefined, "finish")).not.toThrow();
    expect(() => checkSameAsOf(RUN, "2023-01-30T00:00:00.000Z", Date.UTC(2023, 0, 30), "finish")).not.toThrow();
    let error: unknown;
    try {
      checkSameAsOf(RUN, "2023-01-30T00:00:00.000Z", Date.UTC(2023, 0, 29), "predict");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunStageError);
    expect((error as RunStageError).problem).toBe("as-of-mismatch");
    expect((error as RunStageError).exitCode).toBe(ExitCode.usage);
    expect((error as Error).message).toBe(
      `run: the predict stage got --as-of 2023-01-29T00:00Z, but run ${RUN} is for as-of 2023-01-30T00:00Z; give every stage of a run the same --as-of (or none after prepare), or use a new --run-id`,
    );
  });
});

describe("finish and predict refuse what they cannot complete", () => {
  let dir: string;
  let storage: Storage;
  const ctx = (runId: string): StepContext => ({
    storage,
    group: { name: "energy_consumption", version: 1 },
    runId,
    clock: fixedClock("2023-01-30T00:05:00Z"),
    logger: silentLogger,
  });
  const finish = (runId: string) => finishRun(ctx(runId), { alerts: { maxMape7d: 0.1, minCoverage80: 0.6 }, windowDays: 30 });
  const refusal = async (p: Promise<unknown>): Promise<RunStageError> => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(RunStageError);
      return e as RunStageError;
    }
    throw new Error("expected a refusal");
  };
  /** A prepare record as `run --stage prepare` writes it (the fields finish checks before reading any data). */
  const prepared = (runId: string): PrepareRecord => ({
    format: "energy-forecast/run-prepare",
    formatVersion: 1,
    runId,
    asOf: "2023-01-30T00:00:00.000Z",
    visibleUntil: "2023-01-15T00:00:00.000Z",
    startedAt: "2023-01-30T00:00:01.000Z",
    preparedAt: "2023-01-30T00:00:02.000Z",
    durationsMs: {},
    dataset: { name: "de35", keys: ["area", "consumer_type"], unit: "kWh" },
    ingest: { window: ["", ""], rows: 0, series: 0, added: 0, changed: 0, featureStoreCommit: 1 },
    validation: { success: true, evaluated: 0, key: layout.validationKey(runId) },
    train: { trained: false, reason: "policy: never", model: "gbm-blend", version: 1 },
    predict: {
      model: "gbm-blend",
      modelVersion: 1,
      horizon: 24,
      lookbackDays: 14,
      origin: "2023-01-14T22:00:00.000Z",
      keyColumns: [
        { name: "area", type: "int8" },
        { name: "consumer_type", type: "int32" },
      ],
      series: [],
      input: { key: layout.runInputKey(runId), rows: 0, sha256: "" },
      sharding: "fnv1a32(utf8(seriesId(key))) mod N",
    },
    codeVersion: "test",
  });
  const writePrepared = (runId: string) => storage.write(layout.runPrepareKey(runId), JSON.stringify(prepared(runId)));
  const writeShard = (runId: string, index: number, count: number) => storage.write(layout.runShardKey(runId, { index, count }), "{}");

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "stages-"));
    storage = createLocalStorage(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("without the prepare record: finish and predict name the command that writes it, and record no failure", async () => {
    const f = await refusal(finish("never-prepared"));
    expect(f.problem).toBe("prepare-missing");
    expect(f.exitCode).toBe(ExitCode.failure);
    expect(f.message).toBe(
      `run: the finish stage of run never-prepared needs its prepare record runs/never-prepared/stages/prepare.json, which is not in ${storage.uri}; run energy-forecast run --stage prepare --run-id never-prepared first (with the same --store and --run-id)`,
    );
    const p = await refusal(predictShard(ctx("never-prepared"), { shard: { index: 0, count: 2 } }));
    expect(p.problem).toBe("prepare-missing");
    expect(p.message).toContain("run: the predict stage of run never-prepared needs its prepare record");
    expect(await storage.list(layout.runPrefix("never-prepared"))).toEqual([]);
  });

  it("with no shard, or a shard missing: names them, exit 1, and records the failure", async () => {
    await writePrepared("r-missing");
    const none = await refusal(finish("r-missing"));
    expect(none.problem).toBe("shards-missing");
    expect(none.message).toBe(
      `run: run r-missing has no finished predict shard in ${storage.uri}; run energy-forecast run --stage predict --run-id r-missing --shard K/N for every K of 0..N-1 first, then finish again`,
    );
    await writeShard("r-missing", 0, 4);
    await writeShard("r-missing", 2, 4);
    const some = await refusal(finish("r-missing"));
    expect(some.problem).toBe("shards-missing");
    expect(some.exitCode).toBe(ExitCode.failure);
    expect(some.message).toBe(
      `run: run r-missing is missing predict shard(s) 1/4, 3/4 of 4 in ${storage.uri}; run energy-forecast run --stage predict --run-id r-missing --shard K/4 for each, then finish again`,
    );
    const failure = JSON.parse(new TextDecoder().decode(await storage.read(layout.runFailureKey("r-missing"))));
    expect(failure).toMatchObject({ format: "energy-forecast/run-failure", runId: "r-missing", asOf: "2023-01-30T00:00:00.000Z", step: "gather" });
    expect(failure.error).toContain("run: run r-missing is missing predict shard(s) 1/4, 3/4 of 4 in ");
  });

  it("when shards disagree on N: names every shard by its count", async () => {
    await writePrepared("r-counts");
    for (const [k, n] of [
      [0, 2],
      [1, 2],
      [0, 3],
    ])
      await writeShard("r-counts", k, n);
    const e = await refusal(finish("r-counts"));
    expect(e.problem).toBe("shard-count-mismatch");
    expect(e.message).toBe(
      "run: the predict shards of run r-counts disagree on the shard count: 0/2, 1/2 (N=2); 0/3 (N=3); every shard of a run must use the same N: delete the shard files of the count you abandoned under runs/r-counts/shards/ and finish again",
    );
  });

  it("when a shard's forecasts are not those its record names", async () => {
    await writePrepared("r-damaged");
    const record = {
      runId: "r-damaged",
      shard: { index: 0, count: 1 },
      model: "gbm-blend",
      modelVersion: 1,
      origin: "2023-01-14T22:00:00.000Z",
      predictions: { sha256: "0" },
    };
    await storage.write(layout.runShardKey("r-damaged", { index: 0, count: 1 }), JSON.stringify(record));
    await storage.write(layout.runShardPredictionsKey("r-damaged", { index: 0, count: 1 }), "not parquet");
    const e = await refusal(finish("r-damaged"));
    expect(e.problem).toBe("shard-mismatch");
    expect(e.message).toBe(
      "run: the forecasts of shard 0/1 of run r-damaged (runs/r-damaged/shards/shard-00000-of-00001.parquet) are not those its record names (SHA-256 differs); run energy-forecast run --stage predict --run-id r-damaged --shard 0/1 again, then finish again",
    );
    await storage.write(layout.runShardKey("r-damaged", { index: 0, count: 1 }), JSON.stringify({ ...record, modelVersion: 2 }));
    const model = await refusal(finish("r-damaged"));
    expect(model.message).toBe(
      "run: shard 0/1 of run r-damaged disagrees with the prepare record: its record says model gbm-blend v2 (prepared: gbm-blend v1); run energy-forecast run --stage predict --run-id r-damaged --shard 0/1 again, then finish again",
    );
  });

  it("prepare of a run id that is complete but was not run in stages is refused", async () => {
    await storage.write(layout.runManifestKey("r-done"), JSON.stringify({ runId: "r-done", asOf: "2023-01-30T00:00:00.000Z" }));
    const e = await refusal(
      // The options are never reached: the refusal comes first.
      prepareRun(ctx("r-done"), {} as Parameters<typeof prepareRun>[1]),
    );
    expect(e.problem).toBe("staged-run");
    expect(e.message).toBe(
      `run: run r-done is complete in ${storage.uri} and was not run in stages (it has a manifest but no prepare record); use a new --run-id for a staged run`,
    );
  });
});
