import type { Command } from "commander";
import type { ColumnTable } from "arquero";
import { existsSync, readFileSync } from "node:fs";
import {
  ConfigError,
  ExitCode,
  FeatureStore,
  PipelineError,
  buildFeatureSuite,
  checkTimeOrder,
  featureSchema,
  fileSource,
  keyColumns,
  loadSuite,
  parquetSchema,
  parseInstant,
  readParquet,
  renderValidationSummary,
  transformRaw,
  validate,
} from "../../pipeline/index.js";
import { createContext } from "../context.js";
import { sourceOverrides, type SourceFlags } from "../source-options.js";
import { QuietExit } from "../exit.js";

export interface ValidateFlags extends SourceFlags {
  file?: string;
  from?: string;
  to?: string;
  suite?: string;
  json?: boolean;
}

/** What `energy-forecast validate` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function validateAction(flags: ValidateFlags, cmd: Command): Promise<void> {
  const ctx = createContext(cmd, sourceOverrides(flags));
  const suite = flags.suite ? loadSuite(readText(flags.suite), flags.suite) : buildFeatureSuite(ctx.config.dataset);
  let table: ColumnTable;
  let what: string;
  if (flags.file) {
    if (flags.from || flags.to) throw new ConfigError("--from/--to select a stored window; do not combine them with --file");
    table = await loadFile(flags.file, ctx.config.dataset);
    what = flags.file;
  } else {
    const range =
      flags.from || flags.to
        ? { start: flags.from ? parseInstant(flags.from, "--from") : -Infinity, end: flags.to ? parseInstant(flags.to, "--to") : Infinity }
        : undefined;
    if (range && flags.from && flags.to) checkTimeOrder(range.start, range.end, { endExcluded: true });
    const store = new FeatureStore(ctx.storage, ctx.config.featureGroup);
    if (!(await store.manifest())) {
      throw new PipelineError(
        "validate",
        `feature group ${ctx.config.featureGroup.name}/v${ctx.config.featureGroup.version} is empty in ${ctx.storage.uri}; run energy-forecast ingest first or pass --file`,
      );
    }
    table = await store.read(range);
    what = `${ctx.storage.uri} feature group ${ctx.config.featureGroup.name}/v${ctx.config.featureGroup.version}`;
  }
  const result = validate(table, suite, { columnTypes: Object.fromEntries(featureSchema(keyColumns(ctx.config.dataset))), now: ctx.clock.now() });
  ctx.io.stdout.write(flags.json ? JSON.stringify(result, null, 2) + "\n" : `validate ${what}: ${table.numRows()} rows\n${renderValidationSummary(result)}\n`);
  if (!result.success) throw new QuietExit(ExitCode.validationFailed);
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new PipelineError("validate", `cannot read suite file "${path}": ${(cause as Error).message}; pass --suite <existing .json>`, { cause });
  }
}

/** A feature-column parquet is validated as is; raw data (CSV or parquet) is transformed first. */
async function loadFile(path: string, spec: Parameters<typeof transformRaw>[1]): Promise<ColumnTable> {
  const local = !/^https?:/.test(path);
  const localPath = path.replace(/^file:/, "");
  if (local && !existsSync(localPath)) throw new PipelineError("validate", `--file "${path}" not found; pass an existing CSV or parquet file`);
  if (/\.parquet$/i.test(path) && local) {
    const bytes = readFileSync(localPath);
    let columns: string[];
    try {
      columns = parquetSchema(bytes).map(([name]) => name);
    } catch (cause) {
      throw new PipelineError("validate", `--file "${path}" is not a readable parquet file (${(cause as Error).message}); pass an intact CSV or parquet file`, {
        cause,
      });
    }
    if (columns.includes("datetime_utc")) return readParquet(bytes, undefined, path);
  }
  const source = fileSource(path);
  const extent = await source.extent(spec);
  if (!extent) throw new PipelineError("validate", `${source.description} holds no rows; pass a CSV or parquet file with data`);
  const raw = await source.extract(extent, spec);
  return transformRaw(raw, spec).table;
}
