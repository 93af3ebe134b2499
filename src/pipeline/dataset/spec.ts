/**
 * What a source dataset looks like. The Energi Data Service retired `ConsumptionDE35Hour` in 2023
 * and its successors use other column names and industry codes, so none of this is a constant
 * of the code: a {@link DatasetSpec} is configuration.
 */
export interface DatasetSpec {
  /** Dataset name in the Energi Data Service API, e.g. `ConsumptionDE35Hour`. */
  name: string;
  /** Column names in the API's JSON records and CSV downloads. */
  columns: {
    /** Hour start in UTC, e.g. `HourUTC` (`2022-12-21T16:00:00`). */
    timeUtc: string;
    /** Hour start in Danish local time, e.g. `HourDK`; carried by the API, not used downstream. */
    timeLocal: string;
    /** Price area code, e.g. `PriceArea` (`DK1`). */
    area: string;
    /** Integer consumer (industry) code, e.g. `ConsumerType_DE35`. */
    consumerType: string;
    /** Consumption in kWh, e.g. `TotalCon`. */
    value: string;
  };
  /** Price area code to its int8 encoding (the reference: DK=0, DK1=1, DK2=2). */
  areas: Record<string, number>;
  /** Every consumer type code the dataset may contain. */
  consumerTypes: number[];
}

/** The reference system's dataset: `ConsumptionDE35Hour`, 38 DE35 industry codes. */
export const DE35: DatasetSpec = {
  name: "ConsumptionDE35Hour",
  columns: {
    timeUtc: "HourUTC",
    timeLocal: "HourDK",
    area: "PriceArea",
    consumerType: "ConsumerType_DE35",
    value: "TotalCon",
  },
  areas: { DK: 0, DK1: 1, DK2: 2 },
  consumerTypes: [
    111, 112, 119, 121, 122, 123, 130, 211, 212, 215, 220, 310, 320, 330, 340, 350, 360, 370, 381, 382, 390, 410,
    421, 422, 431, 432, 433, 441, 442, 443, 444, 445, 446, 447, 450, 461, 462, 999,
  ],
};

/**
 * Column names and types of the canonical feature table every step after ingest works on.
 * `datetime_utc` is held in memory as epoch milliseconds (UTC) and written to parquet as a
 * millisecond UTC timestamp.
 */
export const FEATURE_COLUMNS = ["datetime_utc", "area", "consumer_type", "energy_consumption"] as const;
