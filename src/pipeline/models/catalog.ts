import { ConfigError, PipelineError } from "../core/errors.js";
import { DANISH_CALENDAR, type CalendarSpec } from "../features/calendar.js";
import { DEFAULT_FEATURE_SPEC } from "../features/spec.js";
import { AutoBlendForecaster, type AutoBlendOptions } from "./auto-blend.js";
import { BlendForecaster } from "./blend.js";
import { DirectGbmForecaster, type DirectOptions } from "./direct-gbm.js";
import { FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, type Forecaster, type ForecasterJson } from "./forecaster.js";
import { GbmForecaster, type GbmForecasterOptions } from "./gbm-forecaster.js";
import type { GbmParams } from "./gbm/index.js";
import { LevelNaive } from "./level-naive.js";
import { MODEL_NAMES } from "./names.js";
import { ProfileNaive } from "./profile-naive.js";
import { SeasonalNaive } from "./seasonal-naive.js";

/**
 * Learner settings of the global model: 200 rounds at learning rate 0.1 (the reference: 600 at
 * 0.05), 31 leaves, 63 bins, LightGBM's other defaults. Backtests showed no accuracy difference
 * between 63 and 255 bins, 0.1 and 0.05, bagging or not; 63 bins halve the fit time.
 */
export const DEFAULT_GBM_SETTINGS: Partial<GbmParams> = Object.freeze({
  nIterations: 200,
  learningRate: 0.1,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  maxBins: 63,
  seed: 0,
});

/**
 * Weights of `gbm-blend`'s members (the global model, the profile naive of 3 days): equal, the
 * robust default for combining forecasts. 0.3 / 0.7 scored best on the choice folds (all in the
 * holidays) and worse on every later set, so equal weights stayed (README, "Forecasting").
 */
export const GBM_BLEND_WEIGHTS: readonly number[] = Object.freeze([0.5, 0.5]);

/**
 * `gbm-blend`'s global model leads its first steps (BlendOptions.lead): all the weight at step 1,
 * half of the rest gone after 1.4 h. Chosen on the choice folds over leads of 4 and 8 h and none
 * (12.36 % against 12.47 / 12.85 / 12.54 %; README, "Forecasting").
 */
export const GBM_BLEND_LEAD = Object.freeze({ member: 0, hours: 2 });

/**
 * `gbm-blend`'s profile naive is scaled to each series' level of the last 24 h (ProfileNaive's
 * `levelHours`). Chosen on the choice folds over a damped scaling (the square root of the ratio)
 * and none: 11.05 % against 11.55 / 12.36 % (README, "Forecasting").
 */
export const GBM_BLEND_LEVEL_HOURS = 24;

/**
 * `gbm-blend`'s global model is the equal-weight mean of two: the default features with the
 * series' scale over its last 168 h, and over its last 24 h. Chosen on the choice folds (round 8:
 * 10.25 % against 11.05 % for 168 h alone; 24 h alone 10.32 %) and kept because it was better than
 * the 168 h model alone on 5 of the 6 held-out sets, where 24 h alone was on 3 (README, "Forecasting").
 */
export const GBM_BLEND_SCALE_WINDOWS: readonly number[] = Object.freeze([168, 24]);

/**
 * `gbm-blend-direct`'s global models: one per block of 6 steps of the horizon, each trained
 * on one row per target hour (for a step of its block that cycles), so a fit costs four of the
 * recursive model's, not 24. Chosen on the choice folds (round 6): 10.68 % against the recursive
 * model's 11.05 %; blocks of 1, 6, 12 or 24 steps with a row for every step scored 10.56 / 10.60 /
 * 10.69 / 10.84 % at 6 to 24 times the rows (README, "Forecasting").
 */
export const GBM_DIRECT: Readonly<Omit<DirectOptions, "horizon">> = Object.freeze({ blockSteps: 6, rows: "one" });

/**
 * The global model's settings: the default features on the dataset's calendar (default: the
 * embedded data's, Danish) and the default learner, with optional learner overrides.
 */
export function defaultGbmOptions(name = "gbm", gbm: Partial<GbmParams> = {}, calendar: CalendarSpec = DANISH_CALENDAR): GbmForecasterOptions {
  return { name, features: { ...DEFAULT_FEATURE_SPEC, calendar }, gbm: { ...DEFAULT_GBM_SETTINGS, ...gbm } };
}

