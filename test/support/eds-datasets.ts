/**
 * Datasets the local Energi Data Service (eds-server.ts) serves, in the shapes of the presets in
 * src/pipeline/dataset/presets/.
 *
 * Only ConsumptionDE35Hour is genuine. The other three are DERIVED from it by renaming and
 * regrouping, not real data of those datasets: the same hours (2022-12-21T16 .. 2023-01-14T22 UTC),
 * the DE35 consumption summed into that dataset's series. The k-th DE35 consumer type of a price
 * area (k = 0..37, codes in ascending order) goes to:
 * - ProductionConsumptionSettlement: its price area; GrossConsumptionMWh = sum of TotalCon / 1000,
 *   plus the columns CentralPowerMWh and GridLossTransmissionMWh (fixed shares of it) the preset
 *   does not read. 2 series.
 * - ConsumptionIndustry: MunicipalityNo DK1 -> "751"/"851", DK2 -> "101"/"147" by floor(k/3) % 2,
 *   Branche Erhverv/Offentligt/Privat by k % 3; ConsumptionkWh. 12 series.
 * - PrivIndustryConsumptionHour: MunicipalityNo by floor(k/6) % 2, HousingCategory by k % 3,
 *   HeatingCategory by floor(k/3) % 2; ConsumptionkWh. 24 series.
 *
 * {@link generatedPrivIndustry} synthesises a large PrivIndustryConsumptionHour (thousands of
 * series, seeded) for the ingest-preset benchmark, computed per page instead of held as records.
 */
import { Rng } from "../../src/pipeline/models/gbm/prng.js";
import { offsetAt } from "../../src/pipeline/time/zone.js";
import { de35Records, type EdsRecord } from "./eds-server.js";

/** The API dataset names of the presets. */
export const PRESET_DATASETS = ["ConsumptionDE35Hour", "ProductionConsumptionSettlement", "ConsumptionIndustry", "PrivIndustryConsumptionHour"] as const;

const MUNICIPALITIES: Record<string, [string, string]> = { DK1: ["751", "851"], DK2: ["101", "147"] };
const BRANCHES = ["Erhverv", "Offentligt", "Privat"];
const HOUSING = ["Enfamiliehuse", "Etageboliger", "Rækkehuse"];
const HEATING = ["Fjernvarme", "Elvarme"];

/** Every preset's dataset, derived from the genuine DE35 copy (see the module comment). Fresh arrays on every call. */
export function presetDatasets(): Record<string, EdsRecord[]> {
  const de35 = de35Records();
  const types = [...new Set(de35.map((r) => r.ConsumerType_DE35 as number))].sort((a, b) => a - b);
  const index = new Map(types.map((t, k) => [t, k]));
  return {
    ConsumptionDE35Hour: [...de35],
    ProductionConsumptionSettlement: regroup(de35, (r) => [["PriceArea", r.PriceArea as string]], "GrossConsumptionMWh", 1 / 1000).map((r) => ({
      HourUTC: r.HourUTC,
      HourDK: r.HourDK,
      PriceArea: r.PriceArea,
      CentralPowerMWh: round3((r.GrossConsumptionMWh as number) * 0.35),
      GrossConsumptionMWh: r.GrossConsumptionMWh,
      GridLossTransmissionMWh: round3((r.GrossConsumptionMWh as number) * 0.02),
    })),
    ConsumptionIndustry: regroup(
      de35,
      (r) => {
        const k = index.get(r.ConsumerType_DE35 as number)!;
        return [
          ["MunicipalityNo", MUNICIPALITIES[r.PriceArea as string][Math.floor(k / 3) % 2]],
          ["Branche", BRANCHES[k % 3]],
        ];
      },
      "ConsumptionkWh",
      1,
    ),
    PrivIndustryConsumptionHour: regroup(
      de35,
      (r) => {
        const k = index.get(r.ConsumerType_DE35 as number)!;
        return [
          ["MunicipalityNo", MUNICIPALITIES[r.PriceArea as string][Math.floor(k / 6) % 2]],
          ["HousingCategory", HOUSING[k % 3]],
          ["HeatingCategory", HEATING[Math.floor(k / 3) % 2]],
        ];
      },
      "ConsumptionkWh",
      1,
    ),
  };
}

/**
 * Sums DE35's TotalCon per hour and new key, scaled by `factor`, into records
 * `HourUTC, HourDK, <keys...>, <value>`, sorted by hour then key (as the service pages them).
 */
