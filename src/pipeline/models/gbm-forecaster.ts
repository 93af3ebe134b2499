import { PipelineError } from "../core/errors.js";
import { buildTrainingRows, calendarFor, type FeatureMatrix, type StepRows, type TrainingRows } from "../features/matrix.js";
import { panelEnd, type Panel } from "../features/panel.js";
import { rowPlan, rowScale, seriesCodes, targetBase, writeFeatures } from "../features/row.js";
import { keyNames } from "../series/key.js";
import { checkFeatureSpec, featureNames, historyNeeded, type FeatureSpec } from "../features/spec.js";
import { sameTypeReach } from "../features/same-type.js";
import { fitGbm, GbmModel, type GbmModelJson, type GbmParams } from "./gbm/index.js";
import { applyCalibration, calibrationToJSON, withCalibration, type Calibration } from "./conformal.js";
import { emptyForecast, type Forecast } from "./forecast.js";
import { checkHorizon, FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, historyFor, type Forecaster, type ForecasterJson } from "./forecaster.js";

/** Settings of {@link GbmForecaster}. */
export interface GbmForecasterOptions {
  /** Name the model is known by (default `gbm`). */
  name?: string;
  features: FeatureSpec;
  gbm: Partial<GbmParams>;
  /**
   * Hours of history a training row needs (default: all features defined). Smaller values add
   * early rows whose longest lags are missing.
   */
  minHistory?: number;
  /** Train on the most recent this many hours of targets only (default: all the history). */
  trainHours?: number;
}

/**
 * The global model: one gradient-boosted regressor pooled over every series, on targets and
 * lag features divided by each series' recent mean (so series of any size share one model),
 * forecasting recursively: each step's prediction is appended to the history the next step's
 * features are computed from, by the same {@link writeFeatures} that built the training rows.
 */
export class GbmForecaster implements Forecaster {
  readonly name: string;
  calibration: Calibration | undefined;
  readonly options: GbmForecasterOptions;
  private model: GbmModel | undefined;
  private history: Panel | undefined;
  /** Names of the key columns the model was fitted with (its identity features). */
  private keys: string[] | undefined;

  constructor(options: GbmForecasterOptions, model?: GbmModel, keys?: string[]) {
    this.options = { ...options, features: checkFeatureSpec(options.features) };
    this.name = options.name ?? "gbm";
    this.model = model;
    this.keys = keys;
  }

  get historyHours(): number {
    return historyNeeded(this.options.features);
  }

  /** Its longest lag or window, or how far back its same-type means look when that is further. */
  get reachHours(): number {
    return Math.max(historyNeeded(this.options.features), sameTypeReach(this.options.features));
  }

  /** The fitted learner (undefined before fit). */
  get learner(): GbmModel | undefined {
    return this.model;
  }

  fit(history: Panel): void {
    const rows = globalTrainingRows(this.name, history, this.options);
    this.model = fitGbm(rows.X, rows.y, this.options.gbm);
    this.history = history;
    this.keys = keyNames(history.keyColumns);
  }

  forecast(horizon: number, history?: Panel): Forecast {
    checkHorizon(this.name, horizon);
    const model = this.model;
    if (!model) throw new PipelineError("model", `${this.name} is not fitted; call fit() or load a fitted model`);
    const h = historyFor(this.name, history, this.history);
    const out = globalForecast(h, this.options.features, sameKeys(this.name, this.keys, h), horizon, () => model, true);
    return this.calibration ? applyCalibration(out, this.calibration) : out;
  }

  toJSON(): ForecasterJson {
    if (!this.model) throw new PipelineError("model", `${this.name} is not fitted; there is nothing to save`);
    const json: ForecasterJson = { ...globalModelJson("gbm", this.name, this.options, this.keys), learner: this.model.toJSON() };
    if (this.calibration) json.calibration = calibrationToJSON(this.calibration);
    return json;
  }

  /** Rebuilds a fitted model from {@link GbmForecaster.toJSON}'s output (pass the recent history to forecast()). */
  static fromJSON(json: ForecasterJson): GbmForecaster {
    const learner = GbmModel.fromJSON(json.learner as GbmModelJson);
    const { options, keys } = readGlobalModelJson(json, learner.params);
    return withCalibration(new GbmForecaster(options, learner, keys), json);
  }
}

/**
 * The forecast of a global model from `history` for `horizon` steps: step by step, every series'
 * row written by {@link writeFeatures} at the target hour, predicted by `learnerAt(step)` and
 * turned back into the series' unit (base + scale x prediction, at least 0). `recursive`: each
 * step's prediction is appended to the history the next step's features read (the recursive
 * model); otherwise the hours after the origin stay missing (direct models, whose training rows
 * hid them the same way).
 */
