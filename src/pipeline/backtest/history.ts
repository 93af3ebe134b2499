import { PipelineError } from "../core/errors.js";
import type { DatasetSpec } from "../dataset/spec.js";
import { panelFromTable, type Panel } from "../features/panel.js";
import type { Source } from "../ingest/source.js";
import { transformRaw } from "../ingest/transform.js";

/**
 * Everything a file source holds, as a panel: extract its whole extent, transform to the
 * canonical columns, and lay the series on one hourly grid. Throws when the source cannot say
 * what it holds (the API: a backtest needs a file) or holds rows with unknown areas.
 */
export async function loadSourcePanel(source: Source, spec: DatasetSpec): Promise<Panel> {
  const extent = await source.extent(spec);
  if (!extent) {
    throw new PipelineError("backtest", `${source.description} cannot list its time extent; backtest from a file (--source embedded, file:<path.csv> or a path to a CSV/parquet file)`);
  }
  const { table, report } = transformRaw(await source.extract(extent, spec), spec);
  const unknown = Object.keys(report.unknownAreas);
  if (unknown.length > 0) {
    throw new PipelineError("backtest", `${source.description} has rows with price area(s) ${unknown.join(", ")} not in the dataset's areas (${Object.keys(spec.areas).join(", ")}); set EDS_AREAS or fix the file`);
  }
  return panelFromTable(table, source.description);
}
