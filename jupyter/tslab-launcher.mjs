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
// 3. The project's modules are transpiled file by file, as tsx runs them for the CLI, instead of
//    type-checked: a notebook's first import took 12-14 s, mostly checking all of src/ again.
//    Cells themselves are still type-checked against src/'s types; src/ is checked by npm run check.
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

// 1. TypeScript and esbuild leave or empty `import.meta` in CommonJS output, but project modules
// use it (src/pipeline/config/paths.ts and src/validation/feature-suite.ts locate files with
// `import.meta.url`). Left as it is, Node sees ESM syntax in a "type": "module" package, loads the
// CommonJS output as ESM and fails with "exports is not defined in ES module scope". Give the
// project's modules the CommonJS equivalents instead (in the .ts source, see 3, and in .js files).
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
// 3. tslab's converter reaches TypeScript through its module object: hand it one whose whole-program
// steps skip the project's files. Only the cell's own file (__tslab__.ts) is checked and emitted by
// the program; every project .ts file the cell imports is transpiled alone by esbuild, as tsx runs
// it for the CLI (src/ compiles with isolatedModules, so a file alone transpiles as in a program).
// tslab's emit type-checks each file it emits and converts it to CommonJS with a second TypeScript
// pass: 10-12 s for src/ (1 MB) in every notebook's first cell, against under 1 s here.
const tslabRequire = createRequire(require.resolve("tslab/dist/converter.js"));
const tsPath = tslabRequire.resolve("@tslab/typescript-for-tslab");
const ts = tslabRequire(tsPath);
const esbuild = require("esbuild");
/** Starts esbuild's CommonJS output, which tslab's ESM-to-CommonJS pass then returns as it is. */
const COMMONJS_MARK = "/* CommonJS by jupyter/tslab-launcher.mjs */\n";
const isCell = (file) => /(^|\/)__tslab__\.[jt]s$/.test(file.fileName);
const isProjectTs = (file) => /\.[cm]?ts$/.test(file.fileName) && !/\.d\.[cm]?ts$/.test(file.fileName) && !isCell(file);
/** A builder program whose emit of a project file is esbuild's transform: the checker is not asked. */
function transpiling(builder) {
  const wrapped = Object.create(builder);
  wrapped.emit = (file, writeFile, cancel, dtsOnly, transformers) => {
    if (!file || !isProjectTs(file)) return builder.emit(file, writeFile, cancel, dtsOnly, transformers);
    const options = builder.getCompilerOptions();
    // Before esbuild, which would turn import.meta into an empty object in CommonJS.
    const source = file.text.replace(IMPORT_META, (_, key) => CJS_EQUIVALENT[key]);
    const { code } = esbuild.transformSync(source, { loader: "ts", format: "cjs", target: "es2022", sourcefile: file.fileName });
    const out = join(options.outDir, relative(options.rootDir, file.fileName)).replace(/\.([cm]?)ts$/, ".$1js");
    writeFile(out, COMMONJS_MARK + code, false);
    return { emitSkipped: false, diagnostics: [] };
  };
  return wrapped;
}
const tsForTslab = {};
for (const key of Object.keys(ts)) Object.defineProperty(tsForTslab, key, { enumerable: true, configurable: true, get: () => ts[key] });
Object.defineProperties(tsForTslab, {
  // tslab passes the cell first, then every project file it imports: the cell is checked, the
  // files only parsed, so a syntax error in one is reported with its file and line, as before.
  getPreEmitDiagnosticsOfFiles: {
    value: (program, files) => [
      ...ts.getPreEmitDiagnosticsOfFiles(program, files.filter(isCell)),
      ...files.filter((file) => !isCell(file)).flatMap((file) => program.getSyntacticDiagnostics(file)),
    ],
  },
  transpileModule: {
    value: (input, options) => (input.startsWith(COMMONJS_MARK) ? { outputText: input, diagnostics: [] } : ts.transpileModule(input, options)),
  },
  createWatchProgram: {
    value: (host) => {
      const created = host.afterProgramCreate;
      host.afterProgramCreate = (builder) => created.call(host, transpiling(builder));
      return ts.createWatchProgram(host);
    },
  },
});
require.cache[tsPath].exports = tsForTslab;

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