function regroup(rows: EdsRecord[], keyOf: (r: EdsRecord) => Array<[string, string]>, valueColumn: string, factor: number): EdsRecord[] {
  const groups = new Map<string, EdsRecord>();
  for (const r of rows) {
    const key = keyOf(r);
    const id = `${r.HourUTC as string}|${key.map(([, v]) => v).join("|")}`;
    let g = groups.get(id);
    if (!g) {
      g = { HourUTC: r.HourUTC, HourDK: r.HourDK, ...Object.fromEntries(key), [valueColumn]: 0 };
      groups.set(id, g);
    }
    (g[valueColumn] as number) += (r.TotalCon as number) * factor;
  }
  const out = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  for (const g of out) g[valueColumn] = round3(g[valueColumn] as number);
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * A dataset computed per request instead of held as records: `hours` hours from `start` (UTC)
 * times `series` key tuples, ordered by hour then series; `value(h, s)` reads a flat array.
 * The local server answers it with `timezone=utc` and `sort=<time column> asc` only.
 */
export interface GeneratedDataset {
  kind: "generated";
  /** Record columns in order: time (UTC), HourDK, the keys, the value. */
  timeColumn: string;
  keyColumns: string[];
  valueColumn: string;
  /** Key texts per series, in `keyColumns` order. */
  series: string[][];
  /** First hour (epoch ms, UTC) and number of hours. */
  start: number;
  hours: number;
  /** `values[h * series.length + s]`, kWh with three decimals. */
  values: Float64Array;
  /** Per hour: `HourUTC` and `HourDK` as the service writes them. */
  utcTexts: string[];
  dkTexts: string[];
}

/**
 * A large PrivIndustryConsumptionHour for the benchmark: `municipalities` x 6 housing x 5 heating
 * categories (100 -> 3,000 series) over `days` days from 2024-01-01 UTC. Each series takes the
 * hourly shape of one genuine DE35 series (its values over their mean, aligned on the hour of day),
 * a seeded scale and ±3 % seeded noise, so the data has realistic daily profiles. Seeded: the
 * same arguments give the same values.
 */
export function generatedPrivIndustry(options: { municipalities?: number; days?: number; seed?: number } = {}): GeneratedDataset {
  const municipalities = options.municipalities ?? 100;
  const days = options.days ?? 30;
  const rng = new Rng(options.seed ?? 10);
  const housing = ["Enfamiliehuse", "Etageboliger", "Rækkehuse", "Sommerhuse", "Kollegier", "Andet"];
  const heating = ["Fjernvarme", "Elvarme", "Varmepumpe", "Naturgas", "Andet"];
  const series: string[][] = [];
  for (let m = 0; m < municipalities; m++) for (const ho of housing) for (const he of heating) series.push([String(101 + 4 * m), ho, he]);

  // DE35 shapes: per series, values over their mean, starting at the first midnight (row 8 of the file).
  const de35 = de35Records();
  const shapes = new Map<string, number[]>();
  for (const r of de35) {
    const id = `${r.PriceArea as string}|${r.ConsumerType_DE35 as number}`;
    let xs = shapes.get(id);
    if (!xs) shapes.set(id, (xs = []));
    xs.push(r.TotalCon as number);
  }
  const profiles = [...shapes.values()].map((xs) => {
    const days24 = xs.slice(8, 8 + 24 * Math.floor((xs.length - 8) / 24));
    const mean = days24.reduce((a, b) => a + b, 0) / days24.length || 1;
    return Float64Array.from(days24, (x) => x / mean);
  });
  const start = Date.UTC(2024, 0, 1);
  const hours = days * 24;
  const n = series.length;
  const scale = Float64Array.from(series, () => 20 + 2000 * rng.nextFloat() ** 2);
  const values = new Float64Array(hours * n);
  for (let h = 0; h < hours; h++) {
    for (let s = 0; s < n; s++) {
      const p = profiles[s % profiles.length];
      const v = scale[s] * p[h % p.length] * (0.97 + 0.06 * rng.nextFloat());
      values[h * n + s] = Math.round(Math.max(0, v) * 1000) / 1000;
    }
  }
  const utcTexts = Array.from({ length: hours }, (_, h) => new Date(start + h * 3_600_000).toISOString().slice(0, 19));
  const dkTexts = Array.from({ length: hours }, (_, h) => hourDk(start + h * 3_600_000));
  return {
    kind: "generated",
    timeColumn: "HourUTC",
    keyColumns: ["MunicipalityNo", "HousingCategory", "HeatingCategory"],
    valueColumn: "ConsumptionkWh",
    series,
    start,
    hours,
    values,
    utcTexts,
    dkTexts,
  };
}

/** `HourDK` of a UTC hour: Danish wall time, as the service writes it. */
function hourDk(utc: number): string {
  return new Date(utc + offsetAt("Europe/Copenhagen", utc)).toISOString().slice(0, 19);
}
