/**
 * How the default model was chosen (issue 13), not a test: `npx tsx bench/reference/choice.ts`.
 *
 * Backtests the candidates of six rounds on the choice folds: origins every 4 h from
 * 2022-12-30T00:00 to 2023-01-03T12:00 UTC of the embedded DE35 data (28 origins, 24 h each, refit
 * at every origin; their targets end before the first origin of the reported sets A, B and E of
 * bench/reference/sets.ts; on the meter dataset nothing was chosen). Round 1 named five member
 * sets before any was scored, and its winner is `gbm-blend`; round 2 varied the winner's profile
 * days and weights: 0.3 / 0.7 scored best here but worse than equal weights on every later set and
 * dataset, so it was not kept (README, "Forecasting"). Round 3 (2026-12-03, later) let the global model
 * lead the first steps (BlendOptions.lead) over 2, 4 or 8 hours; round 4 scaled the lead-2
 * winner's profile to each series' level of the last 24 h, fully or by the square root of the
 * ratio. Round 5 (2026-12-04) varied the chosen blend's boosting rounds: 100, or 400 at learning
 * rate 0.05, or chosen at each fit by early stopping on the last 15 % of the (time-ordered)
 * training rows, then refitted on all of them with as many rounds per row; and the global model as
 * the mean of 5 seeds with row and feature sampling. Round 6 (the same day) put direct global models
 * (DirectGbmForecaster) in place of the recursive one: blocks of 1, 6, 12 or 24 steps with a row
 * for every step, and blocks of 6 with one row per target hour. Round 7 (2026-12-04, later) varied
 * what the global model's target is relative to (issue 13's "the target as a ratio to last week's
 * value or to the series' scale at the origin"): the scale over the last 24 h or 336 h instead of
 * 168 h, and the target as the change from 168 h or 24 h earlier. Its rule, written here before
 * any of its scores: a candidate goes to the held-out runs only if it beats the default's 11.05 %
 * by at least 0.10 points; the best such one replaces the default only if it is better than
 * `gbm-blend` on at least 4 of the 6 held-out sets (embedded and meters A, B, E). Scores: the
 * scale over 24 h 10.32 % (cover80 72.1 %; the default 74.1 %), the change from 168 h 11.13 %,
 * from 24 h 11.20 %; the scale over 336 h cannot run here (the first origin has 177 h of history,
 * fewer than its window), so only the 24 h scale went on. Held out, it was better on the
 * embedded A / B / E and worse on the meters' A / B / E: 3 of 6, not kept (README, "Forecasting").
 * Round 8 (2026-12-04, later; issue 13's "averaging several seeds or settings"): the global model
 * as the equal-weight mean of two settings that erred differently in round 7, the scale over
 * 168 h (the default) with the scale over 24 h, or with the target as the change from 168 h
 * earlier. Its rule, written here before any of its scores, is round 7's: at least 0.10 points
 * below 11.05 % to go on, then better than `gbm-blend` on at least 4 of the 6 held-out sets.
 * Scores: the scales over 168 h and 24 h 10.25 %, the level with the change from 168 h 10.78 %;
 * the first, held out, was better on 5 of 6 and is the default since (`gbm-blend`). Round 9 (the
 * same day) averages three settings instead of two: the scales over 168, 72 and 24 h, or the
 * scales over 168 h and 24 h with the change from 168 h earlier. Its rule, written here before
 * any of its scores: at least 0.10 points below round 8's 10.25 % to go on, then better than
 * round 8's default on at least 4 of the 6 held-out sets. Scores: 10.46 % (168, 72, 24 h) and
 * 10.27 % (with the change): neither passed the bar, so none went on. Round 10 (the same day)
 * adds a direct global model (round 6's: blocks of 6 steps, one row per target hour) to round 8's
 * two recursive ones, at a third each, or at half with the two at a quarter. Its rule, written here
 * before any of its scores, is round 9's: at least 0.10 points below 10.25 % to go on, then better
 * than round 8's default on at least 4 of the 6 held-out sets. Scores: 10.14 % at a third each,
 * 10.19 % with the direct model at half; the first went on. Held out it was better on the embedded
 * A / B / E and worse on the meters' A / B / E: 3 of 6, not kept (README, "Forecasting"). Prints a line per candidate (about
 * 25 minutes in all; an argument such as `5:` runs only the names starting with it) and, last, the
 * results as JSON.
 */
