#!/usr/bin/env node
// Entry point of `npx energy-forecast`: runs the compiled CLI (see cli-bundle.js), or the
// TypeScript sources through tsx when the compiled form cannot be cached here.
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureCliBundle } from "./cli-bundle.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const entry = await ensureCliBundle(root);
let main;
if (entry === undefined) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
} else {
  ({ main } = await import(pathToFileURL(entry).href));
}
process.exitCode = await main(process.argv.slice(2));
