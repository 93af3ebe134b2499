/**
 * The error of a run that cannot take the store's lock. A subclass so the CLI exits with
 * {@link ExitCode.locked} and callers (a scheduler, a retry loop) can tell "busy" from "broken".
 */
import { ExitCode, PipelineError } from "../core/errors.js";
import type { LockRecord } from "./record.js";

/** Another run holds (or is taking over) the store's lock, or this run lost it. */
export class LockedError extends PipelineError {
  /** The lock that stood in the way, when one was read. */
  readonly holder: LockRecord | undefined;

  constructor(message: string, options: { cause?: unknown; holder?: LockRecord } = {}) {
    super("lock", message, { cause: options.cause, exitCode: ExitCode.locked });
    this.name = "LockedError";
    this.holder = options.holder;
  }
}
