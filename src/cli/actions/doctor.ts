import type { Command } from "commander";
import { ExitCode, examineStore, formatDoctorReport, repairStore, type DoctorOptions, type DoctorReport } from "../../pipeline/index.js";
import { createContext } from "../context.js";
import { QuietExit } from "../exit.js";
import { withStoreLock } from "../lock.js";

export interface DoctorFlags {
  repair?: boolean;
  json?: boolean;
}

/** What `energy-forecast doctor` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function doctorAction(flags: DoctorFlags, cmd: Command): Promise<void> {
  const ctx = createContext(cmd);
  const runId = ctx.newRunId("doctor");
  const options = (): DoctorOptions => ({
    now: ctx.clock.now(),
    runId,
    group: ctx.config.featureGroup,
    logger: ctx.logger,
    windowDays: ctx.config.historyWindowDays,
  });
  let report: DoctorReport;
  if (flags.repair) {
    // Repairs write only through the lease's storage, which refuses to write once the lock is lost.
    const { before, actions } = await withStoreLock(ctx, runId, async (storage) => {
      const exam = await examineStore(storage, options());
      return { before: exam.report, actions: await repairStore(exam) };
    });
    const after = await examineStore(ctx.storage, options());
    report = { ...before, repair: { actions, after: after.report } };
  } else {
    report = (await examineStore(ctx.storage, options())).report;
  }
  ctx.io.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatDoctorReport(report));
  if (!(report.repair ? report.repair.after.healthy : report.healthy)) throw new QuietExit(ExitCode.failure);
}
