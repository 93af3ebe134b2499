import { ConfigError } from "../core/errors.js";

/** The environment as a plain map (process.env, or a test's literal). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A non-empty, trimmed variable, or undefined. */
export function envString(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** A non-negative number variable, or the fallback when unset. */
export function envNumber(env: Env, name: string, fallback: number, { integer = false, min = 0 } = {}): number {
  const raw = envString(env, name);
  if (raw === undefined) return fallback;
  return parseNumber(raw, name, { integer, min });
}

/** Parses a number setting (from the environment or a flag) with a message naming the setting. */
export function parseNumber(raw: string, name: string, { integer = false, min = 0 } = {}): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    throw new ConfigError(`${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got "${raw}"`);
  }
  return v;
}
