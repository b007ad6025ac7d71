/**
 * `edge-rl` (the hierarchy whose models sit in this checkout's models/) on development worlds: the four scenarios,
 * synthetic and on the Azure event log and Twitter traces, SLA violation %, cost and the normal mode's objective J per
 * run (means over seeds). `--meta FILE` runs a candidate meta-controller (a checkpoint or an ensemble manifest, with
 * its own observation variant) over the shipped PPO instead of the shipped one
 * (scripts/experiments/eval-hierarchy.sh does the same on the tournament's worlds).
 * Run: node --import tsx scripts/experiments/edge-rl-dev.mts [--seeds 8] [--seed-base 30000] [--meta FILE]
 */
import { fileURLToPath } from 'node:url';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { loadConfig } from '../../src/core/config.ts';
import { modeObjective } from '../../src/meta/modes.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { loadTraceCsv, type Trace } from '../../src/workload/trace.ts';
import { flag } from './flag.ts';

const seeds = Number(flag('--seeds', '8'));
const seedBase = Number(flag('--seed-base', '30000'));
const meta = flag('--meta', '');
const makePolicy = () => (meta ? new HierarchicalPolicy({ id: 'edge-rl', metaCheckpointPath: meta }) : createPolicy('edge-rl'));
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
const shared = fileURLToPath(new URL('../../../shared/traces/', import.meta.url));
const worlds: [string, Trace | undefined][] = [
  ['synthetic', undefined],
  ['azure event log', loadTraceCsv(`${shared}azure-llm-2023/AzureLLMInferenceTrace_code.csv`)],
  ['twitter', loadTraceCsv(`${shared}twitter-stream-2021/rate_60s.csv`, { traceStepS: 60 })],
];
const config = loadConfig();
const STEPS = 500;
process.stdout.write(`edge-rl${meta ? ` with meta ${meta}` : ''}, seeds ${seedBase}..${seedBase + seeds - 1}, ${STEPS} steps: violations, cost USD, normal-mode J\n`);
for (const [name, trace] of worlds) {
  const cells: string[] = [];
  for (const scenario of SCENARIOS) {
    const budgetUsdPerRun = (config.scenarios[scenario].budgetUsdPerHour * STEPS * 10) / 3600;
    let v = 0;
    let c = 0;
    let j = 0;
    for (let i = 0; i < seeds; i++) {
      const env = new SparkIotEnv({ scenario, maxSteps: STEPS, ...(trace ? { trace } : {}) });
      const records = runEpisode(env, makePolicy(), 'edge-rl', seedBase + i, STEPS);
      const runV = records.filter((r) => r.slaViolated).length / records.length;
      const runC = records.reduce((a, r) => a + r.costUsd, 0);
      v += runV / seeds;
      c += runC / seeds;
      j += modeObjective(config.modes.normal, { violationRate: runV, costOverBudget: runC / budgetUsdPerRun }) / seeds;
    }
    cells.push(`${scenario} ${(100 * v).toFixed(2)} % ${c.toFixed(3)} J ${j.toFixed(3)}`);
  }
  process.stdout.write(`${name}: ${cells.join(' | ')}\n`);
}
