#!/usr/bin/env bash
# Benches the load shapes of shape-traces.mts (docs/BENCHMARKS.md "Load shapes"): every scenario, 5 seeds x 300
# steps, the reactive baselines, forecast-sizing, the oracle and the agent. About 6 minutes on the 2-core machine.
# Usage: bash scripts/experiments/bench-shapes.sh <dir>   (writes <dir>/*.csv and <dir>/out-<shape>/)
set -euo pipefail
dir=${1:?usage: bench-shapes.sh <dir>}
node --import tsx scripts/experiments/shape-traces.mts --out "$dir"
for shape in flat diurnal sawtooth onoff spikes; do
  node --import tsx src/cli/main.ts bench --scenario all --seeds 5 --steps 300 --trace "$dir/$shape.csv" \
    --policies fixed,dexter-hpa,keda-lag,knative-kpa,spark-dra,forecast-sizing,oracle,edge-rl,edge-rl-no-calm \
    --out "$dir/out-$shape" > "$dir/$shape.txt" 2> "$dir/$shape.err"
  echo "$shape: $dir/out-$shape/report.md"
done
