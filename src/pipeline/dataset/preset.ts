import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../core/errors.js";
import { checkCalendar, type HolidaySet } from "../features/calendar.js";
import { checkZone } from "../time/zone.js";
import { UNITS, type DatasetSpec, type KeySpec, type Unit } from "./spec.js";

/** The presets shipped in `presets/`: one JSON file each, selected with `--dataset` / `DATASET`. */
export const PRESET_NAMES = ["de35", "production-consumption-settlement", "consumption-industry", "priv-industry-consumption-hour"] as const;

/** The preset of the embedded default data. */
export const DEFAULT_PRESET = "de35";

/** Where a shipped preset's file lives. */
export function presetPath(name: string): string {
  return fileURLToPath(new URL(`./presets/${name}.json`, import.meta.url));
}

/**
 * A dataset preset by name (`de35`, ...) or by path to a JSON file of the same shape. Throws a
 * {@link ConfigError} naming the preset and what is wrong with it.
 */
export function loadPreset(nameOrPath: string, cwd = process.cwd()): DatasetSpec {
  const isFile = /\.json$/i.test(nameOrPath);
  if (!isFile && !(PRESET_NAMES as readonly string[]).includes(nameOrPath)) {
    throw new ConfigError(
      `dataset "${nameOrPath}" is not a preset; use one of ${PRESET_NAMES.join(", ")}, a path to a preset .json file, or --keys/--time/--value for any long table`,
    );
  }
  const path = isFile ? (isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath)) : presetPath(nameOrPath);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ConfigError(`dataset preset "${nameOrPath}" cannot be read as JSON (${(cause as Error).message}); fix the file or pick a shipped preset`, {
      cause,
    });
  }
  return checkSpec(raw, `dataset preset "${nameOrPath}"`);
}

/** The parts of a dataset given on the command line or as settings (`--keys`, `--time`...). */
export interface DatasetFlags {
  keys?: string;
  time?: string;
  timeZone?: string;
  value?: string;
  unit?: string;
  /** A column holding each row's unit (`--unit-column`), checked against `unit`. */
  unitColumn?: string;
  /** The zone of the series' calendar (`--calendar-zone`; default the preset's, else `--time-zone`). */
  calendarZone?: string;
  /** The holidays of the series' calendar (`--holidays`: none or DK; default the preset's, else none). */
  holidays?: string;
}

/**
 * A spec for any long table: `--keys a[,b...]` (a column is a string key unless written `a:int`),
 * `--time`, `--time-zone` (default UTC), `--value`, `--unit` (default kWh), `--unit-column`
 * (optional: a column whose every row must hold the unit), `--calendar-zone` and `--holidays` (the
 * series' calendar: default the preset's, else the time zone and no holidays). Flags given alongside
 * a preset override its parts (e.g. another time zone); without a preset all of keys, time and
 * value are needed.
 */
export function applyDatasetFlags(base: DatasetSpec | undefined, flags: DatasetFlags): DatasetSpec {
  const given = Object.entries(flags).filter(([, v]) => v !== undefined);
  if (given.length === 0) {
    if (!base) throw new ConfigError("no dataset: set --dataset <preset> or --keys, --time and --value");
    return base;
  }
  if (!base) {
    const missing = (["keys", "time", "value"] as const).filter((k) => flags[k] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        `a dataset given by flags needs ${missing.map((m) => `--${m}`).join(", ")} as well (the key column(s), the hour column and the value column); or pick a preset with --dataset`,
      );
    }
  }
  const keys: KeySpec[] | undefined = flags.keys === undefined ? undefined : parseKeys(flags.keys);
  const spec: DatasetSpec = {
    name: base?.name ?? "file",
    title: base?.title ?? "Hourly panel from a file",
    ...(base?.api ? { api: base.api } : {}),
    time: { source: flags.time ?? base!.time.source, zone: flags.timeZone ?? base?.time.zone ?? "UTC" },
    keys: keys ?? base!.keys,
    value: { source: flags.value ?? base!.value.source, unit: (flags.unit ?? base?.value.unit ?? "kWh") as Unit },
  };
  // New columns make another dataset; a preset with only another zone or unit stays itself.
  if (keys || flags.time || flags.value) spec.name = "file";
  else if (base?.extraColumns) spec.extraColumns = base.extraColumns;
  const unitColumn = flags.unitColumn ?? (spec.name === base?.name ? base?.unitColumn : undefined);
  if (unitColumn !== undefined) spec.unitColumn = unitColumn;
  if (base?.calendar || flags.calendarZone !== undefined || flags.holidays !== undefined) {
    spec.calendar = {
      zone: flags.calendarZone ?? base?.calendar?.zone ?? spec.time.zone,
      holidays: (flags.holidays ?? base?.calendar?.holidays ?? "none") as HolidaySet,
    };
  }
  return checkSpec(spec, "the dataset flags (--keys/--time/--time-zone/--value/--unit/--unit-column/--calendar-zone/--holidays)");
}

