// Ingest of the embedded data (44,308 rows) into a fresh local store, then a second, idempotent run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../src/pipeline/config/config.js";
import { silentLogger, systemClock } from "../src/pipeline/core/effects.js";
import { ingest } from "../src/pipeline/ingest/ingest.js";
import { openSource } from "../src/pipeline/ingest/open-source.js";
import { createLocalStorage } from "../src/pipeline/storage/local.js";
import { peakMb, report } from "./util.js";

const dir = mkdtempSync(join(tmpdir(), "bench-ingest-"));
try {
  const config = loadConfig({}, { store: pathToFileURL(dir).href });
  const storage = createLocalStorage(dir);
  const run = async (id: string) => {
    const t0 = performance.now();
    const r = await ingest(
      { storage, group: config.featureGroup, runId: id, clock: systemClock, logger: silentLogger },
      { config, source: openSource(config, silentLogger) },
    );
    return { seconds: (performance.now() - t0) / 1000, r };
  };
  const first = await run("bench-1");
  report("ingest embedded (cold)", {
    rows: first.r.rows,
    series: first.r.series,
    added: first.r.featureStore.added,
    seconds: first.seconds.toFixed(3),
    ...first.r.durationsMs,
  });
  const second = await run("bench-2");
  report("ingest embedded (again)", { added: second.r.featureStore.added, seconds: second.seconds.toFixed(3) });
  report("ingest peak memory", { peakMB: peakMb() });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
