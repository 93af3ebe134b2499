import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { GENERIC_FLAGS, NEW_SERIES, STALE_SERIES, writeGenericCsv } from "../reports/generic-data.js";
import { HAS_JUPYTER, leftovers, outputText, readIndex, ROOT, runNotebooks } from "./notebook-files.js";

/**
 * The project's notebooks (notebooks/*.ipynb), executed for real by `npm run notebooks -- --store`
 * on a store of another dataset than DE35: string key columns `MunicipalityNo` and `Branche`,
 * values in MWh, a stale and a new series (test/reports/generic-data.ts), filled by a real
 * backfill. Every notebook must run, and its outputs must name the dataset's key columns and unit,
 * never DE35's. Their HTML, published for the report, must carry no secret that was in the
 * environment while they ran and no machine path. Skipped only where Jupyter is not installed and
 * this is not CI.
 */
const MARKER = `planted-${randomBytes(8).toString("hex")}`;
const work = mkdtempSync(join(tmpdir(), "notebooks-generic-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!HAS_JUPYTER && !process.env.CI)("the notebooks on a dataset with string keys in MWh", () => {
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
    // Credentials as the scheduled job would have them, each a unique marker: none may reach a page.
    const keyFile = join(work, "service-account.json");
    writeFileSync(keyFile, JSON.stringify({ type: "service_account", private_key: `-----BEGIN PRIVATE KEY-----\n${MARKER}-key\n-----END PRIVATE KEY-----\n` }));
    const secrets = {
      GOOGLE_APPLICATION_CREDENTIALS: keyFile,
      GCP_SERVICE_ACCOUNT_KEY: `${MARKER}-service-account-key`,
      NOTEBOOKS_TEST_TOKEN: `${MARKER}-token`,
      NOTEBOOKS_EXECUTED_AT: "2023-01-30T08:00:00Z",
    };
    const run = await runNotebooks(["--store", store, "--out", out], secrets, 840_000);
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

    // The HTML set: every notebook, titled by its first heading, and nothing it must not show.
    const html = join(out, "html");
    const pages = notebooks.map((f) => f.replace(/\.ipynb$/, ".html"));
    expect(readdirSync(html).sort()).toEqual([...pages, "index.json"].sort());
    expect(leftovers(out)).toEqual([]);
    const index = readIndex(html);
    expect(index.store).toBe("given");
    expect(index.notebooks.map((n) => [n.file, n.source, n.executedAt])).toEqual(
      pages.map((p, i) => [p, `notebooks/${notebooks[i]}`, "2023-01-30T08:00:00.000Z"]),
    );
    expect(index.notebooks[0].title).toBe("01 · Explore the data");
    for (const n of index.notebooks) {
      const text = readFileSync(join(html, n.file), "utf8");
      expect(text, n.file).toContain(`<title>${n.title}</title>`);
      expect(text, n.file).toMatch(/<svg[^>]*class="marks"/);
      for (const needle of [MARKER, work, ROOT, `${homedir()}/`]) expect(text.includes(needle), `${needle} in ${n.file}`).toBe(false);
      expect(/file:\/\/\/[A-Za-z]/.test(text), `a file URL in ${n.file}`).toBe(false);
    }
    // The store outside the repository is described, not named.
    expect(readFileSync(join(html, "01-explore-data.html"), "utf8")).toContain("(a local directory): feature group energy_consumption v1");
  });
});
