// Preloaded into every Node process of a test run by bench/test-processes.ts (NODE_OPTIONS=--import):
// at exit, the process writes its own command line and CPU seconds to TEST_PROCESS_LOG/<pid>.json.
// A process killed by a signal writes nothing; the bench counts those in what it could not log.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TEST_PROCESS_LOG;
if (dir) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    const record = { argv: process.argv.slice(1, 8), cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 };
    try {
      writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(record));
    } catch {
      // The folder is gone (the bench ended first): nothing to record into.
    }
  });
}
