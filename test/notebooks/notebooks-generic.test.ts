import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { GENERIC_FLAGS, NEW_SERIES, STALE_SERIES, writeGenericCsv } from "../reports/generic-data.js";

/**
 * The project's notebooks (notebooks/*.ipynb), executed for real by `npm run notebooks -- --store`
 * on a store of another dataset than DE35: string key columns `MunicipalityNo` and `Branche`,
 * values in MWh, a stale and a new series (test/reports/generic-data.ts), filled by a real
 * backfill. Every notebook must run, and its outputs must name the dataset's key columns and unit,
 * never DE35's. Skipped only where Jupyter is not installed and this is not CI.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const python = process.env.NOTEBOOK_PYTHON ?? "/usr/bin/python3";
const hasJupyter = spawnSync(python, ["-c", "import nbclient"]).status === 0;
const work = mkdtempSync(join(tmpdir(), "notebooks-generic-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

/** Every text an executed notebook shows: streams, HTML and Markdown tables, SVG charts. */
function outputText(path: string): string {
  const nb = JSON.parse(readFileSync(path, "utf8")) as { cells: Array<{ outputs?: Output[] }> };
  const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : (v ?? ""));
  return nb.cells
    .flatMap((c) => c.outputs ?? [])
    .flatMap((o) => [join(o.text), ...Object.values(o.data ?? {}).map(join)])
    .join("\n");
}

describe.skipIf(!hasJupyter && !process.env.CI)("the notebooks on a dataset with string keys in MWh", () => {
  it("run, and show the dataset's key columns, unit and new and stale series", { timeout: 900_000 }, async () => {
    const csv = join(work, "municipalities.csv");
    await writeGenericCsv(csv);
    const store = join(work, "store");
    const backfill = await runCli(
      ["--store", store, "backfill", "--from", "2023-01-27T00:00", "--to", "2023-01-30T00:00", "--every", "24", "--source", `file:${csv}`, ...GENERIC_FLAGS],
      {},
      work,
    );
    expect(backfill.code, backfill.stderr).toBe(0);

    const out = join(work, "out");
    const run = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "run-notebooks.ts"), "--store", store, "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NOTEBOOK_PYTHON: python },
      timeout: 840_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const notebooks = readdirSync(join(ROOT, "notebooks"))
      .filter((f) => f.endsWith(".ipynb"))
      .sort();
    expect(run.stdout).toContain(`notebooks: ${notebooks.length} passed`);

    const texts = Object.fromEntries(notebooks.map((f) => [f, outputText(join(out, f))]));
    for (const [name, text] of Object.entries(texts)) {
      expect(text, name).toContain("MWh");
      expect(text, name).not.toContain("kWh");
      expect(text, name).not.toMatch(/consumer.type|DE35|\bDK[12]\b/i);
    }
    expect(texts["01-explore-data.ipynb"]).toContain("one series per MunicipalityNo × Branche; values in MWh");
    expect(texts["01-explore-data.ipynb"]).toMatch(/<th[^>]*>MunicipalityNo<\/th>/);
    // Prediction lists the stale series and forecasts the new one by the baseline.
    expect(texts["03-batch-predict.ipynb"]).toContain("1 stale series not forecast, 1 new series forecast by the baseline");
    expect(texts["03-batch-predict.ipynb"]).toContain(STALE_SERIES.join(" · "));
    expect(texts["03-batch-predict.ipynb"]).toContain(NEW_SERIES.join(" · "));
    expect(texts["04-monitoring.ipynb"]).toContain("seasonal-naive-24");
  });
});
