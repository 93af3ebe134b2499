/**
 * The store's layout: every key function's output for sample arguments, as exact strings (a store
 * written by one version is read by the next, so none of them may change), and a scan of the
 * sources that keeps storage/layout.ts the only place that spells a key.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../src/pipeline/config/paths.js";
import * as layout from "../../../src/pipeline/storage/layout.js";
import { checkKey, checkPrefix } from "../../../src/pipeline/storage/keys.js";

const RUN = "run-20230101T000000Z-abc123";

/** Every key and prefix the layout names, by the call that names it. */
const GOLDEN: Array<[string, string]> = [
  // Outputs.
  ["outputKeys.X", layout.outputKeys.X],
  ["outputKeys.y", layout.outputKeys.y],
  ["outputKeys.predictions", layout.outputKeys.predictions],
  ["outputKeys.history", layout.outputKeys.history],
  ["outputKeys.metrics", layout.outputKeys.metrics],
  ["outputKeys.yMonitoring", layout.outputKeys.yMonitoring],
  ['outputKeys.metricsBy("series")', layout.outputKeys.metricsBy("series")],
  ['outputKeys.metricsBy("step")', layout.outputKeys.metricsBy("step")],
  ['outputKeys.metricsBy("model")', layout.outputKeys.metricsBy("model")],
  ['outputKeys.metricsBy("origin")', layout.outputKeys.metricsBy("origin")],
  ['outputKeys.metricsBy("series_day")', layout.outputKeys.metricsBy("series_day")],
  ["outputKeys.metricsVsNaive", layout.outputKeys.metricsVsNaive],
  // Runs.
  ["RUNS_PREFIX", layout.RUNS_PREFIX],
  ["runFiles.manifest", layout.runFiles.manifest],
  ["runFiles.failure", layout.runFiles.failure],
  ["runPrefix(RUN)", layout.runPrefix(RUN)],
  ["runFileKey(RUN, outputKeys.predictions)", layout.runFileKey(RUN, layout.outputKeys.predictions)],
  ["runFileKey(RUN, outputKeys.X)", layout.runFileKey(RUN, layout.outputKeys.X)],
  ["runManifestKey(RUN)", layout.runManifestKey(RUN)],
  ["runFailureKey(RUN)", layout.runFailureKey(RUN)],
  // Staged runs.
  ["runStagesPrefix(RUN)", layout.runStagesPrefix(RUN)],
  ["runPrepareKey(RUN)", layout.runPrepareKey(RUN)],
  ["runInputKey(RUN)", layout.runInputKey(RUN)],
  ["runInputBucketKey(RUN, 12, 240)", layout.runInputBucketKey(RUN, 12, 240)],
  ["runShardsPrefix(RUN)", layout.runShardsPrefix(RUN)],
  ["runShardKey(RUN, { index: 2, count: 8 })", layout.runShardKey(RUN, { index: 2, count: 8 })],
  ["runShardPredictionsKey(RUN, { index: 2, count: 8 })", layout.runShardPredictionsKey(RUN, { index: 2, count: 8 })],
  // Validation and quarantine.
  ["VALIDATION_PREFIX", layout.VALIDATION_PREFIX],
  ["validationKey(RUN)", layout.validationKey(RUN)],
  ["QUARANTINE_PREFIX", layout.QUARANTINE_PREFIX],
  ["quarantinePrefix(RUN)", layout.quarantinePrefix(RUN)],
  ["quarantineExtractKey(RUN)", layout.quarantineExtractKey(RUN)],
  ["quarantineInfoKey(RUN)", layout.quarantineInfoKey(RUN)],
  // Models and experiments.
  ["MODELS_PREFIX", layout.MODELS_PREFIX],
  ['modelVersionsPrefix("gbm-global")', layout.modelVersionsPrefix("gbm-global")],
  ['modelVersionPrefix("gbm-global", 3)', layout.modelVersionPrefix("gbm-global", 3)],
  ['modelArtifactKey("gbm-global", 3)', layout.modelArtifactKey("gbm-global", 3)],
  ['modelMetadataKey("gbm-global", 3)', layout.modelMetadataKey("gbm-global", 3)],
  ['modelAliasesPrefix("gbm-global")', layout.modelAliasesPrefix("gbm-global")],
  ['modelAliasKey("gbm-global", "production")', layout.modelAliasKey("gbm-global", "production")],
  ["EXPERIMENTS_PREFIX", layout.EXPERIMENTS_PREFIX],
  ["experimentPrefix(RUN)", layout.experimentPrefix(RUN)],
  ["experimentTrialKey(RUN, 7)", layout.experimentTrialKey(RUN, 7)],
  ["experimentTrialKey(RUN, 1234)", layout.experimentTrialKey(RUN, 1234)],
  // Locks.
  ["LOCKS_PREFIX", layout.LOCKS_PREFIX],
  ['lockKey("run")', layout.lockKey("run")],
  ['claimPrefix("run")', layout.claimPrefix("run")],
  ['claimTokenPrefix("run", "t0k3n")', layout.claimTokenPrefix("run", "t0k3n")],
  ['claimKey("run", "t0k3n", 2)', layout.claimKey("run", "t0k3n", 2)],
  // Damaged copies.
  ["DAMAGED_PREFIX", layout.DAMAGED_PREFIX],
  ['damagedKey("predictions_monitoring.parquet")', layout.damagedKey("predictions_monitoring.parquet")],
  ['damagedKey("predictions_monitoring.parquet", 2)', layout.damagedKey("predictions_monitoring.parquet", 2)],
  ['damagedKey("runs/r.1/manifest", 3)', layout.damagedKey("runs/r.1/manifest", 3)],
  // Features.
  ["FEATURES_PREFIX", layout.FEATURES_PREFIX],
  ['featureGroupPrefix({ name: "energy_consumption", version: 1 })', layout.featureGroupPrefix({ name: "energy_consumption", version: 1 })],
  ["featureManifestKey(group)", layout.featureManifestKey("features/energy_consumption/v1/")],
  ["featureDataPrefix(group)", layout.featureDataPrefix("features/energy_consumption/v1/")],
  ['featureDayPrefix(group, "2023-01-02")', layout.featureDayPrefix("features/energy_consumption/v1/", "2023-01-02")],
  ['featurePartKey(group, "2023-01-02", 42)', layout.featurePartKey("features/energy_consumption/v1/", "2023-01-02", 42)],
];

