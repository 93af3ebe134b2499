/**
 * Issue 11's ingest probes on the command line: each refusal exits 3, names its expectation and
 * quarantines the extract; the feature store keeps what it held. (Exact messages, with a fixed
 * clock: test/pipeline/ingest/ingest-checks.test.ts.) The files hold all 76 series; the commands
 * read the small panel of them (FILTER): what is refused does not depend on the data's width.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { DE35_CSV } from "../support/eds-server.js";
import { SMALL_PANEL_ENV, SMALL_PANEL_SERIES } from "../support/small-panel.js";

const lines = readFileSync(DE35_CSV, "utf8").trimEnd().split("\n");
const hours = (from: number, to: number): string[] => lines.slice(1 + 76 * from, 1 + 76 * to);
let dir: string;
const write = (name: string, rows: string[]): string => (writeFileSync(join(dir, name), [lines[0], ...rows].join("\n") + "\n"), name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-probes-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ingest probes on the command line", () => {
  it("a file holding only the latest hour, one row dated 2099, a value of 1e308: each exits 3 with its expectation named", async () => {
    const ingest = (file: string) => runCli(["--store", "store", "ingest", "--source", file], SMALL_PANEL_ENV, dir);
    // The store holds the series up to 2023-01-08T22:00Z.
    expect((await ingest(write("upto.csv", hours(400, 439)))).code).toBe(0);
    const huge = hours(400, 440);
    huge[huge.length - 1] = huge[huge.length - 1].replace(/;[^;]*$/, ";1e308");
    const [gap, future, big] = await Promise.all([
      ingest(write("latest.csv", hours(582, 583))),
      ingest(write("future.csv", [...hours(439, 440), "2099-01-01T00:00:00;2099-01-01T01:00:00;DK1;111;65874"])),
      ingest(write("huge.csv", huge)),
    ]);
    expect([gap.code, future.code, big.code]).toEqual([3, 3, 3]);
    expect(gap.stderr).toContain(
      "validate: 1 of 19 expectations failed for the extract of 2023-01-14T22:00Z..2023-01-14T23:00Z from CSV file latest.csv (quarantined under quarantine/ingest-",
    );
    expect(gap.stderr).toContain(
      `expect_column_values_to_continue_stored_series(datetime_utc, area, consumer_type) ${SMALL_PANEL_SERIES} of ${SMALL_PANEL_SERIES} stored series would be left with a gap after their last stored hour: ` +
        `the hours 2023-01-08T23:00Z..2023-01-14T22:00Z are missing (${SMALL_PANEL_SERIES * 143} steps in all)`,
    );
    expect(gap.stderr).toContain(
      "(energy-forecast ingest --full --as-of 2023-01-29T22:00 --days-delay 15: its window ends at 2023-01-14T22:00Z), then this batch again\n",
    );
    expect(future.stderr).toMatch(
      /expect_column_values_to_be_visible\(datetime_utc\) 1 of 1 rows \(100%\) are dated at or after the visible time \d{4}-\d\d-\d\dT\d\d:00Z, e\.g\. \[2099-01-01T00:00Z\]; remove the rows dated at or after/,
    );
    expect(big.stderr).toContain(
      `expect_column_values_to_be_plausible(energy_consumption, area, consumer_type) 1 of ${SMALL_PANEL_SERIES * 40} values are implausible, e.g. [{"area":2,"consumer_type":999,"datetime_utc":"2023-01-08T23:00Z","value":1e+308,` +
        `"limit":3.4028234663852886e+38,"basis":"absolute_max"}]; correct the values at the source: a value beyond float32's range is never accepted\n`,
    );
  }, 240_000);
});
