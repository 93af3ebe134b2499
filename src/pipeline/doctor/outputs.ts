/**
 * Doctor's view of the parquet outputs at the store's root (the latest run's X/y/predictions and
 * monitoring's metrics; the forecast history has its own check, history.ts). Repair restores the
 * latest run's files from its run folder, and sets monitoring's files aside: the next run's
 * monitoring step writes them again.
 */
import type { KeyColumn } from "../series/key.js";
import { outputKeys, runFileKey } from "../storage/layout.js";
import type { DoctorContext } from "./context.js";
import type { Finding, RepairAction } from "./report.js";
import type { RunFolder } from "./runs.js";
import { decodeOutput, ROOT_OUTPUTS } from "./schemas.js";
import { setAside } from "./set-aside.js";

/** A root output that does not decode. */
export interface DamagedOutput {
  key: string;
  problem: string;
  /** The run folder whose copy replaces it (X, y, predictions), when one has it. */
  from?: string;
}

const PER_RUN = new Set([outputKeys.X, outputKeys.y, outputKeys.predictions]);

/** Examines the root outputs (all but the history), adding findings; returns the damaged ones and how many were read. */
export async function examineOutputs(
  ctx: DoctorContext,
  keys: readonly KeyColumn[] | undefined,
  runs: readonly RunFolder[],
  findings: Finding[],
): Promise<{ damaged: DamagedOutput[]; files: number }> {
  const damaged: DamagedOutput[] = [];
  let files = 0;
  for (const key of ROOT_OUTPUTS) {
    if (key === outputKeys.history || !ctx.keys.includes(key)) continue;
    files++;
    const decoded = decodeOutput(await ctx.storage.read(key), key, keys);
    if (typeof decoded !== "string") continue;
    const from = PER_RUN.has(key) ? latestCopy(ctx, runs, key) : undefined;
    damaged.push({ key, problem: decoded, ...(from ? { from } : {}) });
    findings.push({
      area: "outputs",
      severity: "problem",
      subject: key,
      message: `does not decode: ${decoded}`,
      repair: from
        ? `replace it with the latest run's copy ${from}`
        : PER_RUN.has(key)
          ? "set it aside under damaged/ (no run folder holds a copy; the next run writes it again)"
          : "set it aside under damaged/ (the next run's monitoring writes it again)",
    });
  }
  return { damaged, files };
}

/** The latest run folder's intact copy of a per-run output, e.g. `runs/<id>/X.parquet`. */
function latestCopy(ctx: DoctorContext, runs: readonly RunFolder[], name: string): string | undefined {
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i];
    const key = runFileKey(run.id, name);
    if (run.status !== "failed" && ctx.keys.includes(key) && !run.damaged.some((d) => d.key === key)) return key;
  }
  return undefined;
}

/** Repairs the damaged root outputs. */
export async function repairOutputs(ctx: DoctorContext, damaged: readonly DamagedOutput[]): Promise<RepairAction[]> {
  const actions: RepairAction[] = [];
  for (const d of damaged) {
    const to = await setAside(ctx.storage, d.key);
    if (to) actions.push({ area: "outputs", action: "set aside", subject: d.key, to, detail: "did not decode" });
    if (d.from) {
      await ctx.storage.write(d.key, await ctx.storage.read(d.from), { contentType: "application/vnd.apache.parquet" });
      actions.push({ area: "outputs", action: "restored", subject: d.key, detail: `copied from ${d.from}` });
    }
  }
  return actions;
}
