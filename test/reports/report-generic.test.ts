/**
 * The report on a dataset that is not DE35: a long CSV with two string key columns
 * (`MunicipalityNo`, `Branche`), Copenhagen wall-clock hours and values in MWh (see
 * generic-data.ts), one series that stops reporting and one that starts late. A real backfill of
 * four daily ticks fills the store through the CLI with the dataset flags; the site is built from
 * it and every page opened in Chromium. The pages must speak the dataset's language: its key
 * column names, its unit, its stale and new series, and nothing of DE35.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { expectNoProblems, marks, openPage, startBrowser, type Problems } from "./browser.js";
import { buildSite } from "./build-site.js";
import { GENERIC_FLAGS, NEW_SERIES, STALE_SERIES, writeGenericCsv } from "./generic-data.js";
import { serveStatic, type StaticServer } from "./static-server.js";

/** Words of the DE35 dataset that must not appear on any page of another dataset. */
const FOREIGN = [/kWh/, /consumer.type/i, /DE35/, /price area/i, /\bDK[12]\b/];

let tmp: string;
let series: number;
let server: StaticServer;
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

describe("the report site on a dataset with string keys in MWh", () => {
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
    // Built long after its 2023 data: the freshness card must say so.
    const build = await buildSite(store, join(tmp, "dist"), { REPORT_BUILD_TIME: "2026-05-01T00:00:00Z" });
    expect(build.code, build.output).toBe(0);
    server = await serveStatic(join(tmp, "dist"));
    ({ browser, context } = await startBrowser());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
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
});
