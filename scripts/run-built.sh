#!/usr/bin/env bash
# `npm run lab`, `npm run deliver` and `npm run rotate-keys`: build what one workspace needs, then
# run one of its scripts in its folder with the caller's arguments.
#
#   scripts/run-built.sh <workspace folder> <script.js> [arguments…]
#
# The arguments never reach turbo, which would hash them into every build task and rebuild the
# whole monorepo for each new argument. The build prints nothing unless it fails. Turbo's daemon
# leaves outputs that are already in place untouched, so a running demo's files are not rewritten.
set -euo pipefail
workspace=$1
script=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! (cd "$root" && turbo run build --filter="./$workspace" --daemon --output-logs=errors-only) > "$log" 2>&1; then
  cat "$log" >&2
  echo "the build failed: nothing was run" >&2
  exit 1
fi
cd "$root/$workspace"
exec node "$script" "$@"
