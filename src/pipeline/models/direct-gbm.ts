import { PipelineError } from "../core/errors.js";
import type { StepRows } from "../features/matrix.js";
import type { Panel } from "../features/panel.js";
import { checkFeatureSpec, historyNeeded } from "../features/spec.js";
import { sameTypeReach } from "../features/same-type.js";
import { keyNames } from "../series/key.js";
import { applyCalibration, calibrationToJSON, withCalibration, type Calibration } from "./conformal.js";
import type { Forecast } from "./forecast.js";
import { checkHorizon, historyFor, type Forecaster, type ForecasterJson } from "./forecaster.js";
import { fitGbm, GbmModel, type GbmModelJson } from "./gbm/index.js";
import { globalForecast, globalModelJson, globalTrainingRows, readGlobalModelJson, sameKeys, type GbmForecasterOptions } from "./gbm-forecaster.js";

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
      const rows = globalTrainingRows(this.name, history, this.options, steps);
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
    const blocks = stepBlocks(this.direct);
    const learnerAt = (step: number) => models[blocks.findIndex((b) => step >= b.from && step <= b.to)];
    const out = globalForecast(h, this.options.features, sameKeys(this.name, this.keys, h), horizon, learnerAt, false);
    return this.calibration ? applyCalibration(out, this.calibration) : out;
  }

  toJSON(): ForecasterJson {
    if (!this.models) throw new PipelineError("model", `${this.name} is not fitted; there is nothing to save`);
    const json: ForecasterJson = {
      ...globalModelJson("gbm-direct", this.name, this.options, this.keys),
      direct: this.direct,
      learners: this.models.map((m) => m.toJSON()),
    };
    if (this.calibration) json.calibration = calibrationToJSON(this.calibration);
    return json;
  }

  /** Rebuilds a fitted model from {@link DirectGbmForecaster.toJSON}'s output (pass the recent history to forecast()). */
  static fromJSON(json: ForecasterJson): DirectGbmForecaster {
    const direct = json.direct as DirectOptions;
    const learners = (json.learners as GbmModelJson[]).map((l) => GbmModel.fromJSON(l));
    if (learners.length !== stepBlocks(direct).length) {
      throw new PipelineError(
        "model",
        `${json.name}: ${learners.length} saved learners for ${stepBlocks(direct).length} blocks of steps; the artifact is damaged, retrain it`,
      );
    }
    const { options, keys } = readGlobalModelJson(json, learners[0].params);
    return withCalibration(new DirectGbmForecaster(options, direct, learners, keys), json);
  }
}
