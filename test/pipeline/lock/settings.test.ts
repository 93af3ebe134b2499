/** The lock settings: defaults, seconds with fractions, and the settings that cannot work. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/pipeline/config/config.js";
import { DEFAULT_LOCK_SETTINGS, lockSettings } from "../../../src/pipeline/lock/settings.js";

describe("lock settings", () => {
  it("default to a 60 s wait tried every 5 s, and a 10-minute lease renewed every 2 minutes", () => {
    expect(loadConfig({}).lock).toEqual({ waitMs: 60_000, pollMs: 5_000, leaseMs: 600_000, renewMs: 120_000 });
    expect(lockSettings({})).toEqual(DEFAULT_LOCK_SETTINGS);
  });

  it("read seconds, fractions allowed; no wait at all is allowed", () => {
    expect(lockSettings({ LOCK_WAIT_SECONDS: "0", LOCK_POLL_SECONDS: "0.2", LOCK_LEASE_SECONDS: "1.5", LOCK_RENEW_SECONDS: "0.25" })).toEqual({
      waitMs: 0,
      pollMs: 200,
      leaseMs: 1500,
      renewMs: 250,
    });
  });

  it("refuse values that cannot work, naming the setting", () => {
    expect(() => lockSettings({ LOCK_WAIT_SECONDS: "-1" })).toThrow('config: LOCK_WAIT_SECONDS must be a number >= 0, got "-1"');
    expect(() => lockSettings({ LOCK_POLL_SECONDS: "0" })).toThrow('config: LOCK_POLL_SECONDS must be a number >= 0.01, got "0"');
    expect(() => lockSettings({ LOCK_LEASE_SECONDS: "soon" })).toThrow('config: LOCK_LEASE_SECONDS must be a number >= 0.01, got "soon"');
    expect(() => lockSettings({ LOCK_LEASE_SECONDS: "60" })).toThrow(
      "config: LOCK_RENEW_SECONDS is 120, more than half of LOCK_LEASE_SECONDS 60; a lease must outlive a missed renewal: renew at most every half lease (default 120 of 600)",
    );
    expect(lockSettings({ LOCK_LEASE_SECONDS: "240" }).renewMs).toBe(120_000); // exactly half is fine
  });
});
