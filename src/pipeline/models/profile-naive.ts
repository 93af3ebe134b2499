import { PipelineError } from "../core/errors.js";
import { checkCalendar, DANISH_CALENDAR, type CalendarSpec } from "../features/calendar.js";
import { calendarGrid, type CalendarGrid } from "../features/calendar-grid.js";
import type { Panel } from "../features/panel.js";
import { SAME_TYPE_REACH, sameTypeMean } from "../features/same-type.js";
import { SAME_TYPE_DAYS } from "../features/spec.js";
import type { ForecasterJson } from "./forecaster.js";
import { withCalibration } from "./conformal.js";
import { HistoryForecaster } from "./history-forecaster.js";

/**
 * Profile naive: each hour is the mean of the same local hour on the last `days` known days of its
 * day type (working day, Christmas-week day, Saturday-like, Sunday-or-holiday) within
 * {@link SAME_TYPE_DAYS} days. Less noisy than the single value of a week before, and a holiday
 * takes the recent Sundays' shape. NaN where no such day is known (a blend then leaves it out).
 * Day types and local hours are those of the dataset's calendar.
 *
 * With `levelHours`, each series' profile is scaled to today's level: by the ratio of its last
 * `levelHours` known values to what the profile gave for those hours from the days before each,
 * clamped to {@link LEVEL_CLAMP}. A profile of past days does not know that this week runs 10 %
 * higher (after a holiday week, a cold spell); the ratio does, and the clamp keeps one odd day
 * from scaling the whole next day.
 */
export const LEVEL_CLAMP: readonly [number, number] = Object.freeze([0.8, 1.25]) as readonly [number, number];

export class ProfileNaive extends HistoryForecaster {
  readonly name: string;
  protected readonly kind = "profile-naive";

  constructor(
    readonly days: number,
    readonly calendar: CalendarSpec = DANISH_CALENDAR,
    readonly levelHours = 0,
  ) {
    super();
    if (!Number.isInteger(days) || days < 1 || days > SAME_TYPE_DAYS)
      throw new PipelineError("model", `profile naive: days must be an integer from 1 to ${SAME_TYPE_DAYS}, got ${days}`);
    if (!Number.isInteger(levelHours) || levelHours < 0 || levelHours > 168)
      throw new PipelineError("model", `profile naive: levelHours must be an integer from 0 (no level) to 168, got ${levelHours}`);
    this.name = levelHours > 0 ? `profile-naive-${days}-level-${levelHours}` : `profile-naive-${days}`;
  }

  /** A week: every day type but the rare ones has occurred. */
  get historyHours(): number {
    return 168;
  }

  /** The same-type days of the last forecast hour lie within {@link SAME_TYPE_DAYS} days of it. */
  get reachHours(): number {
    return SAME_TYPE_REACH + this.levelHours;
  }

  protected points(h: Panel, horizon: number, point: Float64Array): void {
    const n = h.hours;
    // One grid from the level hours' own same-type days to the last target.
    const cal = calendarGrid(h.start, n - this.reachHours, n + horizon, this.calendar);
    const found = new Float64Array(this.days);
    for (let step = 1; step <= horizon; step++) {
      const t = n - 1 + step;
      for (let s = 0; s < h.keys.length; s++) point[s * horizon + step - 1] = sameTypeMean(cal, h.values[s], t, Math.ceil(step / 24), n, found);
    }
    if (this.levelHours > 0) this.scaleToLevel(h, cal, horizon, point, found);
  }

  /** Multiplies each series' points by its level ratio over the last {@link levelHours} known hours (1 where none can be formed). */
  private scaleToLevel(h: Panel, cal: CalendarGrid, horizon: number, point: Float64Array, found: Float64Array): void {
    const n = h.hours;
    for (let s = 0; s < h.keys.length; s++) {
      let actual = 0;
      let profile = 0;
      for (let t = Math.max(n - this.levelHours, 0); t < n; t++) {
        const v = h.values[s][t];
        // The profile of hour t from the days before t's own, as it was forecast a day ahead.
        const p = v === v ? sameTypeMean(cal, h.values[s], t, 1, t, found) : NaN;
        if (p !== p) continue;
        actual += v;
        profile += p;
      }
      if (!(profile > 0 && actual > 0)) continue;
      const ratio = Math.min(LEVEL_CLAMP[1], Math.max(LEVEL_CLAMP[0], actual / profile));
      for (let i = s * horizon; i < (s + 1) * horizon; i++) point[i] *= ratio;
    }
  }

  protected settings(): Record<string, unknown> {
    return this.levelHours > 0 ? { days: this.days, calendar: this.calendar, levelHours: this.levelHours } : { days: this.days, calendar: this.calendar };
  }

  /**
   * Rebuilds a model from {@link ProfileNaive.toJSON}'s output (it holds no history: pass one to
   * forecast()); a model saved without a calendar was built on the Danish one, without
   * `levelHours` on no level.
   */
  static fromJSON(json: ForecasterJson): ProfileNaive {
    const calendar = json.calendar === undefined ? DANISH_CALENDAR : checkCalendar(json.calendar, `model ${json.name}`);
    return withCalibration(new ProfileNaive(json.days as number, calendar, (json.levelHours as number | undefined) ?? 0), json);
  }
}
