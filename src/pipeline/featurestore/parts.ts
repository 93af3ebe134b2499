import type { ColumnTable } from "arquero";
import { NotFoundError, PipelineError } from "../core/errors.js";
import { readParquet } from "../parquet/read.js";
import type { TableSchema } from "../parquet/schema.js";
import type { Storage } from "../storage/storage.js";
import { REPAIR_COMMAND } from "./layout.js";
import type { PartitionEntry } from "./manifest.js";

/** Why a partition file the manifest lists cannot be used. */
export type PartDamage = "missing" | "undecodable";

/**
 * A partition file the manifest lists is missing or does not decode with the group's schema.
 * The message names the file and both ways out: re-ingesting a window that covers its day (the
 * upsert sets the damaged file aside and writes the new rows), or `doctor --repair`.
 * Failures of the storage itself (network, permissions) are never reported as damage.
 */
export class DamagedPartError extends PipelineError {
  constructor(
    readonly day: string,
    readonly key: string,
    readonly damage: PartDamage,
    uri: string,
    cause?: unknown,
  ) {
    super(
      "featurestore",
      `partition ${key} (day ${day}) ${damage === "missing" ? "is listed in the manifest but missing" : "cannot be decoded"} in ${uri}; ` +
        `re-ingest a window that covers ${day} (energy-forecast ingest --full, with an --as-of whose window holds that day) to replace it, ` +
        `or run ${REPAIR_COMMAND} to set it aside`,
      cause === undefined ? {} : { cause },
    );
    this.name = "DamagedPartError";
  }
}

/**
 * Reads one partition file of the manifest with the group's schema; throws {@link DamagedPartError}
 * when it is missing or does not decode (corrupt bytes, foreign columns).
 */
export async function readPart(storage: Storage, day: string, entry: PartitionEntry, schema: TableSchema): Promise<ColumnTable> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(entry.key);
  } catch (error) {
    if (error instanceof NotFoundError) throw new DamagedPartError(day, entry.key, "missing", storage.uri);
    throw error;
  }
  try {
    return readParquet(bytes, schema, entry.key);
  } catch (error) {
    if (error instanceof PipelineError && error.domain === "parquet") throw new DamagedPartError(day, entry.key, "undecodable", storage.uri, error);
    throw error;
  }
}
