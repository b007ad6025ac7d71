#!/usr/bin/env bash
# Re-runs every tournament figure of the agents (docs/BENCHMARKS.md) after a model change, into one folder.
# Usage: bash scripts/experiments/rerun-agent-figures.sh [out-dir (default runs/agent-figures)]
# About 10-15 min on the 2-core machine; each command is the one docs/BENCHMARKS.md quotes.
set -euo pipefail
out="${1:-runs/agent-figures}"
mkdir -p "$out"
ep() { node bin/edgepilot.js "$@"; }
azure=../shared/traces/azure-llm-2023/rate.csv
azure_events=../shared/traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv
twitter=../shared/traces/twitter-stream-2021/rate_60s.csv
ep bench --scenario all --seeds 20 --steps 500 --oracle-sweep --out "$out/synthetic" > "$out/synthetic.txt"
ep bench --scenario all --seeds 20 --steps 500 --oracle-sweep --trace "$azure" --out "$out/azure" > "$out/azure.txt"
ep bench --scenario all --seeds 20 --steps 500 --oracle-sweep --trace "$azure_events" --out "$out/azure-events" > "$out/azure-events.txt"
ep bench --scenario all --seeds 20 --steps 500 --oracle-sweep --trace "$twitter" --trace-step-s 60 --out "$out/twitter" > "$out/twitter.txt"
ep bench --scenario mode-switch --seeds 20 --steps 500 --out "$out/mode-switch" > "$out/mode-switch.txt"
ep bench --scenario all --seeds 20 --steps 500 --target spark-k8s --policies fixed,dexter-hpa,keda-lag,threshold-forecast,oracle,edge-rl-fixed,edge-rl-fixed-k8s,edge-rl --out "$out/spark-k8s" > "$out/spark-k8s.txt"
k8s_all=fixed,dexter-hpa,seer-linear,spark-dra,spark-streaming-dra,keda-lag,knative-kpa,threshold-forecast,forecast-sizing,oracle,edge-rl-fixed,rl-no-edge,edge-rl,rl-no-edge-meta,edge-rl-fixed-k8s
ep bench --scenario all --seeds 20 --steps 500 --target spark-k8s --restart-gate --policies "$k8s_all" --out "$out/spark-k8s-gated" > "$out/spark-k8s-gated.txt"
ep bench --scenario all --seeds 20 --steps 500 --target spark-k8s --restart-gate --policies "$k8s_all" --trace "$azure" --out "$out/spark-k8s-gated-azure" > "$out/spark-k8s-gated-azure.txt"
ep bench --scenario all --seeds 20 --steps 500 --target spark-k8s --restart-gate --policies "$k8s_all" --trace "$azure_events" --out "$out/spark-k8s-gated-azure-events" > "$out/spark-k8s-gated-azure-events.txt"
ep bench --scenario all --seeds 20 --steps 500 --target spark-k8s --restart-gate --policies "$k8s_all" --trace "$twitter" --trace-step-s 60 --out "$out/spark-k8s-gated-twitter" > "$out/spark-k8s-gated-twitter.txt"
ep report edge --seeds 20 --out "$out/edge20" > "$out/edge20.txt"
ep report meta --seeds 20 --out "$out/meta20" > "$out/meta20.txt"
echo "done: $out"
