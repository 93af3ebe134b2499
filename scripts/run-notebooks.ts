/**
 * `npm run notebooks`: executes every notebook in notebooks/ headless, in file-name order, with the
 * repository's tslab kernel (jupyter/kernels/tslab) against a fresh local store, and writes the
 * executed copies to build/notebooks/. Prints the source and error of each failing cell and exits
 * non-zero when any notebook fails, or when a committed notebook carries outputs (they are kept
 * stripped so diffs stay reviewable; `--strip` removes them).
 *
 * Jupyter itself comes from the OS: Debian's jupyter-nbconvert, jupyter-client and python3-nbclient
 * (.ci/run installs them) or `pip install nbclient`. The kernel is tslab from node_modules.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, delimiter, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The as-of times of the backfill that fills the fresh store: five daily ticks of the main job. */
const BACKFILL = ["--from", "2023-01-26T00:00", "--to", "2023-01-30T00:00", "--every", "24"];

/** Run after the last cell, not saved: fails when a promise rejected unhandled after its cell ended (see the launcher). */
const PROBE_CELL = "await new Promise((resolve) => setTimeout(resolve, 100));";

const USAGE = `usage: npm run notebooks -- [options] [notebook.ipynb ...]

Executes the notebooks (default: every *.ipynb in --dir, in name order) headless with the tslab
kernel and writes the executed copies to --out. Exit codes: 0 all passed, 1 a notebook failed or
carries outputs, 2 bad usage or Jupyter missing.

options:
  --dir <dir>       notebooks folder (default notebooks)
  --out <dir>       where the executed copies go (default build/notebooks)
  --store <uri>     run against this store as it is (default: a fresh store built in <out>/store
                    by a short backfill of the embedded data)
  --timeout <s>     seconds a cell may run (default 600)
  --strip           remove outputs and execution counts from the notebooks in place, then exit
  -h, --help        this text`;

/**
 * Drives Jupyter from Python (nbclient, the engine of nbconvert): runs the cells one by one so the
 * failing one is known, stops there (later cells depend on it), and always saves what ran.
 */
const DRIVER = String.raw`
import json, sys, time
import nbformat
from nbclient import NotebookClient

def error_text(cell):
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and o.get("name") == "stderr":
            parts.append(o.get("text", ""))
        elif o.get("output_type") == "error":
            parts.append("\n".join(o.get("traceback") or []) or "%s: %s" % (o.get("ename"), o.get("evalue")))
    return "".join(parts).strip()

def failure(cell, number, exc):
    return {"number": number, "source": cell.source if cell is not None else "",
            "error": (error_text(cell) if cell is not None else "") or "%s: %s" % (type(exc).__name__, exc)}

def run(src, dst, timeout, kernel, cwd, probe):
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel, timeout=timeout, startup_timeout=120,
                            resources={"metadata": {"path": cwd}})
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    result = {"cells": len(code), "executed": 0, "failed": None, "timings": []}
    started = time.time()
    try:
        with client.setup_kernel():
            for number, (index, cell) in enumerate(code, 1):
                t0 = time.time()
                try:
                    client.execute_cell(cell, index, execution_count=number)
                except Exception as exc:
                    result["failed"] = failure(cell, number, exc)
                    break
                finally:
                    result["timings"].append(round(time.time() - t0, 2))
                result["executed"] += 1
            else:
                cell = nbformat.v4.new_code_cell(probe)
                nb.cells.append(cell)
                try:
                    client.execute_cell(cell, len(nb.cells) - 1)
                except Exception as exc:
                    result["failed"] = failure(cell, None, exc)
                    result["failed"]["source"] = "(after the last cell finished)"
                finally:
                    nb.cells.pop()
    except Exception as exc:
        result["failed"] = failure(None, None, exc)
        result["failed"]["source"] = "(starting or stopping the kernel)"
    result["seconds"] = time.time() - started
    nbformat.write(nb, dst)
    print("@@result " + json.dumps(result))

def strip(paths):
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)

if sys.argv[1] == "run":
    run(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7])
else:
    strip(sys.argv[2:])
`;

