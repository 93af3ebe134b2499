/**
 * The behaviour every {@link Storage} backend must have, as one suite run against each backend
 * (local.test.ts, gcs.test.ts), so the backends stay interchangeable.
 */
import { describe, expect, it } from "vitest";
import { NotFoundError, PipelineError } from "../../../src/pipeline/core/errors.js";
import { readIfExists, type Storage } from "../../../src/pipeline/storage/storage.js";

/** Deterministic pseudo-random bytes (xorshift32), so big payloads are reproducible and incompressible. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

/** Invalid keys with the exact reason each backend must give. */
export const INVALID_KEYS: Array<[string, string]> = [
  ["", "keys must not be empty"],
  ["/abs/x", 'keys are relative paths and must not start with "/"'],
  ["../x", 'keys are relative paths without ".." segments'],
  ["a/../../b", 'keys are relative paths without ".." segments'],
  ["a/..", 'keys are relative paths without ".." segments'],
  ["./x", 'keys are relative paths without "." segments'],
  ["a\\b", 'keys use "/" as separator and must not contain "\\"'],
  ["a//b", 'keys must not contain empty segments ("//" or a trailing "/")'],
  ["a/", 'keys must not contain empty segments ("//" or a trailing "/")'],
  ["a\nb", "keys must not contain control characters"],
  ["a/.tmp-x", 'segments starting with ".tmp-" are reserved for in-progress writes'],
];

/**
 * Registers the shared behavioural tests. `makeStore` must return a fresh, empty store each call
 * (its own directory or prefix), so tests do not see each other's objects.
 */
