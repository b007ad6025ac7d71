/**
 * The lower-level PPO's own cost/violation front in one scenario: the PPO (models/edge-rl-ppo.json, with the scale-down
 * hold, as `edge-rl` runs it) held at each weight vector of the meta report's grid for whole runs, on the bench's
 * paired seeds, sorted by cost. Tells whether a gap to the clairvoyant front (`bench --oracle-sweep`) is the
 * meta-controller's choice of weights (some vector does better) or the PPO's reach (no vector does).
 * docs/BENCHMARKS.md "How far foresight gets".
 * Run: node --import tsx scripts/experiments/weights-front.mts [--scenario healthcare] [--seeds 20] [--checkpoint models/edge-rl-ppo.json]
 *      [--seed-base 30000 (a development set instead of the bench's seeds)]
 */
import './stdout-pipe.ts';
import { createFixedWeightsPolicy } from '../../src/meta/hierarchical-policy.ts';
import { weightGrid } from '../../src/meta/weights.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { scoreOnBenchSeeds } from './bench-score.ts';
import { flag } from './flag.ts';

const scenario = flag('--scenario', 'healthcare') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario: unknown scenario '${scenario}' (known: ${SCENARIOS.join(', ')})`);
const seeds = Number(flag('--seeds', '20'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
const checkpoint = process.argv.includes('--checkpoint') ? flag('--checkpoint', '') : undefined;
const seedBase = process.argv.includes('--seed-base') ? Number(flag('--seed-base', '0')) : undefined;
const points = weightGrid(5).map((w) => ({ w, ...scoreOnBenchSeeds(() => createFixedWeightsPolicy(w, checkpoint ? { lowerCheckpointPath: checkpoint } : {}), scenario, seeds, 500, undefined, seedBase) }));
points.sort((a, b) => a.costUsd - b.costUsd);
process.stdout.write(`${scenario}, ${seeds} ${seedBase === undefined ? 'bench seeds' : `worlds from seed ${seedBase}`} x 500 steps${checkpoint ? `, ${checkpoint}` : ''}: the PPO at fixed weights (alpha/beta/gamma), by cost; * = on its own front\n`);
for (const p of points) {
  const onFront = !points.some((q) => q !== p && q.costUsd <= p.costUsd && q.violationPct <= p.violationPct && (q.costUsd < p.costUsd || q.violationPct < p.violationPct));
  process.stdout.write(`${p.w.map((x) => x.toFixed(2)).join('/')}: ${p.violationPct.toFixed(2)} % / ${p.costUsd.toFixed(3)} USD${onFront ? ' *' : ''}\n`);
}
