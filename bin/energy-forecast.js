#!/usr/bin/env node
// Entry point of `npx energy-forecast`: runs the compiled CLI (see cli-bundle.js), or the
// TypeScript sources through tsx when the compiled form cannot be cached here.
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureCliBundle } from "./cli-bundle.js";

const root = fileURLToPath(new URL("..", import.meta.url));
let entry;
try {
  entry = await ensureCliBundle(root);
} catch (error) {
  // esbuild has printed each problem with its file and line above.
  process.stderr.write(
    `energy-forecast: the sources in src/ do not compile (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); fix them, or check out a working revision\n`,
  );
  process.exit(1);
}
let main;
if (entry === undefined) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
} else {
  ({ main } = await import(pathToFileURL(entry).href));
}
process.exitCode = await main(process.argv.slice(2));
