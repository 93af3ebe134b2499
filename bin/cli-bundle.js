// The CLI's compiled form: one source of truth (the TypeScript in src/, which notebooks and the
// report's loaders import directly), bundled by esbuild into plain JavaScript on first use and
// cached under build/cli/<hash of src/> (not under node_modules: npm then takes its tree for
// changed and rereads it on every `npx`, a second per start). Later starts import the cached
// JavaScript: no TypeScript tooling at run time, and `--help` answers in a fraction of a second.
// `npm run build` fills the cache ahead of time (the scheduled job does, after `npm ci`).
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Cached bundles older than this are removed when a new one is built (a running process may still be loading its chunks). */
const PRUNE_AFTER_MS = 60 * 60 * 1000;

/** Every file under `dir`, as paths relative to `root`, sorted (the hash must not depend on readdir order). */
function listFiles(root, dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, path));
    else if (entry.isFile()) out.push(relative(root, path));
  }
  return out.sort();
}

/**
 * The cache key of the sources: SHA-256 over this bundler's own text (its build options), every
 * file's path and content under src/, and package.json (its "sideEffects" steers the bundling).
 * Content, not mtimes: a fresh clone or a `git checkout` must not reuse a bundle of other sources.
 * @param {string} root project root
 * @returns {string} 16 hex digits
 */
export function sourceHash(root) {
  // This file's own text: a change of the build options below makes a new bundle, no number to bump.
  const hash = createHash("sha256").update(readFileSync(fileURLToPath(import.meta.url)));
  const manifest = existsSync(join(root, "package.json")) ? ["package.json"] : [];
  for (const file of [...manifest, ...listFiles(root, join(root, "src"))]) {
    hash
      .update(`${file}\n`)
      .update(readFileSync(join(root, file)))
      .update("\n");
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * esbuild plugin: `import.meta.url` in a TypeScript file of ours keeps meaning that file's own
 * location (src/ code finds its presets and suites next to itself), not the bundle's.
 */
export const keepSourceUrls = {
  name: "keep-source-urls",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
      return {
        contents: readFileSync(args.path, "utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
        loader: "ts",
      };
    });
  },
};

/**
 * Packages compiled into the bundle instead of loaded from node_modules: arquero is 184 ES modules
 * (and flechette and acorn, which it imports, and which our sources share with it: one copy), and
 * loading them one file at a time cost every command about 0.2 s of CPU before it did anything.
 */
export const INLINED = new Set(["arquero", "@uwdata/flechette", "acorn"]);

/**
 * Also compiled into the CLI's bundle (in a chunk of its own, loaded only for a gs:// store): the
 * Cloud Storage client and the packages it imports, about 300 CommonJS modules. Importing it took
 * 0.44 s from node_modules and 0.22-0.27 s as one chunk; `predict` on a 4-series store in the
 * emulator, old and new bundle alternated, 2.03-2.24 against 1.89-2.09 CPU-s.
 */
export const CLI_INLINED = new Set([...INLINED, "@google-cloud/storage"]);

/**
 * CommonJS code in an ES module bundle calls `require` for Node's built-in modules: give every chunk
 * one (esbuild's shim otherwise throws "Dynamic require of ... is not supported").
 */
export const REQUIRE_BANNER = 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);';

/**
 * esbuild plugin: every bare import (a package) of our sources stays external, except the packages
 * in `inlined`, which are compiled in with every file and package they import.
 * @param {Set<string>} inlined package names
 */
export function inlineOnly(inlined) {
  return {
    name: "inline-only",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
        // An import inside node_modules comes from an inlined package (external ones are not read).
        if (inlined.has(name) || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

function pruneOld(cacheRoot, keep) {
  for (const name of readdirSync(cacheRoot)) {
    if (name === keep) continue;
    const path = join(cacheRoot, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > PRUNE_AFTER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

/**
 * The path of the compiled CLI entry for the current sources, building it first when missing.
 * Concurrent first starts each build into a private folder and rename it into place; the loser
 * of the race discards its copy. Returns undefined when the cache cannot be written (a read-only
 * install): the caller then runs the sources through tsx.
 * @param {string} root project root
 * @returns {Promise<string | undefined>}
 */
export async function ensureCliBundle(root) {
  // Inside the project, so the bundle's bare imports resolve to the project's node_modules.
  const cacheRoot = join(root, "build", "cli");
  const hash = sourceHash(root);
  const dir = join(cacheRoot, hash);
  const entry = join(dir, "main.mjs");
  if (existsSync(entry)) return entry;
  const scratch = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    mkdirSync(scratch, { recursive: true });
  } catch {
    return undefined;
  }
  try {
    const { build } = await import("esbuild");
    await build({
      entryPoints: { main: join(root, "src", "cli", "main.ts") },
      bundle: true,
      // Dependencies stay in node_modules, except the table library and the Cloud Storage client (see CLI_INLINED).
      plugins: [keepSourceUrls, inlineOnly(CLI_INLINED)],
      platform: "node",
      target: "node20",
      format: "esm",
      // Commands load their implementation on demand: `--help` never loads arquero, axios or parquet-wasm.
      splitting: true,
      outdir: scratch,
      outExtension: { ".js": ".mjs" },
      sourcemap: "linked",
      banner: { js: REQUIRE_BANNER },
      logLevel: "warning",
    });
    try {
      renameSync(scratch, dir);
    } catch (error) {
      // Another process put the same bundle in place first.
      if (!existsSync(entry)) throw error;
      rmSync(scratch, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  pruneOld(cacheRoot, hash);
  return entry;
}
