import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: CI machines may be shared, and a report build or a notebook run under load takes minutes.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
