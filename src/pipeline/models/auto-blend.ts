import { PipelineError } from "../core/errors.js";
import { HOUR_MS } from "../time/index.js";
import { panelEnd, panelUntil, type Panel } from "../features/panel.js";
import { applyCalibration, calibrationToJSON, withCalibration, type Calibration } from "./conformal.js";
import type { Forecast } from "./forecast.js";
import { weightedSum } from "./weighted-sum.js";
import { checkHorizon, FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, reachOf, type Forecaster, type ForecasterJson } from "./forecaster.js";
import { candidateScores, chooseStepWeights, type StepWeightOptions, type WeightFold } from "./step-weights.js";

/** Settings of {@link AutoBlendForecaster}. */
export interface AutoBlendOptions {
  /** Steps whose weights are learned (later steps take the last step's weights). */
  horizon: number;
  /** Inner folds: origins `every`, 2 `every`, ... `folds` x `every` hours before the end of the history (0: equal weights). */
  folds: number;
  /** Hours between inner-fold origins (24: the same hour of the day as the forecast origin). */
  every: number;
  /** How the weights are chosen from the folds' forecasts ({@link chooseStepWeights}). */
  gridSteps: StepWeightOptions["gridSteps"];
  window: StepWeightOptions["window"];
  shrink: StepWeightOptions["shrink"];
  /** Weight vectors to choose among instead of the whole grid ({@link StepWeightOptions.candidates}). */
  candidates?: StepWeightOptions["candidates"];
}

/** What the last fit learned, kept in the JSON for inspection. */
export interface AutoBlendFitInfo {
  /** Inner-fold origins (ISO) whose forecasts chose the weights; empty: too little history, equal weights. */
  folds: string[];
  /** With candidates: each candidate's MAPE on those folds, in the candidates' order (null: no usable point). */
  scores?: Array<number | null>;
}

/**
 * A blend whose weights per horizon step are chosen by the data each time it is fitted: before
 * fitting its members on the whole history, it fits fresh members on the history up to the
 * earliest of `folds` inner origins (`every` hours apart, the latest `every` hours before the
 * end), forecasts `horizon` hours from each inner origin, and picks the step weights that would
 * have scored best against the actuals ({@link chooseStepWeights}). Every inner forecast ends at
 * or before the last hour of the history, so the weights use nothing a forecast from that history
 * could not know; in a backtest they are chosen afresh before each origin (nested evaluation).
 * Inner origins too early for a member to fit are dropped; with none left, the weights are equal.
 * No calendar rule: a member that fails on some days loses weight only if the recent folds show it.
 */
export class AutoBlendForecaster implements Forecaster {
  calibration: Calibration | undefined;
  /** `weights[step - 1][member]`, from the last fit (or the JSON). */
  weights: number[][];
  info: AutoBlendFitInfo = { folds: [] };

  /**
   * @param members the fitted (or to-be-fitted) members, in weight order
   * @param createMembers fresh, unfitted members in the same order, for the inner folds; a loaded
   *   model without it forecasts but cannot be refitted
   */
  constructor(
    readonly name: string,
    public members: Forecaster[],
    readonly options: AutoBlendOptions,
    private readonly createMembers?: () => Forecaster[],
    weights?: number[][],
  ) {
    if (members.length === 0) throw new PipelineError("model", `${name}: an auto blend needs at least one member`);
    for (const [k, v] of [
      ["horizon", options.horizon],
      ["folds", options.folds],
      ["every", options.every],
    ] as const) {
      if (!Number.isInteger(v) || v < (k === "folds" ? 0 : 1))
        throw new PipelineError("model", `${name}: ${k} must be an integer >= ${k === "folds" ? 0 : 1}, got ${v}`);
    }
    this.weights = weights ?? Array.from({ length: options.horizon }, () => members.map(() => 1 / members.length));
    if (this.weights.length !== options.horizon || this.weights.some((w) => w.length !== members.length)) {
      throw new PipelineError("model", `${name}: weights must be ${options.horizon} rows of ${members.length} numbers`);
    }
  }

  get historyHours(): number {
    return Math.max(...this.members.map((m) => m.historyHours ?? 0));
  }

  get reachHours(): number {
    return Math.max(...this.members.map(reachOf));
  }

