/**
 * What the restart gate does to each policy in the spark-k8s target (`bench --target spark-k8s --restart-gate`,
 * docs/BENCHMARKS.md): per policy and scenario, the restart-class changes the policy proposed per run, the restarts the
 * gate let through, and the restarts the env counted, over the tournament's seeds (10000 + i) or `--seed-base`.
 * Run: node --import tsx scripts/experiments/gate-restarts.mts [--policies fixed,keda-lag,oracle,edge-rl] [--seeds 20] [--steps 500] [--seed-base 10000] [--trace FILE [--trace-step-s S]]
 */
import './stdout-pipe.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { streamEpisode } from '../../src/bench/tournament.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import { RestartGatedPolicy } from '../../src/policies/restart-gated.ts';
import { loadTraceCsv } from '../../src/workload/trace.ts';
import { flag } from './flag.ts';

const policies = flag('--policies', 'fixed,keda-lag,threshold-forecast,forecast-sizing,oracle,edge-rl-fixed,edge-rl,edge-rl-fixed-k8s').split(',');
const seeds = Number(flag('--seeds', '20'));
const steps = Number(flag('--steps', '500'));
const seedBase = Number(flag('--seed-base', '10000'));
const tracePath = flag('--trace', '');
const trace = tracePath ? loadTraceCsv(tracePath, { traceStepS: Number(flag('--trace-step-s', '1')) }) : undefined;
console.log('policy              scenario    proposed/run  allowed/run  env restarts/run');
for (const scenario of SCENARIOS) {
  for (const id of policies) {
    const inner = createPolicy(id);
    const policy = new RestartGatedPolicy(inner);
    const env = new SparkIotEnv({ scenario, maxSteps: steps, target: 'spark-k8s', ...(trace ? { trace } : {}), exposeFuture: inner.clairvoyant === true });
    let proposed = 0;
    let allowed = 0;
    let restarts = 0;
    for (let seed = seedBase; seed < seedBase + seeds; seed++) {
      streamEpisode(env, policy, id, seed, steps, () => {});
      proposed += policy.proposedRestarts;
      allowed += policy.allowedRestarts;
      restarts += env.restartCount;
    }
    console.log(`${id.padEnd(20)}${scenario.padEnd(12)}${(proposed / seeds).toFixed(1).padStart(12)}${(allowed / seeds).toFixed(2).padStart(13)}${(restarts / seeds).toFixed(2).padStart(18)}`);
  }
}
