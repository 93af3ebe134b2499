import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject, mostlySchema } from "../kwargs.js";
import { compileValueCheck } from "../ajv.js";
import { evaluateColumnMap } from "../column-map.js";
import { COLUMN_TYPES, describeValues, storageType, valueSchemaFor, type ValidatedColumnType } from "../column-types.js";
import { fmtPct, fmtValue } from "../format.js";

interface K {
  column: string;
  type_: ValidatedColumnType;
  mostly?: number;
}

/**
 * The column has type `type_`: its declared type (from the parquet schema or the transform,
 * passed as `columnTypes`) must equal it, and every non-missing value must fit it (integers in
 * the int8/int32 range, finite numbers for float64, integral epoch ms for timestamp). Without a
 * declared type, the type is inferred from a typed-array column's storage or from the values,
 * and `details.type_source` says which.
 */
export const expectColumnValuesToBeOfType = defineExpectation<K>({
  type: "expect_column_values_to_be_of_type",
  kwargsSchema: kwargsObject({ column: columnSchema, type_: { enum: [...COLUMN_TYPES] }, mostly: mostlySchema }, ["column", "type_"]),
  columns: (k) => [k.column],
  expected: (k) => `type ${k.type_}`,
  evaluate(ctx, k) {
    const values = ctx.values(k.column);
    const check = compileValueCheck(valueSchemaFor(k.type_));
    // Arquero may hand timestamps over as Date objects; their epoch ms is what is stored.
    const test = k.type_ === "timestamp" ? (v: unknown) => check(v instanceof Date ? v.getTime() : v) : check;
    const map = evaluateColumnMap(values, test, k.mostly);
    const conforming = map.result.unexpected_count === 0;
    const declared = ctx.declaredType(k.column);
    let observed: string;
    let source: string;
    let typeMatches: boolean;
    if (declared !== undefined) {
      observed = declared;
      source = "declared";
      typeMatches = declared === k.type_;
    } else {
      const stored = storageType(ctx.storage(k.column));
      if (stored !== undefined) {
        // Timestamps are stored as float64 (or int64) epoch ms; that storage is consistent with them.
        const epochMs = k.type_ === "timestamp" && (stored === "float64" || stored === "int64") && conforming;
        observed = epochMs ? "timestamp" : stored;
        source = `inferred from column storage (${stored})`;
        typeMatches = observed === k.type_;
      } else {
        observed = conforming ? k.type_ : describeValues(values);
        source = "inferred from values";
        typeMatches = true;
      }
    }
    return {
      success: typeMatches && map.success,
      result: { observed_value: observed, ...map.result, details: { type_source: source } },
    };
  },
  describeFailure(k, r) {
    const source = String((r.details as { type_source?: string } | undefined)?.type_source ?? "");
    const parts: string[] = [];
    if (r.observed_value !== k.type_) parts.push(`observed type ${fmtValue(r.observed_value)} (${source}), expected ${k.type_}`);
    if ((r.unexpected_count ?? 0) > 0) {
      parts.push(
        `${r.unexpected_count} of ${(r.element_count ?? 0) - (r.missing_count ?? 0)} non-null values are not ${k.type_} (${fmtPct(r.unexpected_percent)}), e.g. ${fmtValue((r.partial_unexpected_list ?? []).slice(0, 3))}`,
      );
    }
    return parts.join("; ");
  },
});
