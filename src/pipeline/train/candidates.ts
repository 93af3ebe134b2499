import { DANISH_CALENDAR, type CalendarSpec } from "../features/calendar.js";
import { createForecaster } from "../models/catalog.js";
import type { Forecaster } from "../models/forecaster.js";
import type { Trial } from "./search.js";

/** Builds a fresh forecaster with a trial's learner settings on the calendar of the stored dataset. */
export type ForecasterFactory = (trial: Trial, calendar: CalendarSpec) => Forecaster;

/**
 * A factory of fresh forecasters of catalog model `name` with a trial's learner settings
 * (models without a gradient-boosting part ignore the trial), on the calendar `train` reads from
 * the store, for forecasts of up to `horizon` hours. Fails fast on an unknown name.
 */
export function forecasterFactory(name: string, horizon: number): ForecasterFactory {
  createForecaster(name, {}, DANISH_CALENDAR, horizon);
  return (trial, calendar) => createForecaster(name, trial, calendar, horizon);
}
