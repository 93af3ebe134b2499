import type { Command } from "commander";
import type { Clock } from "../pipeline/index.js";

/** Where a command writes. */
export interface CliStream {
  write(text: string): unknown;
  /** A terminal: progress may redraw lines. */
  isTTY?: boolean;
}

/**
 * The CLI's surroundings, passed in at the entry point: the process's own for `energy-forecast`,
 * buffers and a literal environment for tests that run it in-process.
 */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** Environment variables, read once into the workspace's config. */
  env: Record<string, string | undefined>;
  /** The working directory: relative store paths and `.env` resolve against it. */
  cwd: string;
  /** Default: the system clock. */
  clock?: Clock;
}

/** The process's own streams, environment and working directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

const attached = new WeakMap<Command, CliIo>();

/** Gives `program` (the root command) its surroundings; {@link ioOf} finds them from any subcommand. */
export function attachIo(program: Command, io: CliIo): void {
  attached.set(program, io);
}

/** The surroundings of the program `cmd` belongs to (the process's own if none were attached). */
export function ioOf(cmd: Command): CliIo {
  let root = cmd;
  while (root.parent) root = root.parent;
  return attached.get(root) ?? processIo();
}