/** What the driver reports for one notebook. */
interface NotebookResult {
  cells: number;
  executed: number;
  seconds: number;
  /** Seconds per executed code cell. */
  timings: number[];
  failed: null | { number: number | null; source: string; error: string };
}

interface Options {
  dir: string;
  out: string;
  store?: string;
  timeout: number;
  strip: boolean;
  files: string[];
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: "string", default: "notebooks" },
      out: { type: "string", default: join("build", "notebooks") },
      store: { type: "string" },
      timeout: { type: "string", default: "600" },
      strip: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) throw new UsageError(`--timeout must be a whole number of seconds >= 1, got "${values.timeout}"`);
  return { dir: resolve(values.dir), out: resolve(values.out), store: values.store, timeout, strip: values.strip, files: positionals };
}

/** The Python that has nbclient: NOTEBOOK_PYTHON, else Debian's /usr/bin/python3, else python3 on PATH. */
function findPython(): string {
  const candidates = [process.env.NOTEBOOK_PYTHON, "/usr/bin/python3", "python3"].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    if (python.includes("/") && !existsSync(python)) continue;
    const probe = spawnSync(python, ["-c", "import nbclient, nbformat, jupyter_client"], { encoding: "utf8" });
    if (probe.status === 0) return python;
  }
  throw new UsageError(
    `no Python with Jupyter's nbclient found (tried ${candidates.join(", ")}); install it with ` +
      `"apt-get install -y --no-install-recommends jupyter-nbconvert jupyter-client python3-nbclient" (Debian/Ubuntu) ` +
      `or "pip install nbclient", or point NOTEBOOK_PYTHON at a Python that has it`,
  );
}

/** Notebooks to run: the named ones, or every *.ipynb in the folder, in name order. */
function listNotebooks(options: Options): string[] {
  if (options.files.length > 0) {
    return options.files.map((f) => {
      const path = existsSync(f) ? resolve(f) : join(options.dir, f);
      if (!existsSync(path)) throw new UsageError(`notebook "${f}" not found (looked in . and ${shown(options.dir)})`);
      return path;
    });
  }
  if (!existsSync(options.dir)) throw new UsageError(`notebook folder ${options.dir} does not exist`);
  const found = readdirSync(options.dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
  if (found.length === 0) throw new UsageError(`no .ipynb files in ${options.dir}`);
  return found.map((f) => join(options.dir, f));
}

/** Code cells that carry outputs or execution counts, per notebook (committed notebooks must have none). */
function unstripped(paths: string[]): string[] {
  const problems: string[] = [];
  for (const path of paths) {
    const nb = JSON.parse(readFileSync(path, "utf8")) as { cells: Array<{ cell_type: string; outputs?: unknown[]; execution_count?: number | null }> };
    const cells = nb.cells
      .map((c, i) => ({ c, n: i + 1 }))
      .filter(({ c }) => c.cell_type === "code" && ((c.outputs?.length ?? 0) > 0 || (c.execution_count ?? null) !== null))
      .map(({ n }) => n);
    if (cells.length > 0) problems.push(`${shown(path)} (cells ${cells.join(", ")})`);
  }
  return problems;
}

/** A fresh store filled the way `npm start` fills .data/store, with a shorter backfill. */
function buildStore(dir: string): number {
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [join(ROOT, "bin", "energy-forecast.js"), "--store", dir, "backfill", ...BACKFILL], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn" },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    throw new Error(`building the notebooks' store in ${dir} failed (energy-forecast backfill exited with ${run.status ?? run.signal})`);
  }
  return (performance.now() - t0) / 1000;
}

