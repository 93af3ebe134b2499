import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliInProcess } from "../support/cli.js";

const H = 3_600_000;
let dir: string;
let csv: string;
let handCsv: string;

/** `energy-forecast <args>` in this process (the subject is what backtest prints), on the test's store. */
async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const r = await runCliInProcess(args, { STORE_URI: join(dir, "store") });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** Two series over 10 days in the API's CSV layout: a daily cycle; DK2 is twice DK1 plus a trend. */
function writeCsv(path: string): void {
  const start = Date.UTC(2023, 0, 1);
  const lines = ["HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon"];
  for (let t = 0; t < 240; t++) {
    const utc = new Date(start + t * H).toISOString().slice(0, 19);
    const dk = new Date(start + (t + 1) * H).toISOString().slice(0, 19);
    const v = 100 + 50 * Math.sin((2 * Math.PI * (t % 24)) / 24);
    lines.push(`${utc};${dk};DK1;111;${v.toFixed(3)}`, `${utc};${dk};DK2;111;${(2 * v + t).toFixed(3)}`);
  }
  writeFileSync(path, lines.join("\n") + "\n");
}

/**
 * Three DK1 series over three days, constant within a day, whose 24 h seasonal-naive errors are
 * easy to compute by hand: 111 is the same every day; 112 is 120 then 100, 100; 119 is 200, 100,
 * then 0 for 12 hours (unscorable) and 50.
 */
