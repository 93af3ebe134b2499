/**
 * The series of the store's dataset as the pages show them. Which columns identify a series, the
 * titles of their values and the unit come from the feature store's manifest
 * (`FeatureStore.info()`), never from the settings, so the report shows any dataset the pipeline
 * ingested. Series ids and labels are made by src/pipeline/series/key.ts only.
 */
import type { ColumnTable } from "arquero";
import {
  PRESET_NAMES,
  keyAt,
  keyValueLabel,
  loadPreset,
  rowSeriesIds,
  seriesId,
  seriesLabel,
  storedCalendar,
  type CalendarSpec,
  type DatasetInfo, type KeyValue, type RunManifest, type SeriesKey } from "../../../src/pipeline/index.js";

/** The dataset as every page receives it. */
export interface DatasetOut {
  name: string;
  title: string;
  /** Key columns in order, with the titles of their values where the dataset has them. */
  keys: Array<{ name: string; titles?: Record<string, string> }>;
  /** Unit of the values (`kWh`, `MWh`, `MW`...). */
  unit: string;
  /** The calendar the models read hours, weekdays and holidays on (the store's; Danish for stores older than calendars). */
  calendar: CalendarSpec;
}

/** A series as the pages list it: its key values (in key-column order), their titles, and its label. */
export interface SeriesRef {
  key: KeyValue[];
  /** Each key value as readers see it (its title where the dataset has one). */
  parts: string[];
  label: string;
}

/** {@link DatasetOut} of the store's dataset. */
export function datasetOut(info: DatasetInfo): DatasetOut {
  return {
    name: info.name,
    title: info.title,
    keys: info.keys.map((k) => (k.titles ? { name: k.name, titles: k.titles } : { name: k.name })),
    unit: info.unit,
    calendar: storedCalendar(info),
  };
}

/**
 * The dataset with the titles its shipped preset gives key values that the store's manifest does
 * not title. A manifest records the titles of the preset as it was at ingest (or none at all, in
 * stores older than datasets): readers should not see bare codes because the store predates a
 * title. Only a dataset still named after a preset, with the same key column, takes its titles;
 * titles recorded in the manifest win.
 */
export function withPresetTitles(info: DatasetInfo): DatasetInfo {
  if (!(PRESET_NAMES as readonly string[]).includes(info.name)) return info;
  const preset = loadPreset(info.name);
  return {
    ...info,
    keys: info.keys.map((k) => {
      const titles = preset.keys.find((p) => p.name === k.name && p.type === k.type)?.titles;
      return titles ? { ...k, titles: { ...titles, ...k.titles } } : k;
    }),
  };
}

/** The page's reference to one series. */
export function seriesRef(key: SeriesKey, info: DatasetInfo): SeriesRef {
  return { key: [...key], parts: key.map((v, i) => keyValueLabel(v, info.keys[i])), label: seriesLabel(key, info.keys) };
}

/** The key column arrays of a table with the dataset's key columns. */
export function keyArrays(table: ColumnTable, info: DatasetInfo): Array<ArrayLike<unknown>> {
  return info.keys.map((k) => table.array(k.name) as ArrayLike<unknown>);
}

/** The series id of every row of a table. */
export function tableSeriesIds(table: ColumnTable, info: DatasetInfo): string[] {
  return rowSeriesIds(keyArrays(table, info), table.numRows());
}

/** The distinct series of a table, by id, in order of first appearance. */
export function distinctSeries(table: ColumnTable, info: DatasetInfo): Map<string, SeriesKey> {
  const columns = keyArrays(table, info);
  const ids = rowSeriesIds(columns, table.numRows());
  const out = new Map<string, SeriesKey>();
  ids.forEach((id, i) => {
    if (!out.has(id)) out.set(id, keyAt(columns, i));
  });
  return out;
}

/** A key recorded as `{column: value}` (run manifests) as a {@link SeriesKey} of the dataset. */
export function keyFromNamed(named: Record<string, KeyValue>, info: DatasetInfo): SeriesKey {
  return info.keys.map((k) => named[k.name]);
}

/** The id of a key recorded as `{column: value}`. */
export function namedSeriesId(named: Record<string, KeyValue>, info: DatasetInfo): string {
  return seriesId(keyFromNamed(named, info));
}

/** A stale series (not forecast) of a run, for the pages. */
export interface StaleOut extends SeriesRef {
  lastObserved: string | null;
  reason: string;
}

/** A series a run forecast with the baseline (too little history for the model), for the pages. */
export interface BaselineOut extends SeriesRef {
  hours: number;
}

/**
 * The stale and baseline series of a run, labelled (manifests written before series could come
 * and go have neither). Capped at `max` each; the counts are the full ones.
 */
export function runSeriesNotes(predict: RunManifest["predict"], info: DatasetInfo, max = 50): { staleCount: number; stale: StaleOut[]; baselineCount: number; baseline: BaselineOut[] } {
  const stale = (predict.stale ?? []) as Array<{ key: Record<string, KeyValue>; lastObserved?: string; reason?: string }>;
  const baseline = (predict.baseline ?? []) as Array<{ key: Record<string, KeyValue>; hours: number }>;
  return {
    staleCount: stale.length,
    stale: stale.slice(0, max).map((s) => ({
      ...seriesRef(keyFromNamed(s.key, info), info),
      lastObserved: s.lastObserved ? s.lastObserved : null,
      reason: s.reason ?? "no observation at the origin",
    })),
    baselineCount: baseline.length,
    baseline: baseline.slice(0, max).map((s) => ({ ...seriesRef(keyFromNamed(s.key, info), info), hours: s.hours })),
  };
}
