/**
 * `npm run notebooks`: executes every notebook in notebooks/ headless, in file-name order, with the
 * repository's tslab kernel (jupyter/kernels/tslab) against a fresh local store, and writes the
 * executed copies to build/notebooks/. Prints the source and error of each failing cell and exits
 * non-zero when any notebook fails, or when a committed notebook carries outputs (they are kept
 * stripped so diffs stay reviewable; `--strip` removes them).
 *
 * When every notebook passed it also publishes them as standalone HTML (nbconvert's lab template
 * without its CDN scripts: charts are inline SVG, so the pages need no network) in
 * build/notebooks/html/ with an index.json, which `npm run report:build` copies into the site's
 * Notebooks page. The set is written to a temporary folder and renamed into place, so a failed run
 * never leaves half a set; machine paths are cut out of the HTML, and a page that shows the value of
 * a secret-looking environment variable stops the set from being published.
 *
 * Jupyter itself comes from the OS: Debian's jupyter-nbconvert, jupyter-client and python3-nbclient
 * (.ci/run installs them) or `pip install nbclient nbconvert`. The kernel is tslab from node_modules.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
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
kernel and writes the executed copies to --out. When all pass, <out>/html/ is replaced by their
HTML and an index.json (the set npm run report:build publishes: only the notebooks of this run).
Exit codes: 0 all passed, 1 a notebook failed or carries outputs, or its HTML shows a secret,
2 bad usage or Jupyter missing.

options:
  --dir <dir>       notebooks folder (default notebooks)
  --out <dir>       where the executed copies go (default build/notebooks)
  --store <uri>     run against this store as it is (default: a fresh store built in <out>/store
                    by a short backfill of the embedded data)
  --timeout <s>     seconds a cell may run (default 600)
  --strip           remove outputs and execution counts from the notebooks in place, then exit
  -h, --help        this text

environment:
  NOTEBOOKS_EXECUTED_AT   the executed-at time the index records for every notebook (ISO with a
                          zone, e.g. 2023-01-30T07:00:00Z; default: when each notebook finished)
  NOTEBOOK_PYTHON         the Python that has nbclient and nbconvert`;

/**
 * Drives Jupyter from Python (nbclient, the engine of nbconvert): runs the cells one by one so the
 * failing one is known, stops there (later cells depend on it), and always saves what ran.
 */
