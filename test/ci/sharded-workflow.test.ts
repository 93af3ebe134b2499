/**
 * The deploy artefacts of a staged run (README "Sharded runs"): the GitHub Actions variant
 * (.github/workflows/sharded-run.yml), the Cloud Run job (deploy/cloud-run-job.yaml), the script
 * that executes it stage by stage (deploy/run-sharded.sh) and its image (deploy/Dockerfile).
 * Nothing here runs in the cloud: every command they give the CLI is expanded with sample values
 * and parsed by the CLI's own program and stage checks, so a flag the CLI does not declare, or a
 * combination it refuses, fails here and not at 6 a.m. in the cloud.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/main.js";
import { runPlan } from "../../src/cli/actions/run.js";

interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  steps?: Step[];
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  concurrency?: { group: string };
  jobs: Record<string, Job>;
}

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const sharded = parse(read(".github/workflows/sharded-run.yml")) as Workflow;
const scheduled = parse(read(".github/workflows/scheduled-run.yml")) as Workflow;

/** Sample values of the `${{ ... }}` expressions the workflow's environment uses. */
const EXPRESSIONS: Record<string, string> = {
  "github.run_id": "123456",
  "matrix.shard": "2",
  "needs.prepare.outputs.shards": "4",
  "needs.prepare.outputs.as_of": "2023-06-01T12:00",
  "steps.plan.outputs.as_of": "2023-06-01T12:00",
  "inputs.as_of": "2023-06-01T12:00",
  "inputs.shards": "4",
  "vars.DATASET || 'production-consumption-settlement'": "production-consumption-settlement",
  "vars.GOOGLE_CLOUD_PROJECT": "my-project",
  "vars.GOOGLE_CLOUD_BUCKET_NAME": "my-bucket",
};

/** An env value with its expressions replaced by their samples (an unknown expression fails the test). */
function sample(value: string): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, e: string) => {
    expect(EXPRESSIONS, `a sample value for \${{ ${e} }}`).toHaveProperty([e]);
    return EXPRESSIONS[e];
  });
}

/**
 * The words of a shell command line (double-quoted strings, $VAR and ${VAR} expanded from `env`;
 * an unknown variable fails the test: it would be empty in the cloud).
 */
function words(line: string, env: Record<string, string>): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) {
    const raw = m[1] ?? m[2];
    out.push(
      raw.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => {
        expect(env, `variable $${name} in: ${line}`).toHaveProperty([name]);
        return env[name];
      }),
    );
  }
  return out;
}

/**
 * Parses `energy-forecast <args>` with the CLI's own program (its action replaced, so nothing
 * runs): an undeclared flag throws. Returns the command and the flags commander parsed.
 */
async function parseCli(args: string[]): Promise<{ command: string; flags: Record<string, string | boolean | undefined> }> {
  const program = buildProgram();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let parsed: { command: string; flags: Record<string, string | boolean | undefined> } | undefined;
  for (const cmd of program.commands) {
    cmd.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    cmd.action((flags: Record<string, string | boolean | undefined>) => {
      parsed = { command: cmd.name(), flags };
    });
  }
  await program.parseAsync(args, { from: "user" });
  expect(parsed, args.join(" ")).toBeDefined();
  return parsed!;
}

/** Every `npx energy-forecast ...` line of a job, expanded with the environment its step sees. */
function cliCalls(wf: Workflow, jobName: string): string[][] {
  const job = wf.jobs[jobName];
  const calls: string[][] = [];
  for (const step of job.steps ?? []) {
    if (!step.run) continue;
    const env = Object.fromEntries(Object.entries({ ...wf.env, ...job.env, ...step.env }).map(([k, v]) => [k, sample(String(v))]));
    for (const m of step.run.matchAll(/npx energy-forecast ([^\n]*)/g)) calls.push(words(m[1], env));
  }
  return calls;
}

