/**
 * Doctor's view of the feature groups (`features/<name>/v<version>/`): the manifest parses, every
 * partition file it lists exists, decodes with the group's columns and holds the rows the
 * manifest says. Repair rebuilds a missing or unreadable manifest from the partition files, and
 * for a damaged partition falls back to the newest older file of its day (or drops the day),
 * setting every damaged file aside under `damaged/`.
 */
import { featureSchema, LEGACY_DE35_INFO } from "../dataset/spec.js";
import { groupsIn, parsePartKey } from "../featurestore/layout.js";
import { featureDataPrefix, featureManifestKey } from "../storage/layout.js";
import { parseManifest, salvageManifest, HISTORY_LIMIT, type FeatureGroupManifest, type PartitionEntry } from "../featurestore/manifest.js";
import { DamagedPartError, readPart, type PartDamage } from "../featurestore/parts.js";
import { newestReadablePart, planManifestRebuild, type RebuildPlan } from "../featurestore/rebuild.js";
import type { KeyColumn } from "../series/key.js";
import { readIfExists } from "../storage/storage.js";
import type { DoctorContext } from "./context.js";
import type { Finding, RepairAction } from "./report.js";
import { setAside } from "./set-aside.js";

/** What doctor found in one feature group. */
export interface GroupState {
  prefix: string;
  name: string;
  version: number;
  manifestKey: string;
  /** The manifest, when it parses. */
  manifest?: FeatureGroupManifest;
  /** A missing or unreadable manifest and the plan to rebuild it (no plan: no partition files). */
  rebuild?: { reason: "missing" | "unreadable"; plan?: RebuildPlan };
  /** Partition files the manifest lists that are missing or do not decode. */
  damaged: Array<{ day: string; key: string; damage: PartDamage }>;
  /** Partition files that decode but hold other rows or hours than the manifest says: the file's own entry. */
  miscounted: Array<{ day: string; entry: PartitionEntry }>;
  /** The manifest's total differs from the sum of its partitions. */
  wrongTotal: boolean;
  /** The group's key columns, when known (from the manifest or the files). */
  keys?: KeyColumn[];
}

const NOTE = "rebuilt from the partition files by energy-forecast doctor --repair";

