/**
 * How far the weights move a lower-level PPO on a trace and on the synthetic world of the same scenario: every fixed
 * vector of the grid (step 0.2) and `edge-rl` (the shipped meta-controller), SLA violation % and cost per run, on
 * development worlds (default 30000+, never the tournament's 10000+), with the normal mode's objective J of each run
 * (mean over seeds). Session 12 used it to ask whether a
 * meta-controller that recognized on/off load would have weights to pick there (docs/META.md).
 * Run: node --import tsx scripts/experiments/weights-on-trace.mts --trace FILE [--trace-step-s 60] [--scenario balanced] [--seeds 8]
 *      [--seed-base 30000] [--checkpoint models/edge-rl-ppo.json]
 */
import './stdout-pipe.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { createFixedWeightsPolicy } from '../../src/meta/hierarchical-policy.ts';
import { weightGrid } from '../../src/meta/weights.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import type { Policy } from '../../src/policies/types.ts';
import type { Trace } from '../../src/workload/trace.ts';
import { measureDev } from './dev-worlds.ts';
import { flag } from './flag.ts';
import { traceFromFlags } from './trace-flag.ts';

const traced = traceFromFlags();
if (!traced) throw new Error('--trace FILE is required');
const trace = traced.trace;
const scenario = flag('--scenario', 'balanced') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario: unknown scenario '${scenario}' (known: ${SCENARIOS.join(', ')})`);
const seeds = Number(flag('--seeds', '8'));
const seedBase = Number(flag('--seed-base', '30000'));
const checkpoint = flag('--checkpoint', 'models/edge-rl-ppo.json');
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
function measure(make: () => Policy, label: string, world: Trace | undefined): string {
  const m = measureDev(make, label, scenario, world, seeds, seedBase);
  return `${(100 * m.violations).toFixed(2)} % at ${m.costUsd.toFixed(3)} USD, normal J ${m.objective.toFixed(3)}`;
}

process.stdout.write(`${scenario}, seeds ${seedBase}..${seedBase + seeds - 1}, 500 steps; trace ${trace.name} | synthetic\n`);
process.stdout.write(`edge-rl: ${measure(() => createPolicy('edge-rl'), 'edge-rl', trace)} | ${measure(() => createPolicy('edge-rl'), 'edge-rl', undefined)}\n`);
for (const w of weightGrid(5)) {
  const id = `(${w.map((x) => x.toFixed(1)).join(', ')})`;
  const make = (): Policy => createFixedWeightsPolicy(w, { id, lowerCheckpointPath: checkpoint });
  process.stdout.write(`${id}: ${measure(make, id, trace)} | ${measure(make, id, undefined)}\n`);
}
