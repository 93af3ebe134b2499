import { PipelineError } from "../core/errors.js";
import { checkCalendar, DANISH_CALENDAR, type CalendarSpec } from "../features/calendar.js";
import { calendarGrid } from "../features/calendar-grid.js";
import type { Panel } from "../features/panel.js";
import { SAME_TYPE_REACH, sameTypeValues } from "../features/same-type.js";
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
 */
export class ProfileNaive extends HistoryForecaster {
  readonly name: string;
  protected readonly kind = "profile-naive";

  constructor(
    readonly days: number,
    readonly calendar: CalendarSpec = DANISH_CALENDAR,
  ) {
    super();
    if (!Number.isInteger(days) || days < 1 || days > SAME_TYPE_DAYS)
      throw new PipelineError("model", `profile naive: days must be an integer from 1 to ${SAME_TYPE_DAYS}, got ${days}`);
    this.name = `profile-naive-${days}`;
  }

  /** A week: every day type but the rare ones has occurred. */
  get historyHours(): number {
    return 168;
  }

  /** The same-type days of the last forecast hour lie within {@link SAME_TYPE_DAYS} days of it. */
  get reachHours(): number {
    return SAME_TYPE_REACH;
  }

  protected points(h: Panel, horizon: number, point: Float64Array): void {
    const n = h.hours;
    const cal = calendarGrid(h.start, n - SAME_TYPE_REACH, n + horizon, this.calendar);
    const found = new Float64Array(this.days);
    for (let step = 1; step <= horizon; step++) {
      const t = n - 1 + step;
      for (let s = 0; s < h.keys.length; s++) {
        const k = sameTypeValues(cal, h.values[s], t, Math.ceil(step / 24), n, found);
        let sum = 0;
        for (let j = 0; j < k; j++) sum += found[j];
        point[s * horizon + step - 1] = k > 0 ? sum / k : NaN;
      }
    }
  }

  protected settings(): Record<string, unknown> {
    return { days: this.days, calendar: this.calendar };
  }

  /**
   * Rebuilds a model from {@link ProfileNaive.toJSON}'s output (it holds no history: pass one to
   * forecast()); a model saved without a calendar was built on the Danish one.
   */
  static fromJSON(json: ForecasterJson): ProfileNaive {
    const calendar = json.calendar === undefined ? DANISH_CALENDAR : checkCalendar(json.calendar, `model ${json.name}`);
    return withCalibration(new ProfileNaive(json.days as number, calendar), json);
  }
}