  fit(history: Panel): void {
    if (!this.createMembers) throw new PipelineError("model", `${this.name}: a loaded auto blend cannot be refitted; create a fresh one from the catalog`);
    const { horizon, folds, every } = this.options;
    const end = panelEnd(history);
    // Inner origins, earliest first, whose horizon ends within the history.
    const origins: number[] = [];
    for (let k = folds; k >= 1; k--) {
      const origin = end - k * every * HOUR_MS;
      if (origin >= history.start && origin + horizon * HOUR_MS <= end) origins.push(origin);
    }
    const inner = this.innerFolds(history, origins);
    this.weights = chooseStepWeights(inner.folds, this.members.length, {
      horizon,
      gridSteps: this.options.gridSteps,
      window: this.options.window,
      shrink: this.options.shrink,
      ...(this.options.candidates ? { candidates: this.options.candidates } : {}),
    });
    const candidates = this.options.candidates;
    this.info = {
      folds: inner.used.map((o) => new Date(o).toISOString()),
      ...(candidates ? { scores: candidateScores(inner.folds, this.members.length, candidates, horizon).map((x) => (Number.isFinite(x) ? x : null)) } : {}),
    };
    this.members = this.createMembers();
    for (const m of this.members) m.fit(history);
  }

  /**
   * Fits fresh members once, at the earliest inner origin they can fit at, and forecasts from it
   * and every later inner origin with the history up to each: every inner forecast is of hours the
   * inner members never saw, for the price of one extra fit.
   */
  private innerFolds(history: Panel, origins: number[]): { folds: WeightFold[]; used: number[] } {
    const horizon = this.options.horizon;
    for (let first = 0; first < origins.length; first++) {
      const members = this.createMembers!();
      try {
        for (const m of members) m.fit(panelUntil(history, origins[first]));
      } catch (e) {
        // Too little history before this origin for some member: start at a later one.
        if (e instanceof PipelineError) continue;
        throw e;
      }
      const used = origins.slice(first);
      const folds = used.map((o) => {
        const upTo = panelUntil(history, o);
        return { members: members.map((m) => m.forecast(horizon, upTo).point), actual: actualsAfter(history, o, horizon) };
      });
      return { folds, used };
    }
    return { folds: [], used: [] };
  }

  forecast(horizon: number, history?: Panel): Forecast {
    checkHorizon(this.name, horizon);
    const parts = this.members.map((m) => m.forecast(horizon, history));
    // Steps beyond the chosen weights keep the last step's.
    const weights = Array.from({ length: horizon }, (_, i) => this.weights[Math.min(i + 1, this.weights.length) - 1]);
    const out = weightedSum(parts, horizon, weights);
    return this.calibration ? applyCalibration(out, this.calibration) : out;
  }

  toJSON(): ForecasterJson {
    const json: ForecasterJson = {
      format: FORECASTER_FORMAT,
      version: FORECASTER_FORMAT_VERSION,
      kind: "auto-blend",
      name: this.name,
      options: this.options,
      weights: this.weights,
      folds: this.info.folds,
      ...(this.info.scores ? { scores: this.info.scores } : {}),
      members: this.members.map((m) => m.toJSON()),
    };
    if (this.calibration) json.calibration = calibrationToJSON(this.calibration);
    return json;
  }

  /** Rebuilds a fitted auto blend from its JSON, loading each member with `load` (it forecasts; refitting needs `createMembers`). */
  static fromJSON(json: ForecasterJson, load: (member: ForecasterJson) => Forecaster, createMembers?: () => Forecaster[]): AutoBlendForecaster {
    const members = json.members;
    if (!Array.isArray(members)) throw new PipelineError("model", `${json.name}: an auto blend's JSON needs a "members" array`);
    const b = new AutoBlendForecaster(
      json.name,
      members.map((m: ForecasterJson) => load(m)),
      json.options as AutoBlendOptions,
      createMembers,
      json.weights as number[][],
    );
    b.info = {
      folds: Array.isArray(json.folds) ? (json.folds as string[]) : [],
      ...(Array.isArray(json.scores) ? { scores: json.scores as Array<number | null> } : {}),
    };
    return withCalibration(b, json);
  }
}

/** The observed values of the `horizon` hours after `origin` (NaN past the panel), in a forecast's layout. */
function actualsAfter(panel: Panel, origin: number, horizon: number): Float64Array {
  const base = (origin - panel.start) / HOUR_MS;
  const out = new Float64Array(panel.keys.length * horizon).fill(NaN);
  for (let s = 0; s < panel.keys.length; s++) {
    for (let step = 1; step <= horizon && base + step < panel.hours; step++) out[s * horizon + step - 1] = panel.values[s][base + step];
  }
  return out;
}
