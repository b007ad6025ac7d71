#!/usr/bin/env bash
# docs/SIMULATOR.md "Known limits": the shuffle model prices storage and retrieval per 10^9 bytes, while AWS bills a
# "GB" of 2^30 bytes (the S3 FAQ's storage example: 100 GB = 107,374,182,400 bytes). Runs the default synthetic bench
# (20 seeds x 500 steps) with the configured prices and with every tier's storage and retrieval prices scaled by
# 10^9 / 2^30 (per-GiB prices read per 10^9 bytes), then prints each row's cost change. About 2 min.
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
node bin/edgepilot.js bench --scenario all --seeds 20 --steps 500 --out "$dir/configured" > "$dir/configured.txt" 2>/dev/null
node bin/edgepilot.js bench --scenario all --seeds 20 --steps 500 --config "$dir/per-gib.json" --out "$dir/per-gib" > "$dir/per-gib.txt" 2>/dev/null
node --import tsx -e '
const { readFileSync } = require("node:fs");
const read = (f) => { const [h, ...rows] = readFileSync(f, "utf8").trim().split("\n"); const c = h.split(","); return new Map(rows.map((r) => { const x = r.split(","); return [x[c.indexOf("policy")] + " " + x[c.indexOf("scenario")], { cost: Number(x[c.indexOf("cost_usd")]), sla: Number(x[c.indexOf("sla_violation_pct")]) }]; })); };
const a = read(process.argv[1]), b = read(process.argv[2]);
let worst = 0;
for (const [k, x] of a) { const y = b.get(k); const d = (100 * (y.cost - x.cost)) / x.cost; worst = Math.max(worst, Math.abs(d)); console.log(`${k.padEnd(36)} cost ${x.cost.toFixed(4)} -> ${y.cost.toFixed(4)} (${d >= 0 ? "+" : ""}${d.toFixed(2)} %)  SLA ${x.sla.toFixed(2)} -> ${y.sla.toFixed(2)} %`); }
console.log(`largest cost change: ${worst.toFixed(2)} %; the claims per world: ${process.argv[2].replace(/results_summary.csv$/, "report.md")}`);
' "$dir/configured/results_summary.csv" "$dir/per-gib/results_summary.csv"
