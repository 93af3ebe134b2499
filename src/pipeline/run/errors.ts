import { ExitCode, PipelineError } from "../core/errors.js";

/**
 * Why a stage of a staged run (`run --stage prepare|predict|finish`) cannot go on. Callers branch
 * on `problem`, never on the message:
 * - `prepare-missing`: no prepare record for the run id (prepare has not run, or another id);
 * - `as-of-mismatch`: a stage was given another `--as-of` than the run was prepared for (exit 2);
 * - `shards-missing`: finish found no record of some shard(s) of the run's shard count;
 * - `shard-count-mismatch`: the shards of the run were made with different shard counts;
 * - `shard-mismatch`: a shard's record disagrees with the prepare record, or its forecasts do not
 *   match the checksum its record gives (rerun that shard);
 * - `staged-run`: a one-process `run` was given the id of a run that is being run in stages;
 * - `worker-failed`: a local predict worker (`run --workers N`) failed; the exit code is its own.
 */
export type RunStageProblem =
  "prepare-missing" | "as-of-mismatch" | "shards-missing" | "shard-count-mismatch" | "shard-mismatch" | "staged-run" | "worker-failed";

/** A staged run cannot go on: `run: ...`, exit 1 unless said otherwise (see {@link RunStageProblem}). */
export class RunStageError extends PipelineError {
  constructor(
    readonly problem: RunStageProblem,
    message: string,
    options: { cause?: unknown; exitCode?: number } = {},
  ) {
    super("run", message, { ...options, exitCode: options.exitCode ?? (problem === "as-of-mismatch" ? ExitCode.usage : ExitCode.failure) });
    this.name = "RunStageError";
  }
}
