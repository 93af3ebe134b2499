// Runs one of the report's data loaders (reports/data/*.ts): observable.config.ts makes it
// Framework's interpreter for `.ts` loaders, and the tests run loaders through it too.
//   node scripts/report-loader.js reports/data/overview.json.ts > overview.json
// The loader and the pipeline code it imports are bundled by esbuild into one JavaScript file,
// which is imported and then deleted. The same loader through tsx took about 3 s of CPU, mostly
// resolving and transforming the pipeline's modules one by one; bundled, about 1 s. A report
// build runs fifteen loaders. Plain JavaScript, and esbuild is a runtime dependency: it runs where
// only `npm ci --omit=dev` installed.
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { inlineOnly, INLINED, keepSourceUrls } from "../bin/cli-bundle.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const [file] = process.argv.slice(2);
if (file === undefined || !file.endsWith(".ts")) {
  process.stderr.write("usage: node scripts/report-loader.js <loader.ts>\n");
  process.exit(2);
}

// Inside the project, so the bundle's bare imports resolve to the project's node_modules; one file
// per run, so concurrent loaders and builds never share one.
const dir = join(root, "build", "loaders");
mkdirSync(dir, { recursive: true });
const bundle = join(dir, `${basename(file, ".ts")}-${process.pid}-${randomBytes(4).toString("hex")}.mjs`);
try {
  await build({
    entryPoints: [resolve(file)],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    outfile: bundle,
    logLevel: "warning",
    // Dependencies stay in node_modules, except the table library, as in the CLI's bundle.
    plugins: [keepSourceUrls, inlineOnly(INLINED)],
  });
} catch (error) {
  // esbuild has printed each problem with its file and line above.
  rmSync(bundle, { force: true });
  process.stderr.write(`report loader ${file}: does not compile (${error instanceof Error ? error.message.split("\n")[0] : String(error)})\n`);
  process.exit(1);
}
// However the loader ends (done, thrown, process.exit): its bundle goes with it.
process.on("exit", () => rmSync(bundle, { force: true }));
await import(pathToFileURL(bundle).href);
