/**
 * Google Cloud Storage {@link Storage} through the official `@google-cloud/storage` client. Keys
 * map to objects named `<prefix>/<key>` in one bucket. Every write is a single-request upload,
 * which GCS applies atomically: readers see the old object or the new one, never a partial one.
 * Exclusive creates add the precondition `ifGenerationMatch: 0` ("no live object of this name"),
 * which GCS checks atomically with the write and answers with HTTP 412 when it does not hold.
 *
 * Credentials come only from the environment (GOOGLE_APPLICATION_CREDENTIALS, default
 * credentials) or the key file passed in; the client itself honours STORAGE_EMULATOR_HOST.
 *
 * Every call is bounded in time (`timeoutMs`, STORAGE_TIMEOUT_SECONDS): an endpoint that accepts
 * connections and never answers fails the call with a message naming the endpoint, instead of
 * hanging the command. The client's own per-request timeout is set to the same bound, so the
 * abandoned request is aborted too and its socket does not keep the process alive.
 */
import type { Bucket, Storage as GcsClient, StorageOptions } from "@google-cloud/storage";
import { ConfigError, NotFoundError, PipelineError } from "../core/errors.js";
import { checkKey, checkPrefix, compareKeys, keyProblem, ownedBytes, toBytes } from "./keys.js";
import type { Storage, WriteOptions } from "./storage.js";
import { DEFAULT_STORAGE_TIMEOUT_MS, formatSeconds, StorageTimeoutError, withTimeout } from "./timeout.js";

/** Options of {@link createGcsStorage}. */
export interface GcsStorageOptions {
  /** Bucket name (must exist on real GCS; the emulator creates buckets on first write). */
  bucket: string;
  /** Object-name prefix the store lives under, without leading or trailing `/`; empty for the bucket root. */
  prefix?: string;
  /** Google Cloud project; defaults to what the credentials say. */
  projectId?: string;
  /** Service-account key file; defaults to GOOGLE_APPLICATION_CREDENTIALS / default credentials. */
  keyFilename?: string;
  /** Let the client retry transient failures (default true). Tests turn it off to fail fast. */
  retry?: boolean;
  /** Objects per list request (default 1000, the GCS maximum). */
  listPageSize?: number;
  /**
   * Longest one call may take, retries included (default 120 s, STORAGE_TIMEOUT_SECONDS); a list
   * is bounded per page. 0 turns the bound off.
   */
  timeoutMs?: number;
}

/** Content types recorded when the caller gives none, by key extension. */
const CONTENT_TYPES: Record<string, string> = {
  json: "application/json",
  parquet: "application/vnd.apache.parquet",
  csv: "text/csv; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
};

/** The content type recorded for a write: explicit, else by extension, else by data kind. */
export function contentTypeFor(key: string, data: Uint8Array | string, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  const extension = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  const known = extension === undefined ? undefined : CONTENT_TYPES[extension];
  if (known !== undefined) return known;
  return typeof data === "string" ? "text/plain; charset=utf-8" : "application/octet-stream";
}

/**
 * Why `name` is not a valid GCS bucket name, or undefined when it is: 3-63 characters (up to 222
 * with dots, 63 per dot-separated part) of lowercase letters, digits, `-`, `_` and `.`, starting
 * and ending with a letter or digit.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name)) {
    return "bucket names use lowercase letters, digits, '-', '_' and '.', and start and end with a letter or digit";
  }
  const limit = name.includes(".") ? 222 : 63;
  if (name.length < 3 || name.length > limit) return `bucket names are 3 to ${limit} characters long`;
  if (name.split(".").some((part) => part.length > 63)) return "each dot-separated part of a bucket name is at most 63 characters";
  return undefined;
}

/** Strips surrounding `/` from a store prefix and checks the rest like a key. */
export function normaliseGcsPrefix(bucket: string, prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  const problem = trimmed === "" ? undefined : keyProblem(trimmed);
  if (problem !== undefined) {
    throw new ConfigError(`invalid prefix ${JSON.stringify(prefix)} for bucket "${bucket}": ${problem}`);
  }
  return trimmed;
}

