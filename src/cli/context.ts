import type { Command } from "commander";
import { openWorkspace, type ConfigOverrides, type Workspace } from "../pipeline/index.js";
import { ioOf, type CliIo } from "./io.js";

/** Everything a command needs: the workspace every entry point opens the same way, and where to write. */
export type CliContext = Workspace & { io: CliIo };

/** Options every command accepts. */
export interface GlobalOptions {
  store?: string;
  logLevel?: string;
}

/**
 * Opens the workspace (the environment, `.env` in the working directory for what it leaves unset,
 * the store) with the command line's values on top, in the surroundings the program was given
 * ({@link ioOf}). Called once per command, at the entry point.
 */
export function createContext(cmd: Command, overrides: Omit<ConfigOverrides, "store" | "logLevel"> = {}): CliContext {
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const io = ioOf(cmd);
  const workspace = openWorkspace({
    env: io.env,
    cwd: io.cwd,
    clock: io.clock,
    log: (line) => io.stderr.write(line + "\n"),
    overrides: { ...overrides, store: global.store, logLevel: global.logLevel },
  });
  return { ...workspace, io };
}
