/**
 * What a store must hold after writers that ran at the same time, or were killed, checked against
 * what the test knows they did: the feature rows are exactly the union of the committed batches,
 * every run folder's forecasts are in the forecast history and every history row is the forecast
 * of the run folder it names, no object carries the id of a command that did not succeed, and
 * `energy-forecast doctor --json` finds the store healthy.
 */
import { expect, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { runCli } from "../support/cli.js";
import { featureRowId } from "../support/de35-batches.js";
import { featureRows, HISTORY_KEY, schemaFor, storeKeys } from "./store-checks.js";

/** Run ids as commands make them: `<command>-<yyyyMMddTHHmmss>Z-<hex6>`. */
export const RUN_ID = /\b(?:ingest|run|predict|train|monitor|backfill|doctor)-\d{8}T\d{6}Z-[0-9a-f]{6}\b/g;

/** Every run id named by an object key of the store. */
export function runIdsInKeys(keys: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const key of keys) for (const m of key.matchAll(RUN_ID)) ids.add(m[0]);
  return ids;
}

/** Asserts that the store's feature rows are exactly `expected` (feature row ids; see de35-batches.ts). */
export async function expectFeatureRows(storage: Storage, expected: Iterable<string>, label: string): Promise<number> {
  const stored = (await featureRows(storage)).map((r) => featureRowId(r as Parameters<typeof featureRowId>[0]));
  const want = new Set(expected);
  const have = new Set(stored);
  expect(stored.length - have.size, `${label}: duplicate feature rows`).toBe(0);
  const lost = Array.from(want).filter((r) => !have.has(r));
  const invented = stored.filter((r) => !want.has(r));
  expect(
    { lost: lost.length, invented: invented.length, examples: [...lost.slice(0, 3), ...invented.slice(0, 3)] },
    `${label}: feature rows against the committed batches`,
  ).toEqual({
    lost: 0,
    invented: 0,
    examples: [],
  });
  return stored.length;
}

/** The identity of a forecast row: origin, series, target hour. */
function forecastId(row: Record<string, unknown>, keyNames: readonly string[]): string {
  const t = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(v));
  return [t(row.origin), ...keyNames.map((k) => String(row[k])), t(row.datetime_utc)].join("|");
}

/** Run folders' forecasts already read, by store and run id (run folders never change once written). */
export type RunForecastCache = Map<string, Map<string, string>>;

/**
 * Forecast history against the run folders (see the module comment); returns how many run folders
 * and history rows it compared. `cache` keeps the run folders' forecasts between calls on one store.
 */
export async function expectHistoryMatchesRuns(
  storage: Storage,
  label: string,
  cache: RunForecastCache = new Map(),
): Promise<{ runs: number; historyRows: number }> {
  const keys = await storage.list("");
  const seriesKeys = await storeKeys(storage);
  const keyNames = seriesKeys.map((k) => k.name);
  const read = async (key: string) => readParquet(await storage.read(key), schemaFor(key, seriesKeys), key).objects() as Array<Record<string, unknown>>;
  const runs = keys.filter((k) => /^runs\/[^/]+\/predictions\.parquet$/.test(k));
  /** Per run id: its forecasts by forecast id, as JSON. */
  const byRun = new Map<string, Map<string, string>>();
  for (const key of runs) {
    const id = key.split("/")[1];
    let forecasts = cache.get(id);
    if (forecasts === undefined) {
      forecasts = new Map((await read(key)).map((r) => [forecastId(r, keyNames), JSON.stringify(r)]));
      cache.set(id, forecasts);
    }
    byRun.set(id, forecasts);
  }
  if (runs.length === 0) {
    expect(keys, `${label}: a forecast history without run folders`).not.toContain(HISTORY_KEY);
    return { runs: 0, historyRows: 0 };
  }
  expect(keys, `${label}: run folders without a forecast history`).toContain(HISTORY_KEY);
  const history = await read(HISTORY_KEY);
  const inHistory = new Set(history.map((r) => forecastId(r, keyNames)));
  const missing: string[] = [];
  for (const [id, rows] of byRun) for (const f of rows.keys()) if (!inHistory.has(f)) missing.push(`${id}: ${f}`);
  expect(missing.slice(0, 3), `${label}: ${missing.length} forecast(s) of run folders missing from the history`).toEqual([]);
  const wrong: string[] = [];
  for (const row of history) {
    const runId = String(row.run_id);
    const own = byRun.get(runId);
    if (own === undefined) wrong.push(`${forecastId(row, keyNames)} names ${runId}, which has no run folder`);
    else if (own.get(forecastId(row, keyNames)) !== JSON.stringify(row))
      wrong.push(`${forecastId(row, keyNames)} differs from runs/${runId}/predictions.parquet`);
  }
  expect(wrong.slice(0, 3), `${label}: ${wrong.length} history row(s) that are not their run's forecast`).toEqual([]);
  return { runs: runs.length, historyRows: history.length };
}

/** The parts of `doctor --json` the tests look at. */
export interface DoctorView {
  healthy: boolean;
  problems: number;
  warnings: number;
  findings: Array<{ area: string; severity: string; subject: string; message: string }>;
  lock: { state: string; owner?: string; claims: number };
  checked: Record<string, number>;
}

/**
 * `energy-forecast doctor --json` run in this process (the CLI's own `main`, as the child runs
 * it, without the child's 2-3 s of start-up); the environment is this process's.
 */
export async function doctorInProcess(store: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(["--store", store, "--log-level", "warn", "doctor", "--json"]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * Runs `energy-forecast doctor --json` on `store` (a child process with `env`, or in this process
 * when `env` is "in-process") and asserts a healthy store (exit 0), no problem or warning, the lock free.
 */
export async function expectDoctorHealthy(store: string, env: Record<string, string> | "in-process", label: string): Promise<DoctorView> {
  const r = env === "in-process" ? await doctorInProcess(store) : await runCli(["--store", store, "doctor", "--json"], env);
  expect({ code: r.code, stderr: r.stderr }, `${label}: doctor`).toEqual({ code: 0, stderr: "" });
  const report = JSON.parse(r.stdout) as DoctorView;
  const serious = report.findings.filter((f) => f.severity !== "note");
  expect(serious, `${label}: doctor's problems and warnings`).toEqual([]);
  // Free, and no takeover claim left behind.
  expect(report).toMatchObject({ healthy: true, problems: 0, warnings: 0, lock: { state: "free", claims: 0 } });
  return report;
}
