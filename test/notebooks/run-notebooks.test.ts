import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The notebook runner (scripts/run-notebooks.ts) run for real: Debian's Jupyter, the repository's
 * tslab kernelspec and launcher, on tiny throwaway notebooks. Skipped only where Jupyter is not
 * installed and this is not CI (.ci/run installs it, so CI always runs these).
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const python = process.env.NOTEBOOK_PYTHON ?? "/usr/bin/python3";
const hasJupyter = spawnSync(python, ["-c", "import nbclient"]).status === 0;
const work = mkdtempSync(join(tmpdir(), "notebooks-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Cell {
  cell_type: "code" | "markdown";
  /** nbformat writes multi-line strings as lists of lines. */
  source: string | string[];
  outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }>;
  execution_count?: number | null;
}

/** Writes a stripped nbformat 4.5 notebook of the given cells (strings are code cells). */
function writeNotebook(dir: string, name: string, cells: Array<string | Cell>): string {
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

function runner(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "run-notebooks.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NOTEBOOK_PYTHON: python },
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readCells(path: string): Cell[] {
  return (JSON.parse(readFileSync(path, "utf8")) as { cells: Cell[] }).cells;
}

const joined = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v ?? ""));
const text = (cell: Cell) => (cell.outputs ?? []).map((o) => joined(o.text)).join("");

describe.skipIf(!hasJupyter && !process.env.CI)("npm run notebooks", () => {
  it("passes on a good notebook and writes the executed copy with its outputs", { timeout: 300_000 }, () => {
    const dir = join(work, "good");
    const store = join(work, "good-store");
    writeNotebook(dir, "good.ipynb", [
      { cell_type: "markdown", source: "# a good notebook" },
      'import * as tslab from "tslab";\ntslab.display.html("<b>rendered</b>");\nconsole.log("sum", 1 + 1);',
      'import { formatInstant } from "./src/pipeline/time/index.js";\nconst t = await Promise.resolve(0);\nconsole.log(formatInstant(t), process.env.STORE_URI);',
    ]);
    const r = runner(["--dir", dir, "--out", join(dir, "out"), "--store", store]);
    expect(r.stderr).not.toContain("failed");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("✓ ");
    expect(r.stdout).toContain("good.ipynb  2/2 cells");
    expect(r.stdout).toContain("notebooks: 1 passed");
    const cells = readCells(join(dir, "out", "good.ipynb"));
    expect(joined(cells[1].outputs?.find((o) => o.output_type === "display_data")?.data?.["text/html"])).toBe("<b>rendered</b>");
    expect(text(cells[1])).toBe("sum 2\n");
    // Project modules import from the repository root; the kernel sees the runner's store.
    expect(text(cells[2])).toBe(`1970-01-01T00:00Z ${pathToFileURL(store).href}\n`);
  });

  it("fails when a cell throws, prints the cell's source and error, and runs nothing after it", { timeout: 300_000 }, () => {
    const dir = join(work, "bad");
    writeNotebook(dir, "1-throws.ipynb", [
      'console.log("first cell ran");',
      'const limit = 3;\nif (limit > 2) throw new Error("boom: limit " + limit + " is above 2");',
      'console.log("never printed");',
    ]);
    writeNotebook(dir, "2-type-error.ipynb", ['const n: number = "not a number";']);
    writeNotebook(dir, "3-unawaited.ipynb", ['Promise.reject(new Error("rejected without await"));', 'console.log("never printed");']);
    writeNotebook(dir, "4-late.ipynb", ['setTimeout(() => void Promise.reject(new Error("rejected after the cell")), 10);\nconsole.log("cell done");']);
    const r = runner(["--dir", dir, "--out", join(dir, "out"), "--store", join(work, "bad-store")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("✗ ");
    expect(r.stderr).toContain("notebooks: 4 of 4 failed");

    expect(r.stderr).toContain("1-throws.ipynb: cell 2 of 3 failed\nsource:\n    const limit = 3;\n    if (limit > 2) throw new Error(");
    expect(r.stderr).toContain("Error: boom: limit 3 is above 2");
    const thrown = readCells(join(dir, "out", "1-throws.ipynb"));
    expect(text(thrown[0])).toBe("first cell ran\n");
    expect(text(thrown[2])).toBe("");

    expect(r.stderr).toContain("2-type-error.ipynb: cell 1 of 1 failed");
    expect(r.stderr).toContain("Type 'string' is not assignable to type 'number'");

    // tslab itself only logs these; the launcher makes them fail the cell.
    expect(r.stderr).toContain("3-unawaited.ipynb: cell 1 of 2 failed");
    expect(r.stderr).toContain("Cell failed: a promise rejected and nothing awaited it:\n    Error: rejected without await");
    expect(r.stderr).toContain("4-late.ipynb: (after the last cell finished) failed");
    expect(r.stderr).toContain("Error: rejected after the cell");
  });

  it("refuses notebooks committed with outputs, and --strip removes them", { timeout: 120_000 }, () => {
    const dir = join(work, "dirty");
    const path = writeNotebook(dir, "dirty.ipynb", [
      { cell_type: "code", source: "1 + 1", execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: "2\n" }] },
    ]);
    const refused = runner(["--dir", dir, "--out", join(dir, "out")]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`but these carry outputs or execution counts: ${path} (cells 1). Strip them with: npm run notebooks -- --strip`);
    expect(existsSync(join(dir, "out"))).toBe(false);

    const stripped = runner(["--dir", dir, "--strip"]);
    expect(stripped.status).toBe(0);
    const cells = readCells(path);
    expect(cells[0].outputs).toEqual([]);
    expect(cells[0].execution_count).toBeNull();
    expect(joined(cells[0].source)).toBe("1 + 1");
  });
});
