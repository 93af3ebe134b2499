import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The project's root folder (where package.json is), however the code is started. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The default local store: `.data/store` under the project, shared by the CLI, report and notebooks. */
export const DEFAULT_STORE_DIR = join(PROJECT_ROOT, ".data", "store");

/**
 * The embedded default dataset: a genuine copy of Energi Data Service `ConsumptionDE35Hour`,
 * 2022-12-21T16:00 .. 2023-01-14T22:00 UTC, 76 series (see README, "Data").
 */
export const EMBEDDED_DATA_PATH = join(PROJECT_ROOT, "data", "de35", "ConsumptionDE35Hour_2022-12-21T16_2023-01-14T22.csv");
