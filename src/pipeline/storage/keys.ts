/**
 * Key rules shared by every storage backend, so a key that works on the local disk also works on
 * GCS and the other way round. Keys are `/`-separated relative paths (see `storage.ts`).
 */
import { PipelineError } from "../core/errors.js";

/**
 * Basename prefix of the local backend's in-progress writes. Reserved in every backend so a key
 * can never collide with (or be hidden like) a temp file, and stores stay portable.
 */
export const TEMP_PREFIX = ".tmp-";

// Control characters break object names on GCS (CR/LF are rejected there) and file names on disk.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Why `key` is not a valid key (e.g. `keys must not be empty`), or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key === "") return "keys must not be empty";
  if (key.startsWith("/")) return 'keys are relative paths and must not start with "/"';
  if (key.includes("\\")) return 'keys use "/" as separator and must not contain "\\"';
  if (CONTROL_CHARS.test(key)) return "keys must not contain control characters";
  const segments = key.split("/");
  if (segments.includes("..")) return 'keys are relative paths without ".." segments';
  if (segments.includes(".")) return 'keys are relative paths without "." segments';
  if (segments.includes("")) return 'keys must not contain empty segments ("//" or a trailing "/")';
  if (segments.some((s) => s.startsWith(TEMP_PREFIX))) {
    return `segments starting with "${TEMP_PREFIX}" are reserved for in-progress writes`;
  }
  return undefined;
}

/**
 * Throws a `storage:` {@link PipelineError} unless `key` is a valid key: non-empty, relative (no
 * leading `/`), no `.`/`..`/empty segments, no backslashes or control characters, and no segment
 * starting with {@link TEMP_PREFIX}.
 */
export function checkKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    throw new PipelineError("storage", `invalid key ${JSON.stringify(key)}: ${problem}`);
  }
}

/**
 * Throws unless `prefix` is a valid `list` prefix: empty, or its complete segments (everything up
 * to the last `/`) form a valid key. The trailing partial segment is only a string filter, so
 * `features/energ` and `a/..` are fine, but `../x` and `/x` are not.
 */
export function checkPrefix(prefix: string): void {
  if (prefix === "") return;
  const slash = prefix.lastIndexOf("/");
  const partial = prefix.slice(slash + 1);
  let problem: string | undefined;
  if (slash === 0) problem = 'prefixes are relative paths and must not start with "/"';
  else if (slash > 0) problem = keyProblem(prefix.slice(0, slash));
  if (problem === undefined && partial.includes("\\")) problem = 'keys use "/" as separator and must not contain "\\"';
  if (problem === undefined && CONTROL_CHARS.test(partial)) problem = "keys must not contain control characters";
  if (problem !== undefined) {
    throw new PipelineError("storage", `invalid prefix ${JSON.stringify(prefix)}: ${problem}`);
  }
}

/**
 * Orders keys by their UTF-8 bytes, the order GCS lists objects in, so every backend returns
 * `list` results in the same order (plain `<` on UTF-16 differs for characters beyond U+FFFF).
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Encodes what `write` accepts into bytes (strings as UTF-8). */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

/**
 * Returns a plain `Uint8Array` that owns its whole `ArrayBuffer`. Node hands out `Buffer`s that
 * may be views into a shared pool; a caller doing `new Float64Array(bytes.buffer)` must not see
 * unrelated memory, and tests compare plain arrays.
 */
export function ownedBytes(buf: Uint8Array): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength);
  }
  return new Uint8Array(buf);
}
