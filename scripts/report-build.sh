#!/usr/bin/env bash
# Builds (default) or previews the Observable Framework report: reports/ -> dist/.
#   bash scripts/report-build.sh            build into dist/
#   bash scripts/report-build.sh preview    live preview (extra arguments go to Framework)
# The loaders read the store the CLI uses (STORE_URI, GOOGLE_CLOUD_*, .env), so run this from
# anywhere with the same settings as the pipeline.
# REPORT_BUILD_TIME (ISO with zone, e.g. 2023-01-30T07:00:00Z) fixes the time the Overview judges the
# data's freshness against (default: now), for tests and for rebuilding an old report as it was.
# The site links pages as ./forecasts.html: serve dist/ with any static server (python3 -m http.server -d dist).
# REPORT_NOTEBOOKS (default build/notebooks/html, relative to the project root) is the HTML set
# `npm run notebooks` publishes; a build copies its pages to notebooks/<name>.html in the site, and
# the Notebooks page lists them (or says to run `npm run notebooks` when there are none). The
# preview lists them but does not serve them: they are copied only by a build.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-build}"
shift || true
case "$mode" in
  build|preview) ;;
  *) echo "usage: scripts/report-build.sh [build|preview] [framework options]" >&2; exit 2 ;;
esac

export OBSERVABLE_TELEMETRY_DISABLE=1
# Loaders run as `node scripts/report-loader.js <file>` (observable.config.ts); tools the pages'
# build calls come from the project's node_modules.
export PATH="$PWD/node_modules/.bin:$PATH"

cache=reports/.observablehq/cache
mkdir -p "$cache"
# Builds and previews of one checkout share Framework's cache and empty it first (below): one started
# while a build runs waits for it instead of deleting the loader outputs it is writing. A build holds
# the lock to its end; a preview (which runs until stopped) only while it empties the cache. flock
# is util-linux's (on every Debian); the lock goes with this process, however it ends.
exec 9>reports/.observablehq/build.lock
if ! flock -n 9; then
  echo "report: another report build of this checkout is running; waiting for it to finish" >&2
  flock 9
fi
# Framework never reruns a loader whose output is cached, even when the store changed: drop every
# loader output (everything in the cache except Framework's own _node/_npm/_observablehq folders).
find "$cache" -mindepth 1 -maxdepth 1 ! -name '_*' -exec rm -rf {} +
if [ "$mode" = preview ]; then
  exec 9>&-
fi

# Framework clears its output only inside the working directory; a REPORT_OUTPUT elsewhere (the
# tests build into a temporary folder) is cleared here, and only if it holds nothing but a
# (possibly partial) previous build.
only_build_output() {
  local entry
  for entry in "$1"/* "$1"/.[!.]*; do
    [ -e "$entry" ] || continue
    case "$(basename "$entry")" in
      _file|_import|_observablehq|_node|_npm|_duckdb|notebooks|*.html) ;;
      *) return 1 ;;
    esac
  done
}
if [ "$mode" = build ] && [ -n "${REPORT_OUTPUT:-}" ] && [ -d "$REPORT_OUTPUT" ]; then
  if only_build_output "$REPORT_OUTPUT"; then
    rm -rf "$REPORT_OUTPUT"
  else
    echo "REPORT_OUTPUT=$REPORT_OUTPUT holds files that are not a report build; empty it or choose another folder" >&2
    exit 2
  fi
fi

# Framework writes lazy import URLs for its recommended libraries (d3, Plot, arquero...) into its
# client stdlib and resolves their versions on the npm registry unless its version cache (the
# folder names under _npm/) already knows one. The pages never load these libraries (they import
# what they use from node_modules), so any version does: seeding the cache makes the build work
# with no network at all.
for spec in htl@1.0.0 react@19.3.1 react-dom@19.3.1 arquero@8.0.3 apache-arrow@21.2.0 lodash@4.18.1 \
  d3@7.9.2 d3-dsv@3.0.2 leaflet@1.9.4 echarts@6.1.0 mapbox-gl@3.32.0 topojson-client@3.1.0 \
  parquet-wasm@0.8.0 @observablehq/plot@0.6.17 @observablehq/sample-datasets@1.0.1; do
  mkdir -p "$cache/_npm/$spec"
done

# The loader of the Notebooks page (reports/data/notebooks.json.ts) reads the same folder.
notebooks="${REPORT_NOTEBOOKS:-build/notebooks/html}"
case "$notebooks" in
  /*) ;;
  *) notebooks="$PWD/$notebooks" ;;
esac
export REPORT_NOTEBOOKS="$notebooks"

# --import tsx: Framework loads an explicitly named config file with plain import(), which does
# not understand TypeScript.
framework=(node --import tsx node_modules/@observablehq/framework/dist/bin/observable.js "$mode" --config observable.config.ts "$@")
if [ "$mode" = preview ]; then
  exec "${framework[@]}"
fi
"${framework[@]}"

# The executed notebooks are whole HTML documents, not Framework pages: copied after the build
# under their own names (Framework would hash an attached file's name, and the Notebooks page links
# notebooks/<name>.html). The runner replaces the folder in one rename, so it holds a whole set.
if [ -f "$notebooks/index.json" ]; then
  out="${REPORT_OUTPUT:-dist}"
  shopt -s nullglob
  pages=("$notebooks"/*.html)
  mkdir -p "$out/notebooks"
  if [ "${#pages[@]}" -gt 0 ]; then cp "${pages[@]}" "$out/notebooks/"; fi
  echo "report: copied ${#pages[@]} executed notebook(s) to $out/notebooks/"
else
  echo "report: no executed notebooks in $notebooks (npm run notebooks publishes them there); the Notebooks page says so"
fi