const EXPECTED: Record<string, string> = {
  "outputKeys.X": "X.parquet",
  "outputKeys.y": "y.parquet",
  "outputKeys.predictions": "predictions.parquet",
  "outputKeys.history": "predictions_monitoring.parquet",
  "outputKeys.metrics": "metrics_monitoring.parquet",
  "outputKeys.yMonitoring": "y_monitoring.parquet",
  'outputKeys.metricsBy("series")': "metrics_monitoring_by_series.parquet",
  'outputKeys.metricsBy("step")': "metrics_monitoring_by_step.parquet",
  'outputKeys.metricsBy("model")': "metrics_monitoring_by_model.parquet",
  'outputKeys.metricsBy("origin")': "metrics_monitoring_by_origin.parquet",
  'outputKeys.metricsBy("series_day")': "metrics_monitoring_by_series_day.parquet",
  "outputKeys.metricsVsNaive": "metrics_monitoring_vs_naive.parquet",
  RUNS_PREFIX: "runs/",
  "runFiles.manifest": "manifest.json",
  "runFiles.failure": "failure.json",
  "runPrefix(RUN)": "runs/run-20230101T000000Z-abc123/",
  "runFileKey(RUN, outputKeys.predictions)": "runs/run-20230101T000000Z-abc123/predictions.parquet",
  "runFileKey(RUN, outputKeys.X)": "runs/run-20230101T000000Z-abc123/X.parquet",
  "runManifestKey(RUN)": "runs/run-20230101T000000Z-abc123/manifest.json",
  "runFailureKey(RUN)": "runs/run-20230101T000000Z-abc123/failure.json",
  "runStagesPrefix(RUN)": "runs/run-20230101T000000Z-abc123/stages/",
  "runPrepareKey(RUN)": "runs/run-20230101T000000Z-abc123/stages/prepare.json",
  "runInputKey(RUN)": "runs/run-20230101T000000Z-abc123/stages/features.parquet",
  "runInputBucketKey(RUN, 12, 240)": "runs/run-20230101T000000Z-abc123/stages/features/bucket-00012-of-00240.parquet",
  "runShardsPrefix(RUN)": "runs/run-20230101T000000Z-abc123/shards/",
  "runShardKey(RUN, { index: 2, count: 8 })": "runs/run-20230101T000000Z-abc123/shards/shard-00002-of-00008.json",
  "runShardPredictionsKey(RUN, { index: 2, count: 8 })": "runs/run-20230101T000000Z-abc123/shards/shard-00002-of-00008.parquet",
  VALIDATION_PREFIX: "validation/",
  "validationKey(RUN)": "validation/run-20230101T000000Z-abc123.json",
  QUARANTINE_PREFIX: "quarantine/",
  "quarantinePrefix(RUN)": "quarantine/run-20230101T000000Z-abc123/",
  "quarantineExtractKey(RUN)": "quarantine/run-20230101T000000Z-abc123/extract.parquet",
  "quarantineInfoKey(RUN)": "quarantine/run-20230101T000000Z-abc123/info.json",
  MODELS_PREFIX: "models/",
  'modelVersionsPrefix("gbm-global")': "models/gbm-global/v",
  'modelVersionPrefix("gbm-global", 3)': "models/gbm-global/v3/",
  'modelArtifactKey("gbm-global", 3)': "models/gbm-global/v3/model.json",
  'modelMetadataKey("gbm-global", 3)': "models/gbm-global/v3/metadata.json",
  'modelAliasesPrefix("gbm-global")': "models/gbm-global/aliases/",
  'modelAliasKey("gbm-global", "production")': "models/gbm-global/aliases/production.json",
  EXPERIMENTS_PREFIX: "experiments/",
  "experimentPrefix(RUN)": "experiments/run-20230101T000000Z-abc123/",
  "experimentTrialKey(RUN, 7)": "experiments/run-20230101T000000Z-abc123/trial-007.json",
  "experimentTrialKey(RUN, 1234)": "experiments/run-20230101T000000Z-abc123/trial-1234.json",
  LOCKS_PREFIX: "locks/",
  'lockKey("run")': "locks/run.json",
  'claimPrefix("run")': "locks/run.takeover/",
  'claimTokenPrefix("run", "t0k3n")': "locks/run.takeover/t0k3n-",
  'claimKey("run", "t0k3n", 2)': "locks/run.takeover/t0k3n-2.json",
  DAMAGED_PREFIX: "damaged/",
  'damagedKey("predictions_monitoring.parquet")': "damaged/predictions_monitoring.parquet",
  'damagedKey("predictions_monitoring.parquet", 2)': "damaged/predictions_monitoring.2.parquet",
  'damagedKey("runs/r.1/manifest", 3)': "damaged/runs/r.1/manifest.3",
  FEATURES_PREFIX: "features/",
  'featureGroupPrefix({ name: "energy_consumption", version: 1 })': "features/energy_consumption/v1/",
  "featureManifestKey(group)": "features/energy_consumption/v1/manifest.json",
  "featureDataPrefix(group)": "features/energy_consumption/v1/data/",
  'featureDayPrefix(group, "2023-01-02")': "features/energy_consumption/v1/data/date=2023-01-02/",
  'featurePartKey(group, "2023-01-02", 42)': "features/energy_consumption/v1/data/date=2023-01-02/part-000042.parquet",
};

