import { PipelineError } from "../core/errors.js";
import { HOUR_MS } from "../time/index.js";
import { checkCalendar, DANISH_CALENDAR, localHour, type CalendarSpec } from "../features/calendar.js";
import { dayKind } from "../features/holidays.js";
import type { Panel } from "../features/panel.js";
import { applyCalibration, calibrationToJSON, withCalibration, type Calibration } from "./conformal.js";
import type { Forecast } from "./forecast.js";
import { weightedSum } from "./weighted-sum.js";
import { checkHorizon, FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, reachOf, type Forecaster, type ForecasterJson } from "./forecaster.js";

/** Options of {@link BlendForecaster}. */
export interface BlendOptions {
  /**
   * Members that copy the value `lag` hours back (seasonal naive): for a target hour whose day
   * kind (ordinary, Christmas week, customary day off, public holiday) differs from that of the
   * hour `lag` before it, such a member's weight goes to the other members, since last week's
   * Boxing Day says little about this week's Monday.
   */
  seasonal?: Array<{ member: number; lag: number }>;
  /**
   * A member that knows the latest hours (a recursive learner, whose first steps start from the
   * last known value) and leads the first steps: at step `s` it takes `w + (1 - w) * exp(-(s - 1) /
   * hours)` of the weight (all of it at step 1, tending to its own weight `w`), the others share
   * the rest in their proportions. A profile of past days does not know today's level, which
   * matters most in the hours right after the origin.
   */
  lead?: { member: number; hours: number };
  /** The calendar of the seasonal members' day kinds: the dataset's (default: the Danish one, for blends saved before calendars). */
  calendar?: CalendarSpec;
}

/**
 * A weighted average of member forecasts (weights fixed in advance, summing to 1). Averaging
 * models whose errors differ (a learner and a seasonal naive) lowers the error of each; the
 * blend's intervals are calibrated on the blend's own residuals.
 */
export class BlendForecaster implements Forecaster {
  calibration: Calibration | undefined;

  constructor(
    readonly name: string,
    readonly members: Forecaster[],
    readonly weights: number[],
    readonly options: BlendOptions = {},
  ) {
    const sum = weights.reduce((a, b) => a + b, 0);
    if (members.length === 0 || members.length !== weights.length || weights.some((w) => !(w >= 0)) || Math.abs(sum - 1) > 1e-9) {
      throw new PipelineError(
        "model",
        `${name}: a blend needs one weight >= 0 per member, summing to 1; got ${members.length} members and weights ${JSON.stringify(weights)}`,
      );
    }
    const lead = options.lead;
    if (lead !== undefined && !(Number.isInteger(lead.member) && lead.member >= 0 && lead.member < members.length && lead.hours > 0)) {
      throw new PipelineError(
        "model",
        `${name}: a blend's lead needs a member index from 0 to ${members.length - 1} and hours > 0; got ${JSON.stringify(lead)}`,
      );
    }
  }

  get historyHours(): number {
    return Math.max(...this.members.map((m) => m.historyHours ?? 0));
  }

  get reachHours(): number {
    return Math.max(...this.members.map(reachOf));
  }

  fit(history: Panel): void {
    for (const m of this.members) m.fit(history);
  }

  forecast(horizon: number, history?: Panel): Forecast {
    checkHorizon(this.name, horizon);
    const parts = this.members.map((m) => m.forecast(horizon, history));
    const out = weightedSum(parts, horizon, this.stepWeights(parts[0].origin, horizon));
    return this.calibration ? applyCalibration(out, this.calibration) : out;
  }

  /** Member weights for each step after `origin` (the seasonal members' day-kind rule applied). */
  stepWeights(origin: number, horizon: number): number[][] {
    const out: number[][] = [];
    const calendar = this.options.calendar ?? DANISH_CALENDAR;
    const kindAt = (ms: number) => dayKind(localHour(ms, calendar).day, calendar.holidays);
    for (let step = 1; step <= horizon; step++) {
      const t = origin + step * HOUR_MS;
      const w = this.weights.slice();
      const lead = this.options.lead;
      if (lead !== undefined && w[lead.member] < 1) {
        const own = w[lead.member];
        const share = own + (1 - own) * Math.exp(-(step - 1) / lead.hours);
        for (let m = 0; m < w.length; m++) w[m] = m === lead.member ? share : (w[m] * (1 - share)) / (1 - own);
      }
      for (const { member, lag } of this.options.seasonal ?? []) {
        if (kindAt(t) !== kindAt(t - lag * HOUR_MS)) w[member] = 0;
      }
      const sum = w.reduce((a, b) => a + b, 0);
      out.push(sum > 0 ? w.map((x) => x / sum) : this.weights.slice());
    }
    return out;
  }

  toJSON(): ForecasterJson {
    const json: ForecasterJson = {
      format: FORECASTER_FORMAT,
      version: FORECASTER_FORMAT_VERSION,
      kind: "blend",
      name: this.name,
      weights: this.weights,
      options: this.options,
      members: this.members.map((m) => m.toJSON()),
    };
    if (this.calibration) json.calibration = calibrationToJSON(this.calibration);
    return json;
  }

  /** Rebuilds a blend from its JSON, loading each member with `load`. */
  static fromJSON(json: ForecasterJson, load: (member: ForecasterJson) => Forecaster): BlendForecaster {
    const members = json.members;
    if (!Array.isArray(members)) throw new PipelineError("model", `${json.name}: a blend's JSON needs a "members" array`);
    const options = (json.options as BlendOptions | undefined) ?? {};
    if (options.calendar !== undefined) checkCalendar(options.calendar, `model ${json.name}`);
    const b = new BlendForecaster(
      json.name,
      members.map((m: ForecasterJson) => load(m)),
      json.weights as number[],
      options,
    );
    return withCalibration(b, json);
  }
}
