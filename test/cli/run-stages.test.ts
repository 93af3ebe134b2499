/**
 * A tick in stages, as separate CLI processes against one local store (README "Sharded runs"):
 * prepare, N predict shards at once (taking no lock), finish. Their outputs equal, byte for byte,
 * those of one `run` on an identical store; `run --workers N` does the same with local worker
 * processes; every stage run again does nothing new; and what cannot complete is refused by name.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/pipeline/core/effects.js";
import { acquireLock } from "../../src/pipeline/lock/lock.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import { predictionsSchema } from "../../src/pipeline/predict/schema.js";
import { keyColumns } from "../../src/pipeline/dataset/spec.js";
import { loadPreset } from "../../src/pipeline/dataset/preset.js";
import type { RunManifest } from "../../src/pipeline/run/manifest.js";
import type { PrepareRecord } from "../../src/pipeline/run/stages.js";
import {
  forecastPartKey,
  modelAliasKey,
  modelArtifactKey,
  outputKeys,
  runFailureKey,
  runFileKey,
  runInputBucketKey,
  runInputKey,
  runManifestKey,
  runPrepareKey,
  runShardKey,
} from "../../src/pipeline/storage/layout.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { runCli, runCliInProcess, type CliResult } from "../support/cli.js";

/**
 * 64 of the embedded data's 76 series (both areas, 32 of the 38 consumer types): the fewest that
 * prepare still writes in 8 buckets by series hash (predict/buckets.ts: at least 8 series per
 * bucket), so the shards read only their own buckets as at full width, with less to predict.
 */
// prettier-ignore
const FILTER = {
  PriceArea: ["DK1", "DK2"],
  ConsumerType_DE35: [
    "111", "112", "119", "121", "122", "123", "130", "211", "212", "215", "220", "310", "320", "330", "340", "350",
    "360", "370", "381", "382", "390", "410", "421", "422", "431", "432", "433", "447", "450", "461", "462", "999",
  ],
};
const SERIES = 2 * FILTER.ConsumerType_DE35.length;
const ENV = { TRAIN_FOLDS: "2", FILTER: JSON.stringify(FILTER) };
const AS_OF = "2023-01-30T00:00";
const RUN = "run-2023-01-30-staged";
/** Every output a tick writes, which the staged run must write with the same bytes. */
const OUTPUTS = [
  outputKeys.predictions,
  outputKeys.X,
  outputKeys.y,
  runFileKey(RUN, outputKeys.predictions),
  runFileKey(RUN, outputKeys.X),
  runFileKey(RUN, outputKeys.y),
  forecastPartKey(Date.UTC(2023, 0, 14, 22)),
  outputKeys.history,
  outputKeys.metrics,
  outputKeys.yMonitoring,
];

