import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".csv": "text/csv; charset=utf-8",
  ".parquet": "application/vnd.apache.parquet",
};

/** A running static server and what it was asked for. */
export interface StaticServer {
  origin: string;
  /** Paths requested that did not exist. */
  notFound: string[];
  close(): Promise<void>;
}

/**
 * Serves a built Framework site from `root` on 127.0.0.1 (ephemeral port) the way a static host
 * does: `/` is `index.html`, `/forecasts` is `forecasts.html`. With `exact`, like the plainest
 * static servers (`python3 -m http.server`, a bucket): only files by their exact name, and a
 * directory's `index.html`; `/forecasts` is a 404. Nothing outside `root` is served.
 */
export async function serveStatic(root: string, { exact = false }: { exact?: boolean } = {}): Promise<StaticServer> {
  const notFound: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    // A directory is its index.html on every static server; only the clean-URL ones add .html elsewhere.
    const base = normalize(join(root, path.endsWith("/") ? `${path}index${exact ? ".html" : ""}` : path));
    if (base !== root && !base.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    for (const file of exact ? [base] : [base, `${base}.html`]) {
      try {
        if (!(await stat(file)).isFile()) continue;
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
        res.end(await readFile(file));
        return;
      } catch {
        // try the next candidate
      }
    }
    notFound.push(path);
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("static server: no TCP address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    notFound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // The browser keeps its connections open after its page is closed: close() alone waited for
        // them, and a test hung until its timeout whenever one was still open.
        server.closeAllConnections();
      }),
  };
}
