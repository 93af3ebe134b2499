import { describe, expect, it } from "vitest";
import { ingestWindow, latestAsOf, presentEnd, splitAtPresent } from "../../../src/pipeline/ingest/window.js";
import { visibleUntil } from "../../../src/pipeline/time/index.js";

const t = (s: string) => Date.parse(s + "Z");

describe("ingestWindow", () => {
  it("extracts [T - delay - export, T - delay) on hour boundaries", () => {
    const w = ingestWindow(t("2023-02-15T10:37"), 15, 30);
    expect(new Date(w.requested.start).toISOString()).toBe("2023-01-01T10:00:00.000Z");
    expect(new Date(w.requested.end).toISOString()).toBe("2023-01-31T10:00:00.000Z");
    expect(w.range).toEqual(w.requested);
    expect(w.coverage).toBe(1);
    // The window ends where data stops being visible: the one visibility rule.
    expect(w.requested.end).toBe(visibleUntil(t("2023-02-15T10:37"), 15));
  });

  it("clamps to the source's extent and reports the coverage", () => {
    const extent = { start: t("2023-01-10T00:00"), end: t("2023-01-20T00:00") };
    const w = ingestWindow(t("2023-01-30T00:00"), 15, 10, extent);
    expect(w.range).toEqual({ start: t("2023-01-10T00:00"), end: t("2023-01-15T00:00") });
    expect(w.coverage).toBe(0.5);
  });

  it("says what exists when the window misses the data", () => {
    const extent = { start: t("2022-12-21T16:00"), end: t("2023-01-14T23:00") };
    expect(() => ingestWindow(t("2026-11-22T03:00"), 15, 30, extent)).toThrow(
      "ingest: window 2026-10-08T03:00Z..2026-11-07T03:00Z (as of 2026-11-22T03:00Z, 15 days delay, 30 days export) has no data: " +
        "the source covers 2022-12-21T16:00Z..2023-01-14T23:00Z; check --as-of and --days-delay",
    );
  });

  it("defaults file sources to the moment their last hour became visible", () => {
    const extent = { start: t("2022-12-21T16:00"), end: t("2023-01-14T23:00") };
    const asOf = latestAsOf(extent, 15);
    expect(new Date(asOf).toISOString()).toBe("2023-01-29T23:00:00.000Z");
    expect(ingestWindow(asOf, 15, 30, extent).range).toEqual(extent);
  });

  it("never lets a row from the future set the default as-of: the extent counts up to the end of the present hour", () => {
    const now = t("2026-12-02T07:30");
    expect(presentEnd(now)).toBe(t("2026-12-02T08:00"));
    const extent = { start: t("2022-12-21T16:00"), end: t("2099-01-01T01:00") };
    expect(new Date(latestAsOf(extent, 15, now)).toISOString()).toBe("2026-12-17T08:00:00.000Z");
    // A source that stops in the past is unaffected.
    expect(latestAsOf({ start: t("2022-12-21T16:00"), end: t("2023-01-14T23:00") }, 15, now)).toBe(t("2023-01-29T23:00"));
  });

  it("splits an extent at the present: the part to ingest and the future part to refuse", () => {
    const now = t("2026-12-02T07:30");
    expect(splitAtPresent({ start: t("2023-01-01T00:00"), end: t("2099-01-01T01:00") }, now)).toEqual({
      past: { start: t("2023-01-01T00:00"), end: t("2026-12-02T08:00") },
      future: { start: t("2026-12-02T08:00"), end: t("2099-01-01T01:00") },
    });
    expect(splitAtPresent({ start: t("2023-01-01T00:00"), end: t("2023-01-02T00:00") }, now)).toEqual({
      past: { start: t("2023-01-01T00:00"), end: t("2023-01-02T00:00") },
    });
    expect(splitAtPresent({ start: t("2099-01-01T00:00"), end: t("2099-01-01T01:00") }, now)).toEqual({
      future: { start: t("2099-01-01T00:00"), end: t("2099-01-01T01:00") },
    });
  });
});
