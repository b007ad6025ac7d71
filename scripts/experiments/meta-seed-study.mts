/**
 * How much does `edge-rl` depend on the TD3 seed its meta-controller was trained with? For each meta checkpoint (or
 * ensemble manifest) given, `edge-rl` over the shipped PPO on the four synthetic scenarios, the bench's 20 paired
 * tournament seeds x 500 steps: SLA violation % and cost USD per run (means), and the ratios to `keda-lag` on the same
 * seeds (the issue's bar: violations <= 1/3, cost <= 1), and the oracle bar (cost within 15 % of the clairvoyant
 * oracle's, violations within 2 points of its). docs/META.md "An ensemble of seeds".
 * Run: node --import tsx scripts/experiments/meta-seed-study.mts --metas models/meta-td3.json,runs/meta-s2.json[,...] [--seeds 20]
 */
import './stdout-pipe.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import type { Policy } from '../../src/policies/types.ts';
import { scoreOnBenchSeeds } from './bench-score.ts';
import { flag } from './flag.ts';

const metas = flag('--metas', 'models/meta-td3.json').split(',');
const seeds = Number(flag('--seeds', '20'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
const STEPS = 500;

const score = (make: () => Policy, scenario: (typeof SCENARIOS)[number]) => scoreOnBenchSeeds(make, scenario, seeds, STEPS);

const keda = Object.fromEntries(SCENARIOS.map((s) => [s, score(() => createPolicy('keda-lag'), s)]));
const oracle = Object.fromEntries(SCENARIOS.map((s) => [s, score(() => createPolicy('oracle'), s)]));
process.stdout.write(`edge-rl per meta-controller, ${seeds} tournament seeds x ${STEPS} steps: viol % / cost USD (violation ratio, cost ratio to keda-lag)\n`);
process.stdout.write(`keda-lag: ${SCENARIOS.map((s) => `${s} ${keda[s]!.violationPct.toFixed(2)} / ${keda[s]!.costUsd.toFixed(3)}`).join(' | ')}\n`);
process.stdout.write(`oracle: ${SCENARIOS.map((s) => `${s} ${oracle[s]!.violationPct.toFixed(2)} / ${oracle[s]!.costUsd.toFixed(3)}`).join(' | ')}\n`);
for (const meta of metas) {
  const cells = SCENARIOS.map((s) => {
    const r = score(() => new HierarchicalPolicy({ id: 'edge-rl', metaCheckpointPath: meta }), s);
    const vr = r.violationPct / keda[s]!.violationPct;
    const cr = r.costUsd / keda[s]!.costUsd;
    const oracleMet = r.costUsd <= 1.15 * oracle[s]!.costUsd && r.violationPct <= oracle[s]!.violationPct + 2;
    return `${s} ${r.violationPct.toFixed(2)} / ${r.costUsd.toFixed(3)} (${vr.toFixed(2)}, ${cr.toFixed(2)}${vr <= 1 / 3 && cr <= 1 ? '' : ' bar missed'}${oracleMet ? '' : ', oracle bar missed'})`;
  });
  process.stdout.write(`${meta}: ${cells.join(' | ')}\n`);
}
