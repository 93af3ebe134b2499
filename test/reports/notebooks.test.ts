/**
 * The executed notebooks on the site, end to end: a small throwaway notebook (a heading, a real
 * vega-lite chart through notebooks/lib/display.ts) is run by `npm run notebooks` with credentials
 * planted in the environment; the site is built from an empty store with its HTML set, served by a
 * server that knows only exact file names (like `python3 -m http.server -d dist`), and opened in
 * Chromium: the Notebooks page lists it, and its link opens the notebook with its chart.
 * Skipped only where Jupyter is not installed and this is not CI.
 */
import { randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { HAS_JUPYTER, runNotebooks, writeNotebook } from "../notebooks/notebook-files.js";
import { expectNoProblems, openPage, startBrowser } from "./browser.js";
import { buildSite } from "./build-site.js";
import { runLoader } from "./run-loader.js";
import { builtFile } from "./site-files.js";
import { serveStatic, type StaticServer } from "./static-server.js";

const SHOTS = join(PROJECT_ROOT, "test-results", "report");
const MARKER = `planted-${randomBytes(8).toString("hex")}`;
const TITLE = "Sample · a chart";

let tmp: string;
let dist: string;
let server: StaticServer;
let browser: Browser;
let context: BrowserContext;

/** Runs the Notebooks page's loader on its own, as Framework does, reading `dir`. */
async function runNotebooksLoader(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runLoader("notebooks.json", { REPORT_NOTEBOOKS: dir });
  return { ...r, stdout: r.stdout.toString("utf8") };
}

describe.skipIf(!HAS_JUPYTER && !process.env.CI)("the executed notebooks on the report site", () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "report-notebooks-"));
    const dir = join(tmp, "notebooks");
    writeNotebook(dir, "01-sample.ipynb", [
      { cell_type: "markdown", source: `# ${TITLE}\n\nA throwaway notebook for the site test.` },
      'import { showChart } from "./notebooks/lib/display.js";\n' +
        'await showChart({ width: 300, height: 120, data: { values: [{ x: 1, y: 2 }, { x: 2, y: 5 }, { x: 3, y: 3 }] }, mark: "line", ' +
        'encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });',
    ]);
    const out = join(tmp, "out");
    const run = await runNotebooks(["--dir", dir, "--out", out, "--store", join(tmp, "store")], {
      GOOGLE_APPLICATION_CREDENTIALS: join(tmp, `credentials-${MARKER}.json`),
      NOTEBOOKS_TEST_TOKEN: `${MARKER}-token`,
      NOTEBOOKS_EXECUTED_AT: "2023-01-30T08:00:00Z",
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    dist = join(tmp, "dist");
    // The store is missing: the other pages show their notices, which is all this test needs of them.
    const build = await buildSite(join(tmp, "store"), dist, { REPORT_NOTEBOOKS: join(out, "html"), REPORT_BUILD_TIME: "2023-01-30T09:00:00Z" });
    expect(build.code, build.output).toBe(0);
    expect(build.output).toContain(`report: copied 1 executed notebook(s) to ${dist}/notebooks/`);
    server = await serveStatic(dist, { exact: true });
    ({ browser, context } = await startBrowser());
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("the site holds the notebook's page under notebooks/, without a planted secret or the machine's paths", async () => {
    expect(await readdir(join(dist, "notebooks"))).toEqual(["01-sample.html"]);
    const html = await readFile(join(dist, "notebooks", "01-sample.html"), "utf8");
    for (const needle of [MARKER, tmp, PROJECT_ROOT]) expect(html.includes(needle), needle).toBe(false);
  });

  it("the Notebooks page lists it with its title and executed time, and its link opens it with its chart", async () => {
    const { page, problems } = await openPage(context, server.origin, "/notebooks.html", []);
    // The page draws its table once its data has loaded, after the load event.
    await page.locator('table[data-table="notebooks"]').waitFor();
    const rows = page.locator('table[data-table="notebooks"] tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator("td").allInnerTexts()).toEqual([TITLE, "01-sample.ipynb", "2023-01-30 08:00", "1"]);
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "notebooks.png"), fullPage: true });
    const link = rows.first().locator("a");
    expect(await link.getAttribute("href")).toBe("./notebooks/01-sample.html");
    await Promise.all([page.waitForEvent("load"), link.click()]);
    expect(new URL(page.url()).pathname).toBe("/notebooks/01-sample.html");
    expect(await page.title()).toBe(TITLE);
    expect(await page.locator("h1").first().innerText()).toContain(TITLE);
    // The chart: vega's SVG with its line, drawn in the output area and visible.
    const chart = page.locator(".jp-OutputArea-output svg.marks");
    expect(await chart.count()).toBe(1);
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.locator("g.mark-line path").count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "notebook-page.png") });
    expectNoProblems(problems);
    expect(server.notFound).toEqual([]);
    await page.close();
  });

  it("with no executed notebooks, the page says so and names the command that produces them", async () => {
    const none = join(tmp, "no-notebooks");
    await mkdir(none);
    const loaded = await runNotebooksLoader(none);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(JSON.parse(loaded.stdout)).toEqual({
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
    await writeFile(await builtFile(emptyDist, "notebooks", "json"), loaded.stdout);
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
