import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name) && !join(e.parentPath, e.name).includes(".observablehq"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every module specifier under src/ that `text` imports (static and dynamic), with its line. */
function srcImports(text: string): Array<{ line: number; spec: string }> {
  const out: Array<{ line: number; spec: string }> = [];
  text.split("\n").forEach((l, i) => {
    for (const m of l.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)"([^"]*(?:^|\/)(?:src\/|pipeline\/|validation\/)[^"]*)"/g))
      out.push({ line: i + 1, spec: m[1] });
  });
  return out;
}

/** `file:line spec` for each import that reaches past the public entry. */
function deeper(file: string, text: string, allowed: RegExp): string[] {
  return srcImports(text)
    .filter(({ spec }) => !allowed.test(spec))
    .map(({ line, spec }) => `${file}:${line} ${spec}`);
}

describe("the pipeline's public entry (src/pipeline/index.ts)", () => {
  it("is all the notebooks import from src/", () => {
    const problems = files("notebooks", /\.ipynb$/).flatMap((file) => {
      const nb = JSON.parse(readFileSync(join(ROOT, file), "utf8")) as { cells: Array<{ cell_type: string; source: string[] }> };
      const code = nb.cells
        .filter((c) => c.cell_type === "code")
        .map((c) => c.source.join(""))
        .join("\n");
      return deeper(file, code, /^\.\/src\/pipeline\/index\.js$/);
    });
    expect(problems).toEqual([]);
  });

  it("is all the report's loaders and pages import from src/", () => {
    const problems = files("reports", /\.(ts|md|js)$/).flatMap((file) =>
      deeper(file, readFileSync(join(ROOT, file), "utf8"), /^(\.\.\/)+src\/pipeline\/index\.js$/),
    );
    expect(problems).toEqual([]);
  });

  it("is all the CLI imports from the pipeline, apart from the light modules its command declarations need", () => {
    // Declarations (main, commands/, shared flags) load at every start, `--help` included: they
    // import a few small modules directly, since importing the index would load the whole pipeline.
    const declaration = /^src\/cli\/(main|tick-options|source-options|exit|commands\/[\w-]+)\.ts$/;
    const light = /^(\.\.\/)+pipeline\/(core\/errors|config\/version|dataset\/preset|models\/names)\.js$/;
    const problems = files("src/cli", /\.ts$/).flatMap((file) => {
      const text = readFileSync(join(ROOT, file), "utf8");
      return deeper(
        file,
        text,
        declaration.test(file) ? new RegExp(`${/^(\.\.\/)+pipeline\/index\.js$/.source}|${light.source}`) : /^(\.\.\/)+pipeline\/index\.js$/,
      );
    });
    expect(problems).toEqual([]);
  });
});
