/**
 * What every data loader of the report shares: the same settings as the CLI (environment plus
 * `.env` in the working directory, which Framework sets to the project root), the store those
 * settings point at, and the envelope each loader writes to stdout.
 *
 * Loaders hand pages only what they show. Nothing here may put a credential or a machine path
 * into the output: the store is described by {@link storeLabel}, texts that come from the store
 * (source descriptions, error messages) go through {@link redactPaths}.
 */
import { relative, sep } from "node:path";
import { PROJECT_ROOT, fixedClock, openWorkspace, parseStoreUri, type Config, type Storage } from "../../../src/pipeline/index.js";

/** The opened store and its settings, for one loader run. */
export interface ReportContext {
  config: Config;
  storage: Storage;
  /** A description of the store that is safe to publish (no absolute local path). */
  store: StoreInfo;
  /** When the report is built (ISO, UTC): now, or `REPORT_BUILD_TIME` (see {@link buildTime}). */
  builtAt: string;
}

/** The store as the pages show it. */
export interface StoreInfo {
  kind: "file" | "gs";
  /** `gs://bucket/prefix`, a project-relative directory such as `.data/store`, or "a local directory". */
  label: string;
  /** For gs:// stores: the browser URL prefix under which objects can be opened (Cloud console login). */
  objectUrlBase?: string;
}

/** What a page shows instead of charts when the store has nothing for it yet. */
export interface EmptyNotice {
  title: string;
  detail: string;
  commands: string[];
}

/** The envelope every loader writes. `empty` is set when the page has nothing to show. */
export interface Envelope<T> {
  store: StoreInfo;
  builtAt: string;
  empty?: EmptyNotice;
  data?: T;
}

/** The commands that fill a store, shown on every empty page. */
export const FILL_COMMANDS = [
  "npm start",
  "npx energy-forecast backfill --from 2023-01-23T00:00 --to 2023-01-30T00:00 --every 24",
];

/**
 * Opens the workspace the way every entry point does (openWorkspace: `.env` values never override
 * variables already set) with the build time as its clock. Contacts nothing yet.
 */
export function openReport(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ReportContext {
  const builtAt = buildTime(env.REPORT_BUILD_TIME);
  const { config, storage } = openWorkspace({ env, cwd, clock: fixedClock(builtAt) });
  return { config, storage, store: storeLabel(config.storeUri, cwd), builtAt };
}

/**
 * The report's build time: now, or the ISO time in `REPORT_BUILD_TIME` (with its zone, e.g.
 * `2023-01-30T07:00:00Z`), so tests and rebuilds of an old report judge freshness the same way
 * every time. Read once per loader, when it opens the store.
 */
export function buildTime(given: string | undefined, now = new Date()): string {
  const text = given?.trim() ?? "";
  if (text === "") return now.toISOString();
  const t = Date.parse(text);
  // A time without a zone would be read in the machine's zone: refuse it rather than guess.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(t)) {
    throw new Error(`REPORT_BUILD_TIME "${given}" is not an ISO time with a zone, such as 2023-01-30T07:00:00Z; unset it to use the current time`);
  }
  return new Date(t).toISOString();
}

/** Describes a store URI without leaking the machine's directory layout. */
export function storeLabel(uri: string, cwd: string): StoreInfo {
  const location = parseStoreUri(uri, cwd);
  if (location.kind === "gs") {
    const path = location.prefix === "" ? location.bucket : `${location.bucket}/${location.prefix}`;
    return { kind: "gs", label: location.uri, objectUrlBase: `https://storage.cloud.google.com/${path}/` };
  }
  const rel = relative(PROJECT_ROOT, location.path);
  const inside = rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep);
  return { kind: "file", label: inside ? rel.split(sep).join("/") : "a local directory (STORE_URI)" };
}

/**
 * Replaces absolute file paths in a text from the store (a source description, an error message)
 * by their file name, and project paths by their project-relative form.
 */
export function redactPaths(text: string): string {
  const root = PROJECT_ROOT.endsWith("/") ? PROJECT_ROOT : PROJECT_ROOT + "/";
  return text
    .split(root)
    .join("")
    .replace(/file:\/\/\/[^\s"',;)]+/g, (m) => "…/" + (m.split("/").pop() ?? ""))
    .replace(/(^|[\s"'(=:])\/(?:[^\s"',;:)/]+\/)+([^\s"',;:)/]*)/g, (_m, pre: string, base: string) => `${pre}…/${base}`);
}

/** Writes a loader's result to stdout (compact JSON, the only thing a loader prints there). */
export function emit<T>(ctx: ReportContext, result: { empty?: EmptyNotice; data?: T }): void {
  const envelope: Envelope<T> = { store: ctx.store, builtAt: ctx.builtAt, ...result };
  process.stdout.write(JSON.stringify(envelope));
}

/** An empty-page notice that names the commands to run. */
export function emptyNotice(title: string, detail: string, commands: string[] = FILL_COMMANDS): EmptyNotice {
  return { title, detail, commands };
}

/**
 * Runs a loader: errors go to stderr and fail the build with exit code 1 (a broken store must be
 * noticed, not published as an empty page). Only "nothing there yet" is turned into a notice, by
 * the loader itself.
 */
export function runLoader(name: string, main: (ctx: ReportContext) => Promise<void>): void {
  let ctx: ReportContext;
  try {
    ctx = openReport();
  } catch (error) {
    fail(name, error);
    return;
  }
  main(ctx).catch((error: unknown) => fail(name, error));
}

function fail(name: string, error: unknown): void {
  process.stderr.write(`report loader ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
