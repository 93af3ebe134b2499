/**
 * What the registry records about every model version, next to the artifact itself.
 */
export interface ModelMetadata {
  format: "energy-forecast/model-metadata";
  formatVersion: 1;
  /** Registered model name, e.g. `gbm-global`. */
  name: string;
  /** Version number, 1, 2, ... */
  version: number;
  createdAt: string;
  /** Which forecaster kind the artifact holds (its loader). */
  kind: string;
  /** The data the model was fitted on: [start, end] hours, inclusive, ISO. */
  trainingWindow: { start: string; end: string };
  /** Feature group and its commit at training time. */
  featureStore: { group: string; commit: number };
  /** Model inputs, in order. */
  features: string[];
  hyperparameters: Record<string, unknown>;
  /** Backtest metrics of the chosen configuration (errors as fractions). */
  metrics: Record<string, number | null>;
  /** The run that trained it (experiment id) and the code that did. */
  runId: string;
  codeVersion: string;
}