function writeHandCsv(path: string): void {
  const start = Date.UTC(2023, 0, 2);
  const series: Array<[number, (t: number) => number]> = [
    [111, () => 100],
    [112, (t) => (t < 24 ? 120 : 100)],
    [119, (t) => (t < 24 ? 200 : t < 48 ? 100 : t < 60 ? 0 : 50)],
  ];
  const lines = ["HourUTC;HourDK;PriceArea;ConsumerType_DE35;TotalCon"];
  for (let t = 0; t < 72; t++) {
    const utc = new Date(start + t * H).toISOString().slice(0, 19);
    const dk = new Date(start + (t + 1) * H).toISOString().slice(0, 19);
    for (const [code, v] of series) lines.push(`${utc};${dk};DK1;${code};${v(t)}`);
  }
  writeFileSync(path, lines.join("\n") + "\n");
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "backtest-cli-"));
  csv = join(dir, "small.csv");
  writeCsv(csv);
  handCsv = join(dir, "hand.csv");
  writeHandCsv(handCsv);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("energy-forecast backtest", () => {
  it("prints exactly the documented JSON for a CSV in the API layout", async () => {
    const r = await cli(["backtest", "--source", csv, "--from", "2023-01-08T23:00", "--to", "2023-01-10T23:00", "--models", "seasonal-naive-24", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["origins", "horizon", "models", "default"]);
    // 2023-01-10T23:00 + 24 h runs past the last hour (2023-01-10T23:00): skipped.
    expect(out.origins).toBe(2);
    expect(out.horizon).toBe(24);
    expect(out.default).toBe("gbm-blend");
    expect(out.models).toHaveLength(1);
    const m = out.models[0];
    expect(Object.keys(m)).toEqual(["name", "mape", "meanSeriesMape", "medianSeriesMape", "rmspe", "coverage80", "fitSeconds", "predictSeconds", "byOrigin"]);
    expect(m.byOrigin.map((o: { origin: string }) => o.origin)).toEqual(["2023-01-08T23:00:00.000Z", "2023-01-09T23:00:00.000Z"]);
    expect(m.name).toBe("seasonal-naive-24");
    // DK1 repeats daily (error 0); DK2 grows by 24 a day over a level of ~200-400: a known small error.
    expect(m.mape).toBeGreaterThan(0);
    expect(m.mape).toBeLessThan(0.1);
    expect(typeof m.fitSeconds).toBe("number");
  });

  it("matches the reference's seasonal naive on the embedded data, as fractions", async () => {
    const r = await cli([
      "backtest",
      "--source",
      "embedded",
      "--from",
      "2023-01-07T22:00",
      "--to",
      "2023-01-13T22:00",
      "--models",
      "seasonal-naive-24,seasonal-naive-168",
      "--json",
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.origins).toBe(7);
    expect(out.models.map((m: { mape: number }) => m.mape.toFixed(4))).toEqual(["0.1204", "0.0845"]);
  });

  it("prints a table with per-horizon and per-series breakdowns", async () => {
    const r = await cli([
      "backtest",
      "--source",
      `file:${csv}`,
      "--from",
      "2023-01-08T23:00",
      "--to",
      "2023-01-09T23:00",
      "--models",
      "seasonal-naive-24,seasonal-naive-168",
      "--by",
      "horizon,series",
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("origins    2: 2023-01-08T23:00Z .. 2023-01-09T23:00Z every 24 h, horizon 24 h");
    expect(r.stdout).toMatch(/seasonal-naive-24\s+\d+\.\d\d%/);
    expect(r.stdout).toContain("MAPE (and 80 % coverage) by horizon step");
    // Series are labelled by their key columns' own names (the preset's stored names for DE35).
    expect(r.stdout).toContain("MAPE by series (area, consumer_type)");
    expect(r.stdout).toMatch(/\n {2}area {2}consumer_type {2}seasonal-naive-24 {2}seasonal-naive-168\n {2}1 +111 +0\.00% +0\.00%\n {2}2 +111 +\d+\.\d\d%/);
  });

  it("fails with a clear message and exit code for bad input", async () => {
    const unknown = await cli(["backtest", "--source", csv, "--from", "2023-01-08T23:00", "--to", "2023-01-09T23:00", "--models", "arima"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('config: unknown model "arima"; known models: seasonal-naive-24, seasonal-naive-168, gbm, gbm-blend');
    const late = await cli(["backtest", "--source", csv, "--from", "2023-01-20T00:00", "--to", "2023-01-21T00:00", "--models", "seasonal-naive-24"]);
    expect(late.status).toBe(1);
    expect(late.stderr).toContain("backtest: no origin in 2023-01-20T00:00Z..2023-01-21T00:00Z");
    const every = await cli(["backtest", "--source", csv, "--from", "2023-01-08T23:00", "--to", "2023-01-09T23:00", "--every", "1.5"]);
    expect(every.status).toBe(2);
    expect(every.stderr).toContain('config: --every must be a whole number of hours >= 1, got "1.5"');
  });

  it("reports pooled, per-series mean and median, and per-origin MAPE exactly (hand-computed data)", async () => {
    // Origins: the last hour of day 1 and of day 2; the seasonal naive forecasts each day with the one before.
    // 111: 0 both days. 112: |100-120|/100 = 0.2 on day 2, 0 on day 3: series MAPE 0.1 over 48 points.
    // 119: |100-200|/100 = 1.0 on day 2; day 3 scores its 12 non-zero hours, |50-100|/50 = 1.0: 1.0 over 36.
    // Pooled (24 * 0.2 + 36 * 1.0) / 132 = 0.309091; series mean 1.1 / 3 = 0.366667, median 0.1.
    // Origin 1: (24 * 0.2 + 24 * 1.0) / 72 = 0.4; origin 2: 12 * 1.0 / 60 = 0.2.
    const args = ["backtest", "--source", handCsv, "--from", "2023-01-02T23:00", "--to", "2023-01-03T23:00", "--models", "seasonal-naive-24"];
    const r = await cli([...args, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout).models[0];
    expect([m.mape, m.meanSeriesMape, m.medianSeriesMape]).toEqual([0.309091, 0.366667, 0.1]);
    expect(m.byOrigin.map((o: { origin: string; mape: number; n: number }) => [o.origin, o.mape, o.n])).toEqual([
      ["2023-01-02T23:00:00.000Z", 0.4, 72],
      ["2023-01-03T23:00:00.000Z", 0.2, 60],
    ]);
    const text = await cli(args);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/\n {2}model +MAPE +series mean +series median +RMSPE/);
    expect(text.stdout).toMatch(/\n {2}seasonal-naive-24 +30\.91% +36\.67% +10\.00% /);
    expect(text.stdout).toMatch(/MAPE by origin\n {2}origin +seasonal-naive-24\n {2}2023-01-02T23:00Z +40\.00%\n {2}2023-01-03T23:00Z +20\.00%\n/);
  });
});
