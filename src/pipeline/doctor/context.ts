import type { Logger } from "../core/effects.js";
import type { Storage } from "../storage/storage.js";

/** What every check and repair of doctor works with. */
export interface DoctorContext {
  storage: Storage;
  /** The instant of the examination (repairs record it in manifests). */
  now: Date;
  /** Id of this doctor run, recorded in the commits it makes. */
  runId: string;
  /** Every key in the store, listed once at the start. */
  keys: string[];
  logger?: Logger;
}
