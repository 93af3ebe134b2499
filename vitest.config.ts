import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Fast tests of the pipeline's modules, the contracts and the workflows: `npm run test:unit`. */
const UNIT = ["test/pipeline/**/*.test.ts", "test/validation/**/*.test.ts", "test/ci/**/*.test.ts"];

/**
 * The end-to-end tests (`npm run test:e2e`): the CLI as child processes, kills and storage faults
 * under real ticks, the report in Chromium, the notebooks in Jupyter. Everything not in {@link UNIT}.
 */
const E2E_TIERS = ["test/reliability/", "test/notebooks/", "test/reports/", "test/cli/"];

/**
 * Longest files first, so that no long file starts last and runs alone at the end. With timings of
 * an earlier run (vitest's cache), by those; on a fresh clone (CI) by folder, the slow end-to-end
 * folders first, then by file size (vitest's own fallback, which alone put a short but slow file
 * like the write sweep near the end).
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const info = (spec: TestSpecification) => {
      const path = relative(config.root, spec.moduleId);
      const tier = E2E_TIERS.findIndex((prefix) => path.startsWith(prefix));
      return {
        duration: cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration,
        tier: tier === -1 ? E2E_TIERS.length : tier,
        size: statSync(spec.moduleId).size,
      };
    };
    const keyed = files.map((spec) => ({ spec, ...info(spec) }));
    const timed = keyed.every((k) => k.duration !== undefined);
    keyed.sort((a, b) => (timed ? b.duration! - a.duration! : a.tier - b.tier || b.size - a.size));
    return keyed.map((k) => k.spec);
  }
}

export default defineConfig({
  test: {
    // Generous: CI machines may be shared, and a report build or a notebook run under load takes
    // minutes. Files that set their own limit scale them the same way (a limit only bounds a hang).
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Vitest's default on a 2-core machine is one worker (cores - 1), and many test files wait on
    // child processes (the CLI, Chromium, Jupyter, the storage emulator) more than they compute:
    // three workers there took the suite from 23.7 to 13 minutes of wall time.
    maxWorkers: Math.max(3, availableParallelism()),
    // A worker runs file after file without reloading the modules they share: the unit project took
    // 78 CPU-s instead of 146 (the end-to-end files' cost is their child processes: 980 against 994).
    // Every file restores what it changes of the process (environment variables, spies). As many
    // workers from the start as at most: fewer made vitest 3.2's pool end the run with "Terminating
    // worker thread" and leave workers running.
    isolate: false,
    minWorkers: Math.max(3, availableParallelism()),
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: "unit", include: UNIT } },
      { extends: true, test: { name: "e2e", include: ["test/**/*.test.ts"], exclude: UNIT } },
    ],
  },
});
