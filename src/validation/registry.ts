import type { JsonSchema } from "./ajv.js";
import type { ValidationContext } from "./context.js";
import type { ExpectationResultDetails, Kwargs } from "./types.js";

/** What an expectation's evaluation returns. */
export interface Outcome {
  success: boolean;
  result: ExpectationResultDetails;
  /** Notes for the result's `meta`, e.g. where a column type came from. */
  meta?: Record<string, unknown>;
}

/**
 * One expectation type. `kwargsSchema` is checked with ajv when a suite is loaded, so `evaluate`
 * can trust the shape of its kwargs; `checkKwargs` covers rules a schema states badly (e.g.
 * min_value <= max_value).
 */
export interface ExpectationDefinition<K> {
  /** GE name, e.g. `expect_column_min_to_be_between`. */
  type: string;
  /** JSON Schema of the kwargs object. */
  kwargsSchema: JsonSchema;
  /** Cross-field rules; returns a problem description, or undefined when fine. */
  checkKwargs?(kwargs: K): string | undefined;
  /** Columns the expectation reads (empty for table-level ones), for messages. */
  columns(kwargs: K): string[];
  /** Human phrase of what is expected, e.g. `>= 0` or `of type int8`. */
  expected(kwargs: K): string;
  /** Runs the check. May throw (a missing column, say): the runner records the exception. */
  evaluate(ctx: ValidationContext, kwargs: K): Outcome;
  /** Failure text after `type(columns) `, when the generic one says too little. */
  describeFailure?(kwargs: K, outcome: ExpectationResultDetails): string;
}

/** A definition with its kwargs type erased, as the registry holds it. */
export type AnyExpectation = ExpectationDefinition<Kwargs>;

/**
 * Erases a definition's kwargs type. Safe because the runner only passes kwargs that passed
 * `kwargsSchema`, which is written to match `K`.
 */
export function defineExpectation<K>(def: ExpectationDefinition<K>): AnyExpectation {
  return def as unknown as AnyExpectation;
}

/** The expectation types a suite may use. */
export class ExpectationRegistry {
  private readonly defs = new Map<string, AnyExpectation>();

  constructor(definitions: AnyExpectation[] = []) {
    for (const d of definitions) this.register(d);
  }

  /** Adds a type; registering a name twice is a programming error. */
  register(def: AnyExpectation): this {
    if (this.defs.has(def.type)) throw new Error(`expectation type ${def.type} registered twice`);
    this.defs.set(def.type, def);
    return this;
  }

  /** The definition of `type`, or undefined. */
  get(type: string): AnyExpectation | undefined {
    return this.defs.get(type);
  }

  /** Supported type names, sorted. */
  types(): string[] {
    return [...this.defs.keys()].sort();
  }
}
