/**
 * Bundles vega-embed with vega 5.33.1 and vega-lite 5.23.0 from node_modules into one ES module
 * that pages load as a file attachment.
 *
 * Why not a plain `import "vega-embed"` in the pages: Framework 1.13.4's npm bundler resolves
 * vega-lite's internal `import ... from "."` (compile/data/parse.js) as a package name and fails
 * ("Cannot find module .../vega-lite/build/build/vega-lite.js"). esbuild resolves it correctly.
 * Everything comes from node_modules; nothing is fetched.
 */
import { build } from "esbuild";

const result = await build({
  stdin: { contents: 'export { default } from "vega-embed";', resolveDir: process.cwd(), loader: "js" },
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  minify: true,
  legalComments: "none",
  write: false,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
});
process.stdout.write(result.outputFiles[0].contents);
