/**
 * The report, end to end: a small backfill (4 daily ticks) plus one run whose extract fails
 * validation fill a store; the site is built from it once (with fake credentials planted in the
 * environment and a fixed build time), served from 127.0.0.1 and opened page by page in Debian's
 * Chromium; then served again by a server that knows nothing of clean URLs, to follow its links
 * and fetch its downloads. While it starts, another build of the checkout (a process holding
 * scripts/report-build.sh's lock) is running: the build must wait for it rather than empty the
 * loader cache that build is writing.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromFloat32 } from "../../reports/components/float32.js";
import { EMBEDDED_DATA_PATH, PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import { metricsBySeriesSchema } from "../../src/pipeline/monitor/schema.js";
import { predictionsSchema } from "../../src/pipeline/predict/schema.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import { listManifests } from "../../src/pipeline/run/manifest.js";
import { rowSeriesIds } from "../../src/pipeline/series/key.js";
import { outputKeys } from "../../src/pipeline/storage/layout.js";
import { openStorage } from "../../src/pipeline/storage/open.js";
import type { ValidationResult } from "../../src/validation/types.js";
import { runCli } from "../support/cli.js";
import { expectNoProblems, marks, openPage, points, startBrowser, type Problems } from "./browser.js";
import { buildSite, holdBuildLock, type BuildResult } from "./build-site.js";
import { builtFile, parseCsv, SITE_PAGES } from "./site-files.js";
import { serveStatic, type StaticServer } from "./static-server.js";

const SHOTS = join(PROJECT_ROOT, "test-results", "report");
const MARKER = `planted-${randomBytes(8).toString("hex")}`;
/** The build time the loaders judge freshness against: an hour after the failed run's as-of. */
const BUILD_TIME = "2023-01-30T07:00:00Z";

/** What the store holds, read through the pipeline, to compare the pages against. */
interface Expected {
  series: number;
  origins: number;
  versions: number;
  /** Model versions with measured forecasts. */
  scoredVersions: number;
  /** The lowest MAPE of any series (fraction). */
  bestSeriesMape: number;
  manifests: number;
  durationSegments: number;
  partitions: number;
  validations: number;
  /** Expectations evaluated and failed by the latest validation (the failed run's). */
  latestEvaluated: number;
  latestFailed: number;
  observedHours: number;
}

let tmp: string;
let dist: string;
let build: BuildResult;
/** Exit code of the "other build" that held the checkout's build lock while this one started. */
let otherBuildEnded: number;
let expected: Expected;
let server: StaticServer;
let browser: Browser;
let context: BrowserContext;
const weights: Record<string, number> = {};

/**
 * A copy of the embedded CSV with negative values and an unknown consumer type in its last day:
 * fails validation. (Ingest is incremental: a run extracts only the hours after the store's
 * latest, less the revision overlap, so the bad rows must be among those.)
 */
async function writeBadCsv(path: string): Promise<void> {
  const lines = (await readFile(EMBEDDED_DATA_PATH, "utf8")).trimEnd().split("\n");
  const out = lines.map((line, i) => {
    if (i === 0) return line;
    const f = line.split(";");
    const fromEnd = lines.length - i;
    if (fromEnd < 1000 && fromEnd % 400 === 7) f[4] = "-12.5";
    if (fromEnd === 503) f[3] = "555";
    return f.join(";");
  });
  await writeFile(path, out.join("\n") + "\n");
}

