/**
 * How the calm-load threshold of `forecast-sizing` was chosen (docs/AGENT.md "Calm load"): the rule alone, without
 * the calm sizing and at several CV thresholds, optionally gated on the edge's burst probability, on the development
 * worlds (synthetic, Azure event log, Twitter; seeds 30000+) of one scenario. SLA violation % and cost USD per run,
 * means over seeds, and the share of intervals sized as calm.
 * Run: node --import tsx scripts/experiments/calm-threshold.mts [--scenario healthcare] [--seeds 8] [--seed-base 30000]
 *      [--thresholds 0.05,0.1,0.2] [--calm-share 0.9] [--burst-gate 0.5] [--trace FILE [--trace-step-s S]] (that trace instead of the dev worlds)
 */
import './stdout-pipe.ts';
import { FORECAST_SIZING_CALM, ForecastSizingPolicy } from '../../src/policies/forecast-sizing.ts';
import type { Policy, PolicyContext } from '../../src/policies/types.ts';
import type { Action } from '../../src/core/types.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { devWorlds, measureDev } from './dev-worlds.ts';
import { flag } from './flag.ts';
import { traceFromFlags } from './trace-flag.ts';

const scenario = flag('--scenario', 'healthcare') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario: unknown scenario '${scenario}' (known: ${SCENARIOS.join(', ')})`);
const seeds = Number(flag('--seeds', '8'));
const seedBase = Number(flag('--seed-base', '30000'));
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
const thresholds = flag('--thresholds', '0.05,0.1,0.2').split(',').map(Number);
for (const t of thresholds) if (!(t > 0)) throw new Error(`--thresholds: each must be a number > 0, got ${t}`);
const burstGate = process.argv.includes('--burst-gate') ? Number(flag('--burst-gate', '0.5')) : undefined;
if (burstGate !== undefined && !(burstGate > 0 && burstGate <= 1)) throw new Error(`--burst-gate must be in (0, 1], got ${burstGate}`);
const calmShare = Number(flag('--calm-share', String(FORECAST_SIZING_CALM.latencyShareOfSla)));
if (!(calmShare > 0 && calmShare <= 1)) throw new Error(`--calm-share must be in (0, 1], got ${calmShare}`);
const traced = traceFromFlags();
const worlds = traced ? [[traced.path, traced.trace] as const] : devWorlds();

/** The calm sizing at `maxArrivalCv`; with a gate, an interval the rule finds calm is sized normally while the edge's burst probability is at or above it. */
class CalmVariant implements Policy {
  readonly id = 'forecast-sizing-calm-variant';
  private readonly calm: ForecastSizingPolicy;
  private readonly plain = new ForecastSizingPolicy(undefined, undefined, { calm: null });
  intervals = 0;
  calmIntervals = 0;
  constructor(maxArrivalCv: number, private readonly gate?: number) {
    this.calm = new ForecastSizingPolicy(undefined, undefined, { calm: { ...FORECAST_SIZING_CALM, maxArrivalCv, latencyShareOfSla: calmShare } });
  }
  reset(seed: number): void {
    this.calm.reset(seed);
    this.plain.reset(seed);
  }
  act(obs: Float32Array, ctx: PolicyContext): Action {
    const before = this.calm.calmSteps;
    const relaxed = this.calm.act(obs, ctx);
    const plain = this.plain.act(obs, ctx);
    const calm = this.calm.calmSteps > before && (this.gate === undefined || ctx.forecast.burstProbability < this.gate);
    this.intervals++;
    if (calm) this.calmIntervals++;
    return calm ? relaxed : plain;
  }
}

process.stdout.write(`forecast-sizing on ${scenario}, seeds ${seedBase}..${seedBase + seeds - 1}, 500 steps, calm latency share ${calmShare}${burstGate === undefined ? '' : `, calm only while the burst probability < ${burstGate}`}: violation % / cost USD (share of intervals sized as calm)\n`);
for (const [name, trace] of worlds) {
  const plain = measureDev(() => new ForecastSizingPolicy(undefined, undefined, { calm: null }), 'forecast-sizing', scenario, trace, seeds, seedBase);
  const cells = [`no calm sizing ${(100 * plain.violations).toFixed(2)} % / ${plain.costUsd.toFixed(3)}`];
  for (const t of thresholds) {
    const made: CalmVariant[] = [];
    const m = measureDev(() => { const p = new CalmVariant(t, burstGate); made.push(p); return p; }, 'forecast-sizing', scenario, trace, seeds, seedBase);
    const share = made.reduce((a, p) => a + p.calmIntervals, 0) / Math.max(1, made.reduce((a, p) => a + p.intervals, 0));
    cells.push(`CV < ${t}: ${(100 * m.violations).toFixed(2)} % / ${m.costUsd.toFixed(3)} (${(100 * share).toFixed(0)} %)`);
  }
  process.stdout.write(`${name}: ${cells.join(' | ')}\n`);
}
