import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: CI machines may be shared, and a report build or a notebook run under load takes
    // minutes. Files that set their own limit scale them the same way (a limit only bounds a hang).
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Vitest's default on a 2-core machine is one worker (cores - 1), and most test files wait on
    // child processes (the CLI, Chromium, Jupyter, the storage emulator) more than they compute:
    // three workers there took the suite from 23.7 to 13 minutes of wall time.
    maxWorkers: Math.max(3, availableParallelism()),
  },
});
