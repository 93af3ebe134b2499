import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./paths.js";

/**
 * The code version recorded in models and run manifests: the package version, plus the commit
 * when the environment names one (CI sets GITHUB_SHA).
 */
export function codeVersion(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  const sha = env.GITHUB_SHA?.slice(0, 12);
  return sha ? `${pkg.version}+${sha}` : pkg.version;
}
