import { DANISH_CALENDAR, type CalendarSpec } from "../features/calendar.js";
import type { TableSchema } from "../parquet/schema.js";
import type { KeyColumn, KeyValue } from "../series/key.js";

/**
 * What a dataset looks like: which columns identify a series, which holds the hour and in what
 * zone, which holds the value and in what unit. None of this is a constant of the code: a
 * {@link DatasetSpec} comes from a preset file (`presets/*.json`) or from `--keys/--time/--value`.
 */

/** Units a value column may carry; shown on the report's axes and tables. */
export const UNITS = ["Wh", "kWh", "MWh", "GWh", "kW", "MW"] as const;
/** One of {@link UNITS}. */
export type Unit = (typeof UNITS)[number];

/** A key column: where it comes from in the source and how it is stored. */
export interface KeySpec extends KeyColumn {
  /** Column name in the source (API records, CSV header, parquet field). */
  source: string;
  /** Source text -> stored integer (DE35's price areas: `DK1` -> 1). Unknown texts fail validation. */
  codes?: Record<string, number>;
  /** The stored values the dataset may hold (a fixed set, checked by validation); absent: learned from the data. */
  values?: KeyValue[];
  /** Stored value -> a readable title for labels (report, notebooks). */
  titles?: Record<string, string>;
}

/** How the dataset is published by the Energi Data Service, for presets of its datasets. */
export interface ApiSpec {
  /** Dataset name in the API, e.g. `ProductionConsumptionSettlement`. */
  dataset: string;
  /** How often new hours appear: the scheduled job's cadence. */
  cadence: "hourly" | "daily";
  /** Typical days between an hour and its publication (the default data delay). */
  delayDays: number;
  /** Days before the store's latest hour that each incremental extract fetches again, to pick up corrections. */
  revisionDays: number;
}

/** A dataset: its source columns, its series key, its value and unit. */
export interface DatasetSpec {
  /** Preset id (`de35`, `production-consumption-settlement`...) or `file` for flags. */
  name: string;
  /** Human-readable title. */
  title: string;
  /** Present for Energi Data Service datasets. */
  api?: ApiSpec;
  /** The hour column: UTC, or wall-clock time in an IANA zone. */
  time: { source: string; zone: string };
  /** Columns the source carries that we know of but do not use (e.g. `HourDK`); kept in quarantined extracts. */
  extraColumns?: string[];
  /** The series key, in order. */
  keys: KeySpec[];
  /** The value column (stored as `energy_consumption`) and its unit. */
  value: { source: string; unit: Unit };
  /** Optional column holding each row's unit; every row must carry `value.unit`. */
  unitColumn?: string;
  /**
   * The calendar the series live by (models read hour, weekday and holidays on it). Absent: the
   * time column's zone and no holidays; see {@link datasetCalendar}.
   */
  calendar?: CalendarSpec;
}

/**
 * The calendar of a dataset: its own, else the wall clock of its time column with no holidays
 * (a dataset whose hours are UTC then gets UTC days: name a calendar in its preset, or give
 * `--calendar-zone` and `--holidays`).
 */
export function datasetCalendar(spec: Pick<DatasetSpec, "calendar" | "time">): CalendarSpec {
  return spec.calendar ?? { zone: spec.time.zone, holidays: "none" };
}

/** The canonical time column: hour start, epoch ms in memory, millisecond UTC timestamp in parquet. */
export const TIME_COLUMN = "datetime_utc";
/** The canonical value column, whatever the source called it. */
export const VALUE_COLUMN = "energy_consumption";

/** The key columns of a dataset's canonical tables. */
export function keyColumns(spec: Pick<DatasetSpec, "keys">): KeyColumn[] {
  return spec.keys.map((k) => ({ name: k.name, type: k.type }));
}

/** Column names of the canonical feature table: `datetime_utc`, the keys, `energy_consumption`. */
export function featureColumns(spec: Pick<DatasetSpec, "keys">): string[] {
  return [TIME_COLUMN, ...spec.keys.map((k) => k.name), VALUE_COLUMN];
}

/** The feature table's parquet schema for a dataset (DE35: the reference's four columns and types). */
export function featureSchema(keys: readonly KeyColumn[]): TableSchema {
  return [[TIME_COLUMN, "timestamp"], ...keys.map((k) => [k.name, k.type] as const), [VALUE_COLUMN, "float64"]];
}

/** Source column names a dataset reads, in order: time, keys, value (then the unit column). */
export function sourceColumns(spec: DatasetSpec): string[] {
  return [spec.time.source, ...spec.keys.map((k) => k.source), spec.value.source, ...(spec.unitColumn ? [spec.unitColumn] : [])];
}

/**
 * What readers of a store need to know about its series (the report, notebooks, predict): the
 * dataset, key columns with their titles, and the unit. Recorded in the feature-group manifest.
 */
export interface DatasetInfo {
  name: string;
  title: string;
  keys: Array<KeyColumn & { titles?: Record<string, string> }>;
  unit: Unit;
  /** The series' calendar ({@link datasetCalendar}); absent in manifests written before it was recorded. */
  calendar?: CalendarSpec;
}

/** The {@link DatasetInfo} of a spec. */
export function datasetInfo(spec: DatasetSpec): DatasetInfo {
  return {
    name: spec.name,
    title: spec.title,
    keys: spec.keys.map((k) => ({ name: k.name, type: k.type, ...(k.titles ? { titles: k.titles } : {}) })),
    unit: spec.value.unit,
    calendar: datasetCalendar(spec),
  };
}

/**
 * The calendar models of a stored dataset read hours and days on: the one its manifest records,
 * else the Danish one, which every model of a store written before calendars were recorded used.
 */
export function storedCalendar(info: Pick<DatasetInfo, "calendar">): CalendarSpec {
  return info.calendar ?? DANISH_CALENDAR;
}

/**
 * The DE35 series as stores written before datasets were configuration hold them (their
 * manifests record no dataset): `area` int8, `consumer_type` int32, kWh.
 */
export const LEGACY_DE35_INFO: DatasetInfo = {
  name: "de35",
  title: "Hourly consumption per price area and DE35 consumer type (ConsumptionDE35Hour, stopped 2023)",
  keys: [
    { name: "area", type: "int8", titles: { "0": "DK (all Denmark)", "1": "DK1 (West Denmark)", "2": "DK2 (East Denmark)" } },
    { name: "consumer_type", type: "int32" },
  ],
  unit: "kWh",
};
