import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { HAS_JUPYTER, leftovers, readIndex, ROOT, runNotebooks as runner, writeNotebook, type Cell } from "./notebook-files.js";

/**
 * The notebook runner (scripts/run-notebooks.ts) run for real: Debian's Jupyter, the repository's
 * tslab kernelspec and launcher, on tiny throwaway notebooks. Skipped only where Jupyter is not
 * installed and this is not CI (.ci/run installs it, so CI always runs these).
 */
const work = mkdtempSync(join(tmpdir(), "notebooks-test-"));
/** A project module the kernel compiles must lie inside the repository: here, under the ignored build/. */
const projectDir = join(ROOT, "build", `notebooks-test-${process.pid}`);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(projectDir, { recursive: true, force: true });
});

function readCells(path: string): Cell[] {
  return (JSON.parse(readFileSync(path, "utf8")) as { cells: Cell[] }).cells;
}

const joined = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v ?? ""));
const text = (cell: Cell) => (cell.outputs ?? []).map((o) => joined(o.text)).join("");

describe.skipIf(!HAS_JUPYTER && !process.env.CI)("npm run notebooks", () => {
  it("passes on a good notebook, writes its executed copy and HTML, and clears a killed run's half-built set", { timeout: 300_000 }, async () => {
    const dir = join(work, "good");
    const store = join(work, "good-store");
    writeNotebook(dir, "good.ipynb", [
      { cell_type: "markdown", source: "# a good notebook" },
      'import * as tslab from "tslab";\ntslab.display.html("<b>rendered</b>");\nconsole.log("sum", 1 + 1);',
      'import { formatInstant } from "./src/pipeline/time/index.js";\nconst t = await Promise.resolve(0);\nconsole.log(formatInstant(t), process.env.STORE_URI);',
    ]);
    const out = join(dir, "out");
    // A killed earlier run left its half-built set: its process is gone, so this run removes it.
    const dead = spawnSync("true").pid;
    mkdirSync(join(out, `html.tmp-${dead}`), { recursive: true });
    writeFileSync(join(out, `html.tmp-${dead}`, "half.html"), "<p>half</p>");
    const r = await runner(["--dir", dir, "--out", out, "--store", store], { NOTEBOOKS_EXECUTED_AT: "2023-01-30T09:30:00+02:00" });
    expect(r.stderr).not.toContain("failed");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("✓ ");
    expect(r.stdout).toContain("good.ipynb  2/2 cells");
    expect(r.stdout).toContain(`notebooks: 1 passed in `);
    expect(r.stdout).toContain(`; executed copies in ${out}/, HTML for the report in ${out}/html/\n`);
    const cells = readCells(join(dir, "out", "good.ipynb"));
    expect(joined(cells[1].outputs?.find((o) => o.output_type === "display_data")?.data?.["text/html"])).toBe("<b>rendered</b>");
    expect(text(cells[1])).toBe("sum 2\n");
    // Project modules import from the repository root; the kernel sees the runner's store.
    expect(text(cells[2])).toBe(`1970-01-01T00:00Z ${pathToFileURL(store).href}\n`);

    // The HTML set: one page per notebook, titled by its first heading, and its index.
    expect(readdirSync(join(out, "html")).sort()).toEqual(["good.html", "index.json"]);
    expect(leftovers(out)).toEqual([]);
    expect(readIndex(join(out, "html"))).toEqual({
      store: "given",
      notebooks: [
        {
          name: "good",
          file: "good.html",
          title: "a good notebook",
          source: "good.ipynb",
          executedAt: "2023-01-30T07:30:00.000Z",
          cells: 2,
          seconds: expect.any(Number),
        },
      ],
    });
    const html = readFileSync(join(out, "html", "good.html"), "utf8");
    expect(html).toContain("<title>a good notebook</title>");
    expect(html).toContain("<b>rendered</b>");
    // Nothing is loaded from elsewhere, and the store outside the repository is only described.
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)[^\s"']*\.(js|css)\b/);
    expect(html).toContain("1970-01-01T00:00Z (a local directory)");
    expect(html).not.toContain(work);
  });

  it("fails when a cell throws, prints the cell's source and error, and runs nothing after it", { timeout: 300_000 }, async () => {
    const dir = join(work, "bad");
    writeNotebook(dir, "1-throws.ipynb", [
      'console.log("first cell ran");',
      'const limit = 3;\nif (limit > 2) throw new Error("boom: limit " + limit + " is above 2");',
      'console.log("never printed");',
    ]);
    writeNotebook(dir, "2-type-error.ipynb", ['const n: number = "not a number";']);
    writeNotebook(dir, "3-unawaited.ipynb", ['Promise.reject(new Error("rejected without await"));', 'console.log("never printed");']);
    writeNotebook(dir, "4-late.ipynb", ['setTimeout(() => void Promise.reject(new Error("rejected after the cell")), 10);\nconsole.log("cell done");']);
    // The launcher transpiles src/ without checking it; a cell is still checked against its types,
    // and a project module that does not parse is named with its line.
    writeNotebook(dir, "5-src-type.ipynb", ['import { DAY_MS } from "./src/pipeline/index.js";\nconst label: string = DAY_MS;']);
    mkdirSync(projectDir, { recursive: true });
    writeFileSync(join(projectDir, "broken.ts"), "export const x: number = (1 +;\n");
    writeNotebook(dir, "6-broken-module.ipynb", [`import { x } from "./build/notebooks-test-${process.pid}/broken.js";\nconsole.log(x);`]);
    const out = join(dir, "out");
    const r = await runner(["--dir", dir, "--out", out, "--store", join(work, "bad-store")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("✗ ");
    expect(r.stderr).toContain("notebooks: 6 of 6 failed");
    // No HTML from a failed run: the report keeps whatever whole set it had.
    expect(r.stderr).toContain(`; no HTML published (${out}/html/ is left as it was)\n`);
    expect(readdirSync(out).sort()).toEqual([
      "1-throws.ipynb",
      "2-type-error.ipynb",
      "3-unawaited.ipynb",
      "4-late.ipynb",
      "5-src-type.ipynb",
      "6-broken-module.ipynb",
    ]);

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
    expect(r.stderr).toContain("5-src-type.ipynb: cell 1 of 1 failed");
    expect(r.stderr).toContain("Type 'number' is not assignable to type 'string'");
    expect(r.stderr).toContain(`6-broken-module.ipynb: cell 1 of 1 failed`);
    expect(r.stderr).toContain(`    build/notebooks-test-${process.pid}/broken.ts 1:30 - Expression expected.\n`);
  });

  it("refuses notebooks committed with outputs, and --strip removes them", { timeout: 120_000 }, async () => {
    const dir = join(work, "dirty");
    const path = writeNotebook(dir, "dirty.ipynb", [
      { cell_type: "code", source: "1 + 1", execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: "2\n" }] },
    ]);
    const refused = await runner(["--dir", dir, "--out", join(dir, "out")]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`but these carry outputs or execution counts: ${path} (cells 1). Strip them with: npm run notebooks -- --strip`);
    expect(existsSync(join(dir, "out"))).toBe(false);

    const stripped = await runner(["--dir", dir, "--strip"]);
    expect(stripped.status).toBe(0);
    const cells = readCells(path);
    expect(cells[0].outputs).toEqual([]);
    expect(cells[0].execution_count).toBeNull();
    expect(joined(cells[0].source)).toBe("1 + 1");
  });

  it("publishes no HTML that shows the value of a secret setting, and keeps the previous set", { timeout: 300_000 }, async () => {
    const dir = join(work, "leak");
    writeNotebook(dir, "leak.ipynb", [{ cell_type: "markdown", source: "# leaks" }, 'console.log("token:", process.env.NOTEBOOKS_TEST_TOKEN);']);
    const out = join(dir, "out");
    // The set an earlier run published.
    mkdirSync(join(out, "html"), { recursive: true });
    const previous = JSON.stringify({ store: "fresh", notebooks: [] });
    writeFileSync(join(out, "html", "index.json"), previous);
    // `&` and `<` are escaped in the HTML: the check must find the escaped form too.
    const r = await runner(["--dir", dir, "--out", out, "--store", join(work, "leak-store")], { NOTEBOOKS_TEST_TOKEN: "tok&en<secret>-7f3a" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `notebooks: leak.html shows the value of NOTEBOOKS_TEST_TOKEN; a notebook must not print settings or credentials; no HTML published (${out}/html/ is left as it was)\n`,
    );
    expect(r.stderr + r.stdout).not.toContain("tok&en");
    expect(readFileSync(join(out, "html", "index.json"), "utf8")).toBe(previous);
    expect(readdirSync(join(out, "html"))).toEqual(["index.json"]);
    expect(leftovers(out)).toEqual([]);
  });

  it("refuses an executed-at time without a zone", async () => {
    const r = await runner(["--dir", join(work, "none")], { NOTEBOOKS_EXECUTED_AT: "2023-01-30T07:00" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'notebooks: NOTEBOOKS_EXECUTED_AT "2023-01-30T07:00" is not an ISO time with a zone, such as 2023-01-30T07:00:00Z; unset it to record when each notebook ran',
    );
  });
});
