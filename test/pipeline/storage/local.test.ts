import { fork } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import { describeStorageBehaviour, seededBytes } from "./behaviour.js";

let base: string;
let counter = 0;
/** A fresh, not yet existing root directory per call. */
const freshRoot = (): string => join(base, `store-${++counter}`);

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "local-storage-test-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describeStorageBehaviour("local", () => createLocalStorage(freshRoot()));

/** Every file under `dir`, as `/`-separated paths relative to it (temp files included). */
async function filesOnDisk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

describe("local storage specifics", () => {
  it("has a file:/// uri of the absolute root and resolves relative roots against the cwd", () => {
    const root = freshRoot();
    expect(createLocalStorage(root).uri).toBe(pathToFileURL(root).href);
    expect(createLocalStorage(root).uri.startsWith("file:///")).toBe(true);
    expect(createLocalStorage("some/rel").uri).toBe(pathToFileURL(join(process.cwd(), "some/rel")).href);
    // Nothing is created until the first write.
    return expect(stat(fileURLToPath(createLocalStorage(root).uri))).rejects.toThrow(/ENOENT/);
  });

  it("stores one file per key at <root>/<key>, creating parent directories", async () => {
    const root = freshRoot();
    const store = createLocalStorage(root);
    await store.write("features/energy/v1/manifest.json", '{"ok":true}');
    expect(await filesOnDisk(root)).toEqual(["features/energy/v1/manifest.json"]);
    expect((await stat(join(root, "features/energy/v1/manifest.json"))).size).toBe(11);
  });

  it("ignores leftover temp files in list, exists and read", async () => {
    const root = freshRoot();
    const store = createLocalStorage(root);
    await store.write("a/b.txt", "real");
    await writeFile(join(root, "a", ".tmp-b.txt.999.1.dead"), "partial");
    await mkdir(join(root, "c"), { recursive: true });
    await writeFile(join(root, "c", ".tmp-orphan"), "partial");
    expect(await store.list("")).toEqual(["a/b.txt"]);
    expect(await store.list("c")).toEqual([]);
    expect(await store.exists("c/orphan")).toBe(false);
    expect(text(await store.read("a/b.txt"))).toBe("real");
  });

  it("a failure between temp write and rename keeps the old content and removes the temp file", async () => {
    const root = freshRoot();
    await createLocalStorage(root).write("state.json", "old");
    const failing = createLocalStorage(root, {
      beforeRename: () => {
        throw new Error("injected failure before rename");
      },
    });
    const error = await failing.write("state.json", "new content").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toBe(
      `storage: write "state.json" in ${failing.uri} failed: injected failure before rename; ` +
        "check that the store directory is writable and the disk is not full",
    );
    expect(text(await failing.read("state.json"))).toBe("old");
    expect(await filesOnDisk(root)).toEqual(["state.json"]);
  });

  it("readers see the old content while a write is in progress, the new one after", async () => {
    const root = freshRoot();
    await createLocalStorage(root).write("model.bin", "version-1");
    let release!: () => void;
    let reachedRename!: () => void;
    const atRename = new Promise<void>((resolve) => (reachedRename = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = createLocalStorage(root, {
      beforeRename: async () => {
        reachedRename();
        await gate;
      },
    });
    const reader = createLocalStorage(root);
    const writing = writer.write("model.bin", "version-2, longer than before");
    await atRename;
    expect(text(await reader.read("model.bin"))).toBe("version-1");
    expect(await reader.list("")).toEqual(["model.bin"]);
    release();
    await writing;
    expect(text(await reader.read("model.bin"))).toBe("version-2, longer than before");
    expect(await filesOnDisk(root)).toEqual(["model.bin"]);
  });

  it("a process SIGKILLed mid-write leaves the old object readable and its temp file unlisted", async () => {
    const root = freshRoot();
    const store = createLocalStorage(root);
    const old = seededBytes(1000, 7);
    await store.write("data/big.bin", old);

    const size = 8 * 1024 * 1024;
    const script = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
    const child = fork(script, [root, "data/big.bin", String(size)], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    const message = await new Promise<{ tempPath?: string; error?: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("crash-writer did not reach the rename within 30 s")), 30_000);
      child.once("message", (m) => {
        clearTimeout(timer);
        resolve(m as { tempPath?: string; error?: string });
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`crash-writer exited early with code ${code}`));
      });
    });
    expect(message.error).toBeUndefined();
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    // The dead writer's complete temp file is still on disk...
    const tempPath = message.tempPath as string;
    expect((await stat(tempPath)).size).toBe(size);
    expect(await filesOnDisk(root)).toEqual(["data/" + tempPath.split("/").pop(), "data/big.bin"].sort());
    // ...but the store shows only the old, complete object.
    expect(await store.list("")).toEqual(["data/big.bin"]);
    expect(Buffer.from(await store.read("data/big.bin")).equals(Buffer.from(old))).toBe(true);
    // And the next write succeeds despite the leftover.
    await store.write("data/big.bin", "recovered");
    expect(text(await store.read("data/big.bin"))).toBe("recovered");
    expect(await store.list("data/")).toEqual(["data/big.bin"]);
  }, 180_000);

  it("concurrent writers to the same key end with exactly one complete version", async () => {
    const root = freshRoot();
    const payloads = Array.from({ length: 8 }, (_, i) => seededBytes(1024 * 1024 + i, 100 + i));
    // Separate store instances, as separate processes would have.
    await Promise.all(payloads.map((p) => createLocalStorage(root).write("shared/key.bin", p)));
    const result = Buffer.from(await createLocalStorage(root).read("shared/key.bin"));
    const matches = payloads.filter((p) => result.equals(Buffer.from(p)));
    expect(matches).toHaveLength(1);
    expect(await filesOnDisk(root)).toEqual(["shared/key.bin"]);
  });

  it("exclusive creates leave no temp files behind, win or lose", async () => {
    const root = freshRoot();
    const stores = Array.from({ length: 8 }, () => createLocalStorage(root)); // as separate processes would have
    const results = await Promise.all(stores.map((s, i) => s.createExclusive("locks/run.json", `contender ${i}`)));
    expect(results.filter((r) => r)).toHaveLength(1);
    expect(text(await stores[0].read("locks/run.json"))).toBe(`contender ${results.indexOf(true)}`);
    expect(await filesOnDisk(root)).toEqual(["locks/run.json"]);
  });

  it("an exclusive create where a directory is in the way fails instead of reporting 'exists'", async () => {
    const root = freshRoot();
    const store = createLocalStorage(root);
    await store.write("a/b", "file");
    const error = await store.createExclusive("a", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toMatch(
      /^storage: create "a" in file:\/\/\/.* failed: EEXIST: .*; a directory of that name exists; a local store cannot hold both "a" and "a\/\.\.\." keys$/,
    );
    const underFile = await store.createExclusive("a/b/c", "x").catch((e: unknown) => e);
    expect((underFile as Error).message).toMatch(
      /^storage: create "a\/b\/c" in file:\/\/\/.* failed: .*; a file exists where a directory is needed; a local store cannot hold both "a" and "a\/\.\.\." keys$/,
    );
    expect(await filesOnDisk(root)).toEqual(["a/b"]);
  });

  it("explains why a key cannot be both an object and a 'directory' on disk", async () => {
    const root = freshRoot();
    const store = createLocalStorage(root);
    await store.write("a/b", "file");
    const underFile = await store.write("a/b/c", "x").catch((e: unknown) => e);
    expect(underFile).toBeInstanceOf(PipelineError);
    expect((underFile as Error).message).toMatch(
      /^storage: write "a\/b\/c" in file:\/\/\/.* failed: .*; a file exists where a directory is needed; a local store cannot hold both "a" and "a\/\.\.\." keys$/,
    );
    const overDir = await store.write("a", "x").catch((e: unknown) => e);
    expect((overDir as Error).message).toMatch(
      /^storage: write "a" in file:\/\/\/.* failed: .*EISDIR.*; a directory of that name exists; a local store cannot hold both "a" and "a\/\.\.\." keys$/,
    );
    expect(await store.list("")).toEqual(["a/b"]);
  });

  it("wraps unexpected file-system errors with operation, key, store and a hint", async () => {
    const root = freshRoot();
    // The root is a file, so the store cannot create its directory.
    await mkdir(base, { recursive: true });
    await writeFile(root, "not a directory");
    const store = createLocalStorage(join(root, "inner"));
    const error = await store.write("k.txt", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toMatch(new RegExp(`^storage: write "k\\.txt" in ${store.uri.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} failed: ENOTDIR`));
    expect((error as Error).cause).toBeInstanceOf(Error);
    // Reads and lists of such a store find nothing rather than failing.
    expect(await store.list("")).toEqual([]);
    expect(await store.exists("k.txt")).toBe(false);
  });
});
