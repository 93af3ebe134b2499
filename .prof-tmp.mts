import { startGcsEmulator } from "/work/main/test/support/gcs-emulator.ts";
import { startGcsPreconditionProxy } from "/work/main/test/support/gcs-precondition-proxy.ts";
import { execFileSync, spawnSync } from "node:child_process";
const em = await startGcsEmulator();
const proxy = await startGcsPreconditionProxy(em.endpoint);
const env = { ...process.env, STORAGE_EMULATOR_HOST: proxy.endpoint, GOOGLE_CLOUD_PROJECT: "demo-energy-forecast", TZ: "UTC", MODEL_NAME: "seasonal-naive-24", TRAIN_FOLDS: "1", REVISION_HOURS: "100000", LOG_LEVEL: "warn" };
const cpu = () => { const s = execFileSync("bash", ["-c", `cat /proc/${process.pid}/stat; for p in $(pgrep -P ${process.pid}); do cat /proc/$p/stat; done`]).toString(); return s.trim().split("\n").map(l => { const f = l.split(") ")[1].split(" "); return Number(f[11]) + Number(f[12]); }).reduce((a,b)=>a+b,0); };
for (const args of [["ingest","--source","file:/tmp/cx/seed.csv"],["train","--search","none"],["ingest","--source","file:/tmp/cx/b1.csv"],["predict"],["run","--source","file:/tmp/cx/b2.csv","--as-of","2023-01-29T23:00","--train","never"],["doctor","--json"]]) {
  const c0 = cpu(); const t0 = Date.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U+%S", process.execPath, "/work/main/bin/energy-forecast.js", "--store", "gs://prof-bucket/store", ...args], { env });
  console.log(args[0], r.status, "wall", Date.now()-t0, "child cpu", r.stderr.toString().trim().split("\n").pop(), "emulator+proxy+self ticks", cpu()-c0);
}
await proxy.stop(); await em.stop();
