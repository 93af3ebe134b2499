import { ConfigError } from "../pipeline/index.js";

/** A whole number of hours >= 1 from a flag. */
export function wholeHoursFlag(raw: string, name: string): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${name} must be a whole number of hours >= 1, got "${raw}"`);
  return v;
}

/** A fraction in (0, 1] from a flag, e.g. 0.1 for 10 %. */
export function fractionFlag(raw: string, name: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || v > 1) throw new ConfigError(`${name} must be a fraction in (0, 1], e.g. 0.1 for 10%, got "${raw}"`);
  return v;
}
