import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/main.js";
import { loadPreset } from "../../src/pipeline/dataset/preset.js";

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
}
interface Workflow {
  on: { schedule?: Array<{ cron: string }>; workflow_dispatch?: unknown };
  jobs: Record<string, { steps?: Step[]; env?: Record<string, string> }>;
}

const workflow = parse(readFileSync(new URL("../../.github/workflows/scheduled-run.yml", import.meta.url), "utf8")) as Workflow;
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
const runs = Object.values(workflow.jobs).flatMap((j) => j.steps ?? []).filter((s) => s.run).map((s) => s.run!);

describe("the scheduled workflow", () => {
  it("runs on a cron schedule and by hand", () => {
    expect(workflow.on.schedule?.[0].cron).toMatch(/^[\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+$/);
    expect(workflow.on).toHaveProperty("workflow_dispatch");
  });

  it("calls only npm scripts that exist in package.json", () => {
    const scripts = runs.flatMap((r) => Array.from(r.matchAll(/npm run ([\w:-]+)/g), (m) => m[1]));
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(Object.keys(pkg.scripts)).toContain(s);
  });

  it("calls only CLI commands and options that exist, and fails the job when the run fails", () => {
    const program = buildProgram();
    const calls = runs.flatMap((r) => Array.from(r.matchAll(/npx energy-forecast (\w[\w-]*)([^\n]*)/g)));
    expect(calls.map((c) => c[1])).toEqual(["run"]);
    for (const [, command, rest] of calls) {
      const cmd = program.commands.find((c) => c.name() === command);
      expect(cmd, `command ${command}`).toBeDefined();
      const flags = Array.from(rest.matchAll(/(--[\w-]+)/g), (m) => m[1]);
      const known = [...cmd!.options, ...program.options].map((o) => o.long);
      for (const f of flags) expect(known, `option ${f} of ${command}`).toContain(f);
    }
    const runStep = Object.values(workflow.jobs).flatMap((j) => j.steps ?? []).find((s) => s.run?.includes("npx energy-forecast run"));
    // No `continue-on-error` and no `|| true`: a failed run fails the job.
    expect(runStep).not.toHaveProperty("continue-on-error");
    expect(runStep!.run).not.toMatch(/\|\|\s*true/);
  });

  it("targets a live dataset preset once a day, not the retired DE35 dataset", () => {
    const env = workflow.jobs.run.env ?? {};
    expect(env.SOURCE).toBe("api");
    const preset = /'([\w-]+)'/.exec(env.DATASET ?? "")?.[1];
    expect(preset).toBe("production-consumption-settlement");
    expect(loadPreset(preset!).api?.cadence).toBe("daily");
    const [minute, hour] = workflow.on.schedule![0].cron.split(" ");
    expect(minute).toMatch(/^\d+$/);
    expect(hour).toMatch(/^\d+$/);
  });

  it("passes workflow inputs through the environment, never into the script text", () => {
    for (const r of runs) expect(r).not.toMatch(/\$\{\{\s*inputs\./);
  });

  it("takes credentials only from repository secrets", () => {
    const text = readFileSync(new URL("../../.github/workflows/scheduled-run.yml", import.meta.url), "utf8");
    for (const m of text.matchAll(/(GOOGLE_[A-Z_]+|GCP_[A-Z_]+):\s*(.+)/g)) {
      if (m[1] === "GOOGLE_APPLICATION_CREDENTIALS") continue;
      expect(m[2]).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
    }
  });
});