const DRIVER = String.raw`
import json, sys, time
import nbformat
from nbclient import NotebookClient

# nbconvert's lab template without the scripts it loads from CDNs (require.js, MathJax, widgets,
# mermaid): the outputs are inline SVG and HTML, so the page then needs no network at all. The inline
# favicon, as on the report's pages, keeps browsers from asking the host for /favicon.ico. SVG
# outputs go in as they are: nbconvert 6.5 passes them through lxml's clean_html, which drops every
# SVG element and leaves only the chart's text. They are vega's rendering of the notebook's own
# data, as trusted as the HTML outputs (tables), which nbconvert inserts unsanitized anyway.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_css -%}<link rel="icon" href="data:,">{%- endblock html_head_css -%}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
{{ output.data['image/svg+xml'] }}
</div>
{%- endblock data_svg %}
"""

def to_html(nb, dst, title):
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(template_name="lab", template_file="offline.html.j2",
                            extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})], embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    with open(dst, "w", encoding="utf-8") as f:
        f.write(body)

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

def run(src, dst, timeout, kernel, cwd, probe, html, title):
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
    # Only a notebook that ran to the end is published.
    if html and result["failed"] is None:
        try:
            to_html(nb, html, title)
        except Exception as exc:
            result["failed"] = failure(None, None, exc)
            result["failed"]["source"] = "(writing the HTML copy)"
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
    run(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8], sys.argv[9])
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
  /** The executed-at time of every notebook (ISO, UTC), from NOTEBOOKS_EXECUTED_AT; else each one's finish time. */
  executedAt?: string;
}

/** One published notebook, as index.json lists it (read by reports/data/notebooks.json.ts). */
export interface PublishedNotebook {
  /** The file name without .ipynb; the page is `<name>.html`. */
  name: string;
  file: string;
  /** The notebook's first Markdown heading (its file name when it has none). */
  title: string;
  /** The notebook's path in the repository (its file name when it lives elsewhere). */
  source: string;
  executedAt: string;
  cells: number;
  seconds: number;
}

/** index.json of an HTML set. */
export interface NotebookIndex {
  /** "fresh": a store the runner filled from the embedded data; "given": --store. */
  store: "fresh" | "given";
  notebooks: PublishedNotebook[];
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
  const executedAt = parseExecutedAt(process.env.NOTEBOOKS_EXECUTED_AT);
  return { dir: resolve(values.dir), out: resolve(values.out), store: values.store, timeout, strip: values.strip, files: positionals, executedAt };
}

/** NOTEBOOKS_EXECUTED_AT as ISO UTC; undefined when unset or empty. */
function parseExecutedAt(given: string | undefined): string | undefined {
  const text = given?.trim() ?? "";
  if (text === "") return undefined;
  // A time without a zone would be read in the machine's zone: refuse it rather than guess.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(
      `NOTEBOOKS_EXECUTED_AT "${given}" is not an ISO time with a zone, such as 2023-01-30T07:00:00Z; unset it to record when each notebook ran`,
    );
  }
  return new Date(Date.parse(text)).toISOString();
}

/** The Python that has nbclient: NOTEBOOK_PYTHON, else Debian's /usr/bin/python3, else python3 on PATH. */
function findPython(): string {
  const candidates = [process.env.NOTEBOOK_PYTHON, "/usr/bin/python3", "python3"].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    if (python.includes("/") && !existsSync(python)) continue;
    const probe = spawnSync(python, ["-c", "import nbclient, nbformat, jupyter_client, nbconvert"], { encoding: "utf8" });
    if (probe.status === 0) return python;
  }
  throw new UsageError(
    `no Python with Jupyter's nbclient and nbconvert found (tried ${candidates.join(", ")}); install them with ` +
      `"apt-get install -y --no-install-recommends jupyter-nbconvert jupyter-client python3-nbclient" (Debian/Ubuntu) ` +
      `or "pip install nbclient nbconvert", or point NOTEBOOK_PYTHON at a Python that has them`,
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

