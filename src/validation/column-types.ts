import type { JsonSchema } from "./ajv.js";
import { isMissing } from "./context.js";

/** Column types `expect_column_values_to_be_of_type` knows: the parquet schema's logical types. */
export const COLUMN_TYPES = ["timestamp", "int8", "int16", "int32", "float64", "utf8", "bool"] as const;

/** One of {@link COLUMN_TYPES}. */
export type ValidatedColumnType = (typeof COLUMN_TYPES)[number];

/** Largest |epoch ms| a JS Date can hold. */
const MAX_EPOCH_MS = 8.64e15;

/**
 * JSON Schema a single non-missing value of the type must satisfy. ajv's `number` excludes NaN
 * and ±Infinity, so float64 means "finite number" here (NaN counts as missing before this runs).
 */
export function valueSchemaFor(type: ValidatedColumnType): JsonSchema {
  switch (type) {
    case "int8":
      return { type: "integer", minimum: -128, maximum: 127 };
    case "int16":
      return { type: "integer", minimum: -32768, maximum: 32767 };
    case "int32":
      return { type: "integer", minimum: -2147483648, maximum: 2147483647 };
    case "float64":
      return { type: "number" };
    case "timestamp":
      return { type: "integer", minimum: -MAX_EPOCH_MS, maximum: MAX_EPOCH_MS };
    case "utf8":
      return { type: "string" };
    case "bool":
      return { type: "boolean" };
  }
}

const STORAGE_TYPES: Array<[string, string]> = [
  ["Int8Array", "int8"],
  ["Int16Array", "int16"],
  ["Int32Array", "int32"],
  ["BigInt64Array", "int64"],
  ["Uint8Array", "uint8"],
  ["Uint16Array", "uint16"],
  ["Uint32Array", "uint32"],
  ["BigUint64Array", "uint64"],
  ["Float32Array", "float32"],
  ["Float64Array", "float64"],
];

/** The type a typed-array column is stored as, or undefined for plain arrays. */
export function storageType(storage: unknown): string | undefined {
  if (!ArrayBuffer.isView(storage)) return undefined;
  const name = storage.constructor.name;
  return STORAGE_TYPES.find(([ctor]) => ctor === name)?.[1];
}

/**
 * The narrowest type describing the non-missing values: an integer type by range, float64,
 * utf8, bool, or `mixed(...)`. Used only when values do not conform to the expected type, to say
 * what they are instead.
 */
export function describeValues(values: ArrayLike<unknown>): string {
  const kinds = new Set<string>();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    if (typeof v === "number") {
      if (Number.isInteger(v)) {
        kinds.add("integer");
        if (v < min) min = v;
        if (v > max) max = v;
      } else kinds.add("number");
    } else if (typeof v === "string") kinds.add("utf8");
    else if (typeof v === "boolean") kinds.add("bool");
    else if (v instanceof Date) kinds.add("timestamp");
    else kinds.add(typeof v);
  }
  if (kinds.size === 0) return "null";
  if (kinds.size === 1 && kinds.has("integer")) {
    if (min >= -128 && max <= 127) return "int8";
    if (min >= -32768 && max <= 32767) return "int16";
    if (min >= -2147483648 && max <= 2147483647) return "int32";
    return "int64";
  }
  if ([...kinds].every((k) => k === "integer" || k === "number")) return "float64";
  if (kinds.size === 1) return [...kinds][0];
  return `mixed(${[...kinds].sort().join(", ")})`;
}
