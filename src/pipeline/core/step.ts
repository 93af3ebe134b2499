/**
 * The one shape of every pipeline step: `step(ctx: StepContext, options)`. The context carries
 * what a step touches the world through (store, clock, logger) and which run and feature group
 * it works on; the options carry what the step is asked to do. Every step receives the whole
 * context, also the fields it does not use, so that steps compose (a tick hands its own context
 * to the steps it runs) and callers build it once.
 */
import type { Config } from "../config/config.js";
import type { FeatureGroupRef } from "../featurestore/layout.js";
import type { Storage } from "../storage/storage.js";
import type { Workspace } from "../workspace.js";
import type { Clock, Logger } from "./effects.js";

/** Everything a step needs from its surroundings. Entry points get it from their {@link Workspace} with {@link stepContext}. */
export interface StepContext {
  /**
   * The store the step reads and writes (feature store, registry, outputs, run records). A CLI
   * command passes the lock-guarded storage `withStoreLock` hands it, never the workspace's own.
   */
  storage: Storage;
  /** The feature group (name and version) the step reads or writes: the configuration's `featureGroup`. */
  group: FeatureGroupRef;
  /** Identifies this run in everything it stores (validation results, experiments, registered versions, forecasts, manifests). */
  runId: string;
  /** The source of "now" (timestamps it records, the present it validates against); a fixed clock in tests and simulations. */
  clock: Clock;
  /** Where the step reports progress and warnings (stderr at the CLI). */
  logger: Logger;
}

/** What {@link stepContext} reads from a workspace: its store, clock, logger and configured feature group. */
export type StepSurroundings = Pick<Workspace, "storage" | "clock" | "logger"> & { config: Pick<Config, "featureGroup"> };

/**
 * The context of run `runId` in `workspace`: its storage, clock and logger and the configured
 * feature group. Any of them can be replaced, e.g. `storage` by the lock-guarded storage a CLI
 * command writes through, or `logger` by a quieter one in a notebook.
 */
export function stepContext(workspace: StepSurroundings, fields: { runId: string } & Partial<Omit<StepContext, "runId">>): StepContext {
  return {
    storage: fields.storage ?? workspace.storage,
    group: fields.group ?? workspace.config.featureGroup,
    runId: fields.runId,
    clock: fields.clock ?? workspace.clock,
    logger: fields.logger ?? workspace.logger,
  };
}
