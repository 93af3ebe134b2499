import { PipelineError } from "../core/errors.js";
import { buildTrainingRows, calendarFor, type FeatureMatrix, type StepRows } from "../features/matrix.js";
import { panelEnd, type Panel } from "../features/panel.js";
import { rowPlan, rowScale, seriesCodes, targetBase, writeFeatures } from "../features/row.js";
import { checkFeatureSpec, featureNames, historyNeeded, type FeatureSpec } from "../features/spec.js";
import { sameTypeReach } from "../features/same-type.js";
import { keyNames } from "../series/key.js";
import { applyCalibration, calibrationToJSON, withCalibration, type Calibration } from "./conformal.js";
import { emptyForecast, type Forecast } from "./forecast.js";
import { checkHorizon, FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, historyFor, type Forecaster, type ForecasterJson } from "./forecaster.js";
import { fitGbm, GbmModel, type GbmModelJson } from "./gbm/index.js";
import type { GbmForecasterOptions } from "./gbm-forecaster.js";

/** How {@link DirectGbmForecaster} splits the horizon and builds its training rows. */
export interface DirectOptions {
  /** Steps per model: the horizon is cut into blocks of this many steps (the last may be shorter). */
  blockSteps: number;
  /** The steps the models cover: forecasts beyond it are refused. */
  horizon: number;
  /** Training rows per target hour: one per step of the block, or one for a step that cycles ({@link StepRows}). */
  rows: StepRows["rows"];
}

/** The blocks of steps of `options`, in order. */
export function stepBlocks(options: DirectOptions): StepRows[] {
  const blocks: StepRows[] = [];
  for (let from = 1; from <= options.horizon; from += options.blockSteps) {
    blocks.push({ from, to: Math.min(options.horizon, from + options.blockSteps - 1), rows: options.rows });
  }
  return blocks;
}

/**
 * Direct multi-horizon global models: one gradient-boosted regressor per block of horizon steps,
 * pooled over every series like {@link GbmForecaster}, each forecasting the steps of its block from
 * the history at the origin alone, where the recursive model feeds its own predictions back as
 * lags. The features are the same {@link writeFeatures}, on the series with the hours between the
 * origin and the target missing: training rows hide them ({@link TrainingRowOptions.steps}), and
 * forecasting writes step h's row on the history followed by missing hours. A lag shorter than the
 * step is missing; windows average the hours they know; same-type means (24 h and more) are whole.
 */
export class DirectGbmForecaster implements Forecaster {
  readonly name: string;
  calibration: Calibration | undefined;
  readonly options: GbmForecasterOptions;
  readonly direct: DirectOptions;
  private models: GbmModel[] | undefined;
  private history: Panel | undefined;
  private keys: string[] | undefined;

  constructor(options: GbmForecasterOptions, direct: DirectOptions, models?: GbmModel[], keys?: string[]) {
    if (!(Number.isInteger(direct.blockSteps) && direct.blockSteps >= 1 && Number.isInteger(direct.horizon) && direct.horizon >= 1)) {
      throw new PipelineError("model", `${options.name ?? "gbm-direct"}: blockSteps and horizon must be integers >= 1; got ${JSON.stringify(direct)}`);
    }
    if (direct.rows !== "every" && direct.rows !== "one") {
      throw new PipelineError("model", `${options.name ?? "gbm-direct"}: rows must be "every" or "one"; got ${JSON.stringify(direct.rows)}`);
    }
    this.options = { ...options, features: checkFeatureSpec(options.features) };
    this.direct = { ...direct };
    this.name = options.name ?? "gbm-direct";
    this.models = models;
    this.keys = keys;
  }

  /** The fitted learners, one per block of steps in order (undefined before fit). */
  get learners(): readonly GbmModel[] | undefined {
    return this.models;
  }

  get historyHours(): number {
    return historyNeeded(this.options.features);
  }

  /** Its longest lag or window, or how far back its same-type means look when that is further. */
  get reachHours(): number {
    return Math.max(historyNeeded(this.options.features), sameTypeReach(this.options.features));
  }

  fit(history: Panel): void {
    this.models = stepBlocks(this.direct).map((steps) => {
      const rows = buildTrainingRows(history, this.options.features, { minHistory: this.options.minHistory, recentHours: this.options.trainHours, steps });
      if (rows.X.nRows === 0) {
        throw new PipelineError(
          "model",
          `${this.name}: the history (${history.hours} h) yields no training rows; it needs more than ${this.options.minHistory ?? "the feature window's"} hours per series`,
        );
      }
      return fitGbm(rows.X, rows.y, this.options.gbm);
    });
    this.history = history;
    this.keys = keyNames(history.keyColumns);
  }

