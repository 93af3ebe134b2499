/**
 * The one start-up of every entry point (the CLI, the report's data loaders, the notebooks):
 * settings from the environment and `.env`, read once into a typed {@link Config}, the store they
 * point at, a clock and a logger. Nothing here runs at import time.
 *
 * The `.env` rule is the same everywhere: the file in the working directory (or `envFile`) fills
 * only variables the environment does not already set.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { consoleLogger, systemClock, type Clock, type Logger } from "./core/effects.js";
import { loadConfig, type Config, type ConfigOverrides } from "./config/config.js";
import { openStorage } from "./storage/open.js";
import type { Storage } from "./storage/storage.js";

/** Everything a step needs from its surroundings, built once at the entry point. */
export interface Workspace {
  config: Config;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** The directory relative store paths and `.env` were resolved against. */
  cwd: string;
  /** A new run id `<kind>-<yyyyMMddTHHmmssZ>-<6 hex>`. */
  newRunId(kind: string): string;
}

/** Options of {@link openWorkspace}; every field has the process's own value as default. */
export interface WorkspaceOptions {
  /** Environment variables (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Working directory (default `process.cwd()`). */
  cwd?: string;
  /** The `.env` file to read, or false for none (default `<cwd>/.env` when it exists). */
  envFile?: string | false;
  /** Command-line values that win over the environment. */
  overrides?: ConfigOverrides;
  clock?: Clock;
  /** Default: a console logger at the configured LOG_LEVEL, writing lines to `log`. */
  logger?: Logger;
  /** Where the default logger writes each line (default: standard error). */
  log?: (line: string) => void;
}

/**
 * Reads the settings (environment, then `.env` for what the environment leaves unset, then
 * `overrides`), and opens the store. Contacts nothing yet. Throws ConfigError for bad settings.
 */
export function openWorkspace(options: WorkspaceOptions = {}): Workspace {
  const cwd = options.cwd ?? process.cwd();
  const env = withEnvFile(options.env ?? process.env, options.envFile === undefined ? join(cwd, ".env") : options.envFile);
  const config = loadConfig(env, options.overrides ?? {}, cwd);
  const storage = openStorage(config.storeUri, {
    projectId: config.gcp.projectId,
    keyFilename: config.gcp.keyFilename,
    cwd,
    timeoutMs: config.storageTimeoutMs,
  });
  const clock = options.clock ?? systemClock;
  return {
    config,
    storage,
    clock,
    logger: options.logger ?? consoleLogger(config.logLevel, options.log),
    cwd,
    newRunId: (kind) => `${kind}-${clock.now().toISOString().replace(/[-:]/g, "").slice(0, 15)}Z-${randomBytes(3).toString("hex")}`,
  };
}

/** `env` with the values of `file` added where `env` has none. */
function withEnvFile(env: Record<string, string | undefined>, file: string | false): Record<string, string | undefined> {
  const merged = { ...env };
  if (file === false || !existsSync(file)) return merged;
  for (const [k, v] of Object.entries(dotenv.parse(readFileSync(file, "utf8")))) if (merged[k] === undefined) merged[k] = v;
  return merged;
}
