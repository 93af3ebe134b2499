import * as aq from "arquero";
import { applyDatasetFlags, type DatasetFlags } from "../../src/pipeline/dataset/preset.js";
import { datasetInfo, keyColumns } from "../../src/pipeline/dataset/spec.js";
import type { Panel } from "../../src/pipeline/features/panel.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import { keyColumnsFor, type SeriesKey } from "../../src/pipeline/series/key.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { HOUR_MS } from "../../src/pipeline/time/index.js";

/** The feature group the tests' stores hold. */
export const PANEL_GROUP = { name: "energy_consumption", version: 1 };

/**
 * Writes `panel` (keys `region:int,meter`, as bench/lib/synthetic-panel.ts makes them) into the
 * feature store as a generic dataset, with extra dataset flags (a time zone, a calendar), as an
 * ingest of such a file would record it.
 */
export async function storePanel(storage: Storage, panel: Panel, flags: Partial<DatasetFlags> = {}): Promise<void> {
  const spec = applyDatasetFlags(undefined, { keys: "region:int,meter", time: "hour", value: "kwh", unit: "kWh", ...flags });
  const n = panel.keys.length * panel.hours;
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  const keys: SeriesKey[] = new Array(n);
  for (let s = 0, i = 0; s < panel.keys.length; s++) {
    for (let h = 0; h < panel.hours; h++, i++) {
      time[i] = panel.start + h * HOUR_MS;
      value[i] = panel.values[s][h];
      keys[i] = panel.keys[s];
    }
  }
  const table = aq.table({ datetime_utc: time, ...keyColumnsFor(keys, keyColumns(spec)), energy_consumption: value });
  await new FeatureStore(storage, PANEL_GROUP, undefined, datasetInfo(spec)).upsert(table, "run-ingest", new Date());
}
