import { ExpectationRegistry, type AnyExpectation } from "../registry.js";
import { expectColumnDistinctValuesToBeInSet } from "./column-distinct-values-to-be-in-set.js";
import { expectColumnMaxToBeBetween } from "./column-max-to-be-between.js";
import { expectColumnMinToBeBetween } from "./column-min-to-be-between.js";
import { expectColumnValuesToBeBetween } from "./column-values-to-be-between.js";
import { expectColumnValuesToBeContinuousPerGroup } from "./column-values-to-be-continuous-per-group.js";
import { expectColumnValuesToBePlausible } from "./column-values-to-be-plausible.js";
import { expectColumnValuesToBeVisible } from "./column-values-to-be-visible.js";
import { expectColumnValuesToContinueStoredSeries } from "./column-values-to-continue-stored-series.js";
import { expectColumnValuesToBeInSet } from "./column-values-to-be-in-set.js";
import { expectColumnValuesToBeOfType } from "./column-values-to-be-of-type.js";
import { expectColumnValuesToNotBeNull } from "./column-values-to-not-be-null.js";
import { expectCompoundColumnsToBeUnique } from "./compound-columns-to-be-unique.js";
import { expectTableColumnCountToEqual } from "./table-column-count-to-equal.js";
import { expectTableColumnsToMatchOrderedList } from "./table-columns-to-match-ordered-list.js";
import { expectTableRowCountToBeBetween } from "./table-row-count-to-be-between.js";

/** Every expectation type we implement. */
export const BUILTIN_EXPECTATIONS: readonly AnyExpectation[] = [
  expectTableColumnsToMatchOrderedList,
  expectTableColumnCountToEqual,
  expectTableRowCountToBeBetween,
  expectColumnValuesToNotBeNull,
  expectColumnValuesToBeOfType,
  expectColumnValuesToBeBetween,
  expectColumnValuesToBeInSet,
  expectColumnValuesToBeContinuousPerGroup,
  expectColumnDistinctValuesToBeInSet,
  expectColumnMinToBeBetween,
  expectColumnMaxToBeBetween,
  expectCompoundColumnsToBeUnique,
  expectColumnValuesToBeVisible,
  expectColumnValuesToContinueStoredSeries,
  expectColumnValuesToBePlausible,
];

/** A fresh registry holding the built-in expectations; add custom ones with `register`. */
export function createDefaultRegistry(): ExpectationRegistry {
  return new ExpectationRegistry([...BUILTIN_EXPECTATIONS]);
}

/** The shared default registry (do not register into it; make your own with {@link createDefaultRegistry}). */
export const defaultRegistry: ExpectationRegistry = createDefaultRegistry();
