/**
 * Errors of the pipeline. Every message starts with a domain prefix (`ingest:`, `storage:`...),
 * says what was expected versus what was found, and what to do about it.
 *
 * Typed subclasses exist only where a caller branches on them; the CLI's top-level handler maps
 * them to exit codes (see {@link exitCodeFor}).
 */

/** Process exit codes used by the CLI. */
export const ExitCode = {
  ok: 0,
  /** Any pipeline failure (bad data from a source, storage failure, corrupt artifact...). */
  failure: 1,
  /** Bad command line or configuration: nothing was attempted. */
  usage: 2,
  /** A validation suite failed: the data was quarantined, nothing was written to the feature store. */
  validationFailed: 3,
  /** Monitoring raised an alert and `--fail-on-alert` was given. */
  alert: 4,
  /** Another command holds the store's lock (after waiting), or this one lost its lease. */
  locked: 5,
} as const;

/** Base class of every error the pipeline raises on purpose. */
export class PipelineError extends Error {
  /** Short domain prefix, e.g. `ingest`, `storage`, `config`. */
  readonly domain: string;
  readonly exitCode: number;

  constructor(domain: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(`${domain}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PipelineError";
    this.domain = domain;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** Bad configuration or command-line input; nothing was attempted. */
export class ConfigError extends PipelineError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("config", message, { ...options, exitCode: ExitCode.usage });
    this.name = "ConfigError";
  }
}

/** A storage object that does not exist. Callers branch on it (e.g. "first run, no state yet"). */
export class NotFoundError extends PipelineError {
  readonly key: string;
  constructor(key: string, where: string) {
    super("storage", `object "${key}" not found in ${where}; run the step that writes it first`);
    this.name = "NotFoundError";
    this.key = key;
  }
}

/** A validation suite failed on data that was about to be written. */
export class ValidationFailedError extends PipelineError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("validate", message, { ...options, exitCode: ExitCode.validationFailed });
    this.name = "ValidationFailedError";
  }
}

/** Maps any thrown value to a process exit code. */
export function exitCodeFor(error: unknown): number {
  return error instanceof PipelineError ? error.exitCode : ExitCode.failure;
}

/** Renders an error and its causes for a human, one line per cause. */
export function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      lines.push(depth === 0 ? current.message : `  caused by: ${current.message}`);
      current = (current as Error & { cause?: unknown }).cause;
    } else {
      lines.push(depth === 0 ? String(current) : `  caused by: ${String(current)}`);
      current = undefined;
    }
  }
  return lines.join("\n");
}
