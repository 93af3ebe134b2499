import { PipelineError } from "../core/errors.js";

/**
 * The registry holds no version a reference could resolve to: no versions of the model at all, or
 * no such alias. Callers branch on it (a first tick trains instead of failing).
 */
export class ModelNotRegisteredError extends PipelineError {
  /** The model name. */
  readonly model: string;
  /** What was asked for: `latest` or the alias. */
  readonly ref: string;
  constructor(model: string, ref: string, message: string) {
    super("registry", message);
    this.name = "ModelNotRegisteredError";
    this.model = model;
    this.ref = ref;
  }
}
