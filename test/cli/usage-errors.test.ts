/**
 * Usage errors exit 2 with one line naming the flag, on every command: `--from` after `--to`,
 * impossible dates, a horizon above MAX_HORIZON. Nothing is attempted (no store is created).
 *
 * In-process, as test/cli/main.test.ts: these check the edge (argument parsing and the settings,
 * refused before any work), and a child process per case would prove nothing more at about a
 * second of CPU each. The exit code a process returns is main's (bin/energy-forecast.js sets
 * process.exitCode to it); exit 2 of a real process is covered by test/cli/ingest.test.ts and
 * test/cli/store-lock.test.ts.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess } from "../support/cli.js";

let dir: string;
let store: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-usage-"));
  store = join(dir, "store");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SWAPPED = "config: --to 2023-01-29T00:00Z is before --from 2023-01-30T00:00Z; swap them\n";
const IMPOSSIBLE = (flag: string) => `config: ${flag} must be an existing ISO date or time in UTC like 2023-01-14T22:00, got "2023-02-30"\n`;

/**
 * Runs every case in turn in-process, from the temporary folder and in runCli's clean environment (a
 * developer's settings and .env are not read), and checks exit 2, the exact stderr, an empty stdout,
 * and an untouched store.
 */
async function expectUsage(cases: Array<[args: string[], stderr: string, env?: Record<string, string>]>): Promise<void> {
  for (const [args, stderr, env] of cases) {
    const r = await runCliInProcess(["--store", store, ...args], env, dir);
    expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args, code: 2, stderr, stdout: "" });
  }
  expect(existsSync(store)).toBe(false);
}

describe("usage errors exit 2 on every command", () => {
  it("--from after --to: backfill, backtest, validate", async () => {
    await expectUsage([
      [["backfill", "--from", "2023-01-30T00:00", "--to", "2023-01-29T00:00"], SWAPPED],
      [["backtest", "--from", "2023-01-30T00:00", "--to", "2023-01-29T00:00"], SWAPPED],
      [["validate", "--from", "2023-01-30T00:00", "--to", "2023-01-29T00:00"], SWAPPED],
      [
        ["validate", "--from", "2023-01-30T00:00", "--to", "2023-01-30T00:00"],
        "config: --to 2023-01-30T00:00Z equals --from 2023-01-30T00:00Z: the window [--from, --to) is empty; give a later --to\n",
      ],
      [["validate", "--file", "x.csv", "--from", "2023-01-30T00:00"], "config: --from/--to select a stored window; do not combine them with --file\n"],
    ]);
  });

  it("impossible dates: every flag that takes a time", async () => {
    await expectUsage([
      [["backfill", "--from", "2023-02-30", "--to", "2023-03-01"], IMPOSSIBLE("--from")],
      [["backtest", "--from", "2023-01-01", "--to", "2023-02-30"], IMPOSSIBLE("--to")],
      [["validate", "--from", "2023-02-30"], IMPOSSIBLE("--from")],
      [["ingest", "--as-of", "2023-02-30"], IMPOSSIBLE("--as-of")],
      [["run", "--as-of", "2023-02-30"], IMPOSSIBLE("--as-of")],
      [["predict", "--as-of", "2023-02-30"], IMPOSSIBLE("--as-of")],
      [["monitor", "--as-of", "2023-02-30"], IMPOSSIBLE("--as-of")],
    ]);
  });

  it("a horizon above MAX_HORIZON: backtest, predict, train, and FORECAST_HORIZON for run", async () => {
    const above = (name: string) => `config: ${name} is 10000 hours, above the limit of 168 (MAX_HORIZON); forecast at most 168 hours, or raise MAX_HORIZON\n`;
    await expectUsage([
      [["backtest", "--from", "2023-01-07T22:00", "--to", "2023-01-08T22:00", "--horizon", "10000"], above("--horizon")],
      [["predict", "--horizon", "10000"], above("--horizon")],
      [["train", "--horizon", "10000"], above("--horizon")],
      [["run"], above("FORECAST_HORIZON"), { FORECAST_HORIZON: "10000" }],
    ]);
  });
});
