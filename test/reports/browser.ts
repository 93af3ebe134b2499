/**
 * Opening the built report in Debian's Chromium for the browser tests: a page is opened, every
 * console error or warning, failed request and request to another host is recorded, and the
 * named charts are awaited until vega has drawn them.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";

/** What went wrong while a page was open, and the site paths it loaded. */
export interface Problems {
  console: string[];
  failed: string[];
  outside: string[];
  paths: string[];
}

/** Starts Chromium with a context in a time zone far from UTC: labels must not move with the reader's clock. */
export async function startBrowser(): Promise<{ browser: Browser; context: BrowserContext }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium), as .ci/run does`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 }, timezoneId: "Pacific/Auckland" });
  return { browser, context };
}

/** Opens `origin + path`, records every problem, and waits until the named charts have been drawn. */
export async function openPage(context: BrowserContext, origin: string, path: string, charts: string[]): Promise<{ page: Page; problems: Problems }> {
  const page = await context.newPage();
  const problems: Problems = { console: [], failed: [], outside: [], paths: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.console.push(`pageerror: ${e.message}`));
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol === "data:" || url.protocol === "blob:") return;
    if (url.hostname !== "127.0.0.1") problems.outside.push(r.url());
    else problems.paths.push(url.pathname);
  });
  page.on("requestfailed", (r) => problems.failed.push(`${r.url()}: ${r.failure()?.errorText ?? "failed"}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(origin + path, { waitUntil: "load" });
  for (const name of charts) {
    await page.locator(`[data-chart="${name}"][data-rendered="true"]`).first().waitFor({ timeout: 30_000 });
  }
  return { page, problems };
}

/** No console error or warning, no failed request, nothing fetched from another host. */
export function expectNoProblems(problems: Problems): void {
  expect(problems.console, "console errors or warnings").toEqual([]);
  expect(problems.failed, "failed requests").toEqual([]);
  expect(problems.outside, "requests to other hosts").toEqual([]);
}

/** How many elements match `selector` inside the chart named `chart`. */
export const marks = (page: Page, chart: string, selector: string): Promise<number> => page.locator(`[data-chart="${chart}"] ${selector}`).count();

/** Points in an SVG path's `d`. */
export const points = (d: string | null): number => (d ?? "").match(/[MLC]/g)?.length ?? 0;
