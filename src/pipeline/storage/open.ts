/**
 * Turns a store location from the command line or config (`gs://bucket/prefix`, `file:///abs`,
 * `file:relative`, or a plain path) into a {@link Storage}.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ConfigError } from "../core/errors.js";
import { bucketNameProblem, createGcsStorage, normaliseGcsPrefix } from "./gcs.js";
import { createLocalStorage } from "./local.js";
import type { Storage } from "./storage.js";

/** A parsed store location; `uri` is its normalised form (what the opened store reports). */
export type StoreLocation =
  | { kind: "file"; /** Absolute directory. */ path: string; uri: string }
  | { kind: "gs"; bucket: string; /** Without surrounding `/`; empty for the bucket root. */ prefix: string; uri: string };

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /** GCS project (gs:// stores only). */
  projectId?: string;
  /** GCS service-account key file (gs:// stores only); defaults to GOOGLE_APPLICATION_CREDENTIALS. */
  keyFilename?: string;
  /** Directory relative paths are resolved against; defaults to the process's current directory. */
  cwd?: string;
  /** Longest one storage call may take (gs:// stores; STORAGE_TIMEOUT_SECONDS), default 120 s; 0: no bound. */
  timeoutMs?: number;
}

const ACCEPTED = 'use "gs://bucket", "gs://bucket/prefix", "file:///absolute/dir", "file:relative/dir" or a plain directory path';

function invalid(uri: string, why: string): ConfigError {
  return new ConfigError(`invalid store location ${JSON.stringify(uri)}: ${why}; ${ACCEPTED}`);
}

/**
 * Parses a store location without opening it, so config code can normalise and compare
 * locations. Relative paths resolve against `cwd`. Throws {@link ConfigError} for anything else.
 */
export function parseStoreUri(uri: string, cwd: string): StoreLocation {
  if (uri.trim() === "") throw invalid(uri, "it is empty");
  if (uri.startsWith("gs://")) return parseGs(uri);
  if (uri.startsWith("file://")) {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch (error) {
      throw invalid(uri, `not a local file URL (${error instanceof Error ? error.message : String(error)})`);
    }
    return fileLocation(path);
  }
  if (uri.startsWith("file:")) return fileLocation(resolve(cwd, uri.slice("file:".length)));
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1];
  if (scheme !== undefined) throw invalid(uri, `unsupported scheme "${scheme}:"`);
  if (uri.startsWith("~")) throw invalid(uri, '"~" is not expanded here; give the full path');
  return fileLocation(isAbsolute(uri) ? resolve(uri) : resolve(cwd, uri));
}

function fileLocation(path: string): StoreLocation {
  return { kind: "file", path, uri: pathToFileURL(path).href };
}

function parseGs(uri: string): StoreLocation {
  const rest = uri.slice("gs://".length);
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (bucket === "") throw invalid(uri, "the bucket name is missing");
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) throw invalid(uri, `bad bucket name "${bucket}" (${problem})`);
  const prefix = normaliseGcsPrefix(bucket, slash === -1 ? "" : rest.slice(slash + 1));
  return { kind: "gs", bucket, prefix, uri: prefix === "" ? `gs://${bucket}` : `gs://${bucket}/${prefix}` };
}

/** Opens the store at `uri` (see {@link parseStoreUri} for the accepted forms). Contacts nothing yet. */
export function openStorage(uri: string, options: OpenStorageOptions = {}): Storage {
  const location = parseStoreUri(uri, options.cwd ?? process.cwd());
  if (location.kind === "file") return createLocalStorage(location.path);
  return createGcsStorage({
    bucket: location.bucket,
    prefix: location.prefix,
    ...(options.projectId === undefined ? {} : { projectId: options.projectId }),
    ...(options.keyFilename === undefined ? {} : { keyFilename: options.keyFilename }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}
