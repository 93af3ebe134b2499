/**
 * The report and the notebooks on a dataset that is not DE35: a long CSV with two string key
 * columns (`MunicipalityNo`, `Branche`), Copenhagen wall-clock hours and values in MWh (see
 * generic-data.ts), one series that stops reporting and one that starts late. A real backfill of
 * four daily ticks fills the store through the CLI with the dataset flags. On a copy of it (they
 * train and predict), `npm run notebooks -- --store` executes the project's notebooks for real
 * with credentials planted in the environment; then the site is built from the store with their
 * HTML set and every page opened in Chromium. The pages and the notebooks must speak the
 * dataset's language: its key column names, its unit, its stale and new series, and nothing of
 * DE35; no page may show a planted secret or a machine path. One store, one notebook run and one
 * build serve all of it (they were three test files, each with its own). The notebook parts are
 * skipped only where Jupyter is not installed and this is not CI.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { HAS_JUPYTER, leftovers, outputText, readIndex, ROOT, runNotebooks } from "../notebooks/notebook-files.js";
import { expectNoProblems, marks, openPage, startBrowser, type Problems } from "./browser.js";
import { buildSite } from "./build-site.js";
import { GENERIC_FLAGS, NEW_SERIES, STALE_SERIES, writeGenericCsv } from "./generic-data.js";
import { runLoader } from "./run-loader.js";
import { builtFile } from "./site-files.js";
import { serveStatic, type StaticServer } from "./static-server.js";

/** Whether the notebooks run here: Jupyter is installed, or this is CI (which must have it). */
const NOTEBOOKS = HAS_JUPYTER || Boolean(process.env.CI);
const MARKER = `planted-${randomBytes(8).toString("hex")}`;
const SHOTS = join(ROOT, "test-results", "report");
const EXECUTED_AT = "2023-01-30T08:00:00Z";

/** The project's notebooks, in the order the runner executes them. */
const NOTEBOOK_FILES = readdirSync(join(ROOT, "notebooks"))
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

/** Words of the DE35 dataset that must not appear on any page of another dataset. */
const FOREIGN = [/kWh/, /consumer.type/i, /DE35/, /price area/i, /\bDK[12]\b/];

let tmp: string;
let series: number;
let dist: string;
/** Where the notebook run wrote its executed copies and HTML set, and what it printed. */
let notebooksOut: string;
let notebooksRun: { status: number | null; stdout: string; stderr: string };
let server: StaticServer;
/** The same site served as `python3 -m http.server -d dist` serves it: files by their exact name only. */
let exactServer: StaticServer;
let browser: Browser;
let context: BrowserContext;

/** Opens a page, checks the words it must not contain, and returns it with its problems. */
async function open(path: string, charts: string[]): Promise<{ page: Page; problems: Problems; text: string }> {
  const { page, problems } = await openPage(context, server.origin, path, charts);
  const text = (await page.locator("#observablehq-main").innerText()) + (await page.locator("#observablehq-main svg").allTextContents()).join(" ");
  for (const word of FOREIGN) expect(text, `${path} shows ${word}`).not.toMatch(word);
  return { page, problems, text };
}

async function finish(page: Page, problems: Problems): Promise<void> {
  expectNoProblems(problems);
  await page.close();
}

