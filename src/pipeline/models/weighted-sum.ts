import { emptyForecast, type Forecast } from "./forecast.js";

/**
 * The members' forecasts combined with one weight per member for each horizon step
 * (`weights[step - 1][member]`). A member without a forecast at a point (e.g. the naive's source
 * hour is missing) is left out there and the others' weights renormalised, rather than losing the
 * point.
 */
export function weightedSum(parts: readonly Forecast[], horizon: number, weights: ReadonlyArray<readonly number[]>): Forecast {
  const out = emptyForecast(parts[0].origin, horizon, parts[0]);
  const n = out.keys.length;
  for (let step = 1; step <= horizon; step++) {
    const w = weights[step - 1];
    for (let s = 0; s < n; s++) {
      const i = s * horizon + step - 1;
      let sum = 0;
      let weight = 0;
      for (let k = 0; k < parts.length; k++) {
        const v = parts[k].point[i];
        if (w[k] > 0 && Number.isFinite(v)) {
          sum += w[k] * v;
          weight += w[k];
        }
      }
      out.point[i] = weight > 0 ? sum / weight : NaN;
    }
  }
  return out;
}