/** The top-level prefixes of the store; a string literal starting with one is a key spelled outside the layout. */
const TOP_LEVEL = [
  layout.RUNS_PREFIX,
  layout.MODELS_PREFIX,
  layout.VALIDATION_PREFIX,
  layout.QUARANTINE_PREFIX,
  layout.LOCKS_PREFIX,
  layout.DAMAGED_PREFIX,
  layout.FEATURES_PREFIX,
  layout.EXPERIMENTS_PREFIX,
];

const LAYOUT_FILE = join("src", "pipeline", "storage", "layout.ts");
const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;
const SKIPPED_DIRS = new Set(["node_modules", ".observablehq", "dist", "build"]);

/** Every source file below `dir` (relative to the project root). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...sourceFiles(path));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(path);
    }
  }
  return out;
}

/** A regular expression's source that recognises keys below a top-level prefix, e.g. `^runs\/...`. */
function regexPrefix(source: string): string | undefined {
  const body = source
    .replace(/^\//, "")
    .replace(/^\^/, "")
    .replace(/^\(\?:/, "");
  return TOP_LEVEL.find((p) => body.startsWith(p.replace("/", "\\/")));
}

/**
 * `file:line: text` for every string literal (plain, template head or no-substitution template)
 * and regular expression literal in `text` that starts with a top-level prefix. Comments are not
 * tokens, so JSDoc never counts; module specifiers of imports and exports are skipped.
 */
function keyLiterals(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith("js") ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node, literal: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${file}:${line + 1}: ${literal}`);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) {
      if (TOP_LEVEL.some((p) => node.text.startsWith(p))) report(node, node.getText(source));
    } else if (ts.isRegularExpressionLiteral(node)) {
      if (regexPrefix(node.text) !== undefined) report(node, node.text);
    } else if (ts.isTemplateExpression(node)) {
      visit(node.head);
      node.templateSpans.forEach(visit);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("storage layout", () => {
  it("names every key and prefix exactly as stores on disk hold them", () => {
    expect(Object.fromEntries(GOLDEN)).toEqual(EXPECTED);
    expect(GOLDEN.length).toBe(Object.keys(EXPECTED).length);
  });

  it("names only valid keys and prefixes", () => {
    for (const [call, key] of GOLDEN) {
      expect(() => (/prefix/i.test(call) ? checkPrefix(key) : checkKey(key)), call).not.toThrow();
    }
  });

  it("recognises the keys it names, and nothing else", () => {
    expect(layout.RUN_MANIFEST_KEY.exec(layout.runManifestKey(RUN))?.[1]).toBe(RUN);
    expect(layout.RUN_MANIFEST_KEY.test(layout.runFailureKey(RUN))).toBe(false);
    expect(layout.RUN_MANIFEST_KEY.test(`runs/${RUN}/sub/manifest.json`)).toBe(false);
    expect(layout.RUN_FAILURE_KEY.exec(layout.runFailureKey(RUN))?.[1]).toBe(RUN);
    expect(layout.RUN_SHARD_KEY.exec(layout.runShardKey(RUN, { index: 2, count: 8 }))?.slice(1)).toEqual([RUN, "00002", "00008"]);
    expect(layout.RUN_SHARD_KEY.test(layout.runShardPredictionsKey(RUN, { index: 2, count: 8 }))).toBe(false);
    expect(layout.SAFE_RUN_ID.test(RUN)).toBe(true);
    expect(["", ".", "..", "-x", "a/b", "a b", "x".repeat(129)].filter((id) => layout.SAFE_RUN_ID.test(id))).toEqual([]);
    expect(layout.RUN_PREDICTIONS_KEY.exec(layout.runFileKey(RUN, layout.outputKeys.predictions))?.[1]).toBe(RUN);
    expect(layout.RUN_PREDICTIONS_KEY.test(layout.runFileKey(RUN, layout.outputKeys.X))).toBe(false);
    expect(layout.RUN_FILE_KEY.exec(layout.runFileKey(RUN, layout.outputKeys.X))?.slice(1)).toEqual([RUN, "X.parquet"]);
    expect(layout.VALIDATION_KEY.exec(layout.validationKey(RUN))?.[1]).toBe(RUN);
    expect(layout.VALIDATION_KEY.test(layout.quarantineInfoKey(RUN))).toBe(false);
    expect(layout.QUARANTINE_INFO_KEY.exec(layout.quarantineInfoKey(RUN))?.[1]).toBe(RUN);
    expect(layout.QUARANTINE_INFO_KEY.test(layout.quarantineExtractKey(RUN))).toBe(false);
    expect(layout.MODEL_METADATA_KEY.exec(layout.modelMetadataKey("gbm-global", 12))?.slice(1)).toEqual(["gbm-global", "12"]);
    expect(layout.MODEL_METADATA_KEY.test(layout.modelArtifactKey("gbm-global", 12))).toBe(false);
    expect(layout.EXPERIMENT_TRIAL_KEY.exec(layout.experimentTrialKey(RUN, 3))?.slice(1)).toEqual([RUN, "003"]);
    const group = layout.featureGroupPrefix({ name: "energy_consumption", version: 2 });
    expect(layout.FEATURE_GROUP_PREFIX.exec(layout.featurePartKey(group, "2023-01-02", 5))?.slice(0, 3)).toEqual([group, "energy_consumption", "2"]);
    const part = layout.featurePartKey(group, "2023-01-02", 5).slice(layout.featureDataPrefix(group).length);
    expect(layout.FEATURE_PART_NAME.exec(part)?.slice(1)).toEqual(["2023-01-02", "000005"]);
    expect(layout.claimKey("run", "tok", 0).startsWith(layout.claimTokenPrefix("run", "tok"))).toBe(true);
    expect(layout.claimKey("run", "tok", 0).startsWith(layout.claimPrefix("run"))).toBe(true);
  });

  it("the scan finds literals and regexes that spell keys, and skips comments and imports", () => {
    const text = [
      "/** Lives under `runs/<id>/`. */",
      '// "models/x" in a line comment',
      'import { x } from "features/odd-module-name";',
      'const a = "runs/";',
      "const b = `locks/${name}.json`;",
      "const c = `damaged/`;",
      'const d = f("quarantine/" + id);',
      "const e = /^validation\\/[^/]+\\.json$/;",
      'const ok = "set it aside under damaged/";',
      "const t = `the history at ${`features/${g}`}`;",
    ].join("\n");
    expect(keyLiterals("x.ts", text)).toEqual([
      'x.ts:4: "runs/"',
      "x.ts:5: `locks/${",
      "x.ts:6: `damaged/`",
      'x.ts:7: "quarantine/"',
      "x.ts:8: /^validation\\/[^/]+\\.json$/",
      "x.ts:10: `features/${",
    ]);
  });

  it("is the only module of src/ and reports/ that spells a key of the store", () => {
    const files = [...sourceFiles("src"), ...sourceFiles("reports")].filter((f) => f !== LAYOUT_FILE);
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) => keyLiterals(file, readFileSync(join(PROJECT_ROOT, file), "utf8")));
    expect(found, `store keys spelled outside ${LAYOUT_FILE} (name them there and import them):\n${found.join("\n")}`).toEqual([]);
  });
});
