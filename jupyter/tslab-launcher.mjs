#!/usr/bin/env node
// Starts tslab's TypeScript kernel from the repository root, so notebooks import "./src/pipeline/..."
// and resolve node_modules exactly as the CLI does. Jupyter runs it through
// jupyter/kernels/tslab/kernel.json (JUPYTER_PATH=<repo>/jupyter): no global `tslab install` needed.
//
// Adjustments to tslab 1.0.22, made here so that src/ and tslab stay untouched:
// 1. import.meta, and packages named like the importing file, in project modules (see below).
// 2. A promise rejected without a handler, or an exception thrown from a callback, fails the cell
//    that is running, or the next one when it happens in between. tslab only logs them, so a
//    notebook that forgot an `await` used to "pass" with its error lost.
import Module, { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const connectionFile = process.argv[2];
if (!connectionFile) {
  console.error("usage: node jupyter/tslab-launcher.mjs <connection-file> (Jupyter passes it)");
  process.exit(2);
}
const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
const require = createRequire(new URL("../package.json", import.meta.url));

// 1. tslab compiles the project's .ts modules to CommonJS and loads them with Module#_compile, but
// TypeScript leaves `import.meta` as it is (src/pipeline/config/paths.ts and
// src/validation/feature-suite.ts locate files with `import.meta.url`). Node then sees ESM syntax
// in a "type": "module" package, loads the CommonJS output as ESM and fails with "exports is not
// defined in ES module scope". Give the project's modules the CommonJS equivalents instead.
const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const CJS_EQUIVALENT = {
  url: 'require("node:url").pathToFileURL(__filename).href',
  dirname: "__dirname",
  filename: "__filename",
};
// tslab also looks every required name up among its compiled files relative to the requiring file
// first, so `import ... from "ajv"` in src/validation/ajv.ts loads that file itself, endlessly
// ("Maximum call stack size exceeded"). Require such packages by their resolved path instead.
const BARE_REQUIRE = /\brequire\("([^"./][^"]*)"\)/g;
const shadowed = (dir, id) => existsSync(join(dir, `${id}.ts`)) || existsSync(join(dir, `${id}.js`));
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  const rel = relative(root, filename);
  const ours = !rel.startsWith("..") && !rel.split(sep).includes("node_modules");
  if (!ours || typeof content !== "string") return compile.call(this, content, filename);
  const patched = content
    .replace(IMPORT_META, (_, key) => CJS_EQUIVALENT[key])
    .replace(BARE_REQUIRE, (call, id) => (shadowed(dirname(filename), id) ? `require(require.resolve(${JSON.stringify(id)}))` : call));
  return compile.call(this, patched, filename);
};

// 2. Collect what tslab's own handlers (installed by startKernel) only print.
const stray = [];
process.on("unhandledRejection", (reason) => stray.push({ kind: "a promise rejected and nothing awaited it", error: reason }));
process.on("uncaughtException", (error) => stray.push({ kind: "an exception was thrown outside the cell's await chain", error }));
const { JupyterHandlerImpl } = require("tslab/dist/jupyter.js");
const executeCell = JupyterHandlerImpl.prototype.handleExecuteImpl;
JupyterHandlerImpl.prototype.handleExecuteImpl = async function (req, writeStream, writeDisplayData) {
  const before = stray.splice(0);
  // Throws tslab's ExecutionCount when the cell itself failed: that already fails it.
  const count = await executeCell.call(this, req, writeStream, writeDisplayData);
  // Node reports a rejection nobody handled after the microtask queue drains: let it.
  await nextTurn();
  const after = stray.splice(0);
  if (before.length + after.length === 0) return count;
  const describe = (s, when) => `${when} ${s.kind}:\n${s.error instanceof Error ? s.error.stack : String(s.error)}\n`;
  for (const s of before) process.stderr.write(describe(s, "Cell failed: before this cell ran (in code an earlier cell started),"));
  for (const s of after) process.stderr.write(describe(s, "Cell failed:"));
  process.stderr.write("Await every promise (top-level await works in tslab cells).\n");
  throw count;
};

const { startKernel } = require("tslab/dist/main.js");
// enableFindLocal false: this already is the project's own tslab.
startKernel({ configPath: connectionFile, enableFindLocal: false, jsKernel: false, globalVersion: "" });