let dir: string;
let base: string;
const store = (name: string): string => join(dir, name);
/** A copy of the base store (trained once, one tick done), so every variant starts from the same bytes and model. */
const copyOfBase = (name: string): string => {
  cpSync(base, store(name), { recursive: true });
  return store(name);
};
const cli = (s: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(["--store", s, ...args], { ...ENV, ...env });
const ok = (r: CliResult, what: string): CliResult => {
  expect(r.code, `${what}: ${r.stderr}`).toBe(0);
  return r;
};
const bytes = (s: string, key: string): Buffer => readFileSync(join(s, ...key.split("/")));
const manifest = (s: string, runId = RUN): RunManifest => JSON.parse(bytes(s, runManifestKey(runId)).toString("utf8")) as RunManifest;
/** Every file of a store with its bytes (locks aside: a lock exists only while a command runs). */
function snapshot(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(s, p)] = readFileSync(p).toString("base64");
    }
  };
  walk(s);
  for (const k of Object.keys(out)) if (k.startsWith("locks")) delete out[k];
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-run-stages-"));
  base = store("base");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("run in stages", () => {
  beforeAll(async () => {
    // One tick that trains the model every variant then predicts with (--train never below); on a
    // sample of 8 series (TRAIN_MAX_SERIES), as the subject here is what the stages do with a model.
    ok(await cli(base, ["run", "--as-of", "2023-01-29T00:00", "--run-id", "base-tick"], { TRAIN_MAX_SERIES: "8" }), "base tick");
  }, 240_000);

  it("sharded predictions equal one process bit for bit", async () => {
    const one = copyOfBase("one");
    const n1 = copyOfBase("n1");
    const n3 = copyOfBase("n3");
    const staged = ["--run-id", RUN];
    const tick = ["--as-of", AS_OF, "--train", "never"];

    const oneProcess = async () => ok(await cli(one, ["run", ...tick, ...staged]), "one process");
    const singleShard = async () => {
      ok(await cli(n1, ["run", "--stage", "prepare", ...tick, ...staged]), "prepare (N=1)");
      // Production moves on between prepare and the shards (another training): the shards keep
      // the version prepare pinned, v1.
      writeFileSync(join(n1, ...modelAliasKey("gbm-blend", "production").split("/")), JSON.stringify({ alias: "production", version: 99 }));
      ok(await cli(n1, ["run", "--stage", "predict", "--shard", "0/1", ...staged]), "shard 0/1");
      ok(await cli(n1, ["run", "--stage", "finish", ...staged]), "finish (N=1)");
    };
    const threeShards = async () => {
      const prepared = ok(await cli(n3, ["run", "--stage", "prepare", ...tick, ...staged]), "prepare (N=3)");
      expect(prepared.stdout).toContain(`prepared run ${RUN} as of 2023-01-30T00:00Z (data before 2023-01-15T00:00Z)\n`);
      expect(prepared.stdout).toContain(
        `  predict   ${SERIES} series x 24 h from 2023-01-14T22:00Z with gbm-blend v1, window runs/run-2023-01-30-staged/stages/features.parquet\n`,
      );
      // The window is pinned whole and in buckets by series hash, all named by the record (the
      // shards of N=3 read every bucket of 8 and skip the other series; --workers 2 below reads
      // only its own buckets).
      const pinned = (JSON.parse(bytes(n3, runPrepareKey(RUN)).toString("utf8")) as PrepareRecord).predict;
      expect([pinned.gridStart, pinned.origin]).toEqual(["2022-12-21T16:00:00.000Z", "2023-01-14T22:00:00.000Z"]);
      expect(pinned.input.buckets?.count).toBe(8);
      const parts = pinned.input.buckets?.parts ?? [];
      expect(parts.reduce((n, part) => n + part.rows, 0)).toBe(pinned.input.rows);
      for (const part of parts) expect(part.key).toBe(runInputBucketKey(RUN, part.bucket, 8));
      // A one-process run may not take over a run that is being run in stages.
      const taken = await cli(n3, ["run", ...tick, ...staged]);
      expect([taken.code, taken.stderr]).toEqual([
        1,
        `run: run ${RUN} is being run in stages (runs/${RUN}/stages/prepare.json exists); continue it with --stage predict and --stage finish, or use a new --run-id\n`,
      ]);
      // Another command holds the store's lock: the shards run anyway (they take no lock), at the
      // same time, one of them told its shard by Cloud Run's task variables.
      const lock = await acquireLock(createLocalStorage(n3), { owner: "another-command", ttlMs: 600_000, clock: systemClock });
      try {
        const [s0, s2] = await Promise.all([
          cli(n3, ["run", "--stage", "predict", "--shard", "0/3", ...staged]),
          cli(n3, ["run", "--stage", "predict", ...staged], { CLOUD_RUN_TASK_INDEX: "2", CLOUD_RUN_TASK_COUNT: "3" }),
        ]);
        ok(s0, "shard 0/3");
        ok(s2, "shard 2/3");
        expect(s2.stdout).toMatch(
          /^shard 2\/3 of run run-2023-01-30-staged: \d+ series x 24 h from 2023-01-14T22:00Z with gbm-blend v1 -> runs\/run-2023-01-30-staged\/shards\/shard-00002-of-00003\.parquet\n$/,
        );
        // finish takes the store's lock: it is busy.
        const busy = await cli(n3, ["run", "--stage", "finish", ...staged], { LOCK_WAIT_SECONDS: "0" });
        expect(busy.code).toBe(5);
        expect(busy.stderr).toMatch(/^lock: the store file:\/\/.* is locked by another-command/);
      } finally {
        await lock.release();
      }
      // A shard run again does nothing new.
      const record = bytes(n3, runShardKey(RUN, { index: 0, count: 3 }));
      const again = ok(await cli(n3, ["run", "--stage", "predict", "--shard", "0/3", ...staged]), "shard 0/3 again");
      expect(again.stdout).toContain("(done before; nothing new)");
      expect(bytes(n3, runShardKey(RUN, { index: 0, count: 3 }))).toEqual(record);
      // Shard 1/3 has not run: finish refuses, naming it.
      const missing = await cli(n3, ["run", "--stage", "finish", ...staged]);
      expect([missing.code, missing.stderr]).toEqual([
        1,
        `run: run ${RUN} is missing predict shard(s) 1/3 of 3 in ${pathToFileURL(n3).href}; run energy-forecast run --stage predict --run-id ${RUN} --shard K/3 for each, then finish again\n`,
      ]);
      expect(existsSync(join(n3, ...runManifestKey(RUN).split("/")))).toBe(false);
      ok(await cli(n3, ["run", "--stage", "predict", "--shard", "1/3", ...staged]), "shard 1/3");
      const finished = ok(await cli(n3, ["run", "--stage", "finish", ...staged]), "finish (N=3)");
      expect(finished.stdout).toContain(`run ${RUN} as of 2023-01-30T00:00Z (data before 2023-01-15T00:00Z), 3 shard(s)\n`);
    };
    await Promise.all([oneProcess(), singleShard(), threeShards()]);

    for (const key of OUTPUTS) {
      expect(bytes(n1, key).equals(bytes(one, key)), `${key}: 1 shard vs one process`).toBe(true);
      expect(bytes(n3, key).equals(bytes(one, key)), `${key}: 3 shards vs one process`).toBe(true);
    }
    const predictions = readParquet(bytes(n3, outputKeys.predictions), predictionsSchema(keyColumns(loadPreset("de35"))));
    expect(predictions.numRows()).toBe(SERIES * 24);
    expect(new Set(predictions.array("run_id") as string[])).toEqual(new Set([RUN]));
    // The manifests agree on everything but timings, the store's name, and the stages.
    const same = (m: RunManifest) => ({ ...m, startedAt: "", finishedAt: "", durationsMs: {}, store: "", stages: undefined });
    expect(same(manifest(n1))).toEqual(same(manifest(one)));
    expect(same(manifest(n3))).toEqual(same(manifest(one)));
    expect([manifest(one).stages, manifest(n1).stages, manifest(n3).stages]).toEqual([undefined, { shards: 1 }, { shards: 3 }]);
  }, 300_000);

  it("does nothing new when a stage runs again", async () => {
    const n3 = store("n3");
    const before = snapshot(n3);
    const printed = ok(await cli(n3, ["run", "--stage", "finish", "--run-id", RUN]), "finish again");
    const [prepare, shard] = await Promise.all([
      cli(n3, ["run", "--stage", "prepare", "--run-id", RUN, "--as-of", AS_OF]),
      cli(n3, ["run", "--stage", "predict", "--run-id", RUN, "--shard", "1/3"]),
    ]);
    expect(ok(prepare, "prepare again").stdout).toContain("(done before; nothing new)");
    expect(ok(shard, "shard again").stdout).toContain("(the run is complete; nothing to do)");
    const oneAgain = ok(await cli(store("one"), ["run", "--as-of", AS_OF, "--run-id", RUN]), "one process again");
    expect(printed.stdout).toContain(`run ${RUN} as of 2023-01-30T00:00Z`);
    expect(oneAgain.stdout).toContain(`run ${RUN} as of 2023-01-30T00:00Z`);
    expect(snapshot(n3)).toEqual(before);
    // The same run id with another as-of is refused (exit 2).
    const other = await cli(n3, ["run", "--stage", "finish", "--run-id", RUN, "--as-of", "2023-01-31T00:00"]);
    expect([other.code, other.stderr]).toEqual([
      2,
      `run: the finish stage got --as-of 2023-01-31T00:00Z, but run ${RUN} is for as-of 2023-01-30T00:00Z; give every stage of a run the same --as-of (or none after prepare), or use a new --run-id\n`,
    ]);
  }, 600_000);

  it("--workers N runs the predict stage as N local processes: the same bytes as one process", async () => {
    const w = copyOfBase("workers");
    const r = ok(await cli(w, ["run", "--as-of", AS_OF, "--train", "never", "--run-id", RUN, "--workers", "2"]), "--workers 2");
    expect(r.stdout).toContain(`run ${RUN} as of 2023-01-30T00:00Z (data before 2023-01-15T00:00Z), 2 shard(s)\n`);
    for (const key of OUTPUTS) expect(bytes(w, key).equals(bytes(store("one"), key)), key).toBe(true);
    expect(existsSync(join(w, ...runShardKey(RUN, { index: 1, count: 2 }).split("/")))).toBe(true);
  }, 600_000);

  it("a failing worker fails the run with its exit code, naming its shard and the end of its stderr", async () => {
    const w = copyOfBase("failing-workers");
    writeFileSync(join(w, ...modelArtifactKey("gbm-blend", 1).split("/")), "{");
    const r = await cli(w, ["run", "--as-of", AS_OF, "--train", "never", "--run-id", "w-fails", "--workers", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      [
        "run: the predict worker of shard 0/2 of run w-fails exited with code 1 (1 more worker(s) failed too: 1/2); its stderr ends:",
        "  registry: models/gbm-blend/v1/model.json is corrupt (not valid JSON, 1 bytes); re-register the model with energy-forecast train",
      ].join("\n"),
    );
    expect(r.stderr).toMatch(/fix the cause and run again with the same --run-id \(finished shards are kept\)\n$/);
    // The workers' own lines reach stderr too, each with its shard.
    expect(r.stderr).toContain("[shard 1/2] registry: models/gbm-blend/v1/model.json is corrupt");
    expect(JSON.parse(bytes(w, runFailureKey("w-fails")).toString("utf8"))).toMatchObject({ runId: "w-fails", step: "predict" });
    expect(existsSync(join(w, ...runManifestKey("w-fails").split("/")))).toBe(false);
  }, 600_000);

  it("a shard whose prepared bucket or window is missing or altered is refused by name (exit 1), and succeeds once it is back", async () => {
    const s = copyOfBase("damaged-input");
    ok(await cli(s, ["run", "--stage", "prepare", "--run-id", "damaged", "--as-of", AS_OF, "--train", "never"]), "prepare");
    const prepared = JSON.parse(bytes(s, runPrepareKey("damaged")).toString("utf8")) as PrepareRecord;
    expect(prepared.predict.input.buckets?.count).toBe(8);
    const file = (key: string) => join(s, ...key.split("/"));
    const bucket0 = runInputBucketKey("damaged", 0, 8);
    const bucket1 = runInputBucketKey("damaged", 1, 8);
    const kept = bytes(s, bucket0);
    rmSync(file(bucket0));
    writeFileSync(file(bucket1), Buffer.concat([bytes(s, bucket1), Buffer.from([0])]));
    writeFileSync(file(runInputKey("damaged")), "not parquet");
    const [missing, altered, whole] = await Promise.all([
      cli(s, ["run", "--stage", "predict", "--run-id", "damaged", "--shard", "0/8"]),
      cli(s, ["run", "--stage", "predict", "--run-id", "damaged", "--shard", "1/8"]),
      cli(s, ["run", "--stage", "predict", "--run-id", "damaged", "--shard", "0/1"]),
    ]);
    const uri = pathToFileURL(s).href;
    const fix = "prepare the run again under a new --run-id\n";
    expect([missing.code, missing.stderr]).toEqual([1, `run: the prepared feature window's bucket ${bucket0} of run damaged is missing in ${uri}; ${fix}`]);
    expect([altered.code, altered.stderr]).toEqual([
      1,
      `run: the prepared feature window's bucket ${bucket1} of run damaged is not the file its prepare record names (SHA-256 differs) in ${uri}; ${fix}`,
    ]);
    expect([whole.code, whole.stderr]).toEqual([
      1,
      `run: the prepared feature window ${runInputKey("damaged")} of run damaged is not the file its prepare record names (SHA-256 differs) in ${uri}; ${fix}`,
    ]);
    for (const k of [0, 1]) expect(existsSync(file(runShardKey("damaged", { index: k, count: 8 }))), `shard ${k}/8`).toBe(false);
    // The bucket restored, its shard completes: nothing was left half-written.
    writeFileSync(file(bucket0), kept);
    ok(await cli(s, ["run", "--stage", "predict", "--run-id", "damaged", "--shard", "0/8"]), "shard 0/8 with its bucket back");
  }, 300_000);

  it("a later stage without the prepare record is refused by name (exit 1)", async () => {
    const s = store("one");
    const [finish, shard] = await Promise.all([
      cli(s, ["run", "--stage", "finish", "--run-id", "never-prepared"]),
      cli(s, ["run", "--stage", "predict", "--run-id", "never-prepared", "--shard", "0/2"]),
    ]);
    const message = (stage: string) =>
      `run: the ${stage} stage of run never-prepared needs its prepare record runs/never-prepared/stages/prepare.json, which is not in ${pathToFileURL(s).href}; run energy-forecast run --stage prepare --run-id never-prepared first (with the same --store and --run-id)\n`;
    expect([finish.code, finish.stderr]).toEqual([1, message("finish")]);
    expect([shard.code, shard.stderr]).toEqual([1, message("predict")]);
  }, 180_000);
});

describe("run's stage flags", () => {
  // In-process (the flags are checked before anything else happens): exit 2 and the exact message.
  it("refuse bad combinations and values with exit 2, before touching the store", async () => {
    const s = store("untouched");
    const cases: Array<[string[], string, Record<string, string>?]> = [
      [
        ["--stage", "predict", "--run-id", "r1"],
        "config: --stage predict needs --shard K/N (shard K of N, K from 0), or CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT as Cloud Run sets them for each task",
      ],
      [
        ["--stage", "predict", "--run-id", "r1", "--shard", "3/3"],
        `config: --shard must be K/N with N shards (1..10000) and K the shard's index counted from 0 (0..N-1), e.g. 0/4, got "3/3"`,
      ],
      [
        ["--stage", "predict", "--run-id", "r1"],
        "config: CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT come together (Cloud Run sets both), found only CLOUD_RUN_TASK_INDEX; pass --shard K/N instead",
        { CLOUD_RUN_TASK_INDEX: "1" },
      ],
      [
        ["--stage", "finish", "--run-id", "a/b"],
        'config: --run-id "a/b" cannot name a run folder in the store; use 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. run-2023-01-30)',
      ],
      [
        ["--run-id", "../x"],
        'config: --run-id "../x" cannot name a run folder in the store; use 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. run-2023-01-30)',
      ],
      [["--stage", "prepare"], "config: --stage prepare needs --run-id <id>: the same id for every stage of the run (e.g. --run-id run-2023-01-30)"],
      [["--stage", "gather", "--run-id", "r1"], 'config: --stage must be prepare, predict, finish, got "gather"'],
      [["--stage", "finish", "--run-id", "r1", "--shard", "0/2"], "config: --shard 0/2 is for --stage predict only, not --stage finish"],
      [["--shard", "0/2"], "config: --shard 0/2 is for --stage predict only; add --stage predict --run-id <id>"],
      [
        ["--stage", "finish", "--run-id", "r1", "--workers", "2"],
        "config: --workers runs every stage (the predict stage as local worker processes); leave out --stage finish, or --workers",
      ],
      [["--workers", "0"], 'config: --workers must be a whole number of local worker processes from 1 to 64, got "0"'],
    ];
    for (const [args, message, env] of cases) {
      const r = await runCliInProcess(["--store", s, "run", ...args], env);
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args, code: 2, stderr: message + "\n", stdout: "" });
    }
    expect(existsSync(s)).toBe(false);
  });
});
