import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { consoleLogger, systemClock, type Clock, type Logger } from "../pipeline/core/effects.js";
import { loadConfig, type Config, type ConfigOverrides } from "../pipeline/config/config.js";
import { openStorage } from "../pipeline/storage/open.js";
import type { Storage } from "../pipeline/storage/storage.js";

/** Everything a command needs, built once from the environment and the command line. */
export interface CliContext {
  config: Config;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** A new run id `<kind>-<yyyyMMddTHHmmssZ>-<6 hex>`. */
  newRunId(kind: string): string;
}

/** Options every command accepts. */
export interface GlobalOptions {
  store?: string;
  logLevel?: string;
}

/**
 * Reads `.env` from the working directory (never overriding variables already set), normalises
 * the configuration, and opens the store. Called once per command, at the entry point.
 */
export function createContext(global: GlobalOptions, overrides: Omit<ConfigOverrides, "store" | "logLevel"> = {}): CliContext {
  const envFile = join(process.cwd(), ".env");
  const env: Record<string, string | undefined> = { ...process.env };
  if (existsSync(envFile)) {
    const parsed = dotenv.parse(readFileSync(envFile, "utf8"));
    for (const [k, v] of Object.entries(parsed)) if (env[k] === undefined) env[k] = v;
  }
  const config = loadConfig(env, { ...overrides, store: global.store, logLevel: global.logLevel });
  const logger = consoleLogger(config.logLevel);
  const storage = openStorage(config.storeUri, { projectId: config.gcp.projectId, keyFilename: config.gcp.keyFilename, timeoutMs: config.storageTimeoutMs });
  const clock = systemClock;
  return {
    config,
    storage,
    clock,
    logger,
    newRunId: (kind) => `${kind}-${clock.now().toISOString().replace(/[-:]/g, "").slice(0, 15)}Z-${randomBytes(3).toString("hex")}`,
  };
}
