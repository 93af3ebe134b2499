/**
 * Usage errors exit 2 with one line naming the flag, on every command: `--from` after `--to`,
 * impossible dates, a horizon above MAX_HORIZON. Nothing is attempted (no store is created).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

let dir: string;
let store: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-usage-"));
  store = join(dir, "store");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SWAPPED = "config: --to 2023-01-29T00:00Z is before --from 2023-01-30T00:00Z; swap them\n";
const IMPOSSIBLE = (flag: string) => `config: ${flag} must be an existing ISO date or time in UTC like 2023-01-14T22:00, got "2023-02-30"\n`;

/** Runs every case at once (each is a short child process) and checks exit 2, the exact stderr, and an untouched store. */
async function expectUsage(cases: Array<[args: string[], stderr: string, env?: Record<string, string>]>): Promise<void> {
  const results = await Promise.all(cases.map(([args, , env]) => runCli(["--store", store, ...args], env ?? {}, dir)));
  results.forEach((r, i) => {
    expect({ args: cases[i][0], code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args: cases[i][0], code: 2, stderr: cases[i][1], stdout: "" });
  });
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
  }, 600_000);

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
  }, 600_000);

  it("a horizon above MAX_HORIZON: backtest, predict, train, and FORECAST_HORIZON for run", async () => {
    const above = (name: string) => `config: ${name} is 10000 hours, above the limit of 168 (MAX_HORIZON); forecast at most 168 hours, or raise MAX_HORIZON\n`;
    await expectUsage([
      [["backtest", "--from", "2023-01-07T22:00", "--to", "2023-01-08T22:00", "--horizon", "10000"], above("--horizon")],
      [["predict", "--horizon", "10000"], above("--horizon")],
      [["train", "--horizon", "10000"], above("--horizon")],
      [["run"], above("FORECAST_HORIZON"), { FORECAST_HORIZON: "10000" }],
    ]);
  }, 600_000);
});
