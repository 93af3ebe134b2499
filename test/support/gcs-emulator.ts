/**
 * Starts the Firebase Cloud Storage emulator (firebase-tools' `StorageEmulator`, without its Java
 * rules runtime) in a child process on 127.0.0.1 and a free port. No network, no Java.
 *
 * What the emulator does NOT do (REFERENCE.md section 4), so tests must not rely on it:
 * - `createBucket`, bucket `exists()`/`getMetadata()`: buckets appear on first write;
 * - generation preconditions: `ifGenerationMatch` is ignored.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A running emulator. */
export interface GcsEmulator {
  /** Host it listens on (always 127.0.0.1). */
  host: string;
  port: number;
  /** Value for STORAGE_EMULATOR_HOST, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** Stops the emulator and removes its blob directory. Safe to call twice. */
  stop(): Promise<void>;
}

const CHILD_SCRIPT = fileURLToPath(new URL("./gcs-emulator-child.mjs", import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

type ChildMessage = { type: "ready"; port: number } | { type: "stopped" } | { type: "error"; message: string };

/** Keeps the last few KB of the child's output for error messages (and drains the pipes). */
function captureOutput(child: ChildProcess): () => string {
  let text = "";
  const append = (chunk: Buffer): void => {
    text = (text + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text.trim();
}

/** Resolves with the first message matching `type`; rejects on exit, error messages or timeout. */
function waitFor(child: ChildProcess, type: "ready" | "stopped", timeoutMs: number, output: () => string): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: ChildMessage): void => {
      if (message.type === type) {
        cleanup();
        resolve(message);
      } else if (message.type === "error") {
        cleanup();
        reject(new Error(`GCS emulator failed: ${message.message}\n${output()}`));
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`GCS emulator exited (code ${code}, signal ${signal}) while waiting for "${type}"\n${output()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`GCS emulator: no "${type}" within ${timeoutMs} ms\n${output()}`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Starts an emulator; call `stop()` in afterAll. */
export async function startGcsEmulator(options: { projectId?: string } = {}): Promise<GcsEmulator> {
  const blobDir = await mkdtemp(join(tmpdir(), "gcs-emulator-"));
  const child = fork(CHILD_SCRIPT, [options.projectId ?? "demo-energy-forecast", blobDir], {
    // No inherited loader flags from the test runner; the child is plain JavaScript.
    execArgv: [],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const output = captureOutput(child);
  let ready: ChildMessage;
  try {
    ready = await waitFor(child, "ready", START_TIMEOUT_MS, output);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(blobDir, { recursive: true, force: true });
    throw error;
  }
  const port = (ready as { port: number }).port;
  let stopped: Promise<void> | undefined;

  async function stopOnce(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      try {
        const done = waitFor(child, "stopped", STOP_TIMEOUT_MS, output);
        child.send("stop");
        await done;
      } catch {
        // A stuck emulator must not hang the suite: kill it; the blob directory goes either way.
        child.kill("SIGKILL");
      }
      await exited;
    }
    await rm(blobDir, { recursive: true, force: true });
  }

  return {
    host: "127.0.0.1",
    port,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => (stopped ??= stopOnce()),
  };
}
