/**
 * Notebooks page data: the executed notebooks `npm run notebooks` published as HTML, read from
 * the index.json of their folder (`REPORT_NOTEBOOKS`, default `build/notebooks/html`, relative to
 * the project root). scripts/report-build.sh copies the pages themselves to `notebooks/<file>` in
 * the built site after Framework's build (they are whole HTML documents, not Framework pages or
 * file attachments, so Framework must not rename or wrap them).
 *
 * Only what the page shows leaves here: each notebook's name, file, title, source path in the
 * repository, executed-at time and cell count; never the folder's path. When the folder holds no
 * set (the notebooks were not run, or their run failed), the page says so and what to run.
 * Entries whose page is missing are left out with a warning: a broken set must not fail the report.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "../../src/pipeline/index.js";
import type { NotebookIndex, PublishedNotebook } from "../../scripts/run-notebooks.js";

/** Where `npm run notebooks` publishes the HTML set. */
const DEFAULT_DIR = join("build", "notebooks", "html");
/** A page name that is safe in a URL and a file name (the runner uses the notebook's file name). */
const SAFE_FILE = /^[\w.-]+\.html$/;

const dir = resolve(PROJECT_ROOT, process.env.REPORT_NOTEBOOKS?.trim() || DEFAULT_DIR);
const indexPath = join(dir, "index.json");

function warn(message: string): void {
  process.stderr.write(`report loader notebooks: ${message}\n`);
}

function read(): NotebookIndex | undefined {
  if (!existsSync(indexPath)) return undefined;
  try {
    const index = JSON.parse(readFileSync(indexPath, "utf8")) as NotebookIndex;
    if (!Array.isArray(index.notebooks)) throw new Error("no notebooks list");
    return index;
  } catch (error) {
    warn(`${indexPath} is not a notebooks index (${error instanceof Error ? error.message : String(error)}); the page lists no notebooks`);
    return undefined;
  }
}

const index = read();
const notebooks: Array<Omit<PublishedNotebook, "seconds">> = [];
for (const n of index?.notebooks ?? []) {
  if (typeof n.file !== "string" || !SAFE_FILE.test(n.file) || !existsSync(join(dir, n.file))) {
    warn(`${indexPath} lists ${JSON.stringify(n.file)}, which is not a page in that folder; left out`);
    continue;
  }
  notebooks.push({ name: n.name, file: n.file, title: n.title, source: n.source, executedAt: n.executedAt, cells: n.cells });
}

const out = {
  store: index?.store ?? null,
  notebooks,
  empty:
    notebooks.length === 0
      ? {
          title: "No executed notebooks in this build",
          detail:
            "The notebooks were not executed before this report was built, or their run failed, so there are no pages to show. " +
            "Execute them, then rebuild the report:",
          commands: ["npm run notebooks", "npm run report:build"],
        }
      : undefined,
};
process.stdout.write(JSON.stringify(out));
