// Ingest of a 3-key preset from the local Energi Data Service: PrivIndustryConsumptionHour with
// 3,000 series x 30 days (2.16 M rows, synthesised from the embedded data's shapes, seeded) into a
// fresh local store, through the real HTTP client and ingest step, under the service's rate limit
// scaled down from one request per dataset per minute to one per second. Then a second tick at the
// same as-of, which fetches only the revision overlap (the preset's 3 days). Prints wall time, time
// spent waiting for the rate limit, requests and peak memory.
//
// The server runs in a child process (this script with `serve`), as the real service is elsewhere:
// the peak memory printed is the ingest's alone. `peakMB` on the first line is the peak of the 2.16 M
// row ingest; the overlap tick runs in the same process afterwards, so the last line's peak is the
// larger of the two.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/pipeline/config/config.js";
import { systemClock, type Logger } from "../src/pipeline/core/effects.js";
import { ingest } from "../src/pipeline/ingest/ingest.js";
import { openSource } from "../src/pipeline/ingest/open-source.js";
import { createLocalStorage } from "../src/pipeline/storage/local.js";
import { generatedPrivIndustry } from "../test/support/eds-datasets.js";
import { startEdsServer } from "../test/support/eds-server.js";
import { peakMb, report } from "./util.js";

const SHAPE = { municipalities: 100, days: 30, seed: 10 };
const HOUR_MS = 3_600_000;

/** Messages from the server process. */
type FromServer =
  { type: "ready"; url: string; series: number; hours: number; start: number; seconds: number } | { type: "stats"; served: number; rejected: number };

if (process.argv[2] === "serve") {
  const t0 = performance.now();
  const data = generatedPrivIndustry(SHAPE);
  const server = await startEdsServer({ datasets: { PrivIndustryConsumptionHour: data }, rateLimit: { requests: 1, windowMs: 1_000 } });
  const send = (m: FromServer) => process.send!(m);
  send({ type: "ready", url: server.url, series: data.series.length, hours: data.hours, start: data.start, seconds: (performance.now() - t0) / 1000 });
  process.on("message", (m) => {
    if (m === "stats") send({ type: "stats", served: server.requests.length, rejected: server.requests.filter((q) => q.status === 429).length });
  });
  // The server stops with its parent.
  process.on("disconnect", () => void server.close().then(() => process.exit(0)));
} else {
  await main();
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () => new Promise<FromServer>((done) => child.once("message", (m) => done(m as FromServer)));
  const ready = await next();
  if (ready.type !== "ready") throw new Error("bench: the local Energi Data Service did not start");
  const stats = async () => {
    const reply = next();
    child.send("stats");
    return (await reply) as Extract<FromServer, { type: "stats" }>;
  };
  report("ingest-preset data", { series: ready.series, hours: ready.hours, rows: ready.series * ready.hours, seconds: ready.seconds.toFixed(2) });

  const dir = mkdtempSync(join(tmpdir(), "bench-ingest-preset-"));
  try {
    const config = loadConfig(
      { EDS_API_URL: ready.url, EDS_MAX_WAIT_SECONDS: "600" },
      { store: dir, source: "api", dataset: "priv-industry-consumption-hour", delayDays: "0", exportDays: String(SHAPE.days) },
    );
    const storage = createLocalStorage(dir);
    const asOf = ready.start + ready.hours * HOUR_MS;
    const run = async (id: string) => {
      const logger = extractLogger();
      const start = performance.now();
      const r = await ingest(
        { storage, group: config.featureGroup, runId: id, clock: systemClock, logger },
        { config, source: openSource(config, logger), asOf },
      );
      return {
        seconds: (performance.now() - start) / 1000,
        r,
        waitedS: Number(logger.extract?.waitedMs ?? 0) / 1000,
        pages: Number(logger.extract?.pages ?? 0),
      };
    };
    const first = await run("bench-preset-1");
    const s1 = await stats();
    report("ingest-preset 3000x30d", {
      rows: first.r.rows,
      series: first.r.series,
      added: first.r.featureStore.added,
      requests: first.r.requests ?? 0,
      pages: first.pages,
      rejected429: s1.rejected,
      seconds: first.seconds.toFixed(2),
      waitedS: first.waitedS.toFixed(2),
      withoutWaitS: (first.seconds - first.waitedS).toFixed(2),
      peakMB: peakMb(),
      ...first.r.durationsMs,
    });
    const again = await run("bench-preset-2");
    const s2 = await stats();
    report("ingest-preset overlap tick", {
      rows: again.r.rows,
      changed: again.r.featureStore.changed,
      requests: again.r.requests ?? 0,
      rejected429: s2.rejected - s1.rejected,
      seconds: again.seconds.toFixed(2),
      waitedS: again.waitedS.toFixed(2),
      peakMB: peakMb(),
      ...again.r.durationsMs,
    });
    report("ingest-preset peak memory", { peakMB: peakMb() });
  } finally {
    child.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps the fields of the client's extract summary (pages, time waited). */
function extractLogger(): Logger & { extract?: Record<string, unknown> } {
  const logger: Logger & { extract?: Record<string, unknown> } = {
    debug: () => {},
    info: (message, fields) => {
      if (message === "Energi Data Service extract") logger.extract = fields;
    },
    warn: () => {},
    error: () => {},
  };
  return logger;
}
