import type { ColumnTable } from "arquero";

/**
 * Adds a run's forecasts to the forecast history. Rows are keyed by (origin, area,
 * consumer_type, datetime_utc): forecasts of the same hour made from different origins all stay,
 * so every error can be traced to the run that made it; a rerun of the same origin replaces its
 * own rows instead of duplicating them (idempotent).
 */
export function mergeForecastHistory(history: ColumnTable | undefined, run: ColumnTable): { table: ColumnTable; replaced: number } {
  if (!history || history.numRows() === 0) return { table: sortHistory(run), replaced: 0 };
  const keys = ["origin", "area", "consumer_type", "datetime_utc"];
  const kept = history.antijoin(run, [keys, keys]);
  const replaced = history.numRows() - kept.numRows();
  return { table: sortHistory(kept.concat(run.select(history.columnNames()))), replaced };
}

function sortHistory(t: ColumnTable): ColumnTable {
  return t.orderby("origin", "area", "consumer_type", "datetime_utc");
}
