import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(PROJECT + path, "utf8")) as Record<string, unknown>;

describe("npx energy-forecast", () => {
  it("is linked into node_modules/.bin by the bin/npx package, not declared by the project itself", () => {
    // npm exec takes a project's own bin through its install-tree check (about a second per start).
    expect(json("package.json").bin).toBeUndefined();
    expect((json("package.json").dependencies as Record<string, string>)["energy-forecast-bin"]).toBe("file:bin/npx");
    expect(json("bin/npx/package.json").bin).toEqual({ "energy-forecast": "energy-forecast.js" });
    expect(realpathSync(PROJECT + "node_modules/.bin/energy-forecast")).toBe(realpathSync(PROJECT + "bin/npx/energy-forecast.js"));
  });

  it("runs the CLI through real npx", () => {
    const out = execFileSync("npx", ["--no-install", "energy-forecast", "--version"], {
      cwd: PROJECT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(out.trim()).toBe(String(json("package.json").version));
  });
});