export function describeStorageBehaviour(name: string, makeStore: () => Storage | Promise<Storage>): void {
  describe(`${name}: shared Storage behaviour`, () => {
    it("round-trips a string as UTF-8", async () => {
      const store = await makeStore();
      await store.write("notes/hello.txt", "héllo wörld ✓ 𝄞");
      const bytes = await store.read("notes/hello.txt");
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(text(bytes)).toBe("héllo wörld ✓ 𝄞");
      expect(bytes.byteLength).toBe(Buffer.byteLength("héllo wörld ✓ 𝄞"));
    });

    it("round-trips binary data with every byte value", async () => {
      const store = await makeStore();
      const all = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
      await store.write("bin/all-bytes.bin", all);
      expect(Array.from(await store.read("bin/all-bytes.bin"))).toEqual(Array.from(all));
    });

    it("round-trips a subarray view exactly (not its whole underlying buffer)", async () => {
      const store = await makeStore();
      const whole = seededBytes(1000, 3);
      const view = whole.subarray(100, 150);
      await store.write("bin/view.bin", view);
      const back = await store.read("bin/view.bin");
      expect(back.byteLength).toBe(50);
      expect(Buffer.from(back).equals(Buffer.from(view))).toBe(true);
    });

    it("round-trips an empty object", async () => {
      const store = await makeStore();
      await store.write("empty.bin", new Uint8Array(0));
      await store.write("empty.txt", "");
      expect((await store.read("empty.bin")).byteLength).toBe(0);
      expect((await store.read("empty.txt")).byteLength).toBe(0);
      expect(await store.exists("empty.bin")).toBe(true);
      expect(await store.list("empty")).toEqual(["empty.bin", "empty.txt"]);
    });

    it("round-trips a ~5 MB object byte for byte", async () => {
      const store = await makeStore();
      const big = seededBytes(5 * 1024 * 1024 + 17, 42);
      await store.write("big/blob.bin", big);
      const back = await store.read("big/blob.bin");
      expect(back.byteLength).toBe(big.byteLength);
      expect(Buffer.from(back).equals(Buffer.from(big))).toBe(true);
    });

    it("returns bytes that own their buffer", async () => {
      const store = await makeStore();
      await store.write("small.txt", "abc");
      const bytes = await store.read("small.txt");
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(3);
    });

    it("overwrite replaces the whole object (shorter content leaves no stale tail)", async () => {
      const store = await makeStore();
      await store.write("state.json", '{"version": 1, "padding": "xxxxxxxxxxxxxxxxxxxx"}');
      await store.write("state.json", '{"version": 2}');
      expect(text(await store.read("state.json"))).toBe('{"version": 2}');
      expect(await store.list("")).toEqual(["state.json"]);
    });

    it("read of a missing key throws NotFoundError with the exact message", async () => {
      const store = await makeStore();
      await store.write("present.txt", "x");
      const error = await store.read("missing/thing.json").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).key).toBe("missing/thing.json");
      expect((error as Error).message).toBe(`storage: object "missing/thing.json" not found in ${store.uri}; run the step that writes it first`);
    });

    it("readIfExists gives the bytes, or undefined for a missing key, and passes other errors on", async () => {
      const store = await makeStore();
      await store.write("here.txt", "x");
      expect(new TextDecoder().decode(await readIfExists(store, "here.txt"))).toBe("x");
      expect(await readIfExists(store, "not/here.txt")).toBeUndefined();
      await expect(readIfExists(store, "../escape.txt")).rejects.toThrow(/^storage: /);
    });

    it("read of a key that is only a 'directory' of other keys is NotFoundError", async () => {
      const store = await makeStore();
      await store.write("dir/child.txt", "x");
      await expect(store.read("dir")).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.exists("dir")).toBe(false);
    });

    describe("list", () => {
      // Written out of order on purpose; "a-b" < "a.b" < "a/..." < "a0" in byte order, which a
      // per-directory walk would get wrong.
      const keys = ["b", "a0", "a/c", "ab", "a/b/2", "a.b", "abc/d", "a/b/1", "a-b", "Z", "é/x"];
      const sorted = ["Z", "a-b", "a.b", "a/b/1", "a/b/2", "a/c", "a0", "ab", "abc/d", "b", "é/x"];

      const filled = async (): Promise<Storage> => {
        const store = await makeStore();
        for (const key of keys) await store.write(key, `content of ${key}`);
        return store;
      };

      it("lists everything, sorted by UTF-8 byte order", async () => {
        const store = await filled();
        expect(await store.list("")).toEqual(sorted);
      });

      it("uses plain string prefixes, not only folder boundaries", async () => {
        const store = await filled();
        expect(await store.list("a/")).toEqual(["a/b/1", "a/b/2", "a/c"]);
        expect(await store.list("a/b")).toEqual(["a/b/1", "a/b/2"]);
        expect(await store.list("a/b/")).toEqual(["a/b/1", "a/b/2"]);
        expect(await store.list("a/b/1")).toEqual(["a/b/1"]);
        expect(await store.list("ab")).toEqual(["ab", "abc/d"]);
        expect(await store.list("a")).toEqual(["a-b", "a.b", "a/b/1", "a/b/2", "a/c", "a0", "ab", "abc/d"]);
        expect(await store.list("abc/")).toEqual(["abc/d"]);
      });

      it("returns [] when nothing matches, including in an empty store", async () => {
        const store = await filled();
        expect(await store.list("zzz")).toEqual([]);
        expect(await store.list("a/b/3")).toEqual([]);
        expect(await store.list("nothing/here/")).toEqual([]);
        const empty = await makeStore();
        expect(await empty.list("")).toEqual([]);
      });

      it("does not leak keys between two stores", async () => {
        const one = await makeStore();
        const two = await makeStore();
        expect(one.uri).not.toBe(two.uri);
        await one.write("shared/name.txt", "one");
        await two.write("shared/other.txt", "two");
        expect(await one.list("")).toEqual(["shared/name.txt"]);
        expect(await two.list("")).toEqual(["shared/other.txt"]);
        await expect(two.read("shared/name.txt")).rejects.toBeInstanceOf(NotFoundError);
      });

      it("rejects prefixes that escape the store, with the exact message", async () => {
        const store = await makeStore();
        await expect(store.list("../x")).rejects.toThrow('storage: invalid prefix "../x": keys are relative paths without ".." segments');
        await expect(store.list("/a")).rejects.toThrow('storage: invalid prefix "/a": prefixes are relative paths and must not start with "/"');
        await expect(store.list("a//b")).rejects.toThrow('storage: invalid prefix "a//b": keys must not contain empty segments ("//" or a trailing "/")');
      });

      it("accepts a partial last segment that looks like '..' (it is only a filter)", async () => {
        const store = await makeStore();
        await store.write("a/..b", "x");
        await store.write("a/c", "y");
        expect(await store.list("a/..")).toEqual(["a/..b"]);
      });
    });

    it("exists is true only for written objects", async () => {
      const store = await makeStore();
      expect(await store.exists("x/y.txt")).toBe(false);
      await store.write("x/y.txt", "1");
      expect(await store.exists("x/y.txt")).toBe(true);
      expect(await store.exists("x/y")).toBe(false);
      expect(await store.exists("x")).toBe(false);
    });

    it("delete removes the object; deleting a missing one is not an error", async () => {
      const store = await makeStore();
      await store.write("d/keep.txt", "keep");
      await store.write("d/drop.txt", "drop");
      await store.delete("d/drop.txt");
      expect(await store.exists("d/drop.txt")).toBe(false);
      await expect(store.read("d/drop.txt")).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.list("")).toEqual(["d/keep.txt"]);
      await expect(store.delete("d/drop.txt")).resolves.toBeUndefined();
      await expect(store.delete("never/written.txt")).resolves.toBeUndefined();
      // A "directory" is not an object: deleting it leaves the objects under it alone.
      await expect(store.delete("d")).resolves.toBeUndefined();
      expect(text(await store.read("d/keep.txt"))).toBe("keep");
      // The key can be written again after a delete.
      await store.write("d/drop.txt", "again");
      expect(text(await store.read("d/drop.txt"))).toBe("again");
    });

    it("accepts unusual but valid keys", async () => {
      const store = await makeStore();
      const odd = ["with space/ünïcode.json", "a/..b", "a/.hidden", "dots.in.name/x.y.z", "trailing.", "x/...", "%2F"];
      for (const key of odd) await store.write(key, key);
      for (const key of odd) expect(text(await store.read(key))).toBe(key);
      expect(await store.list("")).toEqual([...odd].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    });

    describe("createExclusive", () => {
      it("creates a missing object, returns true, and the content is readable", async () => {
        const store = await makeStore();
        expect(await store.createExclusive("locks/run.json", '{"owner":"a"}')).toBe(true);
        expect(text(await store.read("locks/run.json"))).toBe('{"owner":"a"}');
        const bytes = seededBytes(300, 9);
        expect(await store.createExclusive("bin/x.bin", bytes)).toBe(true);
        expect(Buffer.from(await store.read("bin/x.bin")).equals(Buffer.from(bytes))).toBe(true);
        expect(await store.list("")).toEqual(["bin/x.bin", "locks/run.json"]);
      });

      it("returns false when the object exists and leaves its content unchanged", async () => {
        const store = await makeStore();
        expect(await store.createExclusive("locks/run.json", "first")).toBe(true);
        expect(await store.createExclusive("locks/run.json", "second, longer than the first")).toBe(false);
        expect(text(await store.read("locks/run.json"))).toBe("first");
        // An object made by a plain write counts too.
        await store.write("state.json", "written");
        expect(await store.createExclusive("state.json", "created")).toBe(false);
        expect(text(await store.read("state.json"))).toBe("written");
        expect(await store.list("")).toEqual(["locks/run.json", "state.json"]);
      });

      it("creates again after a delete, and only the exact key counts as existing", async () => {
        const store = await makeStore();
        expect(await store.createExclusive("a/b", "1")).toBe(true);
        await store.delete("a/b");
        expect(await store.createExclusive("a/b", "2")).toBe(true);
        expect(text(await store.read("a/b"))).toBe("2");
        expect(await store.createExclusive("a/bc", "3")).toBe(true);
        expect(await store.createExclusive("a/b.json", "4")).toBe(true);
        expect(await store.list("a/")).toEqual(["a/b", "a/b.json", "a/bc"]);
      });

      it("of 8 concurrent creates of one key exactly one returns true, and its content is the object", async () => {
        const store = await makeStore();
        const payloads = Array.from({ length: 8 }, (_, i) => `contender ${i} ${"x".repeat(1000 * i)}`);
        const results = await Promise.all(payloads.map((p) => store.createExclusive("locks/race.json", p)));
        expect(results.filter((r) => r)).toHaveLength(1);
        const winner = payloads[results.indexOf(true)];
        expect(text(await store.read("locks/race.json"))).toBe(winner);
        expect(await store.list("")).toEqual(["locks/race.json"]);
      });
    });

    describe("key validation", () => {
      it.each(INVALID_KEYS)("rejects %j in every operation with the exact message", async (key, reason) => {
        const store = await makeStore();
        const message = `storage: invalid key ${JSON.stringify(key)}: ${reason}`;
        const operations: Array<[string, () => Promise<unknown>]> = [
          ["read", () => store.read(key)],
          ["write", () => store.write(key, "x")],
          ["createExclusive", () => store.createExclusive(key, "x")],
          ["exists", () => store.exists(key)],
          ["delete", () => store.delete(key)],
        ];
        for (const [, run] of operations) {
          const error = await run().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(PipelineError);
          expect(error).not.toBeInstanceOf(NotFoundError);
          expect((error as Error).message).toBe(message);
        }
        expect(await store.list("")).toEqual([]);
      });
    });
  });
}
