/**
 * Is the gap between `edge-rl` and the clairvoyant front foresight, or the learned lower level? This runs the
 * baseline `forecast-sizing` (src/policies/forecast-sizing.ts: the oracle's sizing rule fed the present and the edge
 * forecast, not the future) at the oracle sweep's grid of capacity margins and one latency share, on the bench's
 * paired seeds.
 * docs/BENCHMARKS.md "How far foresight gets".
 * Run: node --import tsx scripts/experiments/forecast-sizing.mts [--scenarios all] [--seeds 20] [--latency-share 0.75] [--margins 1,1.15] [--trace file.csv [--trace-step-s 60]] [--no-calm]
 *   --no-calm: without the calm-load sizing (FORECAST_SIZING_CALM, session 14), as sessions 9-13 ran it.
 */
import './stdout-pipe.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { ForecastSizingPolicy } from '../../src/policies/forecast-sizing.ts';
import { SWEEP_CAPACITY_MARGINS } from '../../src/bench/oracle-sweep.ts';
import { scoreOnBenchSeeds } from './bench-score.ts';
import { flag } from './flag.ts';
import { traceFromFlags } from './trace-flag.ts';

const seeds = Number(flag('--seeds', '20'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
const scenarioFlag = flag('--scenarios', 'all');
const scenarios = (scenarioFlag === 'all' ? [...SCENARIOS] : scenarioFlag.split(',')) as ScenarioName[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`--scenarios: unknown scenario '${s}' (known: ${SCENARIOS.join(', ')})`);
const latencyShareOfSla = Number(flag('--latency-share', '0.75'));
if (!(latencyShareOfSla > 0 && latencyShareOfSla <= 1)) throw new Error(`--latency-share must be in (0, 1], got ${latencyShareOfSla}`);
const margins = flag('--margins', SWEEP_CAPACITY_MARGINS.join(',')).split(',').map(Number);
for (const m of margins) if (!(m >= 1)) throw new Error(`--margins: each must be a number >= 1, got ${m}`);
const traced = traceFromFlags();
const tracePath = traced?.path;
const trace = traced?.trace;
const calm = process.argv.includes('--no-calm') ? null : undefined;

process.stdout.write(`forecast sizing (the oracle's rule on the present + the edge forecast; latency share ${latencyShareOfSla}${calm === null ? ', no calm-load sizing' : ', 0.9 on calm load'})${tracePath ? `, trace ${tracePath}` : ''}, ${seeds} bench seeds x 500 steps: violation % / cost USD\n`);
for (const scenario of scenarios) {
  const cells = margins.map((m) => {
    const r = scoreOnBenchSeeds(() => new ForecastSizingPolicy({ capacityMargin: m, latencyShareOfSla }, undefined, { calm }), scenario, seeds, 500, trace);
    return `margin ${m.toFixed(2)}: ${r.violationPct.toFixed(2)} / ${r.costUsd.toFixed(3)}`;
  });
  process.stdout.write(`${scenario}: ${cells.join(' | ')}\n`);
}
