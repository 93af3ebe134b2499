import { ConfigError } from "../core/errors.js";
import type { TrainPolicy } from "./tick.js";

/** Parses `always`, `never` or `max-age:<hours>` (TRAIN_POLICY / --train). */
export function parseTrainPolicy(raw: string): TrainPolicy {
  if (raw === "always") return { kind: "always" };
  if (raw === "never") return { kind: "never" };
  const m = /^max-age:(\d+)$/.exec(raw);
  if (m) return { kind: "max-age", maxAgeHours: Number(m[1]) };
  throw new ConfigError(`train policy must be always, never or max-age:<hours> (e.g. max-age:72), got "${raw}"`);
}
