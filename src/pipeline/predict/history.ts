import type { ColumnTable } from "arquero";

/**
 * Adds a run's forecasts to the forecast history. Rows are keyed by (origin, series key,
 * datetime_utc): forecasts of the same hour made from different origins all stay, so every error
 * can be traced to the run that made it; a rerun of the same origin replaces its own rows instead
 * of duplicating them (idempotent). `keys` names the key columns.
 */
export function mergeForecastHistory(history: ColumnTable | undefined, run: ColumnTable, keys: readonly string[]): { table: ColumnTable; replaced: number } {
  const order = ["origin", ...keys, "datetime_utc"];
  if (!history || history.numRows() === 0) return { table: run.orderby(...order), replaced: 0 };
  const kept = history.antijoin(run, [order, order]);
  const replaced = history.numRows() - kept.numRows();
  return { table: kept.concat(run.select(history.columnNames())).orderby(...order), replaced };
}
