/**
 * A non-DE35 hourly panel for the report and notebook tests, derived from the embedded DE35 data
 * by renaming and regrouping (the values are real consumption, the shape is another dataset's):
 *
 * - two string key columns, `MunicipalityNo` (DK1 -> "751", DK2 -> "101") and `Branche` (the
 *   DE35 code's first digit: 1 Privat, 2 Offentligt, 3 Landbrug, 4 Industri, 9 Andet), the sum
 *   of the DE35 series in each group: 10 series;
 * - the hour as Copenhagen wall-clock time (`HourDK`), the value in MWh (`ConsumptionMWh`);
 * - one series that stops reporting ({@link STALE_SERIES}, last hour {@link STALE_LAST_UTC}) and
 *   one that starts late ({@link NEW_SERIES}, first hour {@link NEW_FIRST_UTC}), so runs list a
 *   stale series and forecast a new one with the baseline.
 *
 * Ingest it with {@link GENERIC_FLAGS}.
 */
import { readFile, writeFile } from "node:fs/promises";
import { EMBEDDED_DATA_PATH } from "../../src/pipeline/config/paths.js";

/** The dataset flags of the file (`--keys ... --unit MWh`). */
export const GENERIC_FLAGS = [
  "--keys",
  "MunicipalityNo,Branche",
  "--time",
  "HourDK",
  "--time-zone",
  "Europe/Copenhagen",
  "--value",
  "ConsumptionMWh",
  "--unit",
  "MWh",
];

/** The series that stops reporting, as [MunicipalityNo, Branche]. */
export const STALE_SERIES = ["751", "Andet"] as const;
/** Its last reported hour (UTC). */
export const STALE_LAST_UTC = "2023-01-09T23:00:00Z";
/** The series that appears late. */
export const NEW_SERIES = ["101", "Andet"] as const;
/** Its first reported hour (UTC). */
export const NEW_FIRST_UTC = "2023-01-09T00:00:00Z";

const MUNICIPALITY: Record<string, string> = { DK1: "751", DK2: "101" };
const BRANCHE: Record<string, string> = { "1": "Privat", "2": "Offentligt", "3": "Landbrug", "4": "Industri", "9": "Andet" };

/** Writes the file; returns its number of series. */
export async function writeGenericCsv(path: string): Promise<number> {
  const lines = (await readFile(EMBEDDED_DATA_PATH, "utf8")).trimEnd().split("\n");
  const header = lines[0].split(";");
  const col = (name: string) => header.indexOf(name);
  const [utc, dk, area, type, value] = ["HourUTC", "HourDK", "PriceArea", "ConsumerType_DE35", "TotalCon"].map(col);
  const sums = new Map<string, { utc: string; dk: string; m: string; b: string; kwh: number }>();
  for (const line of lines.slice(1)) {
    const f = line.split(";");
    const m = MUNICIPALITY[f[area]];
    if (m === undefined) continue;
    const b = BRANCHE[f[type][0]];
    const key = `${f[utc]}|${m}|${b}`;
    const row = sums.get(key) ?? { utc: f[utc], dk: f[dk], m, b, kwh: 0 };
    row.kwh += Number(f[value]);
    sums.set(key, row);
  }
  const stale = Date.parse(STALE_LAST_UTC);
  const fresh = Date.parse(NEW_FIRST_UTC);
  const out = ["HourDK,MunicipalityNo,Branche,ConsumptionMWh"];
  const series = new Set<string>();
  for (const r of sums.values()) {
    const t = Date.parse(`${r.utc}Z`);
    if (r.m === STALE_SERIES[0] && r.b === STALE_SERIES[1] && t > stale) continue;
    if (r.m === NEW_SERIES[0] && r.b === NEW_SERIES[1] && t < fresh) continue;
    series.add(`${r.m}|${r.b}`);
    out.push(`${r.dk},${r.m},${r.b},${(r.kwh / 1000).toFixed(3)}`);
  }
  await writeFile(path, out.join("\n") + "\n");
  return series.size;
}
