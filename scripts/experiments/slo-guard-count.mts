/**
 * How often the SLO guard of `edge-rl` acts (src/meta/slo-guard.ts, docs/META.md "The SLO guard"): per scenario, the
 * guarded meta decisions and the runs with any, over the tournament's seeds (10000 + i) or `--seed-base`.
 * Run: node --import tsx scripts/experiments/slo-guard-count.mts [--seeds 20] [--steps 500] [--seed-base 10000] [--trace FILE [--trace-step-s S]]
 */
import './stdout-pipe.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { streamEpisode } from '../../src/bench/tournament.ts';
import { createEdgeRlPolicy } from '../../src/meta/hierarchical-policy.ts';
import { loadTraceCsv } from '../../src/workload/trace.ts';
import { flag } from './flag.ts';

const seeds = Number(flag('--seeds', '20'));
const steps = Number(flag('--steps', '500'));
const seedBase = Number(flag('--seed-base', '10000'));
const tracePath = flag('--trace', '');
const trace = tracePath ? loadTraceCsv(tracePath, { traceStepS: Number(flag('--trace-step-s', '1')) }) : undefined;
for (const scenario of SCENARIOS) {
  const policy = createEdgeRlPolicy();
  const env = new SparkIotEnv({ scenario, maxSteps: steps, ...(trace ? { trace } : {}) });
  let guarded = 0;
  let decisions = 0;
  let runsWith = 0;
  for (let seed = seedBase; seed < seedBase + seeds; seed++) {
    streamEpisode(env, policy, policy.id, seed, steps, () => {});
    const g = policy.decisions.filter((d) => d.guarded).length;
    guarded += g;
    decisions += policy.decisions.length;
    if (g > 0) runsWith++;
  }
  process.stdout.write(`${scenario}${trace ? ` (${trace.name})` : ''}: guarded ${guarded} of ${decisions} meta decisions, in ${runsWith} of ${seeds} runs\n`);
}
