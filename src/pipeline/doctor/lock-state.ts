/**
 * The store's run lock as doctor reports it: free, held (by whom, since, until), expired (a run
 * that died or overran; the next run takes it over), or not a lock object at all.
 */
import { LockedError } from "../lock/errors.js";
import { readLock } from "../lock/lock.js";
import { isExpired } from "../lock/record.js";
import { claimPrefix, lockKey } from "../storage/layout.js";
import type { DoctorContext } from "./context.js";
import type { Finding, LockState } from "./report.js";

/**
 * Reads the run lock, adding a finding when it is held, expired or invalid; `self` is this doctor
 * run's id (the lock it holds while repairing is no finding).
 */
export async function examineLock(ctx: DoctorContext, findings: Finding[], self?: string): Promise<LockState> {
  const name = "run";
  const key = lockKey(name);
  const claims = ctx.keys.filter((k) => k.startsWith(claimPrefix(name))).length;
  let record;
  try {
    record = await readLock(ctx.storage, name);
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    findings.push({ area: "lock", severity: "problem", subject: key, message: `${error.message.replace(/^lock: /, "")}` });
    return { state: "invalid", key, claims };
  }
  if (record === undefined) return { state: "free", key, claims };
  const expired = isExpired(record, ctx.now);
  const state: LockState = {
    state: expired ? "expired" : "held",
    key,
    owner: record.owner,
    ...(record.host ? { host: record.host } : {}),
    acquiredAt: record.acquiredAt,
    expiresAt: record.expiresAt,
    claims,
    ...(record.owner === self ? { self: true as const } : {}),
  };
  if (state.self) return state;
  findings.push(
    expired
      ? {
          area: "lock",
          severity: "warning",
          subject: key,
          message: `held by ${record.owner}${record.host ? ` on ${record.host}` : ""} since ${record.acquiredAt} but expired at ${record.expiresAt}: that run died or overran; the next run takes the lock over`,
        }
      : {
          area: "lock",
          severity: "note",
          subject: key,
          message: `held by ${record.owner}${record.host ? ` on ${record.host}` : ""} since ${record.acquiredAt} (expires ${record.expiresAt}): a run is writing, so what it has not finished may show up above`,
        },
  );
  return state;
}
