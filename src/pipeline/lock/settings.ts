/**
 * The settings of the store lock, read from the environment with the rest of the configuration
 * (config.ts): how long a command waits for a busy store, how often it looks again, how long a
 * lease lasts without renewal, and how often the holder renews it.
 */
import { ConfigError } from "../core/errors.js";
import { envNumber, type Env } from "../config/env.js";

/** Lock settings, in milliseconds. */
export interface LockSettings {
  /** LOCK_WAIT_SECONDS: how long a command waits for another command's lock before exiting 5 (0: fail at once). */
  waitMs: number;
  /** LOCK_POLL_SECONDS: how often a waiting command tries again. */
  pollMs: number;
  /** LOCK_LEASE_SECONDS: how long the lock holds without renewal; a dead holder blocks the store at most this long. */
  leaseMs: number;
  /** LOCK_RENEW_SECONDS: how often the holder renews its lease; at most half the lease. */
  renewMs: number;
}

/** The defaults: wait a minute, look every 5 s, a 10-minute lease renewed every 2 minutes. */
export const DEFAULT_LOCK_SETTINGS: LockSettings = { waitMs: 60_000, pollMs: 5_000, leaseMs: 600_000, renewMs: 120_000 };

/** Shortest accepted poll, lease and renewal period (10 ms): zero would spin or expire at once. */
const MIN_SECONDS = 0.01;

/**
 * Reads LOCK_WAIT_SECONDS, LOCK_POLL_SECONDS, LOCK_LEASE_SECONDS and LOCK_RENEW_SECONDS (seconds,
 * fractions allowed). Throws {@link ConfigError} for a bad value, or a renewal period above half the
 * lease (a lease must outlive a missed renewal, and a write needs a renewal period of lease left).
 */
export function lockSettings(env: Env): LockSettings {
  const seconds = (name: string, fallbackMs: number, min: number): number => Math.round(envNumber(env, name, fallbackMs / 1000, { min }) * 1000);
  const settings: LockSettings = {
    waitMs: seconds("LOCK_WAIT_SECONDS", DEFAULT_LOCK_SETTINGS.waitMs, 0),
    pollMs: seconds("LOCK_POLL_SECONDS", DEFAULT_LOCK_SETTINGS.pollMs, MIN_SECONDS),
    leaseMs: seconds("LOCK_LEASE_SECONDS", DEFAULT_LOCK_SETTINGS.leaseMs, MIN_SECONDS),
    renewMs: seconds("LOCK_RENEW_SECONDS", DEFAULT_LOCK_SETTINGS.renewMs, MIN_SECONDS),
  };
  if (settings.renewMs * 2 > settings.leaseMs) {
    throw new ConfigError(
      `LOCK_RENEW_SECONDS is ${settings.renewMs / 1000}, more than half of LOCK_LEASE_SECONDS ${settings.leaseMs / 1000}; ` +
        "a lease must outlive a missed renewal: renew at most every half lease (default 120 of 600)",
    );
  }
  return settings;
}
