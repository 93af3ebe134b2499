import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const H = 3_600_000;
let dir: string;
let csv: string;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/energy-forecast.js", ...args, "--log-level", "warn"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, TZ: "UTC", STORE_URI: join(dir, "store") },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "backtest-cli-"));
  csv = join(dir, "small.csv");
  writeCsv(csv);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("energy-forecast backtest", () => {
  it("prints exactly the documented JSON for a CSV in the API layout", () => {
    const r = cli(["backtest", "--source", csv, "--from", "2023-01-08T23:00", "--to", "2023-01-10T23:00", "--models", "seasonal-naive-24", "--json"]);
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
    expect(Object.keys(m)).toEqual(["name", "mape", "rmspe", "coverage80", "fitSeconds", "predictSeconds"]);
    expect(m.name).toBe("seasonal-naive-24");
    // DK1 repeats daily (error 0); DK2 grows by 24 a day over a level of ~200-400: a known small error.
    expect(m.mape).toBeGreaterThan(0);
    expect(m.mape).toBeLessThan(0.1);
    expect(typeof m.fitSeconds).toBe("number");
  });

  it("matches the reference's seasonal naive on the embedded data, as fractions", () => {
    const r = cli(["backtest", "--source", "embedded", "--from", "2023-01-07T22:00", "--to", "2023-01-13T22:00", "--models", "seasonal-naive-24,seasonal-naive-168", "--json"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.origins).toBe(7);
    expect(out.models.map((m: { mape: number }) => m.mape.toFixed(4))).toEqual(["0.1204", "0.0845"]);
  });

  it("prints a table with per-horizon and per-series breakdowns", () => {
    const r = cli(["backtest", "--source", `file:${csv}`, "--from", "2023-01-08T23:00", "--to", "2023-01-09T23:00", "--models", "seasonal-naive-24,seasonal-naive-168", "--by", "horizon,series"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("origins    2: 2023-01-08T23:00Z .. 2023-01-09T23:00Z every 24 h, horizon 24 h");
    expect(r.stdout).toMatch(/seasonal-naive-24\s+\d+\.\d\d%/);
    expect(r.stdout).toContain("MAPE (and 80 % coverage) by horizon step");
    // Series are labelled by their key columns' own names (the preset's stored names for DE35).
    expect(r.stdout).toContain("MAPE by series (area, consumer_type)");
    expect(r.stdout).toMatch(/\n {2}area {2}consumer_type {2}seasonal-naive-24 {2}seasonal-naive-168\n {2}1 +111 +0\.00% +0\.00%\n {2}2 +111 +\d+\.\d\d%/);
  });

  it("fails with a clear message and exit code for bad input", () => {
    const unknown = cli(["backtest", "--source", csv, "--from", "2023-01-08T23:00", "--to", "2023-01-09T23:00", "--models", "arima"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('config: unknown model "arima"; known models: seasonal-naive-24, seasonal-naive-168, gbm, gbm-blend');
    const late = cli(["backtest", "--source", csv, "--from", "2023-01-20T00:00", "--to", "2023-01-21T00:00", "--models", "seasonal-naive-24"]);
    expect(late.status).toBe(1);
    expect(late.stderr).toContain("backtest: no origin in 2023-01-20T00:00Z..2023-01-21T00:00Z");
    const every = cli(["backtest", "--source", csv, "--from", "2023-01-08T23:00", "--to", "2023-01-09T23:00", "--every", "1.5"]);
    expect(every.status).toBe(2);
    expect(every.stderr).toContain('config: --every must be a whole number of hours >= 1, got "1.5"');
  });
});