async function readExpected(storeDir: string): Promise<Expected> {
  const storage = openStorage(storeDir);
  const store = new FeatureStore(storage, { name: "energy_consumption", version: 1 });
  const manifest = await store.manifest();
  const info = await store.info(manifest);
  const parts = Object.values(manifest!.partitions);
  const lastObs = Math.max(...parts.map((p) => p.maxTime));
  const firstObs = Math.min(...parts.map((p) => p.minTime));
  const history = readParquet(await storage.read(outputKeys.history), predictionsSchema(info.keys));
  const manifests = await listManifests(storage);
  const validations: ValidationResult[] = [];
  for (const key of await storage.list("validation/")) validations.push(JSON.parse(new TextDecoder().decode(await storage.read(key))) as ValidationResult);
  const latest = validations.sort((a, b) => a.meta.validation_time.localeCompare(b.meta.validation_time))[validations.length - 1];
  const series = new Set(
    rowSeriesIds(
      info.keys.map((k) => history.array(k.name) as ArrayLike<unknown>),
      history.numRows(),
    ),
  );
  return {
    series: series.size,
    origins: new Set(Array.from(history.array("origin") as ArrayLike<number>)).size,
    versions: (await new ModelRegistry(storage).versions("gbm-blend")).length,
    scoredVersions: readParquet(await storage.read(outputKeys.metricsBy("model"))).numRows(),
    bestSeriesMape: Math.min(...Array.from(readParquet(await storage.read(outputKeys.metricsBy("series"))).array("mape") as ArrayLike<number>)),
    manifests: manifests.length,
    durationSegments: manifests.reduce((n, m) => n + Object.keys(m.durationsMs).length, 0),
    partitions: parts.length,
    validations: validations.length,
    latestEvaluated: latest.statistics.evaluated_expectations,
    latestFailed: latest.statistics.unsuccessful_expectations,
    observedHours: Math.min(168, (lastObs - firstObs) / 3_600_000 + 1),
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out;
}

/** Opens a page of the site built here. */
function open(path: string, charts: string[]): Promise<{ page: Page; problems: Problems }> {
  return openPage(context, server.origin, path, charts);
}

/** Bytes of every distinct file the page loaded from the site. */
async function pageWeight(paths: string[]): Promise<number> {
  let total = 0;
  for (const p of new Set(paths)) {
    const base = join(dist, p.endsWith("/") ? `${p}index` : p);
    const file = existsSync(base) && (await stat(base)).isFile() ? base : `${base}.html`;
    total += (await stat(file)).size;
  }
  return total;
}

async function finish(name: string, page: Page, problems: Problems): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  weights[name] = await pageWeight(problems.paths);
  expectNoProblems(problems);
  await page.close();
}

