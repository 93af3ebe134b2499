/**
 * The errors of a command that cannot take the store's lock, or that lost it. Subclasses so the
 * CLI exits with {@link ExitCode.locked} and callers (a scheduler, a retry loop) can tell "busy"
 * from "broken".
 */
import { ExitCode, PipelineError } from "../core/errors.js";
import type { LockRecord } from "./record.js";

/** Another run holds (or is taking over) the store's lock, or this run lost it. */
export class LockedError extends PipelineError {
  /** The lock that stood in the way, when one was read. */
  readonly holder: LockRecord | undefined;
  /**
   * True when waiting may help (another run holds the lock, is taking it over, or it changed
   * hands while we tried); false when a human must look (an invalid lock object, abandoned takeovers).
   */
  readonly retryable: boolean;
  /** For a lock this run held: why it no longer does, e.g. `it expired at 2023-01-01T02:00:00Z`. */
  readonly reason: string | undefined;

  constructor(message: string, options: { cause?: unknown; holder?: LockRecord; retryable?: boolean; reason?: string } = {}) {
    super("lock", message, { cause: options.cause, exitCode: ExitCode.locked });
    this.name = "LockedError";
    this.holder = options.holder;
    this.retryable = options.retryable ?? false;
    this.reason = options.reason;
  }
}

/**
 * A command lost its lease on the store's lock (another run holds it, it was deleted, or it ran
 * out without renewal) and stopped before its next write. Thrown by the guarded storage of
 * {@link ./lease.ts}; nothing was written after the loss was noticed.
 */
export class LeaseLostError extends LockedError {
  /** The write that was refused, e.g. `writing features/energy_consumption/v1/manifest.json`. */
  readonly refused: string;

  constructor(message: string, options: { holder?: LockRecord; refused: string; reason: string; cause?: unknown }) {
    super(message, { holder: options.holder, cause: options.cause, reason: options.reason });
    this.name = "LeaseLostError";
    this.refused = options.refused;
  }
}
