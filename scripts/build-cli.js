// `npm run build`: compiles the CLI into its cache now (bin/cli-bundle.js), so that no later
// command compiles anything. Plain JavaScript: it runs where only runtime dependencies are installed.
import { fileURLToPath } from "node:url";
import { ensureCliBundle } from "../bin/cli-bundle.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const entry = await ensureCliBundle(root);
if (entry === undefined) {
  console.error("build: cannot write build/cli/; the CLI will run its TypeScript sources through tsx instead");
  process.exitCode = 1;
} else {
  console.log(`build: CLI compiled to ${entry.slice(root.length)}`);
}
