import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./notebook-files.js";

/**
 * The notebooks as committed, without Jupyter: no outputs, no execution counts, no execution
 * timing. Their executed copies and HTML are build artifacts (build/notebooks/); what the
 * repository holds must stay code only, so diffs show code and nothing a run printed reaches it.
 * (The runner refuses such notebooks too, but only where Jupyter is installed.)
 */
const DIR = join(ROOT, "notebooks");
const notebooks = readdirSync(DIR)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

interface Notebook {
  cells: Array<{ cell_type: string; outputs?: unknown[]; execution_count?: number | null; metadata?: Record<string, unknown> }>;
}

describe("the committed notebooks", () => {
  it("exist (the loop below must check something)", () => {
    expect(notebooks.length).toBeGreaterThan(0);
  });

  for (const file of notebooks) {
    it(`${file} carries no outputs, execution counts or execution times, and starts with its title`, () => {
      const nb = JSON.parse(readFileSync(join(DIR, file), "utf8")) as Notebook;
      const dirty = nb.cells
        .map((c, i) => ({ c, n: i + 1 }))
        .filter(({ c }) => (c.outputs?.length ?? 0) > 0 || (c.execution_count ?? null) !== null || c.metadata?.execution !== undefined)
        .map(({ n }) => n);
      expect(dirty, `cells with outputs; strip them with: npm run notebooks -- --strip`).toEqual([]);
      // The published page and the report's list are titled by the first Markdown heading.
      const first = nb.cells.find((c) => c.cell_type === "markdown") as { source: string | string[] } | undefined;
      const source = Array.isArray(first?.source) ? first.source.join("") : (first?.source ?? "");
      expect(source).toMatch(/^# \S/);
    });
  }
});
