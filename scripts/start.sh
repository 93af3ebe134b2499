#!/usr/bin/env bash
# The main job on the embedded default: bundled data -> local store (.data/store).
set -euo pipefail
cd "$(dirname "$0")/.."
node bin/energy-forecast.js ingest