/** Examines every feature group in the store, adding findings; returns their states and how many partition files were read. */
export async function examineFeatureGroups(ctx: DoctorContext, findings: Finding[]): Promise<{ groups: GroupState[]; partitions: number }> {
  const groups: GroupState[] = [];
  let partitions = 0;
  for (const { name, version, prefix } of groupsIn(ctx.keys)) {
    const state: GroupState = { prefix, name, version, manifestKey: featureManifestKey(prefix), damaged: [], miscounted: [], wrongTotal: false };
    groups.push(state);
    const bytes = await readIfExists(ctx.storage, state.manifestKey);
    const files = ctx.keys.filter((k) => k.startsWith(featureDataPrefix(prefix)));
    if (bytes === undefined || !parses(bytes, state)) {
      const reason = bytes === undefined ? "missing" : "unreadable";
      const salvage = bytes === undefined ? undefined : salvageManifest(new TextDecoder().decode(bytes));
      const plan = await planManifestRebuild(ctx.storage, { name, version }, { now: ctx.now, runId: ctx.runId, note: NOTE, salvage });
      state.rebuild = { reason, plan };
      if (plan === undefined && reason === "missing") continue; // only foreign objects under the prefix
      partitions += plan ? plan.chosen.length + plan.unusable.length : 0;
      state.keys = plan?.manifest.dataset?.keys.map((k) => ({ name: k.name, type: k.type }));
      findings.push({
        area: "features",
        severity: "problem",
        subject: state.manifestKey,
        message:
          reason === "missing"
            ? `the manifest is missing but ${files.length} partition file(s) exist; every command that reads or writes the group refuses to run`
            : `the manifest does not parse as a feature-group manifest`,
        repair: plan
          ? `${reason === "unreadable" ? "set it aside and " : ""}rebuild it from the partition files: ${plan.chosen.length} day(s), ${plan.manifest.rows} row(s), dataset ${plan.manifest.dataset?.name} (unit ${plan.manifest.dataset?.unit})`
          : "set it aside (there are no partition files: the group becomes empty)",
      });
      for (const u of plan?.unusable ?? []) {
        findings.push({ area: "features", severity: "problem", subject: u.key, message: `partition file ${u.problem}`, repair: "set it aside under damaged/" });
      }
      for (const w of plan?.warnings ?? []) findings.push({ area: "features", severity: "warning", subject: state.manifestKey, message: w });
      continue;
    }
    const manifest = state.manifest!;
    const info = manifest.dataset ?? LEGACY_DE35_INFO;
    state.keys = info.keys.map((k) => ({ name: k.name, type: k.type }));
    const schema = featureSchema(state.keys);
    for (const [day, entry] of Object.entries(manifest.partitions).sort(([a], [b]) => (a < b ? -1 : 1))) {
      partitions++;
      try {
        const table = await readPart(ctx.storage, day, entry, schema);
        const actual = entryOf(entry.key, table.array("datetime_utc") as ArrayLike<number>);
        if (actual.rows !== entry.rows || actual.minTime !== entry.minTime || actual.maxTime !== entry.maxTime) {
          state.miscounted.push({ day, entry: actual });
          findings.push({
            area: "features",
            severity: "problem",
            subject: entry.key,
            message: `holds ${actual.rows} row(s) from ${iso(actual.minTime)} to ${iso(actual.maxTime)}; the manifest says ${entry.rows} from ${iso(entry.minTime)} to ${iso(entry.maxTime)}`,
            repair: "record what the file holds in the manifest",
          });
        }
      } catch (error) {
        if (!(error instanceof DamagedPartError)) throw error;
        state.damaged.push({ day, key: entry.key, damage: error.damage });
        findings.push({
          area: "features",
          severity: "problem",
          subject: entry.key,
          message: `partition of day ${day} ${error.damage === "missing" ? "is listed in the manifest but missing" : `cannot be decoded (${causeOf(error)})`}`,
          repair: `${error.damage === "missing" ? "" : "set it aside; "}use the newest older file of ${day} if one decodes, else drop the day (then re-ingest a window that covers it)`,
        });
      }
    }
    const sum = Object.values(manifest.partitions).reduce((s, p) => s + p.rows, 0);
    if (sum !== manifest.rows) {
      state.wrongTotal = true;
      findings.push({
        area: "features",
        severity: "problem",
        subject: state.manifestKey,
        message: `records ${manifest.rows} row(s) in total, its partitions ${sum}`,
        repair: "record the partitions' total",
      });
    }
    const referenced = new Set(Object.values(manifest.partitions).map((p) => p.key));
    const unreferenced = files.filter((k) => !referenced.has(k) && parsePartKey(prefix, k) !== undefined);
    const foreign = files.filter((k) => parsePartKey(prefix, k) === undefined);
    if (unreferenced.length > 0) {
      findings.push({
        area: "features",
        severity: "note",
        subject: featureDataPrefix(prefix),
        message: `${unreferenced.length} partition file(s) not referenced by the manifest (superseded or from an unfinished upsert): a later upsert deletes them once their grace period is over`,
      });
    }
    if (foreign.length > 0) {
      findings.push({
        area: "features",
        severity: "warning",
        subject: featureDataPrefix(prefix),
        message: `${foreign.length} object(s) that are not partition files, left alone: ${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", ..." : ""}`,
      });
    }
  }
  return { groups, partitions };
}

function parses(bytes: Uint8Array, state: GroupState): boolean {
  try {
    state.manifest = parseManifest(new TextDecoder().decode(bytes), state.manifestKey);
    return true;
  } catch {
    return false;
  }
}

function entryOf(key: string, times: ArrayLike<number>): PartitionEntry {
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < minTime) minTime = times[i];
    if (times[i] > maxTime) maxTime = times[i];
  }
  return { key, rows: times.length, minTime, maxTime };
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 16) + "Z" : String(ms));

function causeOf(error: Error): string {
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : "unknown cause";
}

/** Whether the group needs a repair. */
export function needsRepair(g: GroupState): boolean {
  return g.rebuild !== undefined || g.damaged.length > 0 || g.miscounted.length > 0 || g.wrongTotal;
}

/** Repairs one feature group as its examination says; returns what it did. */
export async function repairFeatureGroup(ctx: DoctorContext, g: GroupState): Promise<RepairAction[]> {
  if (!needsRepair(g)) return [];
  return g.rebuild ? rebuildGroup(ctx, g) : patchGroup(ctx, g);
}

