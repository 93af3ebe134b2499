/**
 * What lock objects hold. The lock of name `run` is `locks/run.json`; claims to take over an
 * expired lock live under `locks/run.takeover/` (see lock.ts for why they exist; the keys are
 * named in storage/layout.ts).
 */
import { readIfExists, type Storage } from "../storage/storage.js";
import { LockedError } from "./errors.js";

/** Content of a lock object. Only what a human needs to judge whether the holder is alive: no secrets. */
export interface LockRecord {
  /** Run id of the holder, e.g. `run-20230101T000000Z-abc123`. */
  owner: string;
  /** ISO instant the lock was taken. */
  acquiredAt: string;
  /** ISO instant after which other runs may take the lock over (moved on by refresh). */
  expiresAt: string;
  /** Host name of the holder, when known. */
  host?: string;
  /** Random per acquisition, so a lock is told apart from a later one of the same owner. */
  token: string;
}

/** Content of a takeover claim: "run `owner` is replacing the expired lock `<token>`". */
export interface ClaimRecord {
  owner: string;
  claimedAt: string;
  /** After this instant the claim counts as abandoned (its holder crashed mid-takeover). */
  expiresAt: string;
  /** Token of the lock the claimant will write, so it recognises its own claim. */
  token: string;
}

/** Lock names are one plain path segment, so the keys below stay valid on every backend. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Whether `name` can name a lock (letters, digits, `_`, `-`; not starting with `_` or `-`). */
export function isLockName(name: string): boolean {
  return NAME.test(name);
}

/** True when the record's `expiresAt` is not after `now`. */
export function isExpired(record: { expiresAt: string }, now: Date): boolean {
  return now.getTime() >= Date.parse(record.expiresAt);
}

/** Serialises a record as the object's content (pretty JSON, for people who open it). */
export function serialiseRecord(record: LockRecord | ClaimRecord): string {
  return JSON.stringify(record, null, 2) + "\n";
}

const isInstant = (value: unknown): value is string => typeof value === "string" && !Number.isNaN(Date.parse(value));
const isText = (value: unknown): value is string => typeof value === "string" && value !== "";

/** Why `value` is not a lock record, or undefined when it is. */
function lockProblem(value: Record<string, unknown>): string | undefined {
  if (!isText(value.owner)) return "owner is missing";
  if (!isInstant(value.acquiredAt)) return "acquiredAt is not an ISO instant";
  if (!isInstant(value.expiresAt)) return "expiresAt is not an ISO instant";
  if (value.host !== undefined && typeof value.host !== "string") return "host is not a string";
  if (!isText(value.token)) return "token is missing";
  return undefined;
}

/** Why `value` is not a claim record, or undefined when it is. */
function claimProblem(value: Record<string, unknown>): string | undefined {
  if (!isText(value.owner)) return "owner is missing";
  if (!isInstant(value.claimedAt)) return "claimedAt is not an ISO instant";
  if (!isInstant(value.expiresAt)) return "expiresAt is not an ISO instant";
  if (!isText(value.token)) return "token is missing";
  return undefined;
}

async function readRecord(storage: Storage, key: string, problemOf: (value: Record<string, unknown>) => string | undefined): Promise<unknown> {
  const bytes = await readIfExists(storage, key);
  if (bytes === undefined) return undefined;
  let value: unknown;
  let problem: string | undefined;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
    problem = typeof value === "object" && value !== null && !Array.isArray(value) ? problemOf(value as Record<string, unknown>) : "not a JSON object";
  } catch {
    problem = "not valid JSON";
  }
  if (problem !== undefined) {
    throw new LockedError(`${key} in ${storage.uri} is not a valid lock object (${problem}); delete it if no run is using the store`);
  }
  return value;
}

/**
 * Reads the lock object at `key`; undefined when there is none. Throws {@link LockedError} for an
 * object that is not a lock (edited by hand?), since nobody can tell whether it is held.
 */
export async function readLockRecord(storage: Storage, key: string): Promise<LockRecord | undefined> {
  return (await readRecord(storage, key, lockProblem)) as LockRecord | undefined;
}

/** Reads the takeover claim at `key`; undefined when there is none. */
export async function readClaimRecord(storage: Storage, key: string): Promise<ClaimRecord | undefined> {
  return (await readRecord(storage, key, claimProblem)) as ClaimRecord | undefined;
}
