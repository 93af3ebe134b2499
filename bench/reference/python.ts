import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Panel } from "../../src/pipeline/features/panel.js";
import { keyFeature } from "../../src/pipeline/series/key.js";

/** What the reference script returns for one origin. */
export interface ReferenceOrigin {
  origin: string;
  fitSeconds: number;
  predictSeconds: number;
  trainRows: number;
  /** Per series (in panel order), the forecast of steps 1..horizon. */
  point: number[][];
}

/**
 * A Python interpreter that imports scikit-learn, pandas and numpy: `$PYTHON`, else `python3`,
 * else Debian's `/usr/bin/python3` (the `python3` first on PATH may be another interpreter
 * without Debian's packages). Undefined when none does.
 */
export function findPython(): string | undefined {
  const candidates = [process.env.PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => !!c);
  for (const c of new Set(candidates)) {
    const r = spawnSync(c, ["-c", "import sklearn, pandas, numpy"], { stdio: "ignore" });
    if (r.status === 0) return c;
  }
  return undefined;
}

/**
 * Writes a panel as the long CSV the reference reads: series_id (the panel's series order),
 * datetime_utc (ISO), the key columns as numbers, energy_consumption (empty when missing).
 */
export function exportPanelCsv(panel: Panel, path: string): void {
  const names = panel.keyColumns.map((k) => k.name);
  const lines = [["series_id", "datetime_utc", ...names, "energy_consumption"].join(",")];
  const times = Array.from({ length: panel.hours }, (_, i) => new Date(panel.start + i * 3_600_000).toISOString());
  panel.keys.forEach((key, s) => {
    const ident = key.map(keyFeature).join(",");
    const v = panel.values[s];
    for (let i = 0; i < panel.hours; i++) lines.push(`${s},${times[i]},${ident},${Number.isFinite(v[i]) ? v[i] : ""}`);
  });
  writeFileSync(path, lines.join("\n") + "\n");
}
