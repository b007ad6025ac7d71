#!/usr/bin/env bash
# docs/SIMULATOR.md "Known limits": the shuffle model prices storage and retrieval per 10^9 bytes, while AWS bills a
# "GB" of 2^30 bytes (the S3 FAQ's storage example: 100 GB = 107,374,182,400 bytes). Runs the default synthetic bench
# (20 seeds x 500 steps) with the configured prices and with every tier's storage and retrieval prices scaled by
# 10^9 / 2^30 (per-GiB prices read per 10^9 bytes), then lists each row whose cost or violations changed and each
# claim that changed (compare-figures.mts). About 2 min.
# Usage: bash scripts/experiments/shuffle-prices-per-gib.sh <dir>
set -euo pipefail
dir=${1:?usage: shuffle-prices-per-gib.sh <dir>}
mkdir -p "$dir"
node --import tsx -e '
import("./src/core/config.ts").then(({ DEFAULT_CONFIG }) => {
  const k = 1e9 / 2 ** 30;
  const tiers = Object.fromEntries(Object.entries(DEFAULT_CONFIG.shuffle.tiers).map(([name, t]) => [name, { storageUsdPerGbHour: t.storageUsdPerGbHour * k, retrievalUsdPerGb: t.retrievalUsdPerGb * k }]));
  require("node:fs").writeFileSync(process.argv[1], JSON.stringify({ shuffle: { tiers } }, null, 2) + "\n");
});' "$dir/per-gib.json"
node bin/edgepilot.js bench --scenario all --seeds 20 --steps 500 --out "$dir/configured/synthetic" > "$dir/configured.txt" 2>/dev/null
node bin/edgepilot.js bench --scenario all --seeds 20 --steps 500 --config "$dir/per-gib.json" --out "$dir/per-gib/synthetic" > "$dir/per-gib.txt" 2>/dev/null
node --import tsx scripts/experiments/compare-figures.mts --before "$dir/configured" --after "$dir/per-gib"
