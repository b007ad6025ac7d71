/**
 * The residual PPO (src/env/residual-env.ts: corrections to forecast-sizing) against the absolute PPO and the rule
 * itself, at the scenario's default weights (no meta-controller), on a development set of worlds the tournament
 * never runs (seeds 30000+ by default), so choosing among candidates does not look at the bench's seeds.
 * Run: node --import tsx scripts/experiments/residual-ppo.mts --checkpoints a.json,b.json [--mask-edge] [--seeds 10]
 *      [--seed-base 30000] [--scenarios all] [--trace file.csv [--trace-step-s 60]] [--no-hold]
 */
import './stdout-pipe.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { ForecastSizingPolicy, residualBasePolicy } from '../../src/policies/forecast-sizing.ts';
import { PpoAgentPolicy } from '../../src/policies/rl-agent.ts';
import { AGENT_SCALE_DOWN_HOLD_S } from '../../src/policies/scale-down-hold.ts';
import type { Policy } from '../../src/policies/types.ts';
import { scoreOnBenchSeeds } from './bench-score.ts';
import { flag } from './flag.ts';
import { traceFromFlags } from './trace-flag.ts';

const seeds = Number(flag('--seeds', '10'));
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be a positive integer, got ${seeds}`);
const seedBase = Number(flag('--seed-base', '30000'));
const scenarioFlag = flag('--scenarios', 'all');
const scenarios = (scenarioFlag === 'all' ? [...SCENARIOS] : scenarioFlag.split(',')) as ScenarioName[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`--scenarios: unknown scenario '${s}' (known: ${SCENARIOS.join(', ')})`);
const maskEdge = process.argv.includes('--mask-edge');
const holdS = process.argv.includes('--no-hold') ? 0 : AGENT_SCALE_DOWN_HOLD_S;
const checkpoints = flag('--checkpoints', maskEdge ? 'models/rl-no-edge-ppo.json' : 'models/edge-rl-ppo.json').split(',');
const traced = traceFromFlags();
const tracePath = traced?.path;
const trace = traced?.trace;

const candidates: Array<{ name: string; make: () => Policy }> = [
  { name: maskEdge ? 'forecast-sizing without the forecast' : 'forecast-sizing', make: () => (maskEdge ? residualBasePolicy({ maskEdge }) : new ForecastSizingPolicy()) },
  ...checkpoints.map((path) => ({ name: path, make: () => new PpoAgentPolicy({ id: path, checkpointPath: path, maskEdge, scaleDownHoldS: holdS }) })),
];
process.stdout.write(`${seeds} worlds from seed ${seedBase} x 500 steps${tracePath ? `, trace ${tracePath}` : ''}, scenario default weights, hold ${holdS} s: violation % / cost USD\n`);
for (const scenario of scenarios) {
  const cells = candidates.map((c) => {
    const r = scoreOnBenchSeeds(c.make, scenario, seeds, 500, trace, seedBase);
    return `${c.name}: ${r.violationPct.toFixed(2)} / ${r.costUsd.toFixed(3)}`;
  });
  process.stdout.write(`${scenario}: ${cells.join(' | ')}\n`);
}
