import { Command, CommanderError } from "commander";
// The command declarations load only these light modules (never the pipeline index): `--help` stays fast.
import { describeError, exitCodeFor, ExitCode, PipelineError } from "../pipeline/core/errors.js";
import { codeVersion } from "../pipeline/config/version.js";
import { registerBacktest } from "./commands/backtest.js";
import { registerBackfill } from "./commands/backfill.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerMonitor } from "./commands/monitor.js";
import { registerPredict } from "./commands/predict.js";
import { registerRun } from "./commands/run.js";
import { registerTrain } from "./commands/train.js";
import { registerIngest } from "./commands/ingest.js";
import { registerValidate } from "./commands/validate.js";
import { QuietExit } from "./exit.js";
import { attachIo, processIo, type CliIo } from "./io.js";

/**
 * Builds the `energy-forecast` program in surroundings `io` (default: the process's own). Exported
 * for tests that run it in-process.
 */
export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command("energy-forecast")
    .description("Batch forecasting and forecast monitoring of hourly electricity consumption (Energi Data Service datasets or any hourly panel)")
    .version(codeVersion(io.env), "--version", "print the version")
    .option("--store <uri>", "where outputs go: a directory, file:///dir, or gs://bucket/prefix (env STORE_URI; default .data/store)")
    .option("--log-level <level>", "debug, info, warn, error or silent (env LOG_LEVEL; default info)")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride();
  registerIngest(program);
  registerValidate(program);
  registerBacktest(program);
  registerTrain(program);
  registerPredict(program);
  registerMonitor(program);
  registerRun(program);
  registerBackfill(program);
  registerDoctor(program);
  // Help, version and usage errors go where the commands' own output goes.
  const output = { writeOut: (text: string) => void io.stdout.write(text), writeErr: (text: string) => void io.stderr.write(text) };
  program.configureOutput(output);
  for (const cmd of program.commands) cmd.exitOverride().configureHelp({ showGlobalOptions: true }).configureOutput(output);
  attachIo(program, io);
  return program;
}

/**
 * Runs the CLI in surroundings `io` (default: the process's own) and returns the exit code; the one
 * place errors become exit codes.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof QuietExit) return error.exitCode;
    if (error instanceof CommanderError) {
      // Help and version requests exit 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    io.stderr.write(describeError(error) + "\n");
    // A caller that asked for JSON parses stdout: give it the failure in the same form.
    if (argv.includes("--json")) io.stdout.write(JSON.stringify({ error: errorObject(error) }, null, 2) + "\n");
    return exitCodeFor(error);
  }
}

/** A failure as JSON: domain, message (with causes), exit code. */
export function errorObject(error: unknown): { domain: string; message: string; exitCode: number } {
  return { domain: error instanceof PipelineError ? error.domain : "internal", message: describeError(error), exitCode: exitCodeFor(error) };
}

const isEntry = process.argv[1] !== undefined && /src[\\/]cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
