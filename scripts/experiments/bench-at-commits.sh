#!/usr/bin/env bash
# Runs one bench command at several earlier commits, each in a throw-away git worktree that shares this checkout's
# node_modules: which change moved a figure (docs/BENCHMARKS.md "Load shapes", session 31). Prints the policy rows.
# Usage: bash scripts/experiments/bench-at-commits.sh "<commit> <commit> ..." <bench args...>
#   e.g. bash scripts/experiments/bench-at-commits.sh "b6b6c62 773aca7" --scenario healthcare --seeds 5 --steps 300 \
#        --trace "$PWD/runs/s31/shapes/sawtooth.csv" --policies edge-rl
# Give trace paths as absolute paths: the bench runs inside each worktree.
set -euo pipefail
commits=${1:?usage: bench-at-commits.sh "<commits>" <bench args...>}
shift
root=$(git rev-parse --show-toplevel)
for c in $commits; do
  wt=$(mktemp -d /tmp/bench-at-XXXXXX)
  rmdir "$wt"
  git -C "$root" worktree add -q --detach "$wt" "$c"
  ln -s "$root/node_modules" "$wt/node_modules"
  out=$(mktemp -d /tmp/bench-at-out-XXXXXX)
  (cd "$wt" && node bin/edgepilot.js bench "$@" --out "$out/run" 2>/dev/null | grep -E '^[a-z][a-z0-9-]* +[a-z-]+ ' | sed "s/^/$c  /") || echo "$c: bench failed"
  rm -f "$wt/node_modules"
  git -C "$root" worktree remove --force "$wt"
  rm -rf "$out"
done