function httpStatus(error: unknown): number | undefined {
  const e = error as { code?: unknown; response?: { status?: unknown } } | null;
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.response?.status === "number") return e.response.status;
  return undefined;
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * Creates a GCS-backed store. Nothing is contacted (and no client is constructed, so environment
 * variables are not read) until the first operation. Throws {@link ConfigError} for an invalid
 * bucket name or prefix.
 */
export function createGcsStorage(options: GcsStorageOptions): Storage {
  const { bucket } = options;
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem !== undefined) throw new ConfigError(`invalid GCS bucket name "${bucket}": ${bucketProblem}`);
  const prefix = normaliseGcsPrefix(bucket, options.prefix ?? "");
  const uri = prefix === "" ? `gs://${bucket}` : `gs://${bucket}/${prefix}`;
  const base = prefix === "" ? "" : `${prefix}/`;
  const pageSize = options.listPageSize ?? 1000;
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS;
  const bounded = timeoutMs > 0;

  let client: GcsClient | undefined;
  let bucketHandle: Promise<Bucket> | undefined;
  // The client module is imported on first use too: it is large, and local-only runs never need it.
  const getBucket = (): Promise<Bucket> =>
    (bucketHandle ??= import("@google-cloud/storage").then(({ Storage: Client, IdempotencyStrategy }) => {
      const clientOptions: StorageOptions = {};
      if (options.projectId !== undefined) clientOptions.projectId = options.projectId;
      if (options.keyFilename !== undefined) clientOptions.keyFilename = options.keyFilename;
      // Every write replaces a whole object with the same bytes, so retrying is safe; the client's
      // default retries only preconditioned writes, and after one unretried failure it switches
      // retries off for the whole client (reads and lists included).
      clientOptions.retryOptions = options.retry === false ? { autoRetry: false, maxRetries: 0 } : { idempotencyStrategy: IdempotencyStrategy.RetryAlways };
      if (bounded) {
        // Per HTTP request (reads, lists, metadata; uploads get it per call below), and no retry
        // starts after the bound: the abandoned request is aborted rather than left open.
        clientOptions.timeout = timeoutMs;
        clientOptions.retryOptions.totalTimeout = Math.max(1, Math.ceil(timeoutMs / 1000));
      }
      client = new Client(clientOptions);
      return client.bucket(bucket);
    }));

  /** Where requests go: the emulator (STORAGE_EMULATOR_HOST) or the GCS API. */
  function endpoint(): string {
    const host = process.env.STORAGE_EMULATOR_HOST;
    const where = client?.apiEndpoint ?? (host ? host : "https://storage.googleapis.com");
    return `${where}${host ? " (STORAGE_EMULATOR_HOST)" : ""}`;
  }

  function hintFor(error: unknown): string {
    const status = httpStatus(error);
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 401 || status === 403) {
      return `check GOOGLE_APPLICATION_CREDENTIALS (or the key file given) and that this account may access bucket "${bucket}"`;
    }
    if (status === 404) return `check the bucket name "${bucket}": the bucket must exist`;
    if (typeof code === "string" && NETWORK_CODES.has(code)) {
      const endpoint = client?.apiEndpoint ?? "the GCS endpoint";
      const emulator = process.env.STORAGE_EMULATOR_HOST ? " (set by STORAGE_EMULATOR_HOST)" : "";
      return `check network access to ${endpoint}${emulator}`;
    }
    if (/credential/i.test(message)) {
      return "set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file or configure default credentials";
    }
    return `check GOOGLE_APPLICATION_CREDENTIALS and the bucket name "${bucket}"`;
  }

  function failure(operation: string, key: string, error: unknown): PipelineError {
    if (error instanceof StorageTimeoutError) {
      return new PipelineError(
        "storage",
        `${operation} ${JSON.stringify(key)} in ${uri} timed out after ${formatSeconds(error.timeoutMs)}: ${endpoint()} did not answer; ` +
          `check network access to it, or raise STORAGE_TIMEOUT_SECONDS`,
        { cause: error },
      );
    }
    const status = httpStatus(error);
    const cause = error instanceof Error ? error.message : String(error);
    const statusText = status === undefined ? "" : ` (HTTP ${status})`;
    return new PipelineError("storage", `${operation} ${JSON.stringify(key)} in ${uri} failed${statusText}: ${cause}; ${hintFor(error)}`, { cause: error });
  }

  // Single-request uploads have no HTTP timeout unless the call sets one.
  const uploadTimeout = bounded ? { timeout: timeoutMs } : {};

  async function read(key: string): Promise<Uint8Array> {
    checkKey(key);
    try {
      const [contents] = await withTimeout(
        getBucket().then((b) => b.file(base + key).download()),
        timeoutMs,
      );
      return ownedBytes(contents);
    } catch (error) {
      if (httpStatus(error) === 404) throw new NotFoundError(key, uri);
      throw failure("read", key, error);
    }
  }

  async function write(key: string, data: Uint8Array | string, writeOptions?: WriteOptions): Promise<void> {
    checkKey(key);
    const contentType = contentTypeFor(key, data, writeOptions?.contentType);
    const bytes = toBytes(data);
    try {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      await withTimeout(
        getBucket().then((b) => b.file(base + key).save(buffer, { resumable: false, contentType, ...uploadTimeout })),
        timeoutMs,
      );
    } catch (error) {
      throw failure("write", key, error);
    }
  }

  async function createExclusive(key: string, data: Uint8Array | string, writeOptions?: WriteOptions): Promise<boolean> {
    checkKey(key);
    const contentType = contentTypeFor(key, data, writeOptions?.contentType);
    const bytes = toBytes(data);
    try {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      await withTimeout(
        getBucket().then((b) =>
          b.file(base + key).save(buffer, { resumable: false, contentType, preconditionOpts: { ifGenerationMatch: 0 }, ...uploadTimeout }),
        ),
        timeoutMs,
      );
      return true;
    } catch (error) {
      if (httpStatus(error) === 412) return false;
      throw failure("create", key, error);
    }
  }

  async function list(listPrefix: string): Promise<string[]> {
    checkPrefix(listPrefix);
    const keys: string[] = [];
    try {
      const handle = await withTimeout(getBucket(), timeoutMs);
      let pageToken: string | undefined;
      do {
        const [files, next] = await withTimeout(
          handle.getFiles({
            prefix: base + listPrefix,
            maxResults: pageSize,
            autoPaginate: false,
            ...(pageToken === undefined ? {} : { pageToken }),
          }),
          timeoutMs,
        );
        for (const file of files) {
          // Names ending in "/" are folder placeholders made by the console, not objects of ours.
          if (!file.name.endsWith("/")) keys.push(file.name.slice(base.length));
        }
        const nextToken = (next as { pageToken?: string } | null)?.pageToken;
        if (nextToken !== undefined && nextToken === pageToken) {
          throw new Error(`the server returned the same page token "${nextToken}" twice`);
        }
        pageToken = nextToken;
      } while (pageToken !== undefined);
    } catch (error) {
      throw failure("list prefix", listPrefix, error);
    }
    return keys.sort(compareKeys);
  }

  async function exists(key: string): Promise<boolean> {
    checkKey(key);
    try {
      const [found] = await withTimeout(
        getBucket().then((b) => b.file(base + key).exists()),
        timeoutMs,
      );
      return found;
    } catch (error) {
      throw failure("exists", key, error);
    }
  }

  async function remove(key: string): Promise<void> {
    checkKey(key);
    try {
      await withTimeout(
        getBucket().then((b) => b.file(base + key).delete({ ignoreNotFound: true })),
        timeoutMs,
      );
    } catch (error) {
      throw failure("delete", key, error);
    }
  }

  return { uri, read, write, createExclusive, list, exists, delete: remove };
}