import { runBacktest } from "../../src/pipeline/backtest/engine.js";
import { loadSourcePanel } from "../../src/pipeline/backtest/history.js";
import { EMBEDDED_DATA_PATH } from "../../src/pipeline/config/paths.js";
import { loadPreset } from "../../src/pipeline/dataset/preset.js";
import { DEFAULT_FEATURE_SPEC, type FeatureSpec } from "../../src/pipeline/features/spec.js";
import { fileSource } from "../../src/pipeline/ingest/file-source.js";
import { BlendForecaster } from "../../src/pipeline/models/blend.js";
import { defaultGbmOptions } from "../../src/pipeline/models/catalog.js";
import type { Forecaster } from "../../src/pipeline/models/forecaster.js";
import { GbmForecaster } from "../../src/pipeline/models/gbm-forecaster.js";
import { ProfileNaive } from "../../src/pipeline/models/profile-naive.js";
import { SeasonalNaive } from "../../src/pipeline/models/seasonal-naive.js";
import type { Panel } from "../../src/pipeline/features/panel.js";
import type { GbmParams } from "../../src/pipeline/models/gbm/index.js";
import { DirectGbmForecaster, type DirectOptions } from "../../src/pipeline/models/direct-gbm.js";

/** The global model before (no same-type means) and with them (the default features). */
const plainGbm = () => new GbmForecaster({ ...defaultGbmOptions("gbm"), features: { ...DEFAULT_FEATURE_SPEC, sameTypeMeans: [] } });
const sameTypeGbm = () => new GbmForecaster({ ...defaultGbmOptions("gbm"), features: { ...DEFAULT_FEATURE_SPEC, sameTypeMeans: [1, 3, 5] } });
/** Seasonal naive 168 h, stepping aside where last week's day was of another day kind (the old default's rule). */
const naive168 = (gbm: Forecaster) => new BlendForecaster("b", [gbm, new SeasonalNaive(168)], [0.5, 0.5], { seasonal: [{ member: 1, lag: 168 }] });

/** The global model with same-type means and the profile naive of `days`, weighted `w` : 1 - w. */
const withProfile = (w: number, days = 3) => new BlendForecaster("b", [sameTypeGbm(), new ProfileNaive(days)], [w, 1 - w]);

/** The winner of round 2 (equal weights) with the global model `gbm` leading the first `hours`, and the profile `profile`. */
const lead = (hours: number, profile: Forecaster = new ProfileNaive(3), gbm: Forecaster = sameTypeGbm()) =>
  new BlendForecaster("b", [gbm, profile], [0.5, 0.5], { lead: { member: 0, hours } });

/**
 * The profile naive scaled by the square root of its level ratio: the geometric mean of the plain
 * profile and the fully scaled one (round 4's damped candidate; the bench's own, not a model).
 */
class DampedLevelProfile extends ProfileNaive {
  private readonly full = new ProfileNaive(3, this.calendar, 24);
  constructor() {
    super(3);
  }
  override get reachHours(): number {
    return this.full.reachHours;
  }
  override forecast(horizon: number, history?: Panel) {
    const f = super.forecast(horizon, history);
    const g = this.full.forecast(horizon, history);
    for (let i = 0; i < f.point.length; i++) f.point[i] = Math.sqrt(f.point[i] * g.point[i]);
    return f;
  }
  override fit(history: Panel): void {
    super.fit(history);
    this.full.fit(history);
  }
}

/**
 * The global model with same-type means whose rounds are chosen at each fit (round 5's candidate;
 * the bench's own, not a model): fitted with early stopping (`patience` rounds) on the last `tail`
 * of its time-ordered training rows at learning rate `lr`, then refitted on all rows with the best
 * number of rounds scaled by 1 / (1 - tail).
 */
class EarlyStoppedGbm extends GbmForecaster {
  constructor(private readonly search: { lr: number; max: number; patience: number; tail: number }) {
    super(sameTypeGbm().options);
  }
  override fit(history: Panel): void {
    const { lr, max, patience, tail } = this.search;
    const base = this.options.gbm;
    const probe = new GbmForecaster({
      ...this.options,
      gbm: { ...base, learningRate: lr, nIterations: max, earlyStoppingRounds: patience, validationFraction: tail },
    });
    probe.fit(history);
    const best = Math.max(10, probe.learner?.training?.bestIteration ?? 0);
    const options = this.options as { gbm: Partial<GbmParams> };
    options.gbm = { ...base, learningRate: lr, nIterations: Math.round(best / (1 - tail)) };
    super.fit(history);
    options.gbm = base;
  }
}