describe("the report site and the notebooks on a dataset with string keys in MWh", () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "report-generic-"));
    const csv = join(tmp, "municipalities.csv");
    series = await writeGenericCsv(csv);
    const store = join(tmp, "store");
    const backfill = await runCli(
      ["--store", store, "backfill", "--from", "2023-01-27T00:00", "--to", "2023-01-30T00:00", "--every", "24", "--source", `file:${csv}`, ...GENERIC_FLAGS],
      {},
      tmp,
    );
    expect(backfill.code, backfill.stderr).toBe(0);
    notebooksOut = join(tmp, "notebooks-out");
    if (NOTEBOOKS) {
      // On a copy: the notebooks train and predict, and the report's pages count the backfill's runs.
      const scratch = join(tmp, "notebook-store");
      await cp(store, scratch, { recursive: true });
      // Credentials as the scheduled job would have them, each a unique marker: none may reach a page.
      const keyFile = join(tmp, "service-account.json");
      writeFileSync(
        keyFile,
        JSON.stringify({ type: "service_account", private_key: `-----BEGIN PRIVATE KEY-----\n${MARKER}-key\n-----END PRIVATE KEY-----\n` }),
      );
      const secrets = {
        GOOGLE_APPLICATION_CREDENTIALS: keyFile,
        GCP_SERVICE_ACCOUNT_KEY: `${MARKER}-service-account-key`,
        NOTEBOOKS_TEST_TOKEN: `${MARKER}-token`,
        NOTEBOOKS_EXECUTED_AT: EXECUTED_AT,
      };
      notebooksRun = await runNotebooks(["--store", scratch, "--out", notebooksOut], secrets, 840_000);
      expect(notebooksRun.status, notebooksRun.stdout + notebooksRun.stderr).toBe(0);
    }
    // Built long after its 2023 data: the freshness card must say so.
    dist = join(tmp, "dist");
    const build = await buildSite(store, dist, {
      REPORT_BUILD_TIME: "2026-05-01T00:00:00Z",
      ...(NOTEBOOKS ? { REPORT_NOTEBOOKS: join(notebooksOut, "html") } : {}),
    });
    expect(build.code, build.output).toBe(0);
    if (NOTEBOOKS) expect(build.output).toContain(`report: copied ${NOTEBOOK_FILES.length} executed notebook(s) to ${dist}/notebooks/`);
    server = await serveStatic(dist);
    exactServer = await serveStatic(dist, { exact: true });
    ({ browser, context } = await startBrowser());
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await exactServer?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("Overview: the dataset's keys and unit, and the stale and new series of the latest run", async () => {
    const { page, problems } = await open("/", ["headline"]);
    expect(await page.locator(".lede").textContent()).toContain("Hourly panel from a file: one series per MunicipalityNo × Branche, values in MWh.");
    expect(await page.locator('[data-chart="headline"] .role-axis-title').allTextContents()).toContain("MWh per hour, all series");
    // The stale series is not forecast; the new one is, by the baseline.
    expect(await page.locator('[data-kpi="Data up to"]').getAttribute("class")).toContain("kpi-bad");
    expect(await page.locator('[data-kpi="Data up to"] .sub').textContent()).toMatch(
      /^1\d{3} days behind what the \d+-day publication delay allows at build time$/,
    );
    expect(await page.locator('[data-kpi="Series forecast"] .big').textContent()).toBe(String(series - 1));
    expect(await page.locator('[data-kpi="Series forecast"] .sub').textContent()).toContain(
      "one per MunicipalityNo × Branche · 1 new by the baseline · 1 stale, not forecast",
    );
    const notes = page.locator('table[data-table="series-notes"]');
    expect(await notes.locator("thead th").allTextContents()).toEqual(["", "MunicipalityNo", "Branche", "Series", "Why"]);
    expect(await notes.locator('tr[data-kind="stale"] td').allTextContents()).toEqual([
      "stale",
      ...STALE_SERIES,
      STALE_SERIES.join(" · "),
      "not forecast: no observation at the origin; last measured 2023-01-09 23:00 UTC",
    ]);
    const fresh = await notes.locator('tr[data-kind="new"] td').allTextContents();
    expect(fresh.slice(0, 4)).toEqual(["new", ...NEW_SERIES, NEW_SERIES.join(" · ")]);
    expect(fresh[4]).toMatch(/^forecast by the seasonal-naive baseline: \d+ h of history, fewer than the model needs$/);
    await finish(page, problems);
  });

  it("Forecasts: one picker per key column, the unit on the axis, the new series by the baseline and the stale one without forecast", async () => {
    const { page, problems } = await open("/forecasts", ["series", "small-multiples"]);
    expect(await page.locator("form.series-picker label").allTextContents()).toEqual(["MunicipalityNo", "Branche"]);
    expect(await page.locator('[data-chart="series"] .role-axis-title').allTextContents()).toContain("MWh per hour");
    // measured in every panel, the latest forecast in all but the stale series'
    expect(await marks(page, "small-multiples", "g.mark-line.role-mark")).toBe(2 * series - 1);
    const title = page.locator('[data-chart="series"] .role-title-text');
    // The last select's options end with the series' MAPE ("Andet · MAPE 5.70 %"): pick by the value's text.
    const pick = async (key: readonly string[]) => {
      for (const [k, v] of key.entries()) {
        const select = page.locator("form.series-picker select").nth(k);
        const labels = await select.locator("option").allTextContents();
        await select.selectOption({ index: labels.findIndex((l) => l === v || l.startsWith(`${v} · `)) });
      }
    };

    await pick(NEW_SERIES);
    await expect
      .poll(() => title.textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`^${NEW_SERIES.join(" · ")} · latest forecast from .* by the seasonal-naive-24 baseline \\(new series\\)$`));
    // A baseline forecast has no interval: no band, and no warning about one.
    expect(await marks(page, "series", "g.mark-area.role-mark")).toBe(0);

    await pick(STALE_SERIES);
    await expect.poll(() => title.textContent(), { timeout: 10_000 }).toBe(`${STALE_SERIES.join(" · ")} · not in the latest forecast (stale)`);
    expect(await page.locator('[data-series-notes="forecasts"]').textContent()).toBe(
      `Not forecast by the latest run (stale: no measurement at its origin): ${STALE_SERIES.join(" · ")}. Forecast by the seasonal-naive-24 baseline (new: too little history for the model): ${NEW_SERIES.join(" · ")}.`,
    );
    await finish(page, problems);
  });

  it("Monitoring: the series table has a column per key column, searchable by key value", async () => {
    const { page, problems } = await open("/monitoring", ["mape-time", "mape-step", "coverage", "mape-run"]);
    expect((await page.locator("form table thead th").allTextContents()).slice(1, 4).map((t) => t.replace(/[▾▴]/, ""))).toEqual([
      "MunicipalityNo",
      "Branche",
      "MAPE",
    ]);
    // Every series forecast at least once is scored: all but the stale one (never forecast).
    expect(await page.locator("form table tbody tr").count()).toBe(series - 1);
    await page.locator('input[type="search"]').fill("Privat");
    await expect.poll(() => page.locator("form table tbody tr td:nth-child(3)").allTextContents(), { timeout: 10_000 }).toEqual(["Privat", "Privat"]);
    // The new series' baseline forecasts are a bar of their own, not a model version.
    expect(await page.locator('[data-kpi="MAPE, all scored forecasts"] .sub').textContent()).toBe("1 model version(s) and the baseline of new series");
    await finish(page, problems);
  });

  it("Runs: each run counts its stale and new series, and the latest names them", async () => {
    const { page, problems } = await open("/runs", ["durations"]);
    const rows = page.locator('table[data-table="runs"] tbody tr[data-status="succeeded"]');
    expect(await rows.count()).toBe(4);
    expect(await page.locator('table[data-table="runs"] [data-stale="1"]').count()).toBe(4);
    expect(await page.locator('table[data-table="runs"] [data-baseline="1"]').count()).toBe(4);
    expect(await page.locator('[data-series-notes="runs"]').textContent()).toBe(
      `Latest run (file, one series per MunicipalityNo × Branche): stale, not forecast: ${STALE_SERIES.join(" · ")}. New, forecast by the baseline: ${NEW_SERIES.join(" · ")}.`,
    );
    await finish(page, problems);
  });

  it("Data quality and Model: the dataset's key columns, unit and calendar", async () => {
    const dq = await open("/data-quality", ["validation-history", "feature-days"]);
    expect(await dq.page.locator("[data-dataset]").textContent()).toBe(
      "Dataset: Hourly panel from a file (file). Series key: MunicipalityNo, Branche; values in MWh, stored as energy_consumption. " +
        "The models read hours, weekdays and holidays on the calendar Europe/Copenhagen, with no holidays.",
    );
    expect(await dq.page.locator('table[data-table="expectations"]').textContent()).toContain("MunicipalityNo");
    await finish(dq.page, dq.problems);

    const model = await open("/model", ["backtest", "horizon"]);
    expect(model.text).toContain("MunicipalityNo, Branche");
    await finish(model.page, model.problems);
  });

  it.skipIf(!NOTEBOOKS)("the notebooks run, and show the dataset's key columns, unit and new and stale series", () => {
    expect(NOTEBOOK_FILES.length).toBeGreaterThan(0);
    expect(notebooksRun.stdout).toContain(`notebooks: ${NOTEBOOK_FILES.length} passed`);
    const texts = Object.fromEntries(NOTEBOOK_FILES.map((f) => [f, outputText(join(notebooksOut, f))]));
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

  it.skipIf(!NOTEBOOKS)("their HTML set: every notebook, titled by its first heading, with its charts and no secret or machine path", async () => {
    const html = join(notebooksOut, "html");
    const pages = NOTEBOOK_FILES.map((f) => f.replace(/\.ipynb$/, ".html"));
    expect(readdirSync(html).sort()).toEqual([...pages, "index.json"].sort());
    expect(leftovers(notebooksOut)).toEqual([]);
    const index = readIndex(html);
    expect(index.store).toBe("given");
    expect(index.notebooks.map((n) => [n.file, n.source, n.executedAt])).toEqual(
      pages.map((p, i) => [p, `notebooks/${NOTEBOOK_FILES[i]}`, "2023-01-30T08:00:00.000Z"]),
    );
    expect(index.notebooks[0].title).toBe("01 · Explore the data");
    // The site publishes the same pages, as they are.
    expect((await readdir(join(dist, "notebooks"))).sort()).toEqual([...pages].sort());
    for (const n of index.notebooks) {
      const text = readFileSync(join(html, n.file), "utf8");
      expect(await readFile(join(dist, "notebooks", n.file), "utf8"), n.file).toBe(text);
      expect(text, n.file).toContain(`<title>${n.title}</title>`);
      expect(text, n.file).toMatch(/<svg[^>]*class="marks"/);
      for (const needle of [MARKER, tmp, ROOT, `${homedir()}/`]) expect(text.includes(needle), `${needle} in ${n.file}`).toBe(false);
      expect(/file:\/\/\/[A-Za-z]/.test(text), `a file URL in ${n.file}`).toBe(false);
    }
    // The store outside the repository is described, not named.
    expect(readFileSync(join(html, "01-explore-data.html"), "utf8")).toContain("(a local directory): feature group energy_consumption v1");
  });

  it.skipIf(!NOTEBOOKS)(
    "Notebooks: the page lists them with title and executed time, and a link opens one with its chart, under a plain static server",
    async () => {
      const index = readIndex(join(notebooksOut, "html"));
      const { page, problems } = await openPage(context, exactServer.origin, "/notebooks.html", []);
      // The page draws its table once its data has loaded, after the load event.
      await page.locator('table[data-table="notebooks"]').waitFor();
      const rows = page.locator('table[data-table="notebooks"] tbody tr');
      expect(await rows.count()).toBe(index.notebooks.length);
      const first = index.notebooks[0];
      expect(await rows.first().locator("td").allInnerTexts()).toEqual([
        "01 · Explore the data",
        "notebooks/01-explore-data.ipynb",
        "2023-01-30 08:00",
        String(first.cells),
      ]);
      await mkdir(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "notebooks.png"), fullPage: true });
      const link = rows.first().locator("a");
      expect(await link.getAttribute("href")).toBe("./notebooks/01-explore-data.html");
      await Promise.all([page.waitForEvent("load"), link.click()]);
      expect(new URL(page.url()).pathname).toBe("/notebooks/01-explore-data.html");
      expect(await page.title()).toBe(first.title);
      expect(await page.locator("h1").first().innerText()).toContain(first.title);
      // The charts: vega's SVG, drawn in the output area and visible.
      const charts = page.locator(".jp-OutputArea-output svg.marks");
      expect(await charts.count()).toBeGreaterThan(0);
      expect(await charts.first().isVisible()).toBe(true);
      expect(await charts.first().locator("g.mark-line path, g.mark-rect path, g.mark-area path, g.mark-symbol path").count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, "notebook-page.png") });
      expectNoProblems(problems);
      expect(exactServer.notFound).toEqual([]);
      await page.close();
    },
  );

  it("Notebooks, with no executed notebooks: the page says so and names the command that produces them", async () => {
    const none = join(tmp, "no-notebooks");
    await mkdir(none);
    const loaded = await runLoader("notebooks.json", { REPORT_NOTEBOOKS: none });
    expect(loaded.code, loaded.stderr).toBe(0);
    const data = loaded.stdout.toString("utf8");
    expect(JSON.parse(data)).toEqual({
      store: null,
      notebooks: [],
      empty: {
        title: "No executed notebooks in this build",
        detail:
          "The notebooks were not executed before this report was built, or their run failed, so there are no pages to show. Execute them, then rebuild the report:",
        commands: ["npm run notebooks", "npm run report:build"],
      },
    });
    // The built page with what its loader gives for that folder, in place of the list: a second
    // Framework build would take a minute to change this one file.
    const emptyDist = join(tmp, "dist-empty");
    await cp(dist, emptyDist, { recursive: true });
    await writeFile(await builtFile(emptyDist, "notebooks", "json"), data);
    const emptyServer = await serveStatic(emptyDist, { exact: true });
    try {
      const { page, problems } = await openPage(context, emptyServer.origin, "/notebooks.html", []);
      const notice = page.locator('.notice[data-empty="true"]');
      await notice.waitFor();
      expect(await notice.locator("h3").innerText()).toBe("No executed notebooks in this build");
      expect(await notice.locator("pre").innerText()).toBe("npm run notebooks\nnpm run report:build");
      expect(await page.locator('table[data-table="notebooks"]').count()).toBe(0);
      expectNoProblems(problems);
      await page.close();
    } finally {
      await emptyServer.close();
    }
  });
});
