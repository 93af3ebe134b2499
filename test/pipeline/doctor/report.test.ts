import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixedClock } from "../../../src/pipeline/core/effects.js";
import { examineStore, repairStore } from "../../../src/pipeline/doctor/doctor.js";
import { formatDoctorReport } from "../../../src/pipeline/doctor/report.js";
import { setAside } from "../../../src/pipeline/doctor/set-aside.js";
import { damagedKey } from "../../../src/pipeline/storage/layout.js";
import { acquireLock } from "../../../src/pipeline/lock/lock.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { GROUP, H, MANIFEST, NOW, threeDays } from "./fixtures.js";

const options = (now = NOW) => ({ now, runId: "doctor-20230201T000000Z-000000", group: GROUP });

describe("doctor: lock state, report text, setting aside", () => {
  let dir: string;
  let storage: Storage;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "doctor-report-"));
    storage = createLocalStorage(dir);
    await threeDays(storage);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reports who holds the lock, and an expired lock as a warning", async () => {
    await acquireLock(storage, { owner: "run-20230201T000000Z-abcdef", ttlMs: H, clock: fixedClock(NOW), host: "box" });
    const held = (await examineStore(storage, options(new Date(NOW.getTime() + 10 * 60_000)))).report;
    expect(held.lock).toEqual({
      state: "held",
      key: "locks/run.json",
      owner: "run-20230201T000000Z-abcdef",
      host: "box",
      acquiredAt: "2023-02-01T00:00:00.000Z",
      expiresAt: "2023-02-01T01:00:00.000Z",
      claims: 0,
    });
    expect(held.findings.filter((f) => f.area === "lock")).toEqual([
      {
        area: "lock",
        severity: "note",
        subject: "locks/run.json",
        message:
          "held by run-20230201T000000Z-abcdef on box since 2023-02-01T00:00:00.000Z (expires 2023-02-01T01:00:00.000Z): a run is writing, so what it has not finished may show up above",
      },
    ]);
    expect(held.healthy).toBe(true);
    const expired = (await examineStore(storage, options(new Date(NOW.getTime() + 2 * H)))).report;
    expect(expired.lock.state).toBe("expired");
    expect(expired.findings.filter((f) => f.area === "lock")).toEqual([
      {
        area: "lock",
        severity: "warning",
        subject: "locks/run.json",
        message:
          "held by run-20230201T000000Z-abcdef on box since 2023-02-01T00:00:00.000Z but expired at 2023-02-01T01:00:00.000Z: that run died or overran; the next run takes the lock over",
      },
    ]);
    expect(expired.healthy).toBe(true);
  });

  it("reports a lock object that is not a lock as a problem", async () => {
    await storage.write("locks/run.json", "{}");
    const report = (await examineStore(storage, options())).report;
    expect(report.lock).toEqual({ state: "invalid", key: "locks/run.json", claims: 0 });
    expect(report.findings.filter((f) => f.area === "lock").map((f) => [f.severity, f.message])).toEqual([
      ["problem", `locks/run.json in ${storage.uri} is not a valid lock object (owner is missing); delete it if no run is using the store`],
    ]);
  });

  it("prints findings, what --repair would do, the lock and what was checked", async () => {
    await storage.delete(MANIFEST);
    const exam = await examineStore(storage, options());
    expect(formatDoctorReport(exam.report)).toBe(
      [
        `doctor ${storage.uri}: 1 problem(s), 0 warning(s)`,
        `  problem  features  ${MANIFEST}: the manifest is missing but 4 partition file(s) exist; every command that reads or writes the group refuses to run`,
        "                     --repair: rebuild it from the partition files: 3 day(s), 144 row(s), dataset de35 (unit kWh)",
        "  lock locks/run.json: free",
        "  checked 1 feature group(s) (3 partition file(s)), 0 output file(s), 0 run folder(s) (0 file(s)), forecast history of 0 row(s)",
        "run energy-forecast doctor --repair to repair what can be repaired (it takes the store's lock)",
        "",
      ].join("\n"),
    );
    const actions = await repairStore(exam);
    const after = (await examineStore(storage, options())).report;
    expect(
      formatDoctorReport({ ...exam.report, repair: { actions, after } })
        .split("\n")
        .slice(-5),
    ).toEqual([
      "repair:",
      `  rebuilt   ${MANIFEST}: from 3 partition file(s) (one per day, the newest that decodes): 144 row(s), commit 3, dataset de35 (keys area:int8,consumer_type:int32, unit kWh)`,
      "after repair: healthy (0 warning(s))",
      "  note     features  features/energy_consumption/v1/data/: 1 partition file(s) not referenced by the manifest (superseded or from an unfinished upsert): a later upsert deletes them once their grace period is over",
      "",
    ]);
  });

  it("moves a damaged object under damaged/ without ever overwriting an earlier copy", async () => {
    await storage.write("X.parquet", "first");
    expect(await setAside(storage, "X.parquet")).toBe("damaged/X.parquet");
    await storage.write("X.parquet", "second");
    expect(await setAside(storage, "X.parquet")).toBe("damaged/X.1.parquet");
    expect(await setAside(storage, "X.parquet")).toBeUndefined();
    expect(new TextDecoder().decode(await storage.read("damaged/X.parquet"))).toBe("first");
    expect(new TextDecoder().decode(await storage.read("damaged/X.1.parquet"))).toBe("second");
    expect(damagedKey("runs/r/manifest", 2)).toBe("damaged/runs/r/manifest.2");
  });
});
