#!/usr/bin/env bash
# `npm run lab`, `npm run deliver` and `npm run rotate-keys`: make sure one workspace is built,
# then run one of its scripts in its folder with the caller's arguments.
#
#   scripts/run-built.sh <workspace folder> <script.js> [arguments…]
#
# The arguments never reach turbo, which would hash them into every build task and rebuild the
# whole monorepo for each new argument. When turbo's dry run finds every build task cached and the
# script is there, nothing is built: a cache hit would still rewrite the outputs, under a demo
# that is running from them. Otherwise the workspace is built, silently unless the build fails.
set -euo pipefail
workspace=$1
script=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
up_to_date() {
  [ -f "$workspace/$script" ] || return 1
  turbo run build --filter="./$workspace" --dry=json 2> /dev/null | node -e '
    const { tasks } = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    const stale = tasks.filter((t) => t.command !== "<NONEXISTENT>" && t.cache.status !== "HIT");
    process.exit(stale.length === 0 ? 0 : 1);
  '
}
if ! up_to_date; then
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  if ! turbo run build --filter="./$workspace" --output-logs=errors-only > "$log" 2>&1; then
    cat "$log" >&2
    echo "the build failed: nothing was run" >&2
    exit 1
  fi
fi
cd "$root/$workspace"
exec node "$script" "$@"
