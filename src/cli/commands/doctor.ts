import type { Command } from "commander";
import { ExitCode } from "../../pipeline/core/errors.js";
import { examineStore, repairStore, type DoctorOptions } from "../../pipeline/doctor/doctor.js";
import { formatDoctorReport, type DoctorReport } from "../../pipeline/doctor/report.js";
import { createContext, type GlobalOptions } from "../context.js";
import { QuietExit } from "../exit.js";
import { withStoreLock } from "../lock.js";

interface DoctorFlags {
  repair?: boolean;
  json?: boolean;
}

/** `energy-forecast doctor`: verify a store, and with `--repair` rebuild what can be rebuilt. */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "verify the store: every manifest reference resolves, every parquet file decodes, the forecast history holds every run folder's forecasts, the lock; " +
        "--repair rebuilds what can be rebuilt and sets aside what cannot (under damaged/, never deleted)",
    )
    .option("--repair", "rebuild a feature-group manifest from its partition files and the forecast history from runs/*/predictions.parquet, set aside damaged files under damaged/; takes the store's lock")
    .option("--json", "print the report as JSON")
    .addHelpText("after", `\nExit codes: 0 healthy (with --repair: healthy after the repair), 1 problems found (remaining), 2 bad usage, ${ExitCode.locked} another command holds the store's lock (--repair).`)
    .action(async (flags: DoctorFlags, cmd: Command) => {
      const ctx = createContext(cmd.optsWithGlobals<GlobalOptions>());
      const runId = ctx.newRunId("doctor");
      const options = (): DoctorOptions => ({ now: ctx.clock.now(), runId, group: ctx.config.featureGroup, logger: ctx.logger });
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
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatDoctorReport(report));
      if (!(report.repair ? report.repair.after.healthy : report.healthy)) throw new QuietExit(ExitCode.failure);
    });
}