export function globalForecast(
  history: Panel,
  spec: FeatureSpec,
  keys: string[],
  horizon: number,
  learnerAt: (step: number) => GbmModel,
  recursive: boolean,
): Forecast {
  const plan = rowPlan(spec, keys.length);
  const codes = seriesCodes(history.keys);
  const nSeries = history.keys.length;
  const n = history.hours;
  const out = emptyForecast(panelEnd(history), horizon, history);
  const buffers = history.values.map((v) => {
    const b = new Float64Array(n + horizon).fill(NaN);
    b.set(v);
    return b;
  });
  const cal = calendarFor(history.start, spec, n, n + horizon);
  const columns = Array.from({ length: plan.nFeatures }, () => new Float64Array(nSeries));
  const X: FeatureMatrix = { nRows: nSeries, nFeatures: plan.nFeatures, columns, names: featureNames(spec, keys) };
  const scales = new Float64Array(nSeries);
  for (let step = 1; step <= horizon; step++) {
    const t = n - 1 + step;
    for (let s = 0; s < nSeries; s++) {
      scales[s] = rowScale(spec, buffers[s], t, n);
      writeFeatures(plan, cal, codes[s], buffers[s], t, scales[s], columns, s);
      // No usable scale (all-missing or all-zero week): keep the learner's input finite.
      if (!(scales[s] > 0)) for (let f = 0; f < plan.nFeatures; f++) columns[f][s] = NaN;
    }
    const ratio = learnerAt(step).predict(X);
    for (let s = 0; s < nSeries; s++) {
      const sc = scales[s];
      const y = sc > 0 ? Math.max(0, targetBase(spec, buffers[s], t) + ratio[s] * sc) : sc === 0 ? 0 : NaN;
      if (recursive) buffers[s][t] = y;
      out.point[s * horizon + step - 1] = y;
    }
  }
  return out;
}

/**
 * The training rows of a global model (this one, or a direct one's block of `steps`), refused
 * with what to do when the history yields none.
 */
export function globalTrainingRows(name: string, history: Panel, options: GbmForecasterOptions, steps?: StepRows): TrainingRows {
  const rows = buildTrainingRows(history, options.features, { minHistory: options.minHistory, recentHours: options.trainHours, steps });
  if (rows.X.nRows === 0) {
    throw new PipelineError(
      "model",
      `${name}: the history (${history.hours} h) yields no training rows; it needs more than ${options.minHistory ?? "the feature window's"} hours per series`,
    );
  }
  return rows;
}

/** The key column names of `history`, refused unless they are those the model was fitted with (when known). */
export function sameKeys(name: string, fitted: string[] | undefined, history: Panel): string[] {
  const names = keyNames(history.keyColumns);
  if (fitted && names.join(",") !== fitted.join(",")) {
    throw new PipelineError(
      "model",
      `${name} was fitted on series keyed by ${fitted.join(", ")}, the history is keyed by ${names.join(", ")}; retrain on this dataset`,
    );
  }
  return names;
}

/** The saved fields every global model shares: its features, their names, its keys and row settings. */
export function globalModelJson(kind: string, name: string, options: GbmForecasterOptions, keys: string[] | undefined): ForecasterJson {
  return {
    format: FORECASTER_FORMAT,
    version: FORECASTER_FORMAT_VERSION,
    kind,
    name,
    features: options.features,
    keys: keys ?? null,
    featureNames: featureNames(options.features, keys ?? []),
    minHistory: options.minHistory ?? null,
    trainHours: options.trainHours ?? null,
  };
}

/**
 * The options and keys of a saved global model ({@link globalModelJson}), with its learner's
 * settings; refused when the saved feature names are not what this code builds from the spec.
 */
export function readGlobalModelJson(json: ForecasterJson, gbm: Partial<GbmParams>): { options: GbmForecasterOptions; keys: string[] } {
  const features = json.features as FeatureSpec;
  // Artifacts from before datasets were configuration were all DE35.
  const keys = Array.isArray(json.keys) ? (json.keys as string[]) : ["area", "consumer_type"];
  if (JSON.stringify(featureNames(features, keys)) !== JSON.stringify(json.featureNames)) {
    throw new PipelineError(
      "model",
      `${json.name}: the saved feature list does not match what this code builds from the saved feature spec; the artifact was made by an incompatible version, retrain it`,
    );
  }
  const options: GbmForecasterOptions = {
    name: json.name,
    features,
    gbm,
    minHistory: (json.minHistory as number | null) ?? undefined,
    trainHours: (json.trainHours as number | null) ?? undefined,
  };
  return { options, keys };
}
