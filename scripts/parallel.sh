#!/usr/bin/env bash
# Runs each argument as a shell command, all at once (the checks of `npm test` are single-threaded
# and independent), waits for every one, and fails naming each command that failed.
#   bash scripts/parallel.sh "npm run typecheck" "npm run lint"
set -uo pipefail
commands=("$@")
pids=()
for command in "${commands[@]}"; do
  bash -c "$command" &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "failed: ${commands[$i]}" >&2
    status=1
  fi
done
exit "$status"
