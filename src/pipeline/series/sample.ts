import { ConfigError } from "../core/errors.js";
import { seriesId, type SeriesKey } from "./key.js";
import { fnv1a32, seriesHash } from "./shard.js";

/**
 * Which series the global model trains on when a panel is wide: a bounded, deterministic sample,
 * stratified by the series' scale so that small and large series are both represented, chosen
 * within each stratum by the stable series-key hash (series/shard.ts), so that the sample does not change
 * between runs as other series come and go (a new series enters only if its hash is among the
 * smallest of its stratum, and pushes out at most one other).
 */

/** Default bound on the series the global model trains on (TRAIN_MAX_SERIES). */
export const DEFAULT_TRAIN_MAX_SERIES = 2000;

const DEFAULT_SALT = "train-sample";

/** Number of scale strata (fewer when the sample is smaller). */
export const SAMPLE_STRATA = 10;

/** How a sample was drawn and what it holds; recorded in the registry metadata of every trained model. */
export interface SeriesSample {
  /** Indices (into the keys given) of the series in the sample, ascending. */
  indices: number[];
  /** Series given. */
  total: number;
  /** Series with a usable scale (finite and > 0): the others give no training row and are never sampled. */
  eligible: number;
  /** The bound (0: none). */
  maxSeries: number;
  /** True when the bound cut the panel (`indices` is then a strict subset of the eligible series). */
  sampled: boolean;
  /** Strata used (0 when not sampled). */
  strata: number;
  /** The rule, in words, for a reader of the metadata. */
  rule: string;
  /** FNV-1a 32-bit hash (8 hex digits) of the sampled series ids, sorted: equal fingerprints, equal sets of series. */
  fingerprint: string;
}

/**
 * The order in which a stratum's series enter the sample: the stable series-key hash
 * ({@link seriesHash}, the one sharding uses: FNV-1a 32-bit of the key's canonical string) mixed
 * with a salt by a murmur3 finaliser, a bijection, so the sample is as stable as the key hash
 * and independent of which shard a series falls in. The same key gives the same number on every
 * machine and in every run.
 */
export function sampleHash(key: SeriesKey, salt = DEFAULT_SALT): number {
  return fmix32((seriesHash(key) ^ fnv1a32(salt)) >>> 0);
}

/** {@link sampleHash} of many keys, the salt hashed once. */
function sampleHashes(keys: readonly SeriesKey[], salt: string): number[] {
  const s = fnv1a32(salt);
  return keys.map((key) => fmix32((seriesHash(key) ^ s) >>> 0));
}

/**
 * TRAIN_MAX_SERIES: a whole number of series >= 0; 0 trains on every series. Throws a
 * {@link ConfigError} (exit 2) naming the setting and the accepted values otherwise.
 */
export function parseMaxSeries(raw: string, name = "TRAIN_MAX_SERIES"): number {
  const text = raw.trim();
  const v = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v)) {
    throw new ConfigError(
      `${name} must be a whole number of series >= 0 (the most series the global model trains on, a stratified sample when there are more; 0: every series), got "${raw}"`,
    );
  }
  return v;
}

/**
 * The series to train on: every series with a usable scale when there are at most `maxSeries`
 * of them (or `maxSeries` is 0), else exactly `maxSeries` of them:
 *
 * 1. the eligible series are ranked by scale (ties by hash, then id) and cut into
 *    `min(SAMPLE_STRATA, maxSeries)` strata of equal size (sizes differ by at most one);
 * 2. each stratum gets its proportional share of `maxSeries` (largest remainders, ties to the
 *    lower stratum), so the sample's distribution of scales is the panel's;
 * 3. within a stratum, the series with the smallest {@link sampleHash} are taken.
 *
 * `scales[s]` is series s's scale (the model's: the mean of its last week); NaN or <= 0 marks a
 * series that gives no training row. `salt` (default `train-sample`) draws another sample of the
 * same kind, to measure how much the choice of series matters (benchmarks only).
 */