/**
 * `gbm-blend`'s global model (see {@link GBM_BLEND_SCALE_WINDOWS}): one GBM per scale window, at
 * equal weights, each with the learner overrides `gbm`. The first keeps the plain name `gbm`.
 */
export function scaleMeanGbm(gbm: Partial<GbmParams> = {}, calendar: CalendarSpec = DANISH_CALENDAR): BlendForecaster {
  const members = GBM_BLEND_SCALE_WINDOWS.map((scaleWindow, i) => {
    const options = defaultGbmOptions(i === 0 ? "gbm" : `gbm-scale-${scaleWindow}`, gbm, calendar);
    return new GbmForecaster({ ...options, features: { ...options.features, scaleWindow } });
  });
  return new BlendForecaster(
    "gbm-mean",
    members,
    members.map(() => 1 / members.length),
  );
}

/**
 * `gbm-auto`'s inner folds and weight choice: 4 daily inner origins (one inner fit, at the
 * earliest), weights on a 0.1 grid chosen over +-4 neighbouring steps, not shrunk. Chosen on 66
 * backtest origins (every 2 h, 2022-12-29T00:00 .. 2023-01-03T12:00) of the embedded data and
 * reported on later ones (bench/auto/README.md).
 */
export const AUTO_BLEND_SETTINGS: AutoBlendOptions = Object.freeze({ horizon: 24, folds: 4, every: 24, gridSteps: 10, window: 4, shrink: 0 });

/**
 * The members of `gbm-auto`, fresh: the global model on the change from the same hour a week
 * before (feature spec `baseLag` 168), the level-adjusted seasonal naive of last week (scaled by
 * the last 24 h against the same 24 h a week before) and the plain seasonal naive 168 h.
 */
export function autoBlendMembers(gbm: Partial<GbmParams> = {}, calendar: CalendarSpec = DANISH_CALENDAR): Forecaster[] {
  // The features it was chosen and measured with (bench/auto/README.md): without the same-type means.
  const options = defaultGbmOptions("gbm-change-168", gbm, calendar);
  const change = new GbmForecaster({ ...options, features: { ...options.features, sameTypeMeans: [], baseLag: 168 } });
  return [change, new LevelNaive(168, 24), new SeasonalNaive(168)];
}

/**
 * `gbm-choice`'s candidates, weights of its members (the global model, profile naive 3, seasonal
 * naive 168 h), the preferred first: the global model and the profile naive at equal weights (the
 * default blend as it was before its lead and level, and as gbm-choice was measured), the global
 * model alone, the seasonal naive alone, and the global model with the seasonal naive. Named
 * before any was scored.
 */
export const CHOICE_CANDIDATES: readonly (readonly number[])[] = Object.freeze([
  [0.5, 0.5, 0],
  [1, 0, 0],
  [0, 0, 1],
  [0.5, 0, 0.5],
]);

/**
 * `gbm-choice`'s inner folds: the last 7 daily origins of the training data (every weekday once;
 * one inner fit, at the earliest), one candidate for every step (the window pools all 24 steps).
 */
export const CHOICE_SETTINGS: AutoBlendOptions = Object.freeze({
  horizon: 24,
  folds: 7,
  every: 24,
  gridSteps: 1,
  window: 23,
  shrink: 0,
  candidates: CHOICE_CANDIDATES,
});

/** The members of `gbm-choice`, fresh, on a dataset's calendar. */
export function choiceMembers(gbm: Partial<GbmParams> = {}, calendar: CalendarSpec = DANISH_CALENDAR): Forecaster[] {
  return [new GbmForecaster(defaultGbmOptions("gbm", gbm, calendar)), new ProfileNaive(3, calendar), new SeasonalNaive(168)];
}

/**
 * How to build each of {@link MODEL_NAMES} (names.ts; a test keeps the two in step) with learner
 * overrides on a dataset's calendar.
 */
