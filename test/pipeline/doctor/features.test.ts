import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datasetInfo, LEGACY_DE35_INFO } from "../../../src/pipeline/dataset/spec.js";
import { loadPreset } from "../../../src/pipeline/dataset/preset.js";
import { examineStore, repairStore } from "../../../src/pipeline/doctor/doctor.js";
import type { Finding } from "../../../src/pipeline/doctor/report.js";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { DAY0, featureRows, GROUP, H, MANIFEST, NOW, PART, PREFIX, threeDays } from "./fixtures.js";

const options = { now: new Date(NOW.getTime() + 3 * H), runId: "doctor-20230201T030000Z-000000", group: GROUP };
const problems = (findings: Finding[]) => findings.filter((f) => f.severity !== "note");

describe("doctor: feature groups", () => {
  let dir: string;
  let storage: Storage;
  let store: FeatureStore;
  let before: object[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "doctor-features-"));
    storage = createLocalStorage(dir);
    store = await threeDays(storage);
    before = (await store.read()).objects();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("rebuilds a deleted manifest from the partition files; the next upsert and read lose no row", async () => {
    await storage.delete(MANIFEST);
    const exam = await examineStore(storage, options);
    expect(problems(exam.report.findings)).toEqual([
      {
        area: "features",
        severity: "problem",
        subject: MANIFEST,
        message: "the manifest is missing but 4 partition file(s) exist; every command that reads or writes the group refuses to run",
        repair: "rebuild it from the partition files: 3 day(s), 144 row(s), dataset de35 (unit kWh)",
      },
    ]);
    const actions = await repairStore(exam);
    expect(actions).toEqual([
      {
        area: "features",
        action: "rebuilt",
        subject: MANIFEST,
        detail:
          "from 3 partition file(s) (one per day, the newest that decodes): 144 row(s), commit 3, dataset de35 (keys area:int8,consumer_type:int32, unit kWh)",
      },
    ]);
    const manifest = (await store.manifest())!;
    expect(manifest).toMatchObject({ commit: 3, rows: 144, dataset: LEGACY_DE35_INFO });
    expect(Object.values(manifest.partitions).map((p) => p.key)).toEqual([PART("2023-01-01", 1), PART("2023-01-02", 2), PART("2023-01-03", 1)]);
    expect((await store.read()).objects()).toEqual(before);
    const writer = new FeatureStore(storage, GROUP, undefined, datasetInfo(loadPreset("de35")));
    const report = await writer.upsert(featureRows(24, 7, DAY0 + 72 * H), "ingest-3", options.now);
    expect(report).toMatchObject({ added: 48, commit: 4, totalRows: 192 });
    expect((await store.read({ start: DAY0, end: DAY0 + 72 * H })).objects()).toEqual(before);
    expect(problems((await examineStore(storage, options)).report.findings)).toEqual([]);
  });

  it("sets aside a manifest that does not parse and rebuilds it, numbering commits above those it mentions", async () => {
    await new FeatureStore(storage, GROUP, undefined, datasetInfo(loadPreset("de35"))).upsert(featureRows(1, 9, DAY0 + 72 * H), "ingest-3", NOW);
    const text = new TextDecoder().decode(await storage.read(MANIFEST));
    await storage.write(MANIFEST, text.slice(0, 200));
    const exam = await examineStore(storage, options);
    expect(problems(exam.report.findings).map((f) => [f.subject, f.message, f.repair])).toEqual([
      [
        MANIFEST,
        "the manifest does not parse as a feature-group manifest",
        "set it aside and rebuild it from the partition files: 4 day(s), 146 row(s), dataset de35 (unit kWh)",
      ],
    ]);
    const actions = await repairStore(exam);
    expect(actions.map((a) => [a.action, a.subject, a.to])).toEqual([
      ["set aside", MANIFEST, `damaged/${MANIFEST}`],
      ["rebuilt", MANIFEST, undefined],
    ]);
    expect(new TextDecoder().decode(await storage.read(`damaged/${MANIFEST}`))).toBe(text.slice(0, 200));
    expect((await store.manifest())?.commit).toBe(4); // above the highest commit the damaged text mentions (3)
    expect((await store.read()).numRows()).toBe(146);
  });

  it("falls back to the newest older file of a day whose part is corrupt, setting the corrupt one aside", async () => {
    await storage.write(PART("2023-01-02", 2), "corrupt");
    const exam = await examineStore(storage, options);
    expect(problems(exam.report.findings)).toEqual([
      {
        area: "features",
        severity: "problem",
        subject: PART("2023-01-02", 2),
        message: expect.stringMatching(/^partition of day 2023-01-02 cannot be decoded \(parquet: cannot decode .*\)$/),
        repair: "set it aside; use the newest older file of 2023-01-02 if one decodes, else drop the day (then re-ingest a window that covers it)",
      },
    ]);
    const actions = await repairStore(exam);
    expect(actions.map((a) => `${a.action} ${a.subject}${a.to ? ` -> ${a.to}` : ""}: ${a.detail}`)).toEqual([
      `set aside ${PART("2023-01-02", 2)} -> damaged/${PART("2023-01-02", 2)}: partition of day 2023-01-02 could not be decoded`,
      `restored ${PART("2023-01-02", 1)}: day 2023-01-02 now reads this older file (commit 1, 48 row(s)); re-ingest a window that covers 2023-01-02 to bring back later changes (energy-forecast ingest --full)`,
      `rebuilt ${MANIFEST}: commit 3: 144 row(s) in 3 day(s)`,
    ]);
    const values = (await store.read({ start: DAY0 + 24 * H, end: DAY0 + 25 * H })).array("energy_consumption");
    expect(values).toEqual([24, 1024]); // commit 1's values of that hour
    expect((await store.manifest())?.history.at(-1)).toMatchObject({
      commit: 3,
      runId: options.runId,
      partitions: ["2023-01-02"],
      setAside: [`damaged/${PART("2023-01-02", 2)}`],
    });
    expect(problems((await examineStore(storage, options)).report.findings)).toEqual([]);
  });

  it("drops a day whose only part is missing, naming the re-ingest", async () => {
    await storage.delete(PART("2023-01-03", 1));
    const exam = await examineStore(storage, options);
    expect(problems(exam.report.findings).map((f) => [f.subject, f.message])).toEqual([
      [PART("2023-01-03", 1), "partition of day 2023-01-03 is listed in the manifest but missing"],
    ]);
    const actions = await repairStore(exam);
    expect(actions.map((a) => `${a.action} ${a.subject}: ${a.detail}`)).toEqual([
      `dropped ${PART("2023-01-03", 1)}: day 2023-01-03 is now empty (no older file decodes); re-ingest a window that covers it (energy-forecast ingest --full)`,
      `rebuilt ${MANIFEST}: commit 3: 96 row(s) in 2 day(s)`,
    ]);
    expect((await store.read()).numRows()).toBe(96);
    expect(await storage.list("damaged/")).toEqual([]);
  });

  it("leaves a healthy group alone", async () => {
    const exam = await examineStore(storage, options);
    expect(exam.report.findings.map((f) => f.severity)).toEqual(["note"]);
    expect(await repairStore(exam)).toEqual([]);
    expect(await storage.list(PREFIX)).toHaveLength(5);
  });
});
