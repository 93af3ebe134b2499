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
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  "continue-on-error"?: boolean;
}
interface Job {
  needs?: string | string[];
  if?: string;
  "continue-on-error"?: boolean;
  steps?: Step[];
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  container?: string;
  strategy?: { matrix?: { node?: number[] } };
}
interface Workflow {
  on: { schedule?: Array<{ cron: string }>; workflow_dispatch?: unknown; push?: unknown; pull_request?: unknown };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflowText = (name: string): string => readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), "utf8");
const workflow = parse(workflowText("scheduled-run.yml")) as Workflow;
const testWorkflow = parse(workflowText("test.yml")) as Workflow;
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
const runs = Object.values(workflow.jobs)
  .flatMap((j) => j.steps ?? [])
  .filter((s) => s.run)
  .map((s) => s.run!);

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
    const runStep = Object.values(workflow.jobs)
      .flatMap((j) => j.steps ?? [])
      .find((s) => s.run?.includes("npx energy-forecast run"));
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

  it("authenticates through Workload Identity Federation, with a JSON key secret only as the fallback", () => {
    const steps = workflow.jobs.run.steps ?? [];
    const auth = steps.filter((s) => s.uses?.startsWith("google-github-actions/auth@"));
    expect(auth.map((s) => Object.keys(s.with ?? {}).sort())).toEqual([
      ["project_id", "service_account", "workload_identity_provider"],
      ["credentials_json", "project_id"],
    ]);
    const [wif, key] = auth;
    expect(wif.with).toMatchObject({
      workload_identity_provider: "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
      service_account: "${{ vars.GCP_SERVICE_ACCOUNT }}",
    });
    expect(wif.if).toBe("${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER != '' }}");
    expect(key.if).toBe("${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER == '' }}");
    expect(key.with?.credentials_json).toBe("${{ secrets.GCP_SERVICE_ACCOUNT_KEY }}");
    // Authentication comes before the run, and the job may ask GitHub for an OIDC token.
    expect(steps.indexOf(wif)).toBeLessThan(steps.findIndex((s) => s.run?.includes("npx energy-forecast run")));
    expect(workflow.jobs.run.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("reads the project and bucket from repository variables and secrets only from secrets", () => {
    expect(workflow.jobs.run.env).toMatchObject({
      GOOGLE_CLOUD_PROJECT: "${{ vars.GOOGLE_CLOUD_PROJECT }}",
      GOOGLE_CLOUD_BUCKET_NAME: "${{ vars.GOOGLE_CLOUD_BUCKET_NAME }}",
    });
    for (const m of workflowText("scheduled-run.yml").matchAll(/\$\{\{\s*secrets\.([A-Z_]+)/g)) expect(m[1]).toBe("GCP_SERVICE_ACCOUNT_KEY");
  });

  it("gives no permission at the top and each job only what it needs", () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.deploy.permissions).toEqual({ pages: "write", "id-token": "write" });
    expect(workflow.jobs.notebooks.permissions).toEqual({ contents: "read" });
    expect(testWorkflow.permissions).toEqual({ contents: "read" });
  });

  it("installs only runtime dependencies and compiles the CLI before it runs, on Node 22", () => {
    const install = workflow.jobs.run.steps!.find((s) => s.run?.includes("npm ci"));
    expect(install?.run).toContain("npm ci --omit=dev --ignore-scripts");
    expect(install?.run).toContain("npm run build");
    const node = workflow.jobs.run.steps!.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(node?.with?.["node-version"]).toBe(22);
  });
});

describe("the scheduled workflow's notebooks", () => {
  const job = workflow.jobs.notebooks;
  const steps = job.steps ?? [];
  const runSteps = workflow.jobs.run.steps ?? [];
  const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
  const download = runSteps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
  const build = runSteps.find((s) => s.run === "npm run report:build");

  it("executes them on a fresh store, with Jupyter from the distribution and the dev dependencies (tslab)", () => {
    const runs = steps.map((s) => s.run ?? "");
    // The packages .ci/run installs for `npm test`.
    const ci = readFileSync(new URL("../../.ci/run", import.meta.url), "utf8");
    const packages = /apt-get install -y --no-install-recommends (jupyter-[^\n]+)/.exec(ci)?.[1];
    expect(packages).toBe("jupyter-nbconvert jupyter-client python3-nbclient");
    expect(runs.some((r) => r.includes(`sudo apt-get install -y --no-install-recommends ${packages}`))).toBe(true);
    const install = runs.find((r) => r.includes("npm ci"));
    expect(install).toBe("npm ci --ignore-scripts");
    // No --store: never the bucket (notebook 02 registers a model, 03 writes forecasts).
    expect(runs).toContain("npm run notebooks");
    expect(steps.findIndex((s) => s.run === "npm run notebooks")).toBeGreaterThan(steps.findIndex((s) => s.run === install));
  });

  it("gets no credentials and no setting of the bucket", () => {
    const text = JSON.stringify(job);
    expect(text).not.toMatch(/secrets\.|vars\.|google-github-actions|id-token/);
    expect(job.env ?? {}).toEqual({ TZ: "UTC" });
  });

  it("hands the HTML the runner wrote to the report job, which builds the report after it", () => {
    expect(upload?.with).toMatchObject({ name: "notebooks-html", path: "build/notebooks/html", "if-no-files-found": "error" });
    // Only after the notebooks passed: the runner writes no HTML set otherwise.
    expect(upload).not.toHaveProperty("if");
    expect(steps.indexOf(upload!)).toBe(steps.length - 1);
    expect(download?.with).toEqual({ name: "notebooks-html", path: "build/notebooks/html" });
    expect(runSteps.indexOf(download!)).toBeLessThan(runSteps.indexOf(build!));
  });

  it("never blocks the tick or the report: the report job waits for them, not for their success", () => {
    expect(workflow.jobs.run.needs).toBe("notebooks");
    expect(workflow.jobs.run.if).toBe("${{ !cancelled() }}");
    // A failed notebook shows as a failed job; the report says none were published.
    expect(job).not.toHaveProperty("continue-on-error");
    expect(download?.if).toBe("${{ always() && needs.notebooks.result == 'success' }}");
    expect(download?.["continue-on-error"]).toBe(true);
    expect(build?.if).toBe("always()");
  });
});

describe("every workflow", () => {
  const all = { "scheduled-run.yml": workflow, "test.yml": testWorkflow };

  it("pins each action to a commit, with its release in a comment", () => {
    for (const name of Object.keys(all)) {
      const uses = Array.from(workflowText(name).matchAll(/uses:\s*(\S+)(.*)/g));
      expect(uses.length, name).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        expect(ref, `${name}: ${ref}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest, `${name}: ${ref}`).toMatch(/^ # v\d+\.\d+\.\d+$/);
      }
    }
  });

  it("never pastes an input or event text into a script", () => {
    for (const wf of Object.values(all)) {
      for (const job of Object.values(wf.jobs)) for (const s of job.steps ?? []) expect(s.run ?? "").not.toMatch(/\$\{\{\s*(inputs|github\.event)\./);
    }
  });
});

describe("the test workflow", () => {
  it("runs what CI runs on every push and pull request, with Node 20 and 22 on Debian", () => {
    expect(testWorkflow.on).toHaveProperty("push");
    expect(testWorkflow.on).toHaveProperty("pull_request");
    const job = testWorkflow.jobs.test;
    expect(job.strategy?.matrix?.node).toEqual([20, 22]);
    expect(job.container).toBe("node:${{ matrix.node }}-bookworm");
    expect(job.steps!.map((s) => s.run).filter(Boolean)).toEqual(["bash .ci/run"]);
    // .ci/run ends with the README's test command.
    const ci = readFileSync(new URL("../../.ci/run", import.meta.url), "utf8")
      .trim()
      .split("\n");
    expect(ci[ci.length - 1]).toBe("npm test");
  });
});
