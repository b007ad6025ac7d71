#!/usr/bin/env bash
# Runs a candidate hierarchy as `edge-rl` (and its PPO as `edge-rl-fixed`) through the four tournament worlds of
# docs/BENCHMARKS.md (synthetic, Azure rates, Azure event log, Twitter) beside the baselines of the claims check.
# Usage: bash scripts/experiments/eval-hierarchy.sh <clone-dir>
#   <clone-dir>: a scratch clone of this repository (with node_modules) whose models/edge-rl-ppo.json and
#   models/meta-td3.json (+ members) hold the candidate; the shipped no-edge twins are left out (they would not match).
# Writes <clone-dir>/ev/<world>/ (bench outputs) and <clone-dir>/ev-<world>.txt (the printed tables); about 4 min.
set -euo pipefail
clone="$(cd "${1:?usage: eval-hierarchy.sh <clone-dir>}" && pwd)"
traces="$(cd "$(dirname "$0")/../../../shared/traces" && pwd)"
cd "$clone"
ep() { node bin/edgepilot.js "$@"; }
P=fixed,dexter-hpa,seer-linear,spark-dra,spark-streaming-dra,keda-lag,knative-kpa,threshold-forecast,forecast-sizing,oracle,edge-rl-fixed,edge-rl
ep bench --scenario all --seeds 20 --steps 500 --policies $P --out ev/synthetic > ev-synthetic.txt 2>&1
ep bench --scenario all --seeds 20 --steps 500 --policies $P --trace "$traces/azure-llm-2023/rate.csv" --out ev/azure > ev-azure.txt 2>&1
ep bench --scenario all --seeds 20 --steps 500 --policies $P --trace "$traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv" --out ev/azure-events > ev-azure-events.txt 2>&1
ep bench --scenario all --seeds 20 --steps 500 --policies $P --trace "$traces/twitter-stream-2021/rate_60s.csv" --trace-step-s 60 --out ev/twitter > ev-twitter.txt 2>&1
echo "done: $clone/ev-*.txt"