function parseKeys(raw: string): KeySpec[] {
  const parts = raw.split(",").map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) {
    throw new ConfigError(`--keys must be a comma-separated list of column names like meter_id or MunicipalityNo,Branche, got "${raw}"`);
  }
  return parts.map((p) => {
    const m = /^(.+?)(?::(int|string))?$/.exec(p)!;
    return { source: m[1], name: m[1], type: m[2] === "int" ? "int32" : "utf8" };
  });
}

/** Checks the shape of a spec (from a file or flags) and fills defaults; names the first problem. */
export function checkSpec(raw: unknown, where: string): DatasetSpec {
  const fail = (what: string): never => {
    throw new ConfigError(`${where}: ${what}`);
  };
  if (typeof raw !== "object" || raw === null) fail("expected a JSON object with name, title, time, keys and value");
  const r = raw as Record<string, unknown>;
  const str = (v: unknown, name: string): string =>
    typeof v === "string" && v.trim() !== "" ? v : fail(`${name} must be a non-empty string, got ${JSON.stringify(v)}`);
  const time = (r.time ?? fail("lacks time: {source, zone}")) as Record<string, unknown>;
  const value = (r.value ?? fail("lacks value: {source, unit}")) as Record<string, unknown>;
  const unit = str(value.unit, "value.unit");
  if (!(UNITS as readonly string[]).includes(unit)) fail(`value.unit (--unit) must be one of ${UNITS.join(", ")}, got "${unit}"`);
  if (!Array.isArray(r.keys) || r.keys.length === 0) fail("keys must be a non-empty list of key columns (--keys a[,b...])");
  const keys = (r.keys as Array<Record<string, unknown>>).map((k, i) => {
    const source = str(k.source, `keys[${i}].source`);
    const type = k.type ?? "utf8";
    if (type !== "int8" && type !== "int32" && type !== "utf8") fail(`keys[${i}].type must be int8, int32 or utf8, got ${JSON.stringify(type)}`);
    const key: KeySpec = { source, name: k.name === undefined ? source : str(k.name, `keys[${i}].name`), type: type as KeySpec["type"] };
    if (k.codes !== undefined) key.codes = k.codes as Record<string, number>;
    if (k.values !== undefined) key.values = k.values as KeySpec["values"];
    if (k.titles !== undefined) key.titles = k.titles as Record<string, string>;
    return key;
  });
  const spec: DatasetSpec = {
    name: str(r.name, "name"),
    title: typeof r.title === "string" ? r.title : str(r.name, "name"),
    time: {
      source: str(time.source, "time.source (--time)"),
      zone: checkZone(typeof time.zone === "string" ? time.zone : "UTC", `${where}: time.zone (--time-zone)`),
    },
    keys,
    value: { source: str(value.source, "value.source (--value)"), unit: unit as Unit },
  };
  if (r.api !== undefined) spec.api = r.api as DatasetSpec["api"];
  if (Array.isArray(r.extraColumns)) spec.extraColumns = r.extraColumns as string[];
  if (typeof r.unitColumn === "string") spec.unitColumn = r.unitColumn;
  if (r.calendar !== undefined) spec.calendar = checkCalendar(r.calendar, where);
  const names = [spec.time.source, ...keys.map((k) => k.source), spec.value.source, ...(spec.unitColumn ? [spec.unitColumn] : [])];
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    const unit = spec.unitColumn ? `, unit: ${spec.unitColumn}` : "";
    fail(
      `column "${dup}" is used for two roles (time: ${spec.time.source}, keys: ${keys.map((k) => k.source).join(",")}, value: ${spec.value.source}${unit}); each role needs its own column`,
    );
  }
  const stored = keys.map((k) => k.name);
  const reserved = stored.find((n) => ["datetime_utc", "energy_consumption", "origin", "step", "prediction", "model", "run_id"].includes(n));
  if (reserved) {
    fail(
      `key column name "${reserved}" is reserved for the pipeline's own columns; rename the column in the file, or give the key another stored name with keys[].name in a preset file`,
    );
  }
  return spec;
}