describe("the sharded workflow (.github/workflows/sharded-run.yml)", () => {
  it("runs by hand only; the scheduled workflow keeps the one-process run", async () => {
    expect(Object.keys(sharded.on)).toEqual(["workflow_dispatch"]);
    const scheduledCalls = Object.keys(scheduled.jobs).flatMap((j) => cliCalls(scheduled, j));
    expect(scheduledCalls.length).toBeGreaterThan(0);
    for (const call of scheduledCalls) expect(call).not.toContain("--stage");
  });

  it("chains prepare -> a matrix of predict shards -> finish, finish naming missing shards even after a failed one", () => {
    expect(Object.keys(sharded.jobs)).toEqual(["prepare", "predict", "finish"]);
    expect(sharded.jobs.predict.needs).toBe("prepare");
    expect(sharded.jobs.predict.strategy).toEqual({ "fail-fast": false, matrix: { shard: "${{ fromJSON(needs.prepare.outputs.matrix) }}" } });
    expect(sharded.jobs.finish.needs).toEqual(["prepare", "predict"]);
    expect(sharded.jobs.finish.if).toBe("${{ !cancelled() && needs.prepare.result == 'success' }}");
    expect(sharded.jobs.prepare.outputs).toEqual({
      shards: "${{ steps.plan.outputs.shards }}",
      matrix: "${{ steps.plan.outputs.matrix }}",
      as_of: "${{ steps.plan.outputs.as_of }}",
    });
  });

  it("gives the CLI only flag sets it declares and accepts, the same run id and as-of at every stage", async () => {
    const stages: Record<string, string> = { prepare: "prepare", predict: "predict", finish: "finish" };
    for (const [job, stage] of Object.entries(stages)) {
      const calls = cliCalls(sharded, job);
      expect(calls, job).toHaveLength(1);
      const { command, flags } = await parseCli(calls[0]);
      expect(command).toBe("run");
      expect(flags).toMatchObject({ stage, runId: "gh-123456", asOf: "2023-06-01T12:00" });
      // The stage checks of `run` itself (flag combinations, run id, shard), as at run time.
      const plan = runPlan(flags as Parameters<typeof runPlan>[0], {});
      expect(plan).toEqual(
        stage === "predict" ? { kind: "stage", stage, runId: "gh-123456", shard: { index: 2, count: 4 } } : { kind: "stage", stage, runId: "gh-123456" },
      );
    }
    expect((await parseCli(cliCalls(sharded, "finish")[0])).flags.failOnAlert).toBe(true);
  });

  it("plans the matrix in a script that reads the inputs from its environment", () => {
    const plan = sharded.jobs.prepare.steps!.find((s) => s.id === "plan")!;
    expect(plan.env).toEqual({ SHARDS: "${{ inputs.shards }}", AS_OF: "${{ inputs.as_of }}" });
    expect(plan.run).toContain('echo "matrix=[$(seq -s, 0 $((SHARDS - 1)))]" >> "$GITHUB_OUTPUT"');
    for (const job of Object.values(sharded.jobs)) for (const s of job.steps ?? []) expect(s.run ?? "").not.toMatch(/\$\{\{\s*(inputs|github\.event)\./);
  });

  it("authenticates, installs and pins actions exactly as the scheduled workflow does", () => {
    const theirs = scheduled.jobs.run.steps!;
    const auth = theirs.filter((s) => s.uses?.startsWith("google-github-actions/auth@"));
    const install = theirs.find((s) => s.run?.includes("npm ci"))!;
    expect(auth).toHaveLength(2);
    for (const [name, job] of Object.entries(sharded.jobs)) {
      const steps = job.steps!;
      expect(
        steps.filter((s) => s.uses?.startsWith("google-github-actions/auth@")),
        name,
      ).toEqual(auth);
      expect(steps.find((s) => s.run?.includes("npm ci"))?.run, name).toBe(install.run);
      const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
      expect(node?.with?.["node-version"], name).toBe(22);
      // Authentication before the CLI runs; the job may ask GitHub for an OIDC token, nothing more.
      const firstAuth = steps.findIndex((s) => s.uses?.startsWith("google-github-actions/auth@"));
      expect(firstAuth, name).toBeGreaterThanOrEqual(0);
      expect(firstAuth, name).toBeLessThan(steps.findIndex((s) => s.run?.includes("npx energy-forecast")));
      expect(job.permissions, name).toEqual({ contents: "read", "id-token": "write" });
    }
    expect(sharded.permissions).toEqual({});
    // Every action pinned to the very commit (and release comment) scheduled-run.yml uses.
    const pins = (text: string) => new Map(Array.from(text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@(\S+)(.*)/g), (m) => [m[1], `${m[2]}${m[3]}`]));
    const ours = Array.from(read(".github/workflows/sharded-run.yml").matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@(\S+)(.*)/g));
    const known = pins(read(".github/workflows/scheduled-run.yml"));
    expect(ours.length).toBeGreaterThan(0);
    for (const [, action, ref, rest] of ours) {
      expect(ref, action).toMatch(/^[0-9a-f]{40}$/);
      expect(`${ref}${rest}`, action).toBe(known.get(action));
    }
  });

  it("targets the scheduled job's dataset, project and bucket, and secrets only from secrets", () => {
    const env = scheduled.jobs.run.env!;
    expect(sharded.env).toMatchObject({
      TZ: "UTC",
      SOURCE: env.SOURCE,
      DATASET: env.DATASET,
      GOOGLE_CLOUD_PROJECT: env.GOOGLE_CLOUD_PROJECT,
      GOOGLE_CLOUD_BUCKET_NAME: env.GOOGLE_CLOUD_BUCKET_NAME,
      RUN_ID: "gh-${{ github.run_id }}",
    });
    for (const m of read(".github/workflows/sharded-run.yml").matchAll(/\$\{\{\s*secrets\.([A-Z_]+)/g)) expect(m[1]).toBe("GCP_SERVICE_ACCOUNT_KEY");
  });
});

describe("the Cloud Run job (deploy/)", () => {
  interface CloudRunJob {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: {
      template: {
        spec: {
          taskCount: number;
          parallelism: number;
          template: { spec: { maxRetries: number; containers: Array<{ image: string; args: string[]; env: Array<{ name: string; value: string }> }> } };
        };
      };
    };
  }
  const job = parse(read("deploy/cloud-run-job.yaml")) as CloudRunJob;
  const script = read("deploy/run-sharded.sh");
  const executions = Array.from(script.matchAll(/^gcloud run jobs execute ([^\n]*)$/gm), (m) => m[1]);

  it("is one Cloud Run job whose N parallel tasks are the predict shards", () => {
    expect([job.apiVersion, job.kind, job.metadata.name]).toEqual(["run.googleapis.com/v1", "Job", "energy-forecast"]);
    const spec = job.spec.template.spec;
    expect(spec.taskCount).toBeGreaterThan(1);
    expect(spec.parallelism).toBe(spec.taskCount);
    expect(spec.template.spec.maxRetries).toBeGreaterThan(0);
    const [container] = spec.template.spec.containers;
    expect(container.env.find((e) => e.name === "STAGE")?.value).toBe("predict");
  });

  it("is executed three times per tick, prepare (1 task) -> predict (N tasks) -> finish (1 task), each waiting for the one before", () => {
    expect(script.startsWith("#!/usr/bin/env bash\n")).toBe(true);
    expect(script).toContain("set -euo pipefail");
    expect(executions.map((e) => /STAGE=(\w+)/.exec(e)?.[1])).toEqual(["prepare", "predict", "finish"]);
    const tasks = executions.map((e) => /--tasks ("\$SHARDS"|\d+)/.exec(e)?.[1]);
    expect(tasks).toEqual(["1", '"$SHARDS"', "1"]);
    for (const e of executions) {
      expect(e).toContain('"$JOB" --region "$REGION" --wait');
      expect(e).toContain(',$VARS"');
    }
    expect(script).toContain('VARS="RUN_ID=$RUN_ID,AS_OF=$AS_OF"');
  });

  it("runs a CLI flag set the CLI declares and accepts at each stage, and refuses to run without a run id", async () => {
    const [container] = job.spec.template.spec.template.spec.containers;
    const defaults = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    // Cloud Run expands $(VAR) from the container's environment; an unset one stays as written.
    const expand = (env: Record<string, string>) => container.args.map((a) => a.replace(/\$\(([A-Z_]+)\)/g, (m, name: string) => env[name] ?? m));
    for (const [i, stage] of ["prepare", "predict", "finish"].entries()) {
      const vars = /^VARS="([^"]+)"$/m.exec(script)![1];
      const overrides = Object.fromEntries(
        /--update-env-vars "([^"]+)"/
          .exec(executions[i])![1]
          .replace("$VARS", vars)
          .split(",")
          .map((kv) => kv.split("=") as [string, string]),
      );
      expect(overrides).toEqual({ STAGE: stage, RUN_ID: "$RUN_ID", AS_OF: "$AS_OF" });
      const env = { ...defaults, STAGE: stage, RUN_ID: "run-20230601T120000Z-cloudrun", AS_OF: "2023-06-01T12:00" };
      const { command, flags } = await parseCli(expand(env));
      expect(command).toBe("run");
      expect(flags).toMatchObject({ stage, runId: env.RUN_ID, asOf: env.AS_OF });
      // Cloud Run tells each task its index and the count: the predict stage's shard.
      const plan = runPlan(flags as Parameters<typeof runPlan>[0], { CLOUD_RUN_TASK_INDEX: "3", CLOUD_RUN_TASK_COUNT: "4" });
      expect(plan).toEqual(
        stage === "predict" ? { kind: "stage", stage, runId: env.RUN_ID, shard: { index: 3, count: 4 } } : { kind: "stage", stage, runId: env.RUN_ID },
      );
    }
    const { flags } = await parseCli(expand(defaults));
    expect(() => runPlan(flags as Parameters<typeof runPlan>[0], { CLOUD_RUN_TASK_INDEX: "0", CLOUD_RUN_TASK_COUNT: "4" })).toThrow(
      'config: --run-id "$(RUN_ID)" cannot name a run folder in the store',
    );
  });

  it("runs an image built with runtime dependencies only and the CLI compiled, starting the CLI", () => {
    const dockerfile = read("deploy/Dockerfile");
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev --ignore-scripts && npm run build$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/energy-forecast\.js"\]$/m);
    // Everything it copies exists in the repository.
    const sources = Array.from(dockerfile.matchAll(/^COPY (.+) \S+$/gm)).flatMap((m) => m[1].split(" "));
    expect(sources).toEqual(["package.json", "package-lock.json", "tsconfig.json", "bin", "scripts/build-cli.js", "src", "data"]);
    for (const s of sources) expect(existsSync(new URL(`../../${s}`, import.meta.url)), s).toBe(true);
    expect(read("deploy/Dockerfile.dockerignore").split("\n")).toEqual(expect.arrayContaining(["node_modules", ".data", "build"]));
  });
});