export function sampleSeries(keys: readonly SeriesKey[], scales: ArrayLike<number>, maxSeries: number, options: { salt?: string } = {}): SeriesSample {
  if (!Number.isSafeInteger(maxSeries) || maxSeries < 0) {
    throw new ConfigError(`the series bound must be a whole number >= 0 (0: every series), got ${maxSeries}`);
  }
  if (scales.length !== keys.length) throw new RangeError(`sampleSeries: ${keys.length} keys but ${scales.length} scales`);
  const total = keys.length;
  const eligible: number[] = [];
  for (let s = 0; s < total; s++) if (scales[s] > 0 && Number.isFinite(scales[s])) eligible.push(s);
  if (maxSeries === 0 || eligible.length <= maxSeries) {
    const rule =
      maxSeries === 0
        ? "every series (TRAIN_MAX_SERIES=0: no bound)"
        : `every series (${eligible.length} with a usable scale, within the bound of ${maxSeries})`;
    return finish(keys, eligible, { total, eligible: eligible.length, maxSeries, sampled: false, strata: 0, rule });
  }
  const ids = eligible.map((s) => seriesId(keys[s]));
  const salt = options.salt ?? DEFAULT_SALT;
  const hashes = sampleHashes(
    eligible.map((s) => keys[s]),
    salt,
  );
  const order = eligible.map((_, i) => i);
  const byHash = (a: number, b: number) => hashes[a] - hashes[b] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0);
  order.sort((a, b) => scales[eligible[a]] - scales[eligible[b]] || byHash(a, b));
  const n = eligible.length;
  const k = Math.min(SAMPLE_STRATA, maxSeries);
  const bounds = Array.from({ length: k + 1 }, (_, j) => Math.floor((j * n) / k));
  const quotas = proportionalQuotas(
    bounds.slice(1).map((b, j) => b - bounds[j]),
    maxSeries,
  );
  const chosen: number[] = [];
  for (let j = 0; j < k; j++) {
    const stratum = order.slice(bounds[j], bounds[j + 1]).sort(byHash);
    for (let i = 0; i < quotas[j]; i++) chosen.push(eligible[stratum[i]]);
  }
  chosen.sort((a, b) => a - b);
  const rule =
    `stratified sample of ${maxSeries} of ${n} series with a usable scale (TRAIN_MAX_SERIES=${maxSeries}): ` +
    `${k} strata of equal size by scale (mean of the last 168 h), each contributing its share, ` +
    `within a stratum the series that come first by the stable key hash (FNV-1a 32-bit of the series id, as sharding uses, mixed with "${salt}" by murmur3's finaliser)`;
  return finish(keys, chosen, { total, eligible: n, maxSeries, sampled: true, strata: k, rule });
}

/** Splits `m` over groups of the given sizes in proportion (largest remainders, ties to the first group); no group gets more than its size. */
export function proportionalQuotas(sizes: readonly number[], m: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (m >= n) return sizes.slice();
  const quotas = sizes.map((size) => Math.floor((size * m) / n));
  let left = m - quotas.reduce((a, b) => a + b, 0);
  const byRemainder = sizes.map((_, j) => j).sort((a, b) => ((sizes[b] * m) % n) - ((sizes[a] * m) % n) || a - b);
  for (const j of byRemainder) {
    if (left === 0) break;
    if (quotas[j] < sizes[j]) {
      quotas[j]++;
      left--;
    }
  }
  return quotas;
}

function finish(keys: readonly SeriesKey[], indices: number[], rest: Omit<SeriesSample, "indices" | "fingerprint">): SeriesSample {
  const ids = indices.map((s) => seriesId(keys[s])).sort();
  return { indices, ...rest, fingerprint: fnv1a32(ids.join("\u001e")).toString(16).padStart(8, "0") };
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
