/**
 * What a store records holds no absolute local path: run manifests name a local store by its path
 * relative to the working directory (or its name outside it), validation results and quarantine
 * notes name a source file the same way, and failure records have the paths of their messages
 * replaced. The store is shared (a bucket, a published report); the machine's layout is not.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { runCli } from "../support/cli.js";
import { DE35_CSV } from "../support/eds-server.js";
import { SMALL_PANEL_ENV } from "../support/small-panel.js";

let dir: string;
let work: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-locations-"));
  work = join(dir, "work");
  mkdirSync(join(work, "in"), { recursive: true });
  writeFileSync(join(work, "in", "data.csv"), readFileSync(DE35_CSV));
  const lines = readFileSync(DE35_CSV, "utf8").trimEnd().split("\n");
  // The last row negative: a batch validation refuses (quarantined, the source recorded).
  lines[lines.length - 1] = lines[lines.length - 1].replace(/;[^;]*$/, ";-5");
  writeFileSync(join(work, "in", "bad.csv"), lines.join("\n") + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` with its text. */
function files(root: string, under = root): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(under)) {
    const path = join(under, name);
    if (statSync(path).isDirectory()) out.push(...files(root, path));
    else out.push([path.slice(root.length + 1), readFileSync(path, "latin1")]);
  }
  return out;
}

const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
/** A cheap model on the small panel: what is recorded where does not depend on the data's width. */
const ENV = { ...SMALL_PANEL_ENV, MODEL_NAME: "seasonal-naive-24", LOG_LEVEL: "error" };

describe("locations recorded in the store", () => {
  it("run manifests, validation results, quarantine notes and failure records hold no absolute local path", async () => {
    // Absolute paths on the command line, on purpose: the records must not repeat them.
    const store = join(work, "store");
    const ok = await runCli(["--store", store, "run", "--source", join(work, "in", "data.csv"), "--as-of", "2023-01-30T00:00"], ENV, work);
    expect(ok.code, ok.stderr).toBe(0);
    const missing = await runCli(["--store", store, "run", "--source", join(work, "in", "nope.csv"), "--as-of", "2023-01-30T01:00"], ENV, work);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`source file "${join(work, "in", "nope.csv")}" not found`);
    const refused = await runCli(["--store", store, "ingest", "--source", `file://${join(work, "in", "bad.csv")}`], ENV, work);
    expect(refused.code).toBe(3);

    const recorded = files(store);
    for (const [key, text] of recorded) {
      expect(text.includes(dir), `${key} holds the test directory ${dir}`).toBe(false);
      expect(text.includes(PROJECT_ROOT), `${key} holds the project directory`).toBe(false);
    }
    const manifestKey = recorded.map(([k]) => k).find((k) => /^runs\/[^/]+\/manifest\.json$/.test(k))!;
    const manifest = json(join(store, manifestKey));
    expect(manifest.store).toBe("store");
    const validation = json(join(store, (manifest.validation as { key: string }).key)) as { meta: { batch_spec: { source: string } } };
    expect(validation.meta.batch_spec.source).toBe("CSV file in/data.csv");
    const failureKey = recorded.map(([k]) => k).find((k) => /^runs\/[^/]+\/failure\.json$/.test(k))!;
    expect(json(join(store, failureKey)).error).toBe(
      'ingest: source file "in/nope.csv" not found; pass --source file:<path> to an existing CSV or parquet file',
    );
    const infoKey = recorded.map(([k]) => k).find((k) => /^quarantine\/[^/]+\/info\.json$/.test(k))!;
    expect(json(join(store, infoKey)).source).toBe("CSV file in/bad.csv");
  }, 180_000);

  it("a store outside the working directory is named by its directory's name", async () => {
    const outside = join(dir, "elsewhere", "shared-store");
    const r = await runCli(["--store", outside, "run", "--source", join(work, "in", "data.csv"), "--as-of", "2023-01-30T00:00"], ENV, work);
    expect(r.code, r.stderr).toBe(0);
    const manifestKey = files(outside)
      .map(([k]) => k)
      .find((k) => /^runs\/[^/]+\/manifest\.json$/.test(k))!;
    expect(json(join(outside, manifestKey)).store).toBe("…/shared-store");
    for (const [key, text] of files(outside)) expect(text.includes(dir), `${key} holds the test directory`).toBe(false);
  }, 180_000);
});
