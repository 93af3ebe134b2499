/**
 * What the notebook tests share: throwaway notebooks written as Jupyter writes them, the runner
 * (scripts/run-notebooks.ts) run as `npm run notebooks` runs it, and reading its results.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NotebookIndex } from "../../scripts/run-notebooks.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The Python with Jupyter: NOTEBOOK_PYTHON, else Debian's. */
export const PYTHON = process.env.NOTEBOOK_PYTHON ?? "/usr/bin/python3";
/** Whether Jupyter is installed; the notebook tests are skipped without it, except in CI. */
export const HAS_JUPYTER = spawnSync(PYTHON, ["-c", "import nbclient, nbconvert"]).status === 0;

/** A cell as nbformat stores it. */
export interface Cell {
  cell_type: "code" | "markdown";
  /** nbformat writes multi-line strings as lists of lines. */
  source: string | string[];
  outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }>;
  execution_count?: number | null;
}

/** Writes a stripped nbformat 4.5 notebook of the given cells (strings are code cells) for the repository's tslab kernel. */
export function writeNotebook(dir: string, name: string, cells: Array<string | Cell>): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const nb = {
    cells: cells.map((c, i) => {
      const cell: Cell = typeof c === "string" ? { cell_type: "code", source: c } : c;
      return cell.cell_type === "code"
        ? { id: `c${i}`, cell_type: "code", metadata: {}, source: cell.source, outputs: cell.outputs ?? [], execution_count: cell.execution_count ?? null }
        : { id: `c${i}`, cell_type: "markdown", metadata: {}, source: cell.source };
    }),
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript (tslab, energy-forecast)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(path, JSON.stringify(nb, null, 1) + "\n");
  return path;
}

/**
 * Runs `npm run notebooks -- <args>` (the runner under tsx) with the test's Python and `env` added.
 * Asynchronous on purpose: a run takes up to minutes, and a blocked worker misses vitest's RPC
 * deadline ("Timeout calling onTaskUpdate").
 */
export function runNotebooks(
  args: string[],
  env: Record<string, string> = {},
  timeout = 300_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "run-notebooks.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, NOTEBOOK_PYTHON: PYTHON, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The index.json of a published HTML set. */
export function readIndex(htmlDir: string): NotebookIndex {
  return JSON.parse(readFileSync(join(htmlDir, "index.json"), "utf8")) as NotebookIndex;
}

/** The runner's leftovers beside the HTML set (its temporary and old folders): none after a run. */
export function leftovers(outDir: string): string[] {
  return readdirSync(outDir).filter((f) => /^html\.(tmp|old)-/.test(f));
}

/** One output of an executed notebook's cell. */
interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

/** Every text an executed notebook shows: streams, HTML and Markdown tables, SVG charts. */
export function outputText(path: string): string {
  const nb = JSON.parse(readFileSync(path, "utf8")) as { cells: Array<{ outputs?: Output[] }> };
  const joined = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : (v ?? ""));
  return nb.cells
    .flatMap((c) => c.outputs ?? [])
    .flatMap((o) => [joined(o.text), ...Object.values(o.data ?? {}).map(joined)])
    .join("\n");
}