export const FACTORIES: Readonly<Record<string, (gbm: Partial<GbmParams>, calendar: CalendarSpec, horizon: number) => Forecaster>> = {
  "seasonal-naive-24": () => new SeasonalNaive(24),
  "seasonal-naive-168": () => new SeasonalNaive(168),
  gbm: (gbm, calendar) => new GbmForecaster(defaultGbmOptions("gbm", gbm, calendar)),
  // The global model (the mean of two scale windows) and the mean of the last 3 days of the hour's
  // day type scaled to the last 24 h's level, equal weights after the global model's lead of the
  // first steps: chosen on earlier origins than those they are reported on (bench/reference/choice.ts).
  "gbm-blend": (gbm, calendar) =>
    new BlendForecaster("gbm-blend", [scaleMeanGbm(gbm, calendar), new ProfileNaive(3, calendar, GBM_BLEND_LEVEL_HOURS)], [...GBM_BLEND_WEIGHTS], {
      lead: { ...GBM_BLEND_LEAD },
    }),
  // The same blend with direct global models, one per block of 6 steps, in place of the recursive
  // one: chosen on the choice folds (bench/reference/choice.ts, round 6).
  "gbm-blend-direct": (gbm, calendar, horizon) =>
    new BlendForecaster(
      "gbm-blend-direct",
      [
        new DirectGbmForecaster(defaultGbmOptions("gbm-direct", gbm, calendar), { ...GBM_DIRECT, horizon }),
        new ProfileNaive(3, calendar, GBM_BLEND_LEVEL_HOURS),
      ],
      [...GBM_BLEND_WEIGHTS],
      { lead: { ...GBM_BLEND_LEAD } },
    ),
  // Weights per horizon step chosen at every fit from inner folds of the training data itself.
  // Opt-in: ahead of the scikit-learn reference on the embedded data's held-out origins, far
  // behind it around a holiday of the synthetic meter data (bench/auto/README.md).
  "gbm-auto": (gbm, calendar) =>
    new AutoBlendForecaster("gbm-auto", autoBlendMembers(gbm, calendar), AUTO_BLEND_SETTINGS, () => autoBlendMembers(gbm, calendar)),
  // The model chosen per deployment: at every fit, the candidate that scored best on the last
  // week of the training data, forecast by members fitted before it (nested in a backtest).
  "gbm-choice": (gbm, calendar) => new AutoBlendForecaster("gbm-choice", choiceMembers(gbm, calendar), CHOICE_SETTINGS, () => choiceMembers(gbm, calendar)),
};

/**
 * A fresh, unfitted model by name, with optional learner settings for its gradient-boosting part
 * (models without one ignore them), reading hours and days on `calendar` (the dataset's; default
 * the embedded data's, Danish), for forecasts of up to `horizon` hours (direct models fit one
 * model per block of it; the others forecast any horizon); throws a {@link ConfigError} listing
 * the known names.
 */
export function createForecaster(name: string, gbm: Partial<GbmParams> = {}, calendar: CalendarSpec = DANISH_CALENDAR, horizon = 24): Forecaster {
  const make = FACTORIES[name];
  if (!make) throw new ConfigError(`unknown model "${name}"; known models: ${MODEL_NAMES.join(", ")}`);
  return make(gbm, calendar, horizon);
}

/**
 * Rebuilds a model from its JSON (as {@link Forecaster.toJSON} wrote it). Throws a PipelineError
 * for another format, a newer format version or an unknown kind: never a silent fallback.
 */
export function loadForecaster(json: unknown): Forecaster {
  const j = json as ForecasterJson | null;
  if (j === null || typeof j !== "object" || j.format !== FORECASTER_FORMAT) {
    throw new PipelineError(
      "model",
      `not a saved forecaster: expected format "${FORECASTER_FORMAT}", got ${JSON.stringify((j as { format?: unknown } | null)?.format)}`,
    );
  }
  if (j.version !== FORECASTER_FORMAT_VERSION) {
    throw new PipelineError(
      "model",
      `forecaster "${j.name}" has format version ${j.version}, this code reads version ${FORECASTER_FORMAT_VERSION}; retrain it or use a matching version of the code`,
    );
  }
  switch (j.kind) {
    case "seasonal-naive":
      return SeasonalNaive.fromJSON(j);
    case "gbm":
      return GbmForecaster.fromJSON(j);
    case "gbm-direct":
      return DirectGbmForecaster.fromJSON(j);
    case "level-naive":
      return LevelNaive.fromJSON(j);
    case "profile-naive":
      return ProfileNaive.fromJSON(j);
    case "blend":
      return BlendForecaster.fromJSON(j, loadForecaster);
    case "auto-blend":
      return AutoBlendForecaster.fromJSON(j, loadForecaster);
    default:
      throw new PipelineError(
        "model",
        `forecaster "${j.name}" is of unknown kind "${j.kind}"; known kinds: seasonal-naive, level-naive, profile-naive, gbm, gbm-direct, blend, auto-blend`,
      );
  }
}