/** The mean of `n` global models that differ only in their seed (and so in their row and feature samples). */
const seedMean = (n: number, sampling: Partial<GbmParams>) =>
  new BlendForecaster(
    "seeds",
    Array.from({ length: n }, (_, seed) => sameTypeGbmWith({ ...sampling, seed })),
    Array.from({ length: n }, () => 1 / n),
  );

/** Direct global models with same-type means, one per block of `blockSteps` steps (round 6). */
const direct = (blockSteps: number, rows: DirectOptions["rows"] = "every") =>
  new DirectGbmForecaster({ ...sameTypeGbm().options, name: "gbm-direct" }, { blockSteps, horizon: 24, rows });

/** The global model with same-type means and other feature settings (round 7). */
const sameTypeGbmFeatures = (features: Partial<FeatureSpec>) =>
  new GbmForecaster({ ...sameTypeGbm().options, features: { ...sameTypeGbm().options.features, ...features } });

/** The equal-weight mean of global models with same-type means and the feature settings `settings` (round 8). */
const settingsMean = (settings: Partial<FeatureSpec>[]) =>
  new BlendForecaster(
    "settings",
    settings.map((s) => sameTypeGbmFeatures(s)),
    settings.map(() => 1 / settings.length),
  );

/** Round 8's two recursive global models (scales over 168 h and 24 h) and round 6's direct one, weighted `weights` (round 10). */
const withDirect = (weights: number[]) => new BlendForecaster("g", [sameTypeGbm(), sameTypeGbmFeatures({ scaleWindow: 24 }), direct(6, "one")], weights);

/** Round 4's winner (the default) with the global model `gbm`. */
const chosen = (gbm: Forecaster = sameTypeGbm()) => lead(2, new ProfileNaive(3, undefined, 24), gbm);
/** The global model with same-type means and other learner settings. */
const sameTypeGbmWith = (gbm: Partial<GbmParams>) => new GbmForecaster({ ...sameTypeGbm().options, gbm: { ...sameTypeGbm().options.gbm, ...gbm } });

