import type { Logger } from "../core/effects.js";
import type { Config } from "../config/config.js";
import { edsApiSource } from "./eds-client.js";
import { fileSource } from "./file-source.js";
import type { Source } from "./source.js";

/**
 * The source a configuration names: the Energi Data Service API or a CSV/parquet file, which its
 * description names relative to `cwd` (the workspace's; default the process's).
 */
export function openSource(config: Config, logger: Logger, cwd?: string): Source {
  const s = config.source;
  if (s.kind === "api") {
    return edsApiSource({
      baseUrl: s.baseUrl,
      pageSize: config.api.pageSize,
      maxRetries: config.api.maxRetries,
      timeoutMs: config.api.timeoutMs,
      maxWaitMs: config.api.maxWaitMs,
      logger,
    });
  }
  return fileSource(s.location, { cwd });
}
