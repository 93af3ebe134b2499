import type { CliStream } from "./io.js";
/** Progress of a loop of known length: a redrawn bar on a terminal, one plain line per step otherwise. */
export interface Progress {
  tick(label: string): void;
  done(): void;
}

/** Formats seconds as `1m05s` / `42s`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  return m > 0 ? `${m}m${String(r).padStart(2, "0")}s` : `${r}s`;
}

/**
 * A progress reporter writing to `stream` (stderr): ticks done, elapsed, ETA from the mean tick
 * time. `interactive` (a TTY, not CI) redraws one line; otherwise each tick prints a line.
 */
export function createProgress(total: number, stream: CliStream, interactive: boolean, now: () => number = () => performance.now()): Progress {
  const start = now();
  let done = 0;
  const line = (label: string) => {
    const elapsed = (now() - start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const width = 24;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    const bar = interactive ? `[${"#".repeat(filled)}${".".repeat(width - filled)}] ` : "";
    return `${bar}${done}/${total} ticks  elapsed ${formatSeconds(elapsed)}  eta ${formatSeconds(eta)}  ${label}`;
  };
  return {
    tick(label) {
      done++;
      stream.write(interactive ? `\r\x1b[2K${line(label)}` : `${line(label)}\n`);
    },
    done() {
      if (interactive) stream.write("\n");
    },
  };
}