/** Missing or unreadable manifest: set it aside, set aside unusable files, write the rebuilt one. */
async function rebuildGroup(ctx: DoctorContext, g: GroupState): Promise<RepairAction[]> {
  const actions: RepairAction[] = [];
  if (g.rebuild!.reason === "unreadable") {
    const to = await setAside(ctx.storage, g.manifestKey);
    if (to) actions.push({ area: "features", action: "set aside", subject: g.manifestKey, to, detail: "the manifest did not parse" });
  }
  const plan = g.rebuild!.plan;
  if (!plan) return actions;
  for (const u of plan.unusable) {
    const to = await setAside(ctx.storage, u.key);
    if (to) actions.push({ area: "features", action: "set aside", subject: u.key, to, detail: `the partition file ${u.problem}` });
  }
  await writeManifest(ctx, g.manifestKey, plan.manifest);
  const d = plan.manifest.dataset;
  actions.push({
    area: "features",
    action: "rebuilt",
    subject: g.manifestKey,
    detail:
      `from ${plan.chosen.length} partition file(s) (one per day, the newest that decodes): ${plan.manifest.rows} row(s), commit ${plan.manifest.commit}` +
      (d ? `, dataset ${d.name} (keys ${d.keys.map((k) => `${k.name}:${k.type}`).join(",")}, unit ${d.unit})` : "") +
      (plan.warnings.length > 0 ? `; ${plan.warnings.join("; ")}` : ""),
  });
  return actions;
}

/** Manifest parses but lists damaged or miscounted files: fall back per day and commit the fixed manifest. */
async function patchGroup(ctx: DoctorContext, g: GroupState): Promise<RepairAction[]> {
  const actions: RepairAction[] = [];
  const manifest = g.manifest!;
  const partitions = { ...manifest.partitions };
  const setAsideKeys: string[] = [];
  for (const { day, entry } of g.miscounted) {
    partitions[day] = entry;
    actions.push({ area: "features", action: "restored", subject: entry.key, detail: `the manifest now records what the file holds: ${entry.rows} row(s)` });
  }
  for (const d of g.damaged) {
    const below = parsePartKey(g.prefix, d.key)?.commit ?? Infinity;
    const to = await setAside(ctx.storage, d.key);
    if (to) {
      setAsideKeys.push(to);
      actions.push({ area: "features", action: "set aside", subject: d.key, to, detail: `partition of day ${d.day} could not be decoded` });
    }
    const older = await newestReadablePart(ctx.storage, g.prefix, d.day, g.keys, below);
    for (const u of older.unusable) {
      const moved = await setAside(ctx.storage, u.key);
      if (moved)
        actions.push({ area: "features", action: "set aside", subject: u.key, to: moved, detail: `older partition file of day ${d.day} ${u.problem}` });
    }
    if (older.found) {
      partitions[d.day] = older.found.entry;
      actions.push({
        area: "features",
        action: "restored",
        subject: older.found.entry.key,
        detail: `day ${d.day} now reads this older file (commit ${older.found.commit}, ${older.found.entry.rows} row(s)); re-ingest a window that covers ${d.day} to bring back later changes (energy-forecast ingest --full)`,
      });
    } else {
      delete partitions[d.day];
      actions.push({
        area: "features",
        action: "dropped",
        subject: d.key,
        detail: `day ${d.day} is now empty (no older file decodes); re-ingest a window that covers it (energy-forecast ingest --full)`,
      });
    }
  }
  const highest = Math.max(manifest.commit, ...ctx.keys.map((k) => parsePartKey(g.prefix, k)?.commit ?? 0));
  const commit = highest + 1;
  const days = Array.from(new Set([...g.damaged.map((d) => d.day), ...g.miscounted.map((m) => m.day)])).sort();
  const next: FeatureGroupManifest = {
    ...manifest,
    commit,
    updatedAt: ctx.now.toISOString(),
    partitions,
    rows: Object.values(partitions).reduce((s, p) => s + p.rows, 0),
    history: [
      ...manifest.history,
      {
        commit,
        at: ctx.now.toISOString(),
        runId: ctx.runId,
        added: 0,
        changed: 0,
        partitions: days,
        ...(setAsideKeys.length > 0 ? { setAside: setAsideKeys } : {}),
        note: "damaged partitions repaired by energy-forecast doctor --repair",
      },
    ].slice(-HISTORY_LIMIT),
  };
  await writeManifest(ctx, g.manifestKey, next);
  actions.push({
    area: "features",
    action: "rebuilt",
    subject: g.manifestKey,
    detail: `commit ${commit}: ${next.rows} row(s) in ${Object.keys(partitions).length} day(s)${g.wrongTotal ? " (total recounted)" : ""}`,
  });
  return actions;
}

async function writeManifest(ctx: DoctorContext, key: string, manifest: FeatureGroupManifest): Promise<void> {
  await ctx.storage.write(key, JSON.stringify(manifest, null, 1), { contentType: "application/json" });
}
