/**
 * A {@link Storage} wrapper that fails chosen operations, to test how the pipeline behaves when
 * the store breaks mid-run (a full disk, a GCS 503, a lost response). It injects faults through
 * the same interface every step writes through, so no step can tell it from a real failure.
 *
 * A fault rule picks calls by operation and (optionally) key pattern, and fails the `nth` of the
 * calls it picks (1-based; every picked call without `nth`). `when: "after"` performs the call
 * first and then throws, like a write whose response was lost after GCS applied it.
 */
import { PipelineError } from "../../src/pipeline/core/errors.js";
import type { Storage, WriteOptions } from "../../src/pipeline/storage/storage.js";

/** The operations of the {@link Storage} interface. */
export type StorageOp = "read" | "write" | "createExclusive" | "list" | "exists" | "delete";

/** Which calls fail, and how. */
export interface FaultRule {
  /** Operation(s) the rule watches. */
  op: StorageOp | StorageOp[];
  /** Only calls whose key (the prefix, for list) matches; a string matches exactly. */
  key?: RegExp | string;
  /** Fail the n-th matching call (1-based); without it, every matching call fails. */
  nth?: number;
  /** With `nth`: how many consecutive matching calls fail from the n-th on (default 1). */
  times?: number;
  /** "before" (default): the call does nothing and throws; "after": it takes effect, then throws. */
  when?: "before" | "after";
  /** Error message; default `injected <op> fault on "<key>" (<op> call #<n>)`. */
  message?: string;
}

/** One call that went through the wrapper. */
export interface StorageCall {
  op: StorageOp;
  key: string;
  /** True when a rule made this call throw. */
  failed: boolean;
}

/** The wrapper: a Storage plus a record of the calls and a way to change the rules. */
export interface FaultyStorage extends Storage {
  /** Every call so far, in order. */
  readonly calls: StorageCall[];
  /** The calls that were made to fail. */
  readonly failures: StorageCall[];
  /** Replaces the rules (and resets their counters); `[]` turns faults off. */
  setFaults(rules: FaultRule[]): void;
}

/** Wraps `inner` so that calls matching `rules` throw a `storage:` {@link PipelineError}. */
export function faultyStorage(inner: Storage, rules: FaultRule[] = []): FaultyStorage {
  let active = rules.map((rule) => ({ rule, seen: 0 }));
  const calls: StorageCall[] = [];

  /** The rule that fails this call, if any (every rule watching the call counts it). */
  function pick(op: StorageOp, key: string): FaultRule | undefined {
    let hit: FaultRule | undefined;
    for (const entry of active) {
      const { rule } = entry;
      const ops = Array.isArray(rule.op) ? rule.op : [rule.op];
      if (!ops.includes(op)) continue;
      if (rule.key !== undefined && !(typeof rule.key === "string" ? rule.key === key : rule.key.test(key))) continue;
      entry.seen += 1;
      const fails = rule.nth === undefined || (entry.seen >= rule.nth && entry.seen < rule.nth + (rule.times ?? 1));
      if (fails && hit === undefined) hit = rule;
    }
    return hit;
  }

  async function call<T>(op: StorageOp, key: string, f: () => Promise<T>): Promise<T> {
    const rule = pick(op, key);
    const record: StorageCall = { op, key, failed: rule !== undefined };
    calls.push(record);
    if (rule === undefined) return f();
    const n = calls.filter((c) => c.op === op).length;
    const error = new PipelineError("storage", rule.message ?? `injected ${op} fault on ${JSON.stringify(key)} (${op} call #${n})`);
    if (rule.when === "after") await f();
    throw error;
  }

  return {
    uri: inner.uri,
    calls,
    get failures() {
      return calls.filter((c) => c.failed);
    },
    setFaults(next: FaultRule[]) {
      active = next.map((rule) => ({ rule, seen: 0 }));
    },
    read: (key: string) => call("read", key, () => inner.read(key)),
    write: (key: string, data: Uint8Array | string, options?: WriteOptions) => call("write", key, () => inner.write(key, data, options)),
    createExclusive: (key: string, data: Uint8Array | string, options?: WriteOptions) =>
      call("createExclusive", key, () => inner.createExclusive(key, data, options)),
    list: (prefix: string) => call("list", prefix, () => inner.list(prefix)),
    exists: (key: string) => call("exists", key, () => inner.exists(key)),
    delete: (key: string) => call("delete", key, () => inner.delete(key)),
  };
}
