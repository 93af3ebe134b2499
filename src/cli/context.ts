import { openWorkspace, type ConfigOverrides, type Workspace } from "../pipeline/index.js";

/** Everything a command needs: the workspace every entry point opens the same way. */
export type CliContext = Workspace;

/** Options every command accepts. */
export interface GlobalOptions {
  store?: string;
  logLevel?: string;
}

/**
 * Opens the workspace (environment, `.env` in the working directory for what it leaves unset,
 * the store) with the command line's values on top. Called once per command, at the entry point.
 */
export function createContext(global: GlobalOptions, overrides: Omit<ConfigOverrides, "store" | "logLevel"> = {}): CliContext {
  return openWorkspace({ overrides: { ...overrides, store: global.store, logLevel: global.logLevel } });
}
