import { ConfigError } from "../core/errors.js";
import { checkCalendar, DANISH_CALENDAR, type CalendarSpec } from "./calendar.js";

/**
 * Which features the global model sees. Everything the model reads about the past is relative
 * to the series' scale (its mean over the `scaleWindow` hours before the row), so one pooled
 * model serves series whose sizes differ by four orders of magnitude.
 */
export interface FeatureSpec {
  /** Lags in hours (1 = the previous hour), each divided by the scale. */
  lags: number[];
  /** Windows (hours) of rolling means over the lags (ending at t-1), divided by the scale. */
  rollingMeans: number[];
  /** Windows (hours) of rolling sample standard deviations over the lags, divided by the scale. */
  rollingStds: number[];
  /** Hours whose mean is the scale (168: a week, every hour of the week once). */
  scaleWindow: number;
  /**
   * `origin`: one scale per series, the mean of its last `scaleWindow` observed hours (at the
   * forecast origin, or the end of the training history). `rolling`: each row's own trailing
   * mean, which a holiday week depresses for the week after it.
   */
  scaling: "origin" | "rolling";
  /**
   * 0: the target is the level `y_t / scale`. k > 0: the target is the change from k hours
   * earlier, `(y_t - y_{t-k}) / scale`, so the learner corrects a seasonal-naive forecast rather
   * than rebuilding the level from scratch.
   */
  baseLag: number;
  /** Lags (hours) at which the day kind is also given, e.g. "lag 168 fell on a holiday". */
  dayKindLags: number[];
  /** Include the day type (working day, Christmas week, Saturday-like, Sunday-like) of the hour. */
  dayType: boolean;
  /** Lags (hours) at which the day type is also given ("was the same hour last week a comparable day?"). */
  dayTypeLags: number[];
  /** Include the key values (the series' identity, e.g. area and consumer type) as numeric features. */
  seriesCodes: boolean;
  /** Include log10 of the scale (the series' size) as a feature. */
  logScale: boolean;
  /**
   * Means of the same hour on the most recent k earlier days of the target's day type (one
   * feature per k, looking back at most {@link SAME_TYPE_DAYS} days), divided by the scale.
   */
  sameTypeMeans?: number[];
  /**
   * The calendar hour, weekday, day kind and day type are read on: the dataset's (its preset
   * supplies it). Absent in specs saved before calendars were part of the dataset, which were
   * all trained on {@link DANISH_CALENDAR}.
   */
  calendar?: CalendarSpec;
}

/** The spec's calendar: the Danish one for a spec saved before the field existed. */
export function calendarOf(spec: Pick<FeatureSpec, "calendar">): CalendarSpec {
  return spec.calendar ?? DANISH_CALENDAR;
}

/** The spec's same-type means: none in a spec saved before they existed (their field is optional for that). */
export function sameTypeMeansOf(spec: FeatureSpec): readonly number[] {
  return spec.sameTypeMeans ?? [];
}

/** How many days back {@link FeatureSpec.sameTypeMeans} looks for days of the same type (LOOKBACK_DAYS' default). */
export const SAME_TYPE_DAYS = 28;

/**
 * The reference's features plus the weekly lags, the day kind (holidays), the day type of the
 * hour and of the same hour a day and a week before (is lag 24 / lag 168 a comparable day, or a
 * holiday or weekend?), the mean of that hour on the last 1, 3 and 5 days of the target's day
 * type, and scaling. Backtests preferred the pooled day-type lags to day-kind lags (see the
 * README); both remain available.
 */
export const DEFAULT_FEATURE_SPEC: FeatureSpec = Object.freeze({
  lags: [...Array.from({ length: 72 }, (_, i) => i + 1), 167, 168, 169],
  rollingMeans: [24, 48, 72],
  rollingStds: [24, 48],
  scaleWindow: 168,
  scaling: "origin",
  baseLag: 0,
  dayKindLags: [],
  dayType: true,
  dayTypeLags: [24, 168],
  seriesCodes: true,
  logScale: false,
  sameTypeMeans: [1, 3, 5],
}) as FeatureSpec;

/** Names of the features in the order the builder writes them; identity features take the key columns' names. */
export function featureNames(spec: FeatureSpec, keyNames: readonly string[]): string[] {
  return [
    ...spec.lags.map((k) => `lag_${k}`),
    ...spec.rollingMeans.map((w) => `mean_${w}`),
    ...spec.rollingStds.map((w) => `std_${w}`),
    ...sameTypeMeansOf(spec).map((k) => `same_type_mean_${k}`),
    "hour",
    "weekday",
    "day_kind",
    ...spec.dayKindLags.map((k) => `day_kind_lag_${k}`),
    ...(spec.dayType ? ["day_type"] : []),
    ...spec.dayTypeLags.map((k) => `day_type_lag_${k}`),
    ...(spec.seriesCodes ? keyNames : []),
    ...(spec.logScale ? ["log_scale"] : []),
  ];
}

/** Hours of history a row needs for every feature to be defined. */
export function historyNeeded(spec: FeatureSpec): number {
  return Math.max(spec.scaleWindow, spec.baseLag, ...spec.lags, ...spec.rollingMeans, ...spec.rollingStds, 1);
}

/** Throws a {@link ConfigError} when a spec is not usable (non-positive or non-integer hours, std windows < 2). */
export function checkFeatureSpec(spec: FeatureSpec): FeatureSpec {
  const hours = (xs: number[], what: string, min: number) => {
    for (const x of xs) {
      if (!Number.isInteger(x) || x < min) throw new ConfigError(`feature spec: ${what} must be integers >= ${min} (hours), got ${x}`);
    }
  };
  hours(spec.lags, "lags", 1);
  hours(spec.rollingMeans, "rolling mean windows", 1);
  hours(spec.rollingStds, "rolling std windows", 2);
  hours([spec.scaleWindow], "the scale window", 1);
  hours(spec.dayKindLags, "day-kind lags", 1);
  hours(spec.dayTypeLags, "day-type lags", 1);
  hours([spec.baseLag], "the base lag", 0);
  const same = sameTypeMeansOf(spec);
  if (same.some((k, i) => !Number.isInteger(k) || k < 1 || k > SAME_TYPE_DAYS || (i > 0 && k <= same[i - 1])))
    throw new ConfigError(`feature spec: same-type means must be increasing integers from 1 to ${SAME_TYPE_DAYS} (days), got ${JSON.stringify(same)}`);
  if (spec.calendar !== undefined) checkCalendar(spec.calendar, "feature spec");
  if (spec.scaling !== "origin" && spec.scaling !== "rolling")
    throw new ConfigError(`feature spec: scaling must be "origin" or "rolling", got ${JSON.stringify(spec.scaling)}`);
  return spec;
}
