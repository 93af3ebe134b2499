/**
 * Doctor's view of the run folders (`runs/<run id>/`): every parquet file decodes, every JSON file
 * parses, and each folder's forecasts are at hand for the forecast-history check. Nothing in a
 * run folder can be rebuilt: repair sets damaged files aside under `damaged/`.
 */
import type { ColumnTable } from "arquero";
import type { KeyColumn } from "../series/key.js";
import { outputKeys, RUN_FILE_KEY, runFileKey, runFiles } from "../storage/layout.js";
import type { DoctorContext } from "./context.js";
import type { Finding, RepairAction } from "./report.js";
import { decodeOutput } from "./schemas.js";
import { setAside } from "./set-aside.js";

/** One run folder as doctor found it. */
export interface RunFolder {
  id: string;
  /** `complete`: has manifest.json (a finished tick); `failed`: has failure.json; `no manifest`: a `predict` run, or one that was interrupted. */
  status: "complete" | "failed" | "no manifest";
  /** From the run manifest, for ordering runs: the tick's as-of. */
  asOf?: string;
  /** Its forecasts (`predictions.parquet`), when the file exists and decodes. */
  predictions?: ColumnTable;
  /** Files that do not decode or parse. */
  damaged: Array<{ key: string; problem: string }>;
}

const PARQUET = new Set([outputKeys.X, outputKeys.y, outputKeys.predictions]);

/** Examines every run folder; returns them (ordered as their runs wrote the history) and how many files were read. */
export async function examineRuns(
  ctx: DoctorContext,
  keys: readonly KeyColumn[] | undefined,
  findings: Finding[],
): Promise<{ runs: RunFolder[]; files: number }> {
  const byRun = new Map<string, string[]>();
  for (const key of ctx.keys) {
    const m = RUN_FILE_KEY.exec(key);
    if (m) byRun.set(m[1], [...(byRun.get(m[1]) ?? []), m[2]]);
  }
  const runs: RunFolder[] = [];
  let files = 0;
  for (const [id, names] of byRun) {
    const run: RunFolder = {
      id,
      status: names.includes(runFiles.manifest) ? "complete" : names.includes(runFiles.failure) ? "failed" : "no manifest",
      damaged: [],
    };
    runs.push(run);
    for (const name of names) {
      const key = runFileKey(id, name);
      if (name.endsWith(".json")) {
        files++;
        const text = new TextDecoder().decode(await ctx.storage.read(key));
        try {
          const parsed = JSON.parse(text) as { asOf?: unknown };
          if (name === runFiles.manifest && typeof parsed.asOf === "string") run.asOf = parsed.asOf;
        } catch {
          run.damaged.push({ key, problem: "is not valid JSON" });
          if (name === runFiles.manifest) run.status = "no manifest";
        }
      } else if (PARQUET.has(name)) {
        files++;
        const decoded = decodeOutput(await ctx.storage.read(key), key, keys);
        if (typeof decoded === "string") run.damaged.push({ key, problem: decoded });
        else if (name === outputKeys.predictions) run.predictions = decoded;
      }
    }
    for (const d of run.damaged) {
      findings.push({
        area: "runs",
        severity: "problem",
        subject: d.key,
        message: d.problem.startsWith("is not") ? d.problem : `does not decode: ${d.problem}`,
        repair: d.key.endsWith(`/${runFiles.manifest}`)
          ? "set it aside under damaged/ (the run then counts as incomplete: backfill runs its tick again)"
          : "set it aside under damaged/ (a run folder cannot be rebuilt)",
      });
    }
  }
  return { runs: runs.sort(compareRuns), files };
}

/** The instant in a run id (`<kind>-<yyyyMMddTHHmmss>Z-<hex>`), or undefined. */
export function runIdTime(id: string): number | undefined {
  const m = /-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(id);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

/**
 * The order in which runs wrote the forecast history: by the time in their id (when they
 * started), then by their tick's as-of (a backfill starts several ticks within one second), then by id.
 */
export function compareRuns(a: RunFolder, b: RunFolder): number {
  const ta = runIdTime(a.id) ?? 0;
  const tb = runIdTime(b.id) ?? 0;
  if (ta !== tb) return ta - tb;
  const asOf = (a.asOf ?? "").localeCompare(b.asOf ?? "");
  return asOf !== 0 ? asOf : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Sets aside every damaged file of the run folders. */
export async function repairRuns(ctx: DoctorContext, runs: readonly RunFolder[]): Promise<RepairAction[]> {
  const actions: RepairAction[] = [];
  for (const run of runs) {
    for (const d of run.damaged) {
      const to = await setAside(ctx.storage, d.key);
      if (to) actions.push({ area: "runs", action: "set aside", subject: d.key, to, detail: d.problem.startsWith("is not") ? d.problem : "does not decode" });
    }
  }
  return actions;
}
