/**
 * Observable Framework configuration of the monitoring report (`reports/`).
 *
 * Framework only finds `observablehq.config.*` by itself, so the scripts pass
 * `--config observable.config.ts`. Everything is offline: no web fonts (`globalStylesheets: []`),
 * an inline favicon (otherwise browsers ask for /favicon.ico), and pages import their libraries
 * explicitly from node_modules so Framework bundles them instead of linking a CDN.
 */
export default {
  root: "reports",
  // REPORT_OUTPUT lets tests build into a temporary folder instead of the project's dist/.
  output: process.env.REPORT_OUTPUT || "dist",
  title: "Energy forecast report",
  // Links name the file (`./forecasts.html`), so the site works on any static server, including
  // ones that do not map `/forecasts` to `forecasts.html` (python3 -m http.server, a bucket).
  // This is Framework 1.13's `cleanUrls: false`, under its current, non-deprecated name.
  preserveExtension: true,
  pages: [
    { name: "Overview", path: "/" },
    { name: "Forecasts", path: "/forecasts" },
    { name: "Monitoring", path: "/monitoring" },
    { name: "Data quality", path: "/data-quality" },
    { name: "Model", path: "/model" },
    { name: "Runs", path: "/runs" },
    // The executed notebooks: scripts/report-build.sh copies their HTML next to this page.
    { name: "Notebooks", path: "/notebooks" },
  ],
  style: "style.css",
  globalStylesheets: [],
  head: '<link rel="icon" href="data:,">',
  // The dataset is the store's (each page names it); nothing dataset-specific goes here.
  footer: "Hourly forecasts of every series in the store, and how they turned out. All times are UTC.",
  // Loaders run bundled by esbuild (scripts/report-loader.js), not through tsx: a third of the CPU.
  interpreters: { ".ts": ["node", "scripts/report-loader.js"] },
  search: false,
  toc: false,
  pager: false,
};
