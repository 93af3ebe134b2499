/**
 * A small panel of the embedded DE35 data for tests whose subject is not the width of the data
 * (storage faults, kills, locks, concurrency): four series (DK1 and DK2, consumer types 111 and
 * 999) instead of 76. Every step, write and mutation of a tick is the same; only the rows are fewer.
 * The embedded default at full width stays covered by the end-to-end tests (test/cli/run.test.ts).
 */

/** The series filter (`--filter` / `FILTER`) of the small panel. */
export const SMALL_PANEL_FILTER = { PriceArea: ["DK1", "DK2"], ConsumerType_DE35: ["111", "999"] } as const;

/** How many series the small panel has. */
export const SMALL_PANEL_SERIES = 4;

/** The environment that selects the small panel for the CLI or `loadConfig`. */
export const SMALL_PANEL_ENV: Readonly<Record<string, string>> = { FILTER: JSON.stringify(SMALL_PANEL_FILTER) };