  forecast(horizon: number, history?: Panel): Forecast {
    checkHorizon(this.name, horizon);
    const models = this.models;
    if (!models) throw new PipelineError("model", `${this.name} is not fitted; call fit() or load a fitted model`);
    if (horizon > this.direct.horizon) {
      throw new PipelineError(
        "model",
        `${this.name} has models for ${this.direct.horizon} steps, not ${horizon}; forecast at most ${this.direct.horizon} hours, or retrain it with a longer horizon`,
      );
    }
    const h = historyFor(this.name, history, this.history);
    const spec: FeatureSpec = this.options.features;
    const names = keyNames(h.keyColumns);
    if (this.keys && names.join(",") !== this.keys.join(",")) {
      throw new PipelineError(
        "model",
        `${this.name} was fitted on series keyed by ${this.keys.join(", ")}, the history is keyed by ${names.join(", ")}; retrain on this dataset`,
      );
    }
    const plan = rowPlan(spec, names.length);
    const codes = seriesCodes(h.keys);
    const nSeries = h.keys.length;
    const n = h.hours;
    const out = emptyForecast(panelEnd(h), horizon, h);
    // The hours after the origin are missing, as the training rows of each step hid them.
    const buffers = h.values.map((v) => {
      const b = new Float64Array(n + horizon).fill(NaN);
      b.set(v);
      return b;
    });
    const cal = calendarFor(h.start, spec, n, n + horizon);
    const columns = Array.from({ length: plan.nFeatures }, () => new Float64Array(nSeries));
    const X: FeatureMatrix = { nRows: nSeries, nFeatures: plan.nFeatures, columns, names: featureNames(spec, names) };
    const scales = new Float64Array(nSeries);
    const bases = new Float64Array(nSeries);
    for (const [b, block] of stepBlocks(this.direct).entries()) {
      for (let step = block.from; step <= Math.min(block.to, horizon); step++) {
        const t = n - 1 + step;
        for (let s = 0; s < nSeries; s++) {
          scales[s] = rowScale(spec, buffers[s], t, n);
          bases[s] = targetBase(spec, buffers[s], t);
          writeFeatures(plan, cal, codes[s], buffers[s], t, scales[s], columns, s);
          // No usable scale (all-missing or all-zero week): keep the learner's input finite.
          if (!(scales[s] > 0)) for (let f = 0; f < plan.nFeatures; f++) columns[f][s] = NaN;
        }
        const ratio = models[b].predict(X);
        for (let s = 0; s < nSeries; s++) {
          const sc = scales[s];
          out.point[s * horizon + step - 1] = sc > 0 ? Math.max(0, bases[s] + ratio[s] * sc) : sc === 0 ? 0 : NaN;
        }
      }
    }
    return this.calibration ? applyCalibration(out, this.calibration) : out;
  }

  toJSON(): ForecasterJson {
    if (!this.models) throw new PipelineError("model", `${this.name} is not fitted; there is nothing to save`);
    const json: ForecasterJson = {
      format: FORECASTER_FORMAT,
      version: FORECASTER_FORMAT_VERSION,
      kind: "gbm-direct",
      name: this.name,
      features: this.options.features,
      keys: this.keys ?? null,
      featureNames: featureNames(this.options.features, this.keys ?? []),
      minHistory: this.options.minHistory ?? null,
      trainHours: this.options.trainHours ?? null,
      direct: this.direct,
      learners: this.models.map((m) => m.toJSON()),
    };
    if (this.calibration) json.calibration = calibrationToJSON(this.calibration);
    return json;
  }

  /** Rebuilds a fitted model from {@link DirectGbmForecaster.toJSON}'s output (pass the recent history to forecast()). */
  static fromJSON(json: ForecasterJson): DirectGbmForecaster {
    const features = json.features as FeatureSpec;
    const keys = json.keys as string[];
    if (JSON.stringify(featureNames(features, keys)) !== JSON.stringify(json.featureNames)) {
      throw new PipelineError(
        "model",
        `${json.name}: the saved feature list does not match what this code builds from the saved feature spec; the artifact was made by an incompatible version, retrain it`,
      );
    }
    const direct = json.direct as DirectOptions;
    const learners = (json.learners as GbmModelJson[]).map((l) => GbmModel.fromJSON(l));
    if (learners.length !== stepBlocks(direct).length) {
      throw new PipelineError(
        "model",
        `${json.name}: ${learners.length} saved learners for ${stepBlocks(direct).length} blocks of steps; the artifact is damaged, retrain it`,
      );
    }
    const m = new DirectGbmForecaster(
      {
        name: json.name,
        features,
        gbm: learners[0].params,
        minHistory: (json.minHistory as number | null) ?? undefined,
        trainHours: (json.trainHours as number | null) ?? undefined,
      },
      direct,
      learners,
      keys,
    );
    return withCalibration(m, json);
  }
}
