import { panelEnd, type Panel } from "../../src/pipeline/features/panel.js";
import { DAY_MS, HOUR_MS } from "../../src/pipeline/time/index.js";

/** A named set of forecast origins (epoch ms, the last known hour), one a day. */
export interface OriginSet {
  name: string;
  /** What the set is for, for the printed legend. */
  about: string;
  origins: number[];
}

/** `count` daily origins at `hourUtc`, the last being the latest whose horizon fits in the data. */
function lastDaily(panel: Panel, hourUtc: number, count: number, horizon: number): number[] {
  let last = panelEnd(panel) - horizon * HOUR_MS;
  while (new Date(last).getUTCHours() !== hourUtc) last -= HOUR_MS;
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * DAY_MS);
}

function daily(from: number, to: number): number[] {
  const out: number[] = [];
  for (let o = from; o <= to; o += DAY_MS) out.push(o);
  return out;
}

/** A window of daily origins inside a dataset's holidays (both ends included, epoch ms). */
export interface HolidayWindow {
  from: number;
  to: number;
  about: string;
}

/** The embedded DE35 data's holiday set: Christmas and New-Year weeks at 22:00 UTC. */
export const CHRISTMAS: HolidayWindow = {
  from: Date.UTC(2022, 11, 24, 22),
  to: Date.UTC(2023, 0, 1, 22),
  about: "Christmas/New-Year weeks, 22:00 UTC (targets up to Jan 2)",
};

/**
 * The benchmark's origin sets on a panel: A, the last 10 days at 22:00 UTC; B, the same days at
 * 12:00 UTC (no origin shared with A, and an hour nobody tuned on); C, inside the holidays
 * (default: the Christmas and New-Year weeks), when the data covers them with at least
 * `minHistory` hours before (a model needs a week of lags before its first training row); E, the
 * last 10 days at 06:00 UTC (a third hour, disjoint from A and B); D, the
 * 7 origins of the repository's existing backtest (REFERENCE.md section 3, bench/backtest.ts),
 * which the default model was chosen on, when the data holds them. F, G and H are the last 10
 * days at 02:00, 09:00 and 17:00 UTC, the hours midway between those of E, B and A: defined
 * (2026-12-04, after ten rounds of choices that A, B and E informed as keep-gates) with the
 * default frozen and before any model was scored on them, so that no choice has seen them.
 */
export function originSets(panel: Panel, horizon: number, minHistory: number, holidays: HolidayWindow = CHRISTMAS): OriginSet[] {
  const sets: OriginSet[] = [
    { name: "A", about: "last 10 days, 22:00 UTC", origins: lastDaily(panel, 22, 10, horizon) },
    { name: "B", about: "last 10 days, 12:00 UTC (disjoint from A)", origins: lastDaily(panel, 12, 10, horizon) },
    { name: "E", about: "last 10 days, 06:00 UTC (disjoint from A and B)", origins: lastDaily(panel, 6, 10, horizon) },
    { name: "F", about: "last 10 days, 02:00 UTC (defined after every choice)", origins: lastDaily(panel, 2, 10, horizon) },
    { name: "G", about: "last 10 days, 09:00 UTC (defined after every choice)", origins: lastDaily(panel, 9, 10, horizon) },
    { name: "H", about: "last 10 days, 17:00 UTC (defined after every choice)", origins: lastDaily(panel, 17, 10, horizon) },
  ];
  const fits = (o: number) => o - panel.start >= minHistory * HOUR_MS && o + horizon * HOUR_MS <= panelEnd(panel);
  const holiday = daily(holidays.from, holidays.to).filter(fits);
  if (holiday.length > 0) sets.push({ name: "C", about: holidays.about, origins: holiday });
  const defaults = daily(Date.UTC(2023, 0, 7, 22), Date.UTC(2023, 0, 13, 22)).filter(fits);
  if (defaults.length > 0) sets.push({ name: "D", about: "existing backtest default (REFERENCE.md, 7 origins)", origins: defaults });
  return sets;
}