/** Runs one notebook; writes the executed copy to `out`, and its HTML to `html` when it ran to the end. */
function runNotebook(python: string, path: string, out: string, html: string, title: string, options: Options, env: NodeJS.ProcessEnv): NotebookResult {
  const run = spawnSync(python, ["-c", DRIVER, "run", path, join(out, basename(path)), String(options.timeout), "tslab", ROOT, PROBE_CELL, html, title], {
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

/** The notebook's first Markdown heading (`# 01 · Explore the data` gives `01 · Explore the data`), else its file name. */
function notebookTitle(path: string): string {
  const nb = JSON.parse(readFileSync(path, "utf8")) as { cells: Array<{ cell_type: string; source: string | string[] }> };
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const heading = /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(source);
    // Plain text for <title> and the report's list: links keep their text, emphasis and code marks go.
    if (heading) return heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\*\*|\*|`/g, "");
  }
  return basename(path, ".ipynb");
}

/**
 * Names of settings that hold credentials. Their values must never reach a published page: the
 * kernel sees the whole environment (a notebook run with --store gs://... needs the credentials),
 * so a cell that prints one would otherwise publish it.
 */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|_KEY$/i;
/** Shorter values (flags, "1", "true") would match anywhere and are no secret. */
const MIN_SECRET_LENGTH = 8;

/**
 * The secret values of the environment: each secret-looking variable's value and, when it names a
 * small JSON file (GOOGLE_APPLICATION_CREDENTIALS), that file's secret-looking fields.
 */
function secretValues(env: NodeJS.ProcessEnv): Array<{ name: string; value: string }> {
  const found: Array<{ name: string; value: string }> = [];
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim() ?? "";
    if (!SECRET_NAME.test(name) || value.length < MIN_SECRET_LENGTH) continue;
    found.push({ name, value });
    try {
      if (!statSync(value).isFile() || statSync(value).size > 1 << 20) continue;
      const json = JSON.parse(readFileSync(value, "utf8")) as Record<string, unknown>;
      for (const [field, v] of Object.entries(json)) {
        if (SECRET_NAME.test(field) && typeof v === "string" && v.trim().length >= MIN_SECRET_LENGTH)
          found.push({ name: `${name} (${field})`, value: v.trim() });
      }
    } catch {
      // not a readable JSON file: only the value itself is secret
    }
  }
  return found;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/**
 * The replacements that keep the machine's directory layout out of the published HTML (the
 * notebooks print the store they read): the repository's path becomes relative, a local store
 * elsewhere is only described, the home directory is `~`.
 */
function pathReplacements(storeUri: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (storeUri.startsWith("file:")) {
    const dir = fileURLToPath(storeUri);
    if (relative(ROOT, dir).startsWith("..")) pairs.push([storeUri, "(a local directory)"], [dir, "(a local directory)"]);
  }
  pairs.push([pathToFileURL(ROOT).href, ""], [ROOT, ""]);
  if (homedir().length > 1) pairs.push([`${homedir()}/`, "~/"]);
  return pairs;
}

/**
 * Checks and finishes the HTML set in `staging` and moves it to `target` in one rename: every page
 * is refused if it shows a secret value of `env`, machine paths are cut, index.json is written.
 * Returns the problem when the set was not published.
 */
function publishHtml(staging: string, target: string, index: NotebookIndex, env: NodeJS.ProcessEnv, storeUri: string): string | undefined {
  const secrets = secretValues(env);
  const paths = pathReplacements(storeUri);
  for (const entry of index.notebooks) {
    const file = join(staging, entry.file);
    let html = readFileSync(file, "utf8");
    const leak = secrets.find(({ value }) => html.includes(value) || html.includes(escapeHtml(value)));
    // The name only: the message itself lands in CI logs.
    if (leak) return `${entry.file} shows the value of ${leak.name}; a notebook must not print settings or credentials`;
    for (const [from, to] of paths) html = html.split(from).join(to);
    writeFileSync(file, html);
  }
  writeFileSync(join(staging, "index.json"), JSON.stringify(index, null, 1) + "\n");
  // A directory cannot be renamed over a non-empty one: move the old set aside first. Readers see
  // the old set, or for an instant none, never a mix.
  const old = `${target}.old-${process.pid}`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
  return undefined;
}

/** A path for messages: relative inside the repository, absolute elsewhere. */
/** Whether a process with this id is running (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Deletes the half-built HTML sets (`html.tmp-<pid>`) of runs that were killed: their process is gone. */
function removeAbandonedStaging(out: string): void {
  if (!existsSync(out)) return;
  for (const entry of readdirSync(out)) {
    const pid = /^html\.tmp-(\d+)$/.exec(entry)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid))) rmSync(join(out, entry), { recursive: true, force: true });
  }
}

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
  // The HTML set is built beside its final place (same file system, so the rename is atomic) and
  // replaces it only when every notebook passed.
  const htmlDir = join(options.out, "html");
  const staging = `${htmlDir}.tmp-${process.pid}`;
  removeAbandonedStaging(options.out);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const index: NotebookIndex = { store: options.store === undefined ? "fresh" : "given", notebooks: [] };
  const failures: string[] = [];
  for (const path of notebooks) {
    const name = shown(path);
    const stem = basename(path, ".ipynb");
    const title = notebookTitle(path);
    const r = runNotebook(python, path, options.out, join(staging, `${stem}.html`), title, options, env);
    if (!r.failed) {
      const source = relative(ROOT, path).startsWith("..") ? basename(path) : relative(ROOT, path);
      const executedAt = options.executedAt ?? new Date().toISOString();
      index.notebooks.push({ name: stem, file: `${stem}.html`, title, source, executedAt, cells: r.cells, seconds: Math.round(r.seconds * 10) / 10 });
    }
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
    rmSync(staging, { recursive: true, force: true });
    console.error(
      `notebooks: ${failures.length} of ${notebooks.length} failed (${failures.join(", ")}) in ${seconds} s; executed copies, up to the failing cell, in ${outDir}/; ` +
        `no HTML published (${shown(htmlDir)}/ is left as it was)`,
    );
    return 1;
  }
  const refused = publishHtml(staging, htmlDir, index, env, storeUri);
  if (refused !== undefined) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`notebooks: ${refused}; no HTML published (${shown(htmlDir)}/ is left as it was)`);
    return 1;
  }
  console.log(`notebooks: ${notebooks.length} passed in ${seconds} s; executed copies in ${outDir}/, HTML for the report in ${shown(htmlDir)}/`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
