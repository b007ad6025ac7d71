/**
 * The edge ablation at matched cost: the cost-vs-violations front of the PPO with the edge and of the PPO trained
 * without it (`rl-no-edge`, edge features masked), each under the 21 fixed weight vectors of the grid, on the bench's
 * 20 paired seeds; then, for `edge-rl` and its twin `rl-no-edge-meta`, the violations each front reaches at that
 * agent's cost (linear interpolation along the front's lower envelope). Asks whether the edge buys fewer violations
 * at the same spend, which a comparison of two agents at different operating points cannot say
 * (docs/META.md "The normal mode's SLO").
 * Run: node --import tsx scripts/experiments/edge-front.mts [--scenarios healthcare,industrial] [--seeds 20]
 */
import './stdout-pipe.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { weightGrid } from '../../src/meta/weights.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import type { Policy } from '../../src/policies/types.ts';
import { scoreOnBenchSeeds } from './bench-score.ts';
import { flag } from './flag.ts';

const scenarios = flag('--scenarios', 'healthcare,industrial').split(',') as ScenarioName[];
for (const s of scenarios) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--scenarios: unknown scenario '${s}'; known: ${SCENARIOS.join(', ')}`);
const seeds = Number(flag('--seeds', '20'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
const STEPS = 500;

interface Point { label: string; violationPct: number; costUsd: number }

const score = (label: string, make: () => Policy, scenario: ScenarioName): Point => ({ label, ...scoreOnBenchSeeds(make, scenario, seeds, STEPS) });

/** The lower-left envelope: points sorted by cost, each kept only if it has fewer violations than every cheaper one. */
function front(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of [...points].sort((a, b) => a.costUsd - b.costUsd)) if (out.length === 0 || p.violationPct < out[out.length - 1]!.violationPct) out.push(p);
  return out;
}

/** The front's violations at `costUsd` (linear between its points; null outside its cost range). */
function atCost(f: readonly Point[], costUsd: number): number | null {
  if (costUsd < f[0]!.costUsd) return null;
  for (let k = 0; k + 1 < f.length; k++) {
    const a = f[k]!;
    const b = f[k + 1]!;
    if (costUsd <= b.costUsd) return a.violationPct + ((b.violationPct - a.violationPct) * (costUsd - a.costUsd)) / (b.costUsd - a.costUsd);
  }
  return f[f.length - 1]!.violationPct;
}

const fmt = (x: number | null): string => (x === null ? 'n/a (cheaper than the front)' : `${x.toFixed(2)} %`);
for (const scenario of scenarios) {
  const grid = weightGrid(5);
  const edge = front(grid.map((w) => score(`(${w.join(', ')})`, () => new HierarchicalPolicy({ id: 'edge-ppo', meta: () => Float32Array.from(w) }), scenario)));
  const noEdge = front(grid.map((w) => score(`(${w.join(', ')})`, () => new HierarchicalPolicy({ id: 'no-edge-ppo', meta: () => Float32Array.from(w), maskEdge: true }), scenario)));
  const agents = ['edge-rl', 'rl-no-edge-meta'].map((id) => score(id, () => createPolicy(id), scenario));
  process.stdout.write(`\n${scenario}, ${seeds} tournament seeds x ${STEPS} steps: SLA violation % / cost USD\n`);
  process.stdout.write(`  front with the edge:    ${edge.map((p) => `${p.label} ${p.violationPct.toFixed(2)} / ${p.costUsd.toFixed(3)}`).join('; ')}\n`);
  process.stdout.write(`  front without the edge: ${noEdge.map((p) => `${p.label} ${p.violationPct.toFixed(2)} / ${p.costUsd.toFixed(3)}`).join('; ')}\n`);
  for (const a of agents) {
    process.stdout.write(`  ${a.label}: ${a.violationPct.toFixed(2)} % at ${a.costUsd.toFixed(3)} USD; at that cost the front with the edge has ${fmt(atCost(edge, a.costUsd))}, without it ${fmt(atCost(noEdge, a.costUsd))}\n`);
  }
}
