// Child process running the Cloud Storage emulator from firebase-tools (see REFERENCE.md section 4),
// forked by gcs-emulator.ts. Protocol over the IPC channel: the child sends {type: "ready", port},
// or {type: "error", message}; the parent sends "stop" and the child replies {type: "stopped"}.
// The child exits when the parent disconnects, so a killed test worker leaves no emulator (and no
// blob directory) behind.
//
// Plain ESM JavaScript so it starts without a TypeScript loader (startup is about 1 s, mostly imports).
import { once } from "node:events";
import { rmSync } from "node:fs";
import { StorageEmulator } from "firebase-tools/lib/emulator/storage/index.js";
import { createApp } from "firebase-tools/lib/emulator/storage/server.js";
import { EmulatorRegistry } from "firebase-tools/lib/emulator/registry.js";
import { createDestroyer } from "firebase-tools/lib/utils.js";

const [projectId, blobDir] = process.argv.slice(2);

const noRules = {
  start: async () => undefined,
  stop: async () => undefined,
  getRuleset: () => undefined,
};

// The stock emulator starts a Java rules runtime (Java 21 plus a download) and a rules-file watcher.
// The GCS JSON API we use goes through the admin storage layer, which never consults rules, so both
// become no-ops. start() is replaced to listen on port 0 and learn the port the OS chose: picking a
// "free" port first and binding it later races with other processes.
class LocalStorageEmulator extends StorageEmulator {
  constructor(args) {
    super(args);
    this._rulesRuntime = { start: async () => undefined, stop: async () => undefined, alive: false };
  }

  createRulesManager() {
    return noRules;
  }

  getPersistenceTmpDir() {
    // One directory per emulator: the default (os.tmpdir()/firebase/storage/blobs) is shared, and
    // stopping one emulator would delete the blobs of another running in parallel.
    return blobDir;
  }

  async start() {
    this._app = await createApp(this.args.projectId, this);
    const server = this._app.listen(0, this.args.host);
    await once(server, "listening");
    this.args.port = server.address().port;
    this.destroyServer = createDestroyer(server);
  }
}

async function main() {
  const emulator = new LocalStorageEmulator({ projectId, host: "127.0.0.1", port: 0, auto_download: false });
  // Registration matters: the upload handlers build URLs from the registry's host and port.
  await EmulatorRegistry.start(emulator);
  process.on("message", (message) => {
    if (message !== "stop") return;
    EmulatorRegistry.stop("storage").then(
      () => process.send?.({ type: "stopped" }, () => process.exit(0)),
      (error) => {
        process.send?.({ type: "error", message: String(error) }, () => process.exit(1));
      },
    );
  });
  process.send?.({ type: "ready", port: emulator.getInfo().port });
}

process.on("disconnect", () => {
  // The parent died without stopping us: clean up its blob directory as it would have.
  rmSync(blobDir, { recursive: true, force: true });
  process.exit(0);
});
main().catch((error) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (process.send) process.send({ type: "error", message }, () => process.exit(1));
  else {
    console.error(message);
    process.exit(1);
  }
});
