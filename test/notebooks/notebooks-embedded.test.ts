import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HAS_JUPYTER, leftovers, outputText, readIndex, ROOT, runNotebooks } from "./notebook-files.js";

/**
 * The project's notebooks (notebooks/*.ipynb) as a new user first runs them: `npm run notebooks`
 * with no options, so on a fresh store that the runner fills by a short backfill of the embedded
 * DE35 data. Every notebook must pass and speak of DE35's areas and consumer types in kWh, and the
 * HTML set is published from the fresh store. (test/reports/report-generic.test.ts runs them on another
 * dataset; this was the last step of `npm test`, and runs here beside the other test files.)
 * Skipped only where Jupyter is not installed and this is not CI.
 */
const work = mkdtempSync(join(tmpdir(), "notebooks-embedded-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!HAS_JUPYTER && !process.env.CI)("npm run notebooks on the embedded default", () => {
  it("builds a fresh store, runs every notebook on DE35 and publishes their HTML", { timeout: 900_000 }, async () => {
    const out = join(work, "out");
    const run = await runNotebooks(["--out", out], { NOTEBOOKS_EXECUTED_AT: "2023-01-30T08:00:00Z" }, 840_000);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const notebooks = readdirSync(join(ROOT, "notebooks"))
      .filter((f) => f.endsWith(".ipynb"))
      .sort();
    expect(notebooks.length).toBeGreaterThan(0);
    expect(run.stdout).toContain(`notebooks: ${notebooks.length} passed`);

    const texts = Object.fromEntries(notebooks.map((f) => [f, outputText(join(out, f))]));
    expect(texts["01-explore-data.ipynb"]).toContain("one series per area × consumer_type; values in kWh");
    expect(texts["03-batch-predict.ipynb"]).toContain("0 stale series not forecast, 0 new series forecast by the baseline");
    for (const [name, text] of Object.entries(texts)) expect(text, name).not.toContain("MWh");

    const html = join(out, "html");
    const index = readIndex(html);
    expect(index.store).toBe("fresh");
    expect(index.notebooks.map((n) => n.source)).toEqual(notebooks.map((f) => `notebooks/${f}`));
    expect(readdirSync(html).sort()).toEqual([...notebooks.map((f) => f.replace(/\.ipynb$/, ".html")), "index.json"].sort());
    expect(leftovers(out)).toEqual([]);
  });
});
