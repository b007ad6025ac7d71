/**
 * The calm-load sizing on and off (docs/AGENT.md "Calm load"), on one world: `edge-rl` (its base rule with and without
 * it, `baseCalm: null`) and `forecast-sizing` alone, SLA violation %, cost USD and the normal mode's objective J per
 * run (means over development seeds, 30000+).
 * Run: node --import tsx scripts/experiments/calm-on-trace.mts [--trace FILE [--trace-step-s S]] [--scenario healthcare]
 *      [--seeds 8] [--seed-base 30000] [--detrended T]
 * `--detrended T` adds both with the calm test measured around the window's least-squares line at threshold T (a
 * steady ramp counts as calm; session 15, docs/AGENT.md "Calm load").
 */
import './stdout-pipe.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { FORECAST_SIZING_CALM, ForecastSizingPolicy } from '../../src/policies/forecast-sizing.ts';
import type { Policy } from '../../src/policies/types.ts';
import { measureDev } from './dev-worlds.ts';
import { flag } from './flag.ts';
import { traceFromFlags } from './trace-flag.ts';

const scenario = flag('--scenario', 'healthcare') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario: unknown scenario '${scenario}' (known: ${SCENARIOS.join(', ')})`);
const seeds = Number(flag('--seeds', '8'));
const seedBase = Number(flag('--seed-base', '30000'));
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
const traced = traceFromFlags();
const tracePath = traced?.path;
const trace = traced?.trace;

const variants: [string, () => Policy][] = [
  ['edge-rl, calm sizing on (shipped)', () => new HierarchicalPolicy({ id: 'edge-rl' })],
  ['edge-rl, calm sizing off', () => new HierarchicalPolicy({ id: 'edge-rl', baseCalm: null })],
  ['forecast-sizing, calm sizing on (shipped)', () => new ForecastSizingPolicy()],
  ['forecast-sizing, calm sizing off', () => new ForecastSizingPolicy(undefined, undefined, { calm: null })],
];
if (process.argv.includes('--detrended')) {
  const threshold = Number(flag('--detrended', '0.05'));
  if (!(threshold > 0)) throw new Error(`--detrended must be a number > 0, got ${threshold}`);
  const calm = { ...FORECAST_SIZING_CALM, measure: 'detrended' as const, maxArrivalCv: threshold };
  variants.push([`edge-rl, calm sizing detrended < ${threshold}`, () => new HierarchicalPolicy({ id: 'edge-rl', baseCalm: calm })]);
  variants.push([`forecast-sizing, calm sizing detrended < ${threshold}`, () => new ForecastSizingPolicy(undefined, undefined, { calm })]);
}
process.stdout.write(`${scenario} on ${tracePath ?? 'the synthetic world'}, seeds ${seedBase}..${seedBase + seeds - 1}, 500 steps\n`);
for (const [label, make] of variants) {
  const m = measureDev(make, label, scenario, trace, seeds, seedBase);
  process.stdout.write(`${label}: ${(100 * m.violations).toFixed(2)} % at ${m.costUsd.toFixed(3)} USD, normal J ${m.objective.toFixed(3)}\n`);
}
