import { ConfigError } from "../core/errors.js";
import { HOUR_MS } from "./hours.js";

/**
 * Wall-clock times in an IANA zone -> UTC. Hourly data written in local time meets two days a
 * year where the wall clock and UTC do not map one to one:
 * - spring forward: a local time that does not exist (02:00-02:59 in Copenhagen) is read as the
 *   following hour (03:00 local), and counted;
 * - fall back: a local hour that occurs twice keeps both readings, in the order they come, as two
 *   consecutive UTC hours (the first reading is the earlier instant), and counted.
 */

/** Counts of wall times that needed a rule, reported by ingest. */
export interface DstCounts {
  /** Wall times that do not exist (spring forward), read as the following hour. */
  nonexistent: number;
  /** Second readings of a repeated wall hour (fall back), read as the later instant. */
  repeated: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a {@link ConfigError} unless `zone` is `UTC` or an IANA zone this runtime knows. */
export function checkZone(zone: string, setting: string): string {
  if (zone === "UTC") return zone;
  try {
    formatterFor(zone);
  } catch (cause) {
    throw new ConfigError(`${setting} "${zone}" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen`, { cause });
  }
  return zone;
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC (ms) at the instant `utc`. */
export function offsetAt(zone: string, utc: number): number {
  if (zone === "UTC") return 0;
  const p: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(utc))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(utc / 1000) * 1000;
}

/**
 * The UTC instants a wall time (given as ms "as if UTC") maps to in `zone`: none (spring
 * forward), one, or two (fall back; earlier first).
 */
export function wallToUtcCandidates(zone: string, wall: number): number[] {
  if (zone === "UTC") return [wall];
  // Offsets in use around this wall time: the real offset is one of the offsets a day either side.
  const offsets = new Set([offsetAt(zone, wall - 86_400_000), offsetAt(zone, wall), offsetAt(zone, wall + 86_400_000)]);
  const out: number[] = [];
  for (const off of offsets) {
    const utc = wall - off;
    if (offsetAt(zone, utc) === off && !out.includes(utc)) out.push(utc);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Converts wall times to UTC with the rules above. `series[i]` identifies the series of row `i`
 * (a repeated hour is counted per series: its first reading in a series is the earlier instant,
 * the second the later). Rows are taken in the order given (file order). Returns UTC epoch ms.
 */
export function wallTimesToUtc(zone: string, walls: ArrayLike<number>, series: ArrayLike<string>, counts: DstCounts): Float64Array {
  const n = walls.length;
  const out = new Float64Array(n);
  if (zone === "UTC") {
    for (let i = 0; i < n; i++) out[i] = walls[i];
    return out;
  }
  const cache = new Map<number, number[]>();
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const w = walls[i];
    if (Number.isNaN(w)) {
      out[i] = NaN;
      continue;
    }
    let c = cache.get(w);
    if (c === undefined) cache.set(w, (c = wallToUtcCandidates(zone, w)));
    if (c.length === 1) out[i] = c[0];
    else if (c.length === 0) {
      // Spring forward: the wall hour is skipped; the following hour is the reading's hour.
      const next = wallToUtcCandidates(zone, w + HOUR_MS);
      out[i] = next[0] ?? NaN;
      counts.nonexistent++;
    } else {
      const k = `${series[i]}\u0000${w}`;
      const times = seen.get(k) ?? 0;
      seen.set(k, times + 1);
      out[i] = c[Math.min(times, c.length - 1)];
      if (times >= 1) counts.repeated++;
    }
  }
  return out;
}
