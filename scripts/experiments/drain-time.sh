#!/usr/bin/env bash
# How much the simulator's drain-time simplification moves the tournament (docs/SIMULATOR.md "Drain time").
# Runs the default bench twice per world: with removed executors draining for the drainS of the tier the new action
# writes to (shuffle.drainTimeFrom = write-tier, the model before session 23) and for the longest drainS of the
# tiers still holding data (resident-tiers: nvme data keeps its executor 60 s), then prints every row that differs
# and how often each policy switches its shuffle tier.
# Usage: bash scripts/experiments/drain-time.sh [out-dir (default runs/drain-time)]   (about 10 min)
set -euo pipefail
out="${1:-runs/drain-time}"
mkdir -p "$out"
ep() { node bin/edgepilot.js "$@"; }
for mode in write-tier resident-tiers; do
  printf '{ "shuffle": { "drainTimeFrom": "%s" } }\n' "$mode" > "$out/$mode.json"
done
azure=../shared/traces/azure-llm-2023/rate.csv
azure_events=../shared/traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv
twitter=../shared/traces/twitter-stream-2021/rate_60s.csv
for mode in write-tier resident-tiers; do
  cfg=(--config "$out/$mode.json")
  ep bench --scenario all --seeds 20 --steps 500 "${cfg[@]}" --out "$out/$mode/synthetic" > "$out/$mode-synthetic.txt"
  ep bench --scenario all --seeds 20 --steps 500 "${cfg[@]}" --trace "$azure" --out "$out/$mode/azure" > "$out/$mode-azure.txt"
  ep bench --scenario all --seeds 20 --steps 500 "${cfg[@]}" --trace "$azure_events" --out "$out/$mode/azure-events" > "$out/$mode-azure-events.txt"
  ep bench --scenario all --seeds 20 --steps 500 "${cfg[@]}" --trace "$twitter" --trace-step-s 60 --out "$out/$mode/twitter" > "$out/$mode-twitter.txt"
done
for world in synthetic azure azure-events twitter; do
  echo "== $world"
  node --import tsx scripts/experiments/reread-latency-compare.mts "$out/write-tier/$world" "$out/resident-tiers/$world"
done