/** Round 1 chose the members (five candidates), round 2 the profile's days and the weights, round 3 the lead, round 4 the level, round 5 the rounds, round 6 direct models, round 7 the target's reference, round 8 a mean of two settings, round 9 of three, round 10 with a direct model. */
const CANDIDATES: Record<string, () => Forecaster> = {
  "1: gbm + seasonal naive 168 (the old default)": () => naive168(plainGbm()),
  "1: gbm with same-type means + seasonal naive 168": () => naive168(sameTypeGbm()),
  "1: gbm with same-type means alone": sameTypeGbm,
  "1: gbm with same-type means + profile naive 3 (chosen)": () => withProfile(0.5),
  "1: gbm + profile naive 3": () => new BlendForecaster("b", [plainGbm(), new ProfileNaive(3)], [0.5, 0.5]),
  "2: ... + profile naive 2": () => withProfile(0.5, 2),
  "2: ... + profile naive 5": () => withProfile(0.5, 5),
  "2: ... + profile naive 3, weights 0.6 / 0.4": () => withProfile(0.6),
  "2: ... + profile naive 3, weights 0.4 / 0.6": () => withProfile(0.4),
  "2: ... + profile naive 3, weights 0.3 / 0.7 (best, not kept)": () => withProfile(0.3),
  "2: ... + profile naive 3, weights 0.2 / 0.8": () => withProfile(0.2),
  "2: ... + profile naive 3 + seasonal naive 168, a third each": () =>
    new BlendForecaster("b", [sameTypeGbm(), new ProfileNaive(3), new SeasonalNaive(168)], [1 / 3, 1 / 3, 1 / 3], { seasonal: [{ member: 2, lag: 168 }] }),
  "3: ... equal weights, the global model leading 2 h": () => lead(2),
  "3: ... leading 4 h": () => lead(4),
  "3: ... leading 8 h": () => lead(8),
  "4: ... leading 2 h, profile scaled to the last 24 h's level (chosen)": () => chosen(),
  "4: ... leading 2 h, profile scaled by the square root of that ratio": () => lead(2, new DampedLevelProfile()),
  "5: the chosen blend, 100 rounds": () => chosen(sameTypeGbmWith({ nIterations: 100 })),
  "5: ... 400 rounds at learning rate 0.05": () => chosen(sameTypeGbmWith({ nIterations: 400, learningRate: 0.05 })),
  "5: ... rounds by early stopping at 0.1 (up to 1000, patience 30)": () => chosen(new EarlyStoppedGbm({ lr: 0.1, max: 1000, patience: 30, tail: 0.15 })),
  "5: ... rounds by early stopping at 0.05 (up to 2000, patience 50)": () => chosen(new EarlyStoppedGbm({ lr: 0.05, max: 2000, patience: 50, tail: 0.15 })),
  "5: ... the global model as the mean of 5 seeds (rows 0.7, features 0.8 per tree)": () => chosen(seedMean(5, { rowSubsample: 0.7, featureSubsample: 0.8 })),
  "6: the chosen blend with direct global models, 4 blocks of 6 steps": () => chosen(direct(6)),
  "6: ... direct, 24 blocks of 1 step": () => chosen(direct(1)),
  "6: ... direct, 2 blocks of 12 steps": () => chosen(direct(12)),
  "6: ... direct, 1 block of 24 steps": () => chosen(direct(24)),
  "6: ... direct, 4 blocks of 6 steps, one step per target hour": () => chosen(direct(6, "one")),
  "7: the chosen blend, the global model scaled by its last 24 h": () => chosen(sameTypeGbmFeatures({ scaleWindow: 24 })),
  "7: ... scaled by its last 336 h": () => chosen(sameTypeGbmFeatures({ scaleWindow: 336 })),
  "7: ... its target the change from 168 h earlier": () => chosen(sameTypeGbmFeatures({ baseLag: 168 })),
  "7: ... its target the change from 24 h earlier": () => chosen(sameTypeGbmFeatures({ baseLag: 24 })),
  "8: the chosen blend, the global model the mean of the scales over 168 h and 24 h": () => chosen(settingsMean([{}, { scaleWindow: 24 }])),
  "8: ... the mean of the level and the change from 168 h earlier": () => chosen(settingsMean([{}, { baseLag: 168 }])),
  "9: the chosen blend, the global model the mean of the scales over 168 h, 72 h and 24 h": () =>
    chosen(settingsMean([{}, { scaleWindow: 72 }, { scaleWindow: 24 }])),
  "9: ... the mean of the scales over 168 h and 24 h and the change from 168 h earlier": () =>
    chosen(settingsMean([{}, { scaleWindow: 24 }, { baseLag: 168 }])),
  "10: the chosen blend, the global model the mean of the scales over 168 h and 24 h and a direct model": () => chosen(withDirect([1 / 3, 1 / 3, 1 / 3])),
  "10: ... the direct model at half, the two recursive ones at a quarter": () => chosen(withDirect([0.25, 0.25, 0.5])),
};

const panel = await loadSourcePanel(fileSource(EMBEDDED_DATA_PATH), loadPreset("de35"));
/** `npx tsx bench/reference/choice.ts 5:` runs only the candidates whose names start with "5:". */
const only = process.argv[2];
const rows = Object.entries(CANDIDATES)
  .filter(([name]) => only === undefined || name.startsWith(only))
  .map(([name, create]) => {
    const r = runBacktest(panel, [{ name, create }], { from: Date.UTC(2022, 11, 30, 0), to: Date.UTC(2023, 0, 3, 12), every: 4, horizon: 24 }).models[0];
    console.log(`${name.padEnd(64)} origins ${r.byOrigin.length}  MAPE ${(r.mape * 100).toFixed(2)} %  cover80 ${(r.coverage80 * 100).toFixed(1)} %`);
    return { name, origins: r.byOrigin.length, mape: r.mape, coverage80: r.coverage80 };
  });
console.log(JSON.stringify({ choiceFolds: { from: "2022-12-30T00:00Z", to: "2023-01-03T12:00Z", every: 4, horizon: 24 }, rows }));
