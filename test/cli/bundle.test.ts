import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
// @ts-expect-error -- plain JavaScript module without type declarations (it runs before any TypeScript tooling).
import { ensureCliBundle, sourceHash } from "../../bin/cli-bundle.js";

const ensure = ensureCliBundle as (root: string) => Promise<string | undefined>;
const hashOf = sourceHash as (root: string) => string;
const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
const BUNDLER = fileURLToPath(new URL("../../bin/cli-bundle.js", import.meta.url));

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A tiny project: src/cli/main.ts and a module that finds a file next to itself through import.meta.url. */
function tinyProject(): string {
  const root = mkdtempSync(join(tmpdir(), "cli-bundle-"));
  roots.push(root);
  mkdirSync(join(root, "src", "cli"), { recursive: true });
  mkdirSync(join(root, "src", "data"), { recursive: true });
  mkdirSync(join(root, "node_modules"));
  writeFileSync(join(root, "src", "data", "answer.txt"), "42");
  writeFileSync(
    join(root, "src", "data", "answer.ts"),
    'import { readFileSync } from "node:fs";\nexport const answer = (): string => readFileSync(new URL("./answer.txt", import.meta.url), "utf8");\n',
  );
  writeFileSync(
    join(root, "src", "cli", "main.ts"),
    'export async function main(argv: string[]): Promise<string> {\n  return `${argv.length} ${(await import("../data/answer.js")).answer()}`;\n}\n',
  );
  return root;
}

function cacheEntries(root: string): string[] {
  return readdirSync(join(root, "build", "cli")).sort();
}

describe("the compiled CLI cache (bin/cli-bundle.js)", () => {
  it("compiles once per source state, and a source's import.meta.url keeps naming the source file", async () => {
    const root = tinyProject();
    const first = await ensure(root);
    expect(first).toBe(join(root, "build", "cli", hashOf(root), "main.mjs"));
    const { main } = (await import(pathToFileURL(first!).href)) as { main: (argv: string[]) => Promise<string> };
    expect(await main(["a", "b"])).toBe("2 42");
    expect(await ensure(root)).toBe(first);
    expect(cacheEntries(root)).toEqual([hashOf(root)]);

    // An edited source gets a new bundle; the old one stays for processes still running it.
    writeFileSync(join(root, "src", "cli", "main.ts"), 'export async function main(): Promise<string> {\n  return "edited";\n}\n');
    const second = await ensure(root);
    expect(second).not.toBe(first);
    expect(readFileSync(second!, "utf8")).toContain('"edited"');
    expect(cacheEntries(root)).toHaveLength(2);
  });

  it("makes a new bundle when the bundler's own build options change, not only its sources", async () => {
    const root = tinyProject();
    // A copy of the bundler with one build option changed, next to it (so its imports resolve alike).
    const copy = join(dirname(BUNDLER), `cli-bundle-test-${process.pid}.js`);
    writeFileSync(copy, readFileSync(BUNDLER, "utf8").replace('sourcemap: "linked"', 'sourcemap: "inline"'));
    try {
      const other = (await import(pathToFileURL(copy).href)) as { sourceHash: (root: string) => string };
      expect(other.sourceHash(root)).not.toBe(hashOf(root));
    } finally {
      rmSync(copy, { force: true });
    }
  });

  it("lets concurrent first starts race: all get the same bundle and no scratch folder is left", async () => {
    const root = tinyProject();
    const script = `import { ensureCliBundle } from ${JSON.stringify(pathToFileURL(BUNDLER).href)}; console.log(await ensureCliBundle(${JSON.stringify(root)}));`;
    const runs = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: dirname(BUNDLER) });
            let out = "";
            child.stdout.on("data", (d) => (out += d));
            child.on("close", (code) => resolve({ code, out: out.trim() }));
          }),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(new Set(runs.map((r) => r.out)).size).toBe(1);
    expect(cacheEntries(root)).toEqual([hashOf(root)]);
  });

  it("answers undefined (run the sources instead) when the cache cannot be written", async () => {
    const root = tinyProject();
    // build is a file: no folder can be created under it.
    writeFileSync(join(root, "build"), "");
    expect(await ensure(root)).toBeUndefined();
  });

  it("keeps arquero, axios, parquet-wasm and the GCS client out of what `--help` loads", async () => {
    const entry = await ensure(PROJECT);
    const dir = dirname(entry!);
    // Follow static imports from the entry: those are loaded at start-up; dynamic ones only when a command runs.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(dir, file), "utf8");
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)";?$/gms)) {
        if (m[1].startsWith("./")) visit(m[1].slice(2));
        else packages.add(m[1]);
      }
    };
    visit("main.mjs");
    expect([...packages].filter((p) => !p.startsWith("node:")).sort()).toEqual(["commander"]);
    // arquero (one file, not 184 modules) and the GCS client with its dependencies are compiled into
    // the bundle, each in one chunk that only commands load (the GCS client: only for a gs:// store).
    const holds = (file: string, pkg: string) => new RegExp(`^// \\S*node_modules/${pkg}/`, "m").test(readFileSync(join(dir, file), "utf8"));
    const chunks = readdirSync(dir).filter((f) => f.endsWith(".mjs"));
    for (const pkg of ["arquero", "@google-cloud/storage", "google-auth-library"]) {
      expect(
        [...seen].filter((f) => holds(f, pkg)),
        pkg,
      ).toEqual([]);
      expect(
        chunks.filter((f) => holds(f, pkg)),
        pkg,
      ).toHaveLength(1);
    }
    // The arquero chunk is not the GCS client's: a command on a local store never loads the client.
    expect(chunks.filter((f) => holds(f, "arquero") && holds(f, "@google-cloud/storage"))).toEqual([]);
  });
});