function runNotebook(python: string, path: string, out: string, options: Options, env: NodeJS.ProcessEnv): NotebookResult {
  const run = spawnSync(python, ["-c", DRIVER, "run", path, join(out, basename(path)), String(options.timeout), "tslab", ROOT, PROBE_CELL], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  const line = run.stdout.split("\n").find((l) => l.startsWith("@@result "));
  if (!line) {
    return {
      cells: 0,
      executed: 0,
      seconds: 0,
      timings: [],
      failed: {
        number: null,
        source: "(the notebook driver)",
        error: `the Jupyter driver exited with ${run.status ?? run.signal} without a result:\n${run.stderr.trim()}`,
      },
    };
  }
  return JSON.parse(line.slice("@@result ".length)) as NotebookResult;
}

/** A path for messages: relative inside the repository, absolute elsewhere. */
function shown(path: string): string {
  const rel = relative(ROOT, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}

function indent(text: string): string {
  return text
    .replace(/\n+$/, "")
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = parseOptions(argv);
  } catch (error) {
    console.error(`notebooks: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const started = performance.now();
  let notebooks: string[];
  let python: string;
  try {
    notebooks = listNotebooks(options);
    python = findPython();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`notebooks: ${error.message}`);
    return 2;
  }
  if (options.strip) {
    const strip = spawnSync(python, ["-c", DRIVER, "strip", ...notebooks], { stdio: "inherit" });
    if (strip.status !== 0) return 1;
    console.log(`notebooks: stripped ${notebooks.map(shown).join(", ")}`);
    return 0;
  }
  const dirty = unstripped(notebooks);
  if (dirty.length > 0) {
    console.error(
      `notebooks: committed notebooks are kept without outputs (executed copies go to ${shown(options.out)}/), ` +
        `but these carry outputs or execution counts: ${dirty.join("; ")}. Strip them with: npm run notebooks -- --strip`,
    );
    return 1;
  }
  mkdirSync(options.out, { recursive: true });
  let storeUri: string;
  if (options.store !== undefined) {
    storeUri = /^[a-z][a-z0-9+.-]*:/i.test(options.store) ? options.store : pathToFileURL(resolve(options.store)).href;
    console.log(`notebooks: store ${storeUri} (as it is)`);
  } else {
    const dir = join(options.out, "store");
    const seconds = buildStore(dir);
    storeUri = pathToFileURL(dir).href;
    console.log(`notebooks: fresh store ${storeUri} (backfill ${BACKFILL.join(" ")}, ${seconds.toFixed(1)} s)`);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STORE_URI: storeUri,
    JUPYTER_PATH: [join(ROOT, "jupyter"), process.env.JUPYTER_PATH].filter(Boolean).join(delimiter),
    TZ: "UTC",
  };
  const failures: string[] = [];
  for (const path of notebooks) {
    const name = shown(path);
    const r = runNotebook(python, path, options.out, options, env);
    const slowest = r.timings.reduce((best, t, i) => (t > r.timings[best] ? i : best), 0);
    const cells = `${r.executed}/${r.cells} cells` + (r.timings.length > 0 ? ` (slowest: cell ${slowest + 1}, ${r.timings[slowest].toFixed(1)} s)` : "");
    if (!r.failed) {
      console.log(`  ✓ ${name}  ${cells}  ${r.seconds.toFixed(1)} s`);
      continue;
    }
    failures.push(name);
    const where = r.failed.number === null ? r.failed.source : `cell ${r.failed.number} of ${r.cells}`;
    console.log(`  ✗ ${name}  failed at ${where}  ${r.seconds.toFixed(1)} s`);
    const lines = [`--- ${name}: ${where} failed`];
    if (r.failed.number !== null) lines.push("source:", indent(r.failed.source));
    lines.push("error:", indent(r.failed.error || "(the kernel reported an error without a message)"), "");
    console.error(lines.join("\n"));
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const outDir = shown(options.out);
  if (failures.length > 0) {
    console.error(
      `notebooks: ${failures.length} of ${notebooks.length} failed (${failures.join(", ")}) in ${seconds} s; executed copies, up to the failing cell, in ${outDir}/`,
    );
    return 1;
  }
  console.log(`notebooks: ${notebooks.length} passed in ${seconds} s; executed copies in ${outDir}/`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
