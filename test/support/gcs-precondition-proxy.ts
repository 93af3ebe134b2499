/**
 * A small HTTP proxy on 127.0.0.1 in front of the Cloud Storage emulator (gcs-emulator.ts) that
 * enforces the one precondition the pipeline relies on: `ifGenerationMatch=0` ("create only if no
 * object of this name exists") on single-request uploads.
 *
 * Why it exists: the Firebase emulator accepts `ifGenerationMatch` and ignores it (REFERENCE.md
 * section 4), so against it alone every exclusive create "wins" and a test of locks or concurrent
 * creates would prove nothing. It is not a mock of GCS for anything else: every other request goes
 * to the real emulator unchanged, and requests with a precondition the proxy does not enforce are
 * refused with HTTP 501, so a test can never pass by silently relying on an ignored precondition.
 *
 * How: an upload carrying `ifGenerationMatch=0` is serialised per object name; while it holds that
 * name the proxy asks the emulator's JSON API whether the object exists (GET object metadata) and
 * answers 412 in GCS's error format if it does, otherwise forwards the upload and releases the
 * name only when the emulator has answered. Since every conditional create passes through here,
 * check-then-write is atomic for them, as GCS makes it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the proxy saw, for tests that check what the real client sent. */
export interface ProxiedRequest {
  method: string;
  /** URL path, still percent-encoded. */
  path: string;
  /** Decoded query parameters (last value wins). */
  query: Record<string, string>;
  /** Status sent back; undefined until the answer is complete. */
  status?: number;
}

/** A running proxy. */
export interface GcsPreconditionProxy {
  /** Value for STORAGE_EMULATOR_HOST, e.g. `http://127.0.0.1:40124`. */
  endpoint: string;
  /** Every request so far, in arrival order. */
  requests: ProxiedRequest[];
  /** Stops listening and closes open connections. Safe to call twice. */
  stop(): Promise<void>;
}

/** The preconditions GCS knows; only `ifGenerationMatch=0` on uploads is enforced here. */
const PRECONDITIONS = ["ifGenerationMatch", "ifGenerationNotMatch", "ifMetagenerationMatch", "ifMetagenerationNotMatch"];
/** Single-request upload paths: `/upload/storage/v1/b/<bucket>/o`. */
const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;
const PRECONDITION_FAILED = "At least one of the pre-conditions you specified did not hold.";

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** An error body shaped like GCS's, which the client turns into an ApiError with `code` = status. */
function sendError(res: ServerResponse, status: number, message: string, reason: string): void {
  sendJson(res, status, { error: { code: status, message, errors: [{ message, domain: "global", reason }] } });
}

/** Starts a proxy in front of the emulator at `upstream` (its STORAGE_EMULATOR_HOST value). */
export async function startGcsPreconditionProxy(upstream: string): Promise<GcsPreconditionProxy> {
  const target = new URL(upstream);
  const requests: ProxiedRequest[] = [];
  /** Tail of each object name's queue of conditional uploads. */
  const queues = new Map<string, Promise<void>>();

  /** Runs `task` after every earlier task for `name` has finished. */
  async function serialised(name: string, task: () => Promise<void>): Promise<void> {
    const previous = queues.get(name) ?? Promise.resolve();
    let done!: () => void;
    const tail = previous.then(() => new Promise<void>((resolve) => (done = resolve)));
    queues.set(name, tail);
    await previous;
    try {
      await task();
    } finally {
      done();
      if (queues.get(name) === tail) queues.delete(name);
    }
  }

  /** Forwards the request unchanged; resolves once the answer has been passed on completely. */
  function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const upstreamRequest = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamResponse) => {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(res);
          upstreamResponse.once("error", () => res.destroy());
        },
      );
      upstreamRequest.once("error", (error) => {
        if (res.headersSent) res.destroy();
        else sendError(res, 502, `precondition proxy: emulator unreachable: ${error.message}`, "backendError");
      });
      res.once("close", () => resolve());
      req.pipe(upstreamRequest);
    });
  }

  /** Whether the emulator holds a live object `name` in `bucket`, via its JSON API. */
  async function objectExists(bucket: string, name: string): Promise<boolean> {
    const url = `${target.origin}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer(); // drain, so the connection can be reused
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw new Error(`GET ${url} answered HTTP ${response.status}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://proxy");
    const given = PRECONDITIONS.filter((p) => url.searchParams.has(p));
    if (given.length === 0) return forward(req, res);

    const bucket = req.method === "POST" ? UPLOAD_PATH.exec(url.pathname)?.[1] : undefined;
    const uploadType = url.searchParams.get("uploadType");
    const name = url.searchParams.get("name");
    const enforceable =
      bucket !== undefined &&
      (uploadType === "multipart" || uploadType === "media") &&
      name !== null &&
      given.length === 1 &&
      url.searchParams.get("ifGenerationMatch") === "0";
    if (!enforceable) {
      req.resume();
      const message =
        `precondition proxy: ${given.join(", ")} on ${req.method} ${url.pathname}?uploadType=${uploadType ?? ""} is not enforced ` +
        "(only ifGenerationMatch=0 on single-request uploads with the name in the query is); the emulator would ignore it";
      return sendError(res, 501, message, "notImplemented");
    }

    await serialised(`${bucket}/${name}`, async () => {
      let exists: boolean;
      try {
        exists = await objectExists(bucket, name);
      } catch (error) {
        req.resume();
        return sendError(res, 502, `precondition proxy: existence check failed: ${(error as Error).message}`, "backendError");
      }
      if (exists) {
        req.resume();
        return sendError(res, 412, PRECONDITION_FAILED, "conditionNotMet");
      }
      await forward(req, res);
    });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const seen: ProxiedRequest = { method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams) };
    requests.push(seen);
    res.once("finish", () => (seen.status = res.statusCode));
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, `precondition proxy: ${String(error)}`, "internalError");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
