/**
 * The data loaders on a store with nothing in it (a missing directory, an empty one): each must
 * exit 0 and hand its page a notice naming the commands that fill the store, never fail the build.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import { runLoader as runReportLoader } from "./run-loader.js";

const LOADERS = ["overview", "forecasts", "monitoring", "data-quality", "model", "runs"];

/** The downloads: header only, or a parquet file without rows, until the pipeline has run. */
const DOWNLOADS = ["latest-forecast.csv", "latest-forecast.parquet", "monitoring-series.csv", "monitoring-series.parquet"];

/** The pages' bulk tables. */
const ARROW = ["forecast-series.arrow", "forecast-detail.arrow", "monitoring-hours.arrow", "monitoring-worst.arrow"];

/** Runs `reports/data/<file>.ts` (`overview` is `overview.json`) on the store; stdout as latin1 text. */
async function runLoader(name: string, storeUri: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = /\.(csv|parquet|arrow)$/.test(name) ? name : `${name}.json`;
  const r = await runReportLoader(file, { STORE_URI: storeUri });
  return { ...r, stdout: r.stdout.toString("latin1") };
}

let tmp: string;

describe("report loaders on an empty store", () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "report-empty-"));
    await mkdir(join(tmp, "empty"));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  for (const store of ["missing", "empty"]) {
    it(`every loader explains what to run when the store is ${store}`, async () => {
      const results = await Promise.all(LOADERS.map((name) => runLoader(name, join(tmp, store))));
      results.forEach((r, i) => {
        expect(r.code, `${LOADERS[i]}: ${r.stderr}`).toBe(0);
        const out = JSON.parse(r.stdout) as { empty?: { title: string; commands: string[] }; data?: unknown; store: { label: string } };
        expect(out.data, LOADERS[i]).toBeUndefined();
        expect(out.empty?.commands, LOADERS[i]).toContain("npm start");
        expect(
          out.empty?.commands.some((c) => c.startsWith("npx energy-forecast backfill")),
          LOADERS[i],
        ).toBe(true);
        // the temporary directory is outside the project: it is described, not printed
        expect(out.store.label).toBe("a local directory (STORE_URI)");
        expect(r.stdout.includes(tmp)).toBe(false);
      });
    }, 180_000);
  }

  it("the download loaders write the files' columns and no rows", async () => {
    const results = await Promise.all(DOWNLOADS.map((name) => runLoader(name, join(tmp, "empty"))));
    results.forEach((r, i) => expect(r.code, `${DOWNLOADS[i]}: ${r.stderr}`).toBe(0));
    expect(results[0].stdout).toBe(
      "area,consumer_type,series,datetime_utc,origin,step,prediction,lower_80,upper_80,lower_95,upper_95,model,model_version,run_id\n",
    );
    expect(results[2].stdout).toBe("area,consumer_type,series,n,mape,rmspe,coverage_80,coverage_95\n");
    for (const [i, columns] of [
      [1, 14],
      [3, 8],
    ]) {
      const table = readParquet(Buffer.from(results[i].stdout, "latin1"));
      expect([table.numRows(), table.columnNames().length], DOWNLOADS[i]).toEqual([0, columns]);
    }
  }, 180_000);

  it("the pages' Arrow loaders write valid Arrow files without rows", async () => {
    const results = await Promise.all(ARROW.map((name) => runLoader(name, join(tmp, "empty"))));
    results.forEach((r, i) => {
      expect(r.code, `${ARROW[i]}: ${r.stderr}`).toBe(0);
      expect(tableFromIPC(Buffer.from(r.stdout, "latin1")).numRows, ARROW[i]).toBe(0);
    });
  }, 180_000);

  it("a store the loaders cannot read fails the build with the pipeline's message", async () => {
    const r = await runLoader("overview", "gs://");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('report loader overview: config: store "gs://" is not supported');
  }, 180_000);
});
