import { ConfigError } from "../core/errors.js";
import { seriesId, type SeriesKey } from "./key.js";

/**
 * Which shard of a sharded prediction run forecasts a series. A series belongs to shard
 *
 *     fnv1a32(utf8(seriesId(key))) mod N
 *
 * where `seriesId(key)` is the canonical key string of series/key.ts (the key values in
 * key-column order, numbers in decimal, joined by U+001F: `1\u001f111` for DE35's area 1,
 * consumer type 111; `DK1` for a one-column key) and fnv1a32 is 32-bit FNV-1a over its UTF-8
 * bytes (offset basis 0x811c9dc5, prime 0x01000193). The hash depends on the key alone, never
 * on the other series, the order they come in or the machine, so every shard of a run (and
 * every run) agrees on the assignment. Golden values in test/pipeline/series/shard.test.ts keep
 * it from changing silently: changing it would move series between shards of runs in flight.
 */

/** The largest shard count a run accepts (Cloud Run jobs run at most 10,000 tasks). */
export const MAX_SHARDS = 10_000;

/** One shard of a sharded run: `index` in 0..count-1. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** The whole run as one shard. */
export const SINGLE_SHARD: ShardSpec = Object.freeze({ index: 0, count: 1 });

/** 32-bit FNV-1a of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  const bytes = new TextEncoder().encode(text);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The stable hash of a series: FNV-1a 32-bit of its canonical key string ({@link seriesId}). */
export function seriesHash(key: SeriesKey): number {
  return fnv1a32(seriesId(key));
}

/** The shard (0..count-1) that forecasts the series `key` when the run has `count` shards. */
export function shardOf(key: SeriesKey, count: number): number {
  return seriesHash(key) % count;
}

/** True when the series `key` belongs to `shard`. */
export function inShard(key: SeriesKey, shard: ShardSpec): boolean {
  return shard.count === 1 || shardOf(key, shard.count) === shard.index;
}

/** `K/N`, as the CLI spells a shard. */
export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * A shard from its `K/N` spelling (`--shard 2/8`: the third of eight shards, K counted from 0 as
 * Cloud Run's CLOUD_RUN_TASK_INDEX does). `what` names where the value came from in errors.
 */
export function parseShard(raw: string, what = "--shard"): ShardSpec {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > MAX_SHARDS || index >= count) {
    throw new ConfigError(`${what} must be K/N with N shards (1..${MAX_SHARDS}) and K the shard's index counted from 0 (0..N-1), e.g. 0/4, got "${raw}"`);
  }
  return { index, count };
}

/**
 * The shard from Cloud Run's task variables (CLOUD_RUN_TASK_INDEX, CLOUD_RUN_TASK_COUNT), or
 * undefined when neither is set. Only one of them set is an error naming the other.
 */
export function shardFromTaskEnv(env: Record<string, string | undefined>): ShardSpec | undefined {
  const index = env.CLOUD_RUN_TASK_INDEX?.trim() || undefined;
  const count = env.CLOUD_RUN_TASK_COUNT?.trim() || undefined;
  if (index === undefined && count === undefined) return undefined;
  if (index === undefined || count === undefined) {
    throw new ConfigError(
      `CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT come together (Cloud Run sets both), found only ${index === undefined ? "CLOUD_RUN_TASK_COUNT" : "CLOUD_RUN_TASK_INDEX"}; pass --shard K/N instead`,
    );
  }
  return parseShard(`${index}/${count}`, "CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT");
}
