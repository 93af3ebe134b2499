import { PipelineError } from "../pipeline/core/errors.js";
import { isMissing } from "./context.js";

/**
 * Minimum or maximum of a column's non-missing values (null when there are none). Values must
 * be numbers (Dates count as their epoch ms): a min/max over strings would compare text, which
 * a numeric bound cannot mean.
 */
export function columnExtreme(values: ArrayLike<unknown>, column: string, which: "min" | "max"): number | null {
  let best: number | null = null;
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    if (isMissing(raw)) continue;
    const v = raw instanceof Date ? raw.getTime() : raw;
    if (typeof v !== "number") {
      throw new PipelineError("validate", `column "${column}" holds a non-numeric value ${JSON.stringify(v)} at row ${i}; ${which} needs numbers`);
    }
    if (best === null || (which === "min" ? v < best : v > best)) best = v;
  }
  return best;
}
