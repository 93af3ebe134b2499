/**
 * The report at width: a synthetic store of 500 series (10,000 with REPORT_WIDTH_SERIES=10000) (synthetic-store.ts: written directly
 * through src/pipeline with the real monitoring step, no training), built by the real Framework
 * build and opened page by page in Chromium. Every page reads less than 2 MB of data, and the
 * Forecasts page finds any series by its label: typed into the search, its chart appears.
 *
 * "Data" is what a page reads to draw itself: its JSON and Arrow files. The downloads it links
 * (the latest forecast of every series as CSV and parquet: 48 MB and 11 MB here) are fetched only
 * when clicked, and vega-embed (886 kB of code, the same file on every page) is not data; both are
 * reported in test-results/report-width/weights.json with everything else the pages load.
 */
import { readFile, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { expectNoProblems, marks, openPage, startBrowser } from "./browser.js";
import { buildSite, type BuildResult } from "./build-site.js";
import { builtFile } from "./site-files.js";
import { serveStatic, type StaticServer } from "./static-server.js";
import { writeSyntheticStore } from "./synthetic-store.js";

/**
 * 500 series by default: well past the 100 series up to which every series ships its detail, so
 * every bounded path runs, in about a minute. The figures in the README (10,000 series: 1.63 MB of
 * data on the Forecasts page, a 215-250 s build on a loaded 2-core machine) come from
 * `REPORT_WIDTH_SERIES=10000 TZ=UTC npx vitest run test/reports/report-width.test.ts` (about 8 minutes).
 */
const SERIES = Number(process.env.REPORT_WIDTH_SERIES ?? 500);
const MB = 1_000_000;
const OUT = join(PROJECT_ROOT, "test-results", "report-width");
/** The pages and a chart each must draw. */
const PAGES: Array<[string, string[]]> = [
  ["/", ["headline"]],
  ["/forecasts", ["totals", "series", "small-multiples"]],
  ["/monitoring", ["mape-time", "mape-step", "coverage", "mape-run"]],
  ["/data-quality", ["validation-history", "feature-days"]],
  ["/model", ["backtest", "horizon"]],
  ["/runs", ["durations"]],
];

let tmp: string;
let dist: string;
let build: BuildResult;
let server: StaticServer;
let browser: Browser;
let context: BrowserContext;
const weights: Record<string, { data: number; attachments: number; downloads: number; loaded: number }> = {};

/** The files a built page registers (its FileAttachments): site path and size. */
async function registered(page: string): Promise<Array<{ path: string; size: number }>> {
  const html = await readFile(join(dist, `${page === "/" ? "index" : page.slice(1)}.html`), "utf8");
  return Array.from(html.matchAll(/registerFile\("[^"]+", (\{[^}]*\})\)/g), (m) => {
    const file = JSON.parse(m[1]) as { path: string; size: number };
    return { path: file.path.replace(/^\.\//, "/"), size: file.size };
  });
}

describe(`the report on ${SERIES.toLocaleString("en-US")} series`, () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "report-width-"));
    const store = join(tmp, "store");
    dist = join(tmp, "dist");
    const t0 = performance.now();
    // 14 days: the week of the Forecasts page and the week-old hours the seasonal-naive rule needs.
    await writeSyntheticStore(store, { series: SERIES, days: 14, ticks: 7 });
    console.log(`synthetic store: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    build = await buildSite(store, dist, { REPORT_BUILD_TIME: "2023-01-30T07:00:00Z" });
    expect(build.code, build.output).toBe(0);
    console.log(`report build on ${SERIES} series: ${(build.ms / 1000).toFixed(1)} s`);
    server = await serveStatic(dist);
    ({ browser, context } = await startBrowser());
    await mkdir(OUT, { recursive: true });
  }, 1_200_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    if (Object.keys(weights).length)
      await writeFile(join(OUT, "weights.json"), JSON.stringify({ series: SERIES, buildSeconds: build.ms / 1000, pages: weights }, null, 1));
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  for (const [path, charts] of PAGES) {
    it(`${path}: draws, and reads less than 2 MB of data`, async () => {
      const { page, problems } = await openPage(context, server.origin, path, charts);
      await page.waitForLoadState("networkidle");
      const files = await registered(path);
      const links = new Set(
        (await page.locator("[data-downloads] a").evaluateAll((as) => as.map((a) => new URL((a as unknown as { href: string }).href).pathname))).map((p) =>
          p.replace(/^.*\/_file\//, "/_file/"),
        ),
      );
      const fetched = new Set(problems.paths.filter((p) => p.startsWith("/_file/")));
      const size = (paths: Iterable<string>) => Array.from(paths).reduce((sum, p) => sum + (files.find((f) => f.path === p)?.size ?? 0), 0);
      const data = files.filter((f) => f.path.startsWith("/_file/data/") && fetched.has(f.path)).map((f) => f.path);
      // Every data file the page names is either read or a download link, never fetched unasked.
      for (const f of files.filter((f) => f.path.startsWith("/_file/data/"))) expect(fetched.has(f.path) || links.has(f.path), f.path).toBe(true);
      const downloads = files.filter((f) => links.has(f.path) && !fetched.has(f.path)).map((f) => f.path);
      let loaded = 0;
      for (const p of new Set(problems.paths)) {
        const file = join(dist, p.endsWith("/") ? `${p}index.html` : p);
        loaded += await stat(file)
          .then((s) => (s.isFile() ? s.size : 0))
          .catch(async () => (await stat(`${file}.html`)).size);
      }
      weights[path] = { data: size(data), attachments: files.reduce((s, f) => s + f.size, 0), downloads: size(downloads), loaded };
      expect(size(data), `${path} reads ${data.join(", ")}`).toBeLessThan(2 * MB);
      await page.screenshot({ path: join(OUT, `${path === "/" ? "overview" : path.slice(1)}.png`), fullPage: false });
      expectNoProblems(problems);
      await page.close();
    }, 600_000);
  }

  it("Forecasts: the totals, the worst series, and any series found by typing its label", async () => {
    const series = tableFromIPC(await readFile(await builtFile(dist, "forecast-series", "arrow")));
    expect(series.numRows).toBe(SERIES);
    const labels = Array.from(series.getChild("label")!) as string[];
    const detail = Array.from(series.getChild("detail")!) as number[];
    // A series the page does not draw in detail: only its summary and latest forecast are shipped.
    const i = detail.findIndex((r, k) => r < 0 && k > SERIES / 2);
    const label = labels[i];
    const { page, problems } = await openPage(context, server.origin, "/forecasts", ["totals", "series", "small-multiples"]);
    expect(await page.locator("h2#shown-series").textContent()).toBe("The 12 worst series");
    expect(await marks(page, "small-multiples", "g.mark-line.role-mark")).toBe(2 * 12);
    expect(await marks(page, "totals", "g.mark-line.role-mark")).toBeGreaterThanOrEqual(2);

    const title = page.locator('[data-chart="series"] .role-title-text');
    await page.locator('input[type="search"]').fill(label);
    await expect
      .poll(() => title.textContent(), { timeout: 20_000 })
      .toMatch(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} · latest forecast from `));
    expect(await page.locator("[data-detailed]").getAttribute("data-detailed")).toBe("false");
    // Its latest forecast is drawn: 24 points.
    await expect.poll(() => marks(page, "series", "g.mark-symbol.role-mark path"), { timeout: 10_000 }).toBe(24);

    await page.locator('input[type="search"]').fill("no such series at all");
    await expect.poll(() => page.locator("[data-no-match]").count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: join(OUT, "forecasts-search.png"), fullPage: false });
    expectNoProblems(problems);
    await page.close();
  }, 600_000);
});
