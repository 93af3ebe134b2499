/**
 * The narrow interfaces through which pipeline steps touch the world. Steps receive them in their
 * `StepContext` (core/step.ts; like Observable Framework's `effects`), so tests can pass fakes and
 * nothing reads the environment or the wall clock at import time.
 */

/** Source of "now". Inject a fixed clock in tests. */
export interface Clock {
  now(): Date;
}

/** Structured logger; writes to stderr so stdout stays free for machine-readable output. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock frozen at `iso`, for tests and simulated runs. */
export function fixedClock(iso: string | Date): Clock {
  const t = typeof iso === "string" ? new Date(iso) : iso;
  return { now: () => new Date(t.getTime()) };
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const levels: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * A logger printing `level message key=value...` lines to a writable (stderr by default).
 */
export function consoleLogger(minLevel: LogLevel = "info", write: (line: string) => void = (line) => process.stderr.write(line + "\n")): Logger {
  const emit = (level: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>) => {
    if (levels[level] < levels[minLevel]) return;
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ")
      : "";
    write(`${level.padEnd(5)} ${message}${extra ? " " + extra : ""}`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    consoleLogger("debug", (l) => lines.push(l)),
    { lines },
  );
}

/** A logger that drops everything. */
export const silentLogger: Logger = consoleLogger("silent");