describe("the report site", () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "report-test-"));
    const store = join(tmp, "store");
    dist = join(tmp, "dist");
    const backfill = await runCli(["--store", store, "backfill", "--from", "2023-01-27T00:00", "--to", "2023-01-30T00:00", "--every", "24"], {}, tmp);
    expect(backfill.code, backfill.stderr).toBe(0);
    const bad = join(tmp, "bad.csv");
    await writeBadCsv(bad);
    const failed = await runCli(["--store", store, "run", "--as-of", "2023-01-30T06:00"], { SOURCE: `file:${bad}` }, tmp);
    expect(failed.code, failed.stderr).toBe(3);

    // Fake credentials in every place the settings read them from; none may reach the site.
    const keyDir = join(tmp, `credentials-${MARKER}`);
    await mkdir(keyDir);
    const keyFile = join(keyDir, "service-account.json");
    await writeFile(
      keyFile,
      JSON.stringify({
        type: "service_account",
        private_key: `-----BEGIN PRIVATE KEY-----\n${MARKER}-key\n-----END PRIVATE KEY-----\n`,
        client_email: `${MARKER}@example.iam.gserviceaccount.com`,
      }),
    );
    // Another build of the checkout holds the build lock for two seconds: this build must wait for it
    // (they share Framework's loader cache, which a build empties first). Sharing this build keeps
    // the lock's test from costing a build of its own.
    const other = await holdBuildLock(2);
    build = await buildSite(store, dist, {
      GOOGLE_APPLICATION_CREDENTIALS: keyFile,
      GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON_PATH: keyFile,
      GOOGLE_CLOUD_PROJECT: `project-${MARKER}`,
      REPORT_TEST_TOKEN: `${MARKER}-token`,
      REPORT_BUILD_TIME: BUILD_TIME,
    });
    otherBuildEnded = await other.ended;
    expect(build.code, build.output).toBe(0);
    console.log(`report build: ${(build.ms / 1000).toFixed(1)} s`);
    expected = await readExpected(store);
    await mkdir(SHOTS, { recursive: true });
    server = await serveStatic(dist);
    ({ browser, context } = await startBrowser());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    if (Object.keys(weights).length) {
      await writeFile(join(SHOTS, "weights.json"), JSON.stringify({ buildSeconds: build.ms / 1000, pageBytes: weights }, null, 1));
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("a build started while another build of the checkout runs waits for its lock, says so, then builds", () => {
    expect(otherBuildEnded).toBe(0);
    expect(build.output).toContain("report: another report build of this checkout is running; waiting for it to finish");
    expect(existsSync(join(dist, "index.html"))).toBe(true);
  });

  it("contains no planted secret and no machine path", async () => {
    const files = await listFiles(dist);
    expect(files.some((f) => f.endsWith("index.html"))).toBe(true);
    const forbidden = [MARKER, tmp, PROJECT_ROOT, PROJECT_ROOT.replace(/\/$/, ""), "/work/", `${homedir()}/`];
    for (const file of files) {
      const text = (await readFile(file)).toString("latin1");
      for (const needle of forbidden) expect(text.includes(needle), `${needle} found in ${file.slice(dist.length)}`).toBe(false);
      expect(/file:\/\/\/[A-Za-z]/.test(text), `a file URL in ${file.slice(dist.length)}`).toBe(false);
    }
  });

  it("Overview: status cards, the failed run, and the headline chart", async () => {
    const { page, problems } = await open("/", ["headline"]);
    expect(await marks(page, "headline", "g.mark-line.role-mark")).toBe(2);
    const lines = await page.locator('[data-chart="headline"] g.mark-line.role-mark path').all();
    const counts = await Promise.all(lines.map(async (l) => points(await l.getAttribute("d"))));
    expect(counts).toContain(expected.observedHours);
    expect(await page.locator('[data-kpi="Series forecast"] .big').textContent()).toBe(String(expected.series));
    expect(await page.locator(".alert").first().textContent()).toContain("failed at step “ingest”");
    expect(await page.locator('[data-kpi="Data up to"] .big').textContent()).toBe("2023-01-14 22:00 UTC");
    // Built an hour after the runs: the data is as recent as the 15-day delay allows.
    expect(await page.locator('[data-kpi="Data up to"] .sub').textContent()).toBe("complete: the source publishes with a 15-day delay");
    expect(await page.locator('[data-kpi="Data up to"]').getAttribute("class")).toContain("kpi-ok");
    expect(await page.locator(".lede").textContent()).toContain("Report built 2023-01-30 07:00 UTC.");
    // The dataset comes from the store: its title, key columns and unit.
    const lede = await page.locator(".lede").textContent();
    expect(lede).toContain("(ConsumptionDE35Hour, stopped 2023): one series per area × consumer_type, values in kWh.");
    expect(await page.locator('[data-chart="headline"] .role-axis-title').allTextContents()).toContain("MWh per hour, all series");
    expect(await page.locator('[data-series-notes="none"]').textContent()).toBe(`The latest run forecast all ${expected.series} series with gbm-blend.`);
    await finish("overview", page, problems);
  });

  it("Forecasts: the totals, one series with bands and earlier runs, small multiples of all series; search and selection change the chart", async () => {
    const { page, problems } = await open("/forecasts", ["totals", "group-totals", "series", "small-multiples"]);
    // The sum of every series: measured, the latest forecast, and one line per earlier run.
    expect(await marks(page, "totals", "g.mark-line.role-mark")).toBe(expected.origins + 1);
    expect(await page.locator('[data-chart="totals"] .role-title-text').textContent()).toBe(`All ${expected.series} series · summed`);
    // One panel per price area, each measured and forecast.
    expect(await marks(page, "group-totals", "g.mark-line.role-mark")).toBe(2 * 2);
    // measured + latest forecast + one line per earlier run (all inside the week shown)
    expect(await marks(page, "series", "g.mark-line.role-mark")).toBe(expected.origins + 1);
    expect(await marks(page, "series", "g.mark-area.role-mark")).toBe(2);
    expect(await marks(page, "series", "g.mark-symbol.role-mark path")).toBe(24);
    expect(await marks(page, "small-multiples", "g.mark-line.role-mark")).toBe(2 * expected.series);
    const title = page.locator('[data-chart="series"] .role-title-text');
    const before = await title.textContent();
    // The worst series first; the preset's titles label the series; the pickers are named after the key columns.
    expect(before).toMatch(/^DK[12] \((West|East) Denmark\) · consumer type \d+ · /);
    expect(await page.locator("h2#shown-series").textContent()).toBe("Every series");
    expect(await page.locator("form.series-picker label").allTextContents()).toEqual(["area", "consumer_type"]);
    expect(await page.locator('[data-chart="series"] .role-axis-title').allTextContents()).toContain("kWh per hour");
    const measured = page.locator('[data-chart="series"] g.mark-line.role-mark path').nth(expected.origins - 1);
    const pathBefore = await measured.getAttribute("d");
    expect(points(pathBefore)).toBe(expected.observedHours);

    await page.locator("form.series-picker select").first().selectOption({ label: "DK2 (East Denmark)" });
    await page.locator("form.series-picker select").nth(1).selectOption({ index: 0 });
    await expect.poll(() => title.textContent(), { timeout: 10_000 }).toMatch(/^DK2 \(East Denmark\) · consumer type 111 · latest forecast from /);
    expect(await measured.getAttribute("d")).not.toBe(pathBefore);

    await page.locator('form input[type="checkbox"]').click();
    await expect.poll(() => marks(page, "series", "g.mark-line.role-mark"), { timeout: 10_000 }).toBe(2);

    // Typing a label picks its series, whatever the pickers said.
    await page.locator('input[type="search"]').fill("DK1 (West Denmark) · consumer type 112");
    await expect.poll(() => title.textContent(), { timeout: 10_000 }).toMatch(/^DK1 \(West Denmark\) · consumer type 112 · latest forecast from /);
    expect(await page.locator("[data-detailed]").getAttribute("data-detailed")).toBe("true");
    await finish("forecasts", page, problems);
  });

  it("Monitoring: MAPE over time with version changes, by horizon, coverage, runs, and a sortable series table", async () => {
    const { page, problems } = await open("/monitoring", ["mape-time", "mape-step", "coverage", "mape-run"]);
    expect(await marks(page, "mape-time", "g.mark-line.role-mark")).toBe(2);
    // the alert threshold, and one dotted rule per measured model version after the first
    expect(await marks(page, "mape-time", "g.mark-rule.role-mark line")).toBe(1 + (expected.scoredVersions - 1));
    expect(await marks(page, "mape-step", "g.mark-rect.role-mark path")).toBe(24);
    expect(await marks(page, "coverage", "g.mark-line.role-mark")).toBe(2);
    // every run but the newest has measured hours
    expect(await marks(page, "mape-run", "g.mark-rect.role-mark path")).toBe(expected.origins - 1);
    const rows = page.locator("form table tbody tr");
    expect(await rows.count()).toBeGreaterThan(5);
    expect(await page.locator("form table svg.sparkline").count()).toBe(await rows.count());
    // One column per key column, named after it (the first cell of a row is Inputs' own), then the MAPE.
    expect((await page.locator("form table thead th").allTextContents()).slice(1, 4).map((t) => t.replace(/[▾▴]/, ""))).toEqual([
      "area",
      "consumer_type",
      "MAPE",
    ]);
    const mapes = (await page.locator("form table tbody tr td:nth-child(4)").allTextContents()).map((t) => parseFloat(t));
    expect(mapes.length).toBeGreaterThan(5);
    expect(mapes.every(Number.isFinite)).toBe(true);
    expect(mapes).toEqual(mapes.slice().sort((a, b) => b - a));
    // sortable: a click on the MAPE header puts the best series first
    await page.locator("form table thead th", { hasText: "MAPE" }).first().click();
    await expect
      .poll(() => page.locator("form table tbody tr td:nth-child(4)").first().textContent(), { timeout: 10_000 })
      .toBe(`${(expected.bestSeriesMape * 100).toFixed(1)} %`);

    await page.locator('input[type="search"]').fill("DK2");
    await expect
      .poll(async () => (await page.locator("form table tbody tr td:nth-child(2)").allTextContents()).every((t) => t === "DK2 (East Denmark)"), {
        timeout: 10_000,
      })
      .toBe(true);
    await finish("monitoring", page, problems);
  });

  it("Data quality: the failed validation per expectation, the history, the quarantined extract", async () => {
    const { page, problems } = await open("/data-quality", ["validation-history", "feature-days"]);
    expect(expected.latestFailed).toBeGreaterThan(0);
    expect(await page.locator('table[data-table="expectations"] tbody tr').count()).toBe(expected.latestEvaluated);
    expect(await page.locator('table[data-table="expectations"] tbody tr[data-success="false"]').count()).toBe(expected.latestFailed);
    expect(await page.locator('table[data-table="expectations"]').textContent()).toContain("555");
    expect(await marks(page, "validation-history", "g.mark-rect.role-mark path")).toBe(expected.validations);
    expect(await marks(page, "feature-days", "g.mark-rect.role-mark path")).toBe(expected.partitions);
    expect(await page.locator('table[data-table="quarantine"] tbody tr').count()).toBe(1);
    // The source is named by its file, never by its machine path.
    expect(await page.locator('table[data-table="quarantine"]').textContent()).toMatch(/CSV file (…\/)?bad\.csv/);
    await finish("data-quality", page, problems);
  });

  it("Model: registry versions, backtest against seasonal naive, error by horizon", async () => {
    const { page, problems } = await open("/model", ["backtest", "horizon"]);
    expect(await marks(page, "backtest", "g.mark-rect.role-mark path")).toBe(3 * expected.versions);
    expect(await marks(page, "horizon", "g.mark-line.role-mark")).toBe(3);
    expect(await marks(page, "horizon", "g.mark-symbol.role-mark path")).toBe(3 * 24);
    expect(await page.locator('table[data-table="versions"] tbody tr').count()).toBe(expected.versions);
    await finish("model", page, problems);
  });

  it("Runs: durations per step and every run, the failed one with its step and error", async () => {
    const { page, problems } = await open("/runs", ["durations"]);
    expect(await marks(page, "durations", "g.mark-rect.role-mark path")).toBe(expected.durationSegments);
    expect(await page.locator('table[data-table="runs"] tbody tr[data-status="succeeded"]').count()).toBe(expected.manifests);
    const failed = page.locator('table[data-table="runs"] tbody tr[data-status="failed"]');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toContain("Failed at step “ingest”");
    await finish("runs", page, problems);
  });
  it("every sidebar link, the alert's link and the download links work on a server that serves only exact file names", async () => {
    const exact = await serveStatic(dist, { exact: true });
    try {
      const titles = new Map<string, string>();
      const downloads: Array<{ href: string; file: string | null; visible: boolean }> = [];
      let alertLink = "";
      const queue = ["/"];
      while (queue.length > 0) {
        const path = queue.shift()!;
        if (titles.has(path)) continue;
        const { page, problems } = await openPage(context, exact.origin, path, []);
        await page.waitForLoadState("networkidle");
        titles.set(path, await page.title());
        const at = (href: string | null) => new URL(href ?? "", page.url());
        for (const a of await page.locator("#observablehq-sidebar a").all()) queue.push(at(await a.getAttribute("href")).pathname);
        if (path === "/") alertLink = at(await page.locator(".alert a", { hasText: "Runs" }).getAttribute("href")).pathname;
        for (const a of await page.locator("[data-downloads] a").all()) {
          downloads.push({ href: at(await a.getAttribute("href")).href, file: await a.getAttribute("download"), visible: await a.isVisible() });
        }
        expectNoProblems(problems);
        await page.close();
      }
      // Every page of the config, each under its own title; nothing was asked for that does not exist.
      expect([...titles.values()].sort()).toEqual(SITE_PAGES.map((p) => p.title).sort());
      expect(titles.size).toBe(SITE_PAGES.length);
      expect(exact.notFound).toEqual([]);
      expect(titles.get(alertLink)).toBe("Runs | Energy forecast report");
      expect(downloads.map((d) => d.file)).toEqual([
        "latest-forecast.csv",
        "latest-forecast.parquet",
        "forecast-series.arrow",
        "forecast-detail.arrow",
        "monitoring-series.csv",
        "monitoring-series.parquet",
        "monitoring-hours.arrow",
        "monitoring-worst.arrow",
      ]);
      for (const d of downloads) {
        expect(d.visible, d.href).toBe(true);
        const response = await fetch(d.href);
        expect(response.status, d.href).toBe(200);
        const [base, ext] = d.file!.split(".");
        expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(await builtFile(dist, base, ext))), d.href).toBe(true);
      }
    } finally {
      await exact.close();
    }
  });

  it("the downloads hold the latest forecast and the monitoring table of every series, as CSV and as parquet", async () => {
    const storage = openStorage(join(tmp, "store"));
    const info = await new FeatureStore(storage, { name: "energy_consumption", version: 1 }).info();
    const checks = [
      { base: "latest-forecast", key: outputKeys.predictions, schema: predictionsSchema(info.keys), value: "prediction" },
      { base: "monitoring-series", key: outputKeys.metricsBy("series"), schema: metricsBySeriesSchema(info.keys), value: "mape" },
    ];
    for (const { base, key, schema, value } of checks) {
      const stored = readParquet(await storage.read(key), schema);
      const keys = info.keys.length;
      const columns = [...schema.slice(0, keys).map(([n]) => n), "series", ...schema.slice(keys).map(([n]) => n)];
      const csv = parseCsv(await readFile(await builtFile(dist, base, "csv"), "utf8"));
      expect(csv[0], base).toEqual(columns);
      expect(csv.length - 1, base).toBe(stored.numRows());
      expect(new Set(csv.slice(1).map((r) => r.length)), base).toEqual(new Set([columns.length]));
      expect(csv[1][2], base).toMatch(/^DK[12] \((West|East) Denmark\) · consumer type \d{3}$/);
      const parquet = readParquet(await readFile(await builtFile(dist, base, "parquet")));
      expect(parquet.columnNames(), base).toEqual(columns);
      expect(parquet.numRows(), base).toBe(stored.numRows());
      expect(Array.from(parquet.array("series") as ArrayLike<string>), base).toEqual(csv.slice(1).map((r) => r[2]));
      // Full precision, the same in both files and as the store's (each value once, whatever the order).
      const fromCsv = csv.slice(1).map((r) => Number(r[columns.indexOf(value)]));
      expect(Array.from(parquet.array(value) as ArrayLike<number>), base).toEqual(fromCsv);
      const ascending = (a: number, b: number) => a - b;
      expect(fromCsv.slice().sort(ascending), base).toEqual(Array.from(stored.array(value) as ArrayLike<number>).sort(ascending));
    }
  });

  it("the pages' Arrow files read back with apache-arrow: every series, labelled, with the store's errors", async () => {
    const arrow = async (base: string) => tableFromIPC(await readFile(await builtFile(dist, base, "arrow")));
    const series = await arrow("forecast-series");
    expect(series.numRows).toBe(expected.series);
    expect(series.schema.fields.map((f) => f.name)).toEqual(["k0", "k1", "p0", "p1", "label", "total", "mape", "recent_mape", "model", "detail", "forecast"]);
    const labels = Array.from(series.getChild("label")!) as string[];
    expect(new Set(labels).size).toBe(expected.series);
    expect(labels[0]).toMatch(/^DK1 \(West Denmark\) · consumer type \d{3}$/);
    // Every series is drawn in detail (76 <= 100), after the three totals.
    expect(Array.from(series.getChild("detail")!)).toEqual(labels.map((_, i) => i + 3));
    const detail = await arrow("forecast-detail");
    expect(Array.from(detail.getChild("label")!).slice(0, 3)).toEqual([
      `All ${expected.series} series`,
      "DK1 (West Denmark) · all consumer_type",
      "DK2 (East Denmark) · all consumer_type",
    ]);
    const worst = await arrow("monitoring-worst");
    // Worst first, with the MAPE monitoring stored (shipped rounded to 5 decimals).
    const mapes = Array.from(worst.getChild("mape")!, (v) => fromFloat32(v as number));
    expect(mapes).toEqual(mapes.slice().sort((a, b) => b - a));
    expect(mapes[mapes.length - 1]).toBe(Math.round(expected.bestSeriesMape * 1e5) / 1e5);
  });
});
