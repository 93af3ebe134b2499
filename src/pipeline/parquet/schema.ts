import * as fl from "@uwdata/flechette";

/**
 * Logical column types we write. They map one to one onto Arrow/Parquet physical types that
 * pandas and DuckDB read without surprises (no Float64 timestamps, no Date32 midnights).
 */
export type ColumnType = "timestamp" | "int8" | "int16" | "int32" | "float64" | "utf8" | "bool";

/** An ordered column list with types: the explicit schema of a parquet file. */
export type TableSchema = ReadonlyArray<readonly [name: string, type: ColumnType]>;

/** Arrow data type for each logical column type. Timestamps are milliseconds since epoch, UTC. */
export function arrowType(type: ColumnType): fl.DataType {
  switch (type) {
    case "timestamp":
      return fl.timestamp(fl.TimeUnit.MILLISECOND, "UTC");
    case "int8":
      return fl.int8();
    case "int16":
      return fl.int16();
    case "int32":
      return fl.int32();
    case "float64":
      return fl.float64();
    case "utf8":
      return fl.utf8();
    case "bool":
      return fl.bool();
  }
}

/**
 * Reads an Arrow field's type back into our logical type, or `undefined` for types we do not
 * write ourselves (the reader then passes the values through as arquero decodes them).
 */
export function logicalType(type: fl.DataType): ColumnType | undefined {
  switch (type.typeId) {
    case fl.Type.Timestamp:
    case fl.Type.Date:
      return "timestamp";
    case fl.Type.Int: {
      const t = type as fl.IntType;
      if (t.bitWidth === 8) return "int8";
      if (t.bitWidth === 16) return "int16";
      if (t.bitWidth === 32) return "int32";
      return undefined;
    }
    case fl.Type.Float:
      return (type as fl.FloatType).precision === fl.Precision.DOUBLE ? "float64" : undefined;
    case fl.Type.Utf8:
    case fl.Type.LargeUtf8:
    case fl.Type.Utf8View:
      return "utf8";
    case fl.Type.Bool:
      return "bool";
    case fl.Type.Dictionary:
      return logicalType((type as fl.DictionaryType).dictionary);
    default:
      return undefined;
  }
}
