#!/usr/bin/env bash
# How much the simulator's re-read latency simplification moves the tournament (docs/SIMULATOR.md "Re-read latency").
# Runs the default bench twice per world, once with the default model (re-reads wait on the tier written to,
# shuffle.rereadLatencyAt = write-tier) and once with re-reads waiting on the tiers the data lives on (resident-tier),
# then prints every row that differs and how often each policy switches its shuffle tier.
# Usage: bash scripts/experiments/reread-latency.sh [out-dir (default runs/reread-latency)]   (about 10 min)
set -euo pipefail
out="${1:-runs/reread-latency}"
mkdir -p "$out"
ep() { node bin/edgepilot.js "$@"; }
printf '{ "shuffle": { "rereadLatencyAt": "resident-tier" } }\n' > "$out/resident-tier.json"
azure_events=../shared/traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv
twitter=../shared/traces/twitter-stream-2021/rate_60s.csv
for mode in write-tier resident-tier; do
  cfg=()
  [ "$mode" = resident-tier ] && cfg=(--config "$out/resident-tier.json")
  ep bench --scenario all --seeds 20 --steps 500 "${cfg[@]}" --out "$out/$mode/synthetic" > "$out/$mode-synthetic.txt"
  ep bench --scenario all --seeds 20 --steps 500 "${cfg[@]}" --trace "$azure_events" --out "$out/$mode/azure-events" > "$out/$mode-azure-events.txt"
  ep bench --scenario all --seeds 20 --steps 500 "${cfg[@]}" --trace "$twitter" --trace-step-s 60 --out "$out/$mode/twitter" > "$out/$mode-twitter.txt"
done
for world in synthetic azure-events twitter; do
  node --import tsx scripts/experiments/reread-latency-compare.mts "$out/write-tier/$world" "$out/resident-tier/$world"
done
