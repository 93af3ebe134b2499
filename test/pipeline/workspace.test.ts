import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fixedClock, memoryLogger, openWorkspace } from "../../src/pipeline/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "workspace-"));
  dirs.push(d);
  return d;
}

describe("openWorkspace", () => {
  it("reads .env in the working directory only for what the environment leaves unset", () => {
    const cwd = dir();
    writeFileSync(join(cwd, ".env"), "STORE_URI=from-dotenv\nFORECAST_HORIZON=12\nLOG_LEVEL=debug\n");
    const ws = openWorkspace({ cwd, env: { STORE_URI: "from-env" } });
    expect(ws.storage.uri).toBe(pathToFileURL(join(cwd, "from-env")).href);
    expect(ws.config.forecast.horizon).toBe(12);
    expect(ws.config.logLevel).toBe("debug");
  });

  it("lets command-line overrides win over both, and can skip .env", () => {
    const cwd = dir();
    writeFileSync(join(cwd, ".env"), "FORECAST_HORIZON=12\n");
    expect(openWorkspace({ cwd, env: {}, overrides: { store: "cli-store" } }).storage.uri).toBe(pathToFileURL(join(cwd, "cli-store")).href);
    expect(openWorkspace({ cwd, env: {}, envFile: false }).config.forecast.horizon).toBe(24);
  });

  it("uses the clock and logger it is given for run ids and messages", () => {
    const logger = memoryLogger();
    const ws = openWorkspace({ cwd: dir(), env: {}, clock: fixedClock("2023-01-30T06:07:08Z"), logger });
    expect(ws.newRunId("run")).toMatch(/^run-20230130T060708Z-[0-9a-f]{6}$/);
    ws.logger.warn("hello");
    expect(logger.lines.join("\n")).toContain("hello");
  });

  it("names a bad setting instead of opening anything", () => {
    expect(() => openWorkspace({ cwd: dir(), env: { LOG_LEVEL: "loud" } })).toThrow(
      'config: LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"',
    );
  });
});
