/**
 * The stable hash that assigns series to the predict shards of a staged run: golden values, so it
 * never changes silently (a change would move series between the shards of runs in flight), and
 * the parsing of `--shard K/N` and of Cloud Run's task variables.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/pipeline/core/errors.js";
import { fnv1a32, formatShard, inShard, parseShard, seriesHash, shardFromTaskEnv, shardOf } from "../../../src/pipeline/series/shard.js";

describe("the shard hash", () => {
  it("is 32-bit FNV-1a over UTF-8: the published test vectors, and fixed strings", () => {
    // Published FNV-1a 32-bit vectors (offset basis, "a", "foobar").
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    // Non-ASCII text hashes its UTF-8 bytes (checked against an independent implementation).
    expect(fnv1a32("æøå")).toBe(0x3cf34353);
    expect(fnv1a32("DK1")).toBe(0x0514a33b);
  });

  it("hashes the canonical series key (values joined by U+001F): golden values and shards", () => {
    const golden: Array<[key: Array<string | number>, hash: number, of3: number, of8: number]> = [
      [[1, 111], 3782667726, 0, 6],
      [[2, 111], 1268821231, 1, 7],
      [[1, 123], 3883480535, 2, 7],
      [[0, 999], 1770155677, 1, 5],
      [["DK1"], 85238587, 1, 3],
      [["751", "Privat"], 1970373825, 0, 1],
    ];
    for (const [key, hash, of3, of8] of golden) {
      expect(seriesHash(key), JSON.stringify(key)).toBe(hash);
      expect(shardOf(key, 3), JSON.stringify(key)).toBe(of3);
      expect(shardOf(key, 8), JSON.stringify(key)).toBe(of8);
    }
    expect(seriesHash([1, 111])).toBe(fnv1a32("1\u001f111"));
    // A number and its decimal string are the same key text (stores keep one type per column).
    expect(seriesHash([1, 111])).toBe(seriesHash(["1", "111"]));
  });

  it("puts every series in exactly one shard, and a single shard holds them all", () => {
    const keys = Array.from({ length: 76 }, (_, i) => [1 + (i % 2), 100 + i]);
    for (const n of [1, 2, 3, 7]) {
      for (const key of keys) expect(Array.from({ length: n }, (_, k) => inShard(key, { index: k, count: n })).filter(Boolean)).toHaveLength(1);
    }
    expect(keys.every((k) => inShard(k, { index: 0, count: 1 }))).toBe(true);
  });
});

describe("shard flags", () => {
  it("reads K/N, K counted from 0", () => {
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(parseShard(" 9999/10000 ")).toEqual({ index: 9999, count: 10000 });
    expect(formatShard({ index: 2, count: 3 })).toBe("2/3");
  });

  it("refuses anything else with a usage error naming the flag", () => {
    for (const raw of ["3/3", "1", "a/b", "-1/3", "0/0", "1/10001", "1.5/3", ""]) {
      const error = (() => {
        try {
          parseShard(raw);
        } catch (e) {
          return e;
        }
      })();
      expect(error, raw).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        `config: --shard must be K/N with N shards (1..10000) and K the shard's index counted from 0 (0..N-1), e.g. 0/4, got "${raw}"`,
      );
    }
  });

  it("defaults to Cloud Run's task index and count", () => {
    expect(shardFromTaskEnv({})).toBeUndefined();
    expect(shardFromTaskEnv({ CLOUD_RUN_TASK_INDEX: "3", CLOUD_RUN_TASK_COUNT: "4" })).toEqual({ index: 3, count: 4 });
    expect(() => shardFromTaskEnv({ CLOUD_RUN_TASK_INDEX: "3" })).toThrow(
      "config: CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT come together (Cloud Run sets both), found only CLOUD_RUN_TASK_INDEX; pass --shard K/N instead",
    );
    expect(() => shardFromTaskEnv({ CLOUD_RUN_TASK_INDEX: "4", CLOUD_RUN_TASK_COUNT: "4" })).toThrow(
      'config: CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT must be K/N with N shards (1..10000) and K the shard\'s index counted from 0 (0..N-1), e.g. 0/4, got "4/4"',
    );
  });
});
