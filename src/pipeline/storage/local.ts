/**
 * Local-disk {@link Storage}: one file per key under a root directory. Writes go to a temp file in
 * the target's directory and are renamed over the target, so a crash never leaves a partial
 * object visible (rename is atomic within one file system). Exclusive creates hard-link the
 * complete temp file to the target instead: link fails with EEXIST when the target exists, and is
 * just as atomic, so exactly one of several concurrent creators (even in other processes) wins.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { NotFoundError, PipelineError } from "../core/errors.js";
import { TEMP_PREFIX, checkKey, checkPrefix, compareKeys, ownedBytes, toBytes } from "./keys.js";
import type { Storage, WriteOptions } from "./storage.js";

/** Options of {@link createLocalStorage}. */
export interface LocalStorageOptions {
  /**
   * Test seam: called after the temp file is complete and fsynced, right before it is renamed
   * over the target. Tests use it to kill the process or fail at the worst moment.
   */
  beforeRename?: (tempPath: string, key: string) => Promise<void> | void;
}

/** Error codes meaning "there is no object at this key" (a missing file, or a directory in the way). */
const MISSING = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function causeText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let tempCounter = 0;

/** A temp name unique across processes and concurrent writes in this one. */
function tempName(target: string): string {
  tempCounter += 1;
  return `${TEMP_PREFIX}${basename(target)}.${process.pid}.${tempCounter}.${randomBytes(4).toString("hex")}`;
}

/**
 * Creates a store rooted at `rootDir` (resolved against the current directory; created on first
 * write). Its uri is the `file:///` URL of the absolute root.
 */
export function createLocalStorage(rootDir: string, options: LocalStorageOptions = {}): Storage {
  const root = resolve(rootDir);
  const uri = pathToFileURL(root).href;
  const pathOf = (key: string): string => join(root, ...key.split("/"));

  const failure = (operation: string, key: string, error: unknown, hint: string): PipelineError =>
    new PipelineError("storage", `${operation} ${JSON.stringify(key)} in ${uri} failed: ${causeText(error)}; ${hint}`, { cause: error });

  async function read(key: string): Promise<Uint8Array> {
    checkKey(key);
    try {
      return ownedBytes(await readFile(pathOf(key)));
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? "")) throw new NotFoundError(key, uri);
      throw failure("read", key, error, "check that the file is readable");
    }
  }

  /** Creates the directory `dir` of `key`'s file, explaining the usual reason it cannot be. */
  async function makeParent(operation: string, key: string, dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      const hint =
        errorCode(error) === "ENOTDIR" || errorCode(error) === "EEXIST"
          ? 'a file exists where a directory is needed; a local store cannot hold both "a" and "a/..." keys'
          : "check that the store directory is writable";
      throw failure(operation, key, error, hint);
    }
  }

  async function write(key: string, data: Uint8Array | string, _options?: WriteOptions): Promise<void> {
    checkKey(key);
    const target = pathOf(key);
    const dir = dirname(target);
    const temp = join(dir, tempName(target));
    await makeParent("write", key, dir);
    let renamed = false;
    try {
      await writeTemp(temp, data);
      await options.beforeRename?.(temp, key);
      await rename(temp, target);
      renamed = true;
      await syncDirectory(dir);
    } catch (error) {
      if (!renamed) await unlink(temp).catch(() => undefined); // best effort; list/read ignore temp files anyway
      const hint =
        errorCode(error) === "EISDIR"
          ? 'a directory of that name exists; a local store cannot hold both "a" and "a/..." keys'
          : "check that the store directory is writable and the disk is not full";
      throw failure("write", key, error, hint);
    }
  }

  async function createExclusive(key: string, data: Uint8Array | string, _options?: WriteOptions): Promise<boolean> {
    checkKey(key);
    const target = pathOf(key);
    const dir = dirname(target);
    const temp = join(dir, tempName(target));
    await makeParent("create", key, dir);
    let created = false;
    try {
      await writeTemp(temp, data);
      try {
        // Unlike rename, link never replaces an existing target: the file system arbitrates.
        await link(temp, target);
        created = true;
      } catch (error) {
        // A directory in the way also gives EEXIST, but no object exists there: that is an error.
        if (errorCode(error) !== "EEXIST" || (await isDirectory(target))) throw error;
      }
      if (created) await syncDirectory(dir);
    } catch (error) {
      const code = errorCode(error) ?? "";
      const hint =
        code === "EEXIST" || code === "EISDIR"
          ? 'a directory of that name exists; a local store cannot hold both "a" and "a/..." keys'
          : code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP"
            ? "the store's file system must support hard links (local disks do; some network and FUSE mounts do not)"
            : "check that the store directory is writable and the disk is not full";
      throw failure("create", key, error, hint);
    } finally {
      // The temp name is only a second link to the created file (or a loser's copy): drop it either
      // way. Best effort: list/read ignore temp files anyway.
      await unlink(temp).catch(() => undefined);
    }
    return created;
  }

  async function list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    // Walk only the directory holding the prefix's complete segments; the rest is a string filter.
    const dirPart = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    const keys: string[] = [];
    try {
      await walk(dirPart === "" ? root : pathOf(dirPart.slice(0, -1)), dirPart, prefix, keys);
    } catch (error) {
      throw failure("list prefix", prefix, error, "check that the store directory is readable");
    }
    return keys.sort(compareKeys);
  }

  async function exists(key: string): Promise<boolean> {
    checkKey(key);
    try {
      return (await stat(pathOf(key))).isFile();
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? "")) return false;
      throw failure("exists", key, error, "check that the store directory is readable");
    }
  }

  async function remove(key: string): Promise<void> {
    checkKey(key);
    try {
      await unlink(pathOf(key));
    } catch (error) {
      // EPERM is what unlink of a directory gives on macOS: there is no object at this key.
      const code = errorCode(error) ?? "";
      if (MISSING.has(code)) return;
      if (code === "EPERM" && (await isDirectory(pathOf(key)))) return;
      throw failure("delete", key, error, "check that the store directory is writable");
    }
    // Empty parent directories are left in place: removing them would race with concurrent writers
    // creating files there, and list never reports directories.
  }

  return { uri, read, write, createExclusive, list, exists, delete: remove };
}

/** Writes `data` to a new file at `temp` and fsyncs it, so a later rename or link exposes complete content. */
async function writeTemp(temp: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(toBytes(data));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Collects the keys of regular files under `dir` (whose key prefix is `keyPrefix`) starting with `prefix`. */
async function walk(dir: string, keyPrefix: string, prefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A missing directory simply holds no keys (also when a file sits where a directory would be).
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(TEMP_PREFIX)) continue;
    const key = keyPrefix + entry.name;
    if (entry.isDirectory()) {
      const sub = key + "/";
      // Descend only where keys starting with `prefix` can live.
      if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(join(dir, entry.name), sub, prefix, out);
    } else if (entry.isFile() && key.startsWith(prefix)) {
      out.push(key);
    }
  }
}

/** Makes the rename itself durable: the directory entry lives in the directory's own data. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
