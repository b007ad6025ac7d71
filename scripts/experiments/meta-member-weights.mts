/**
 * Where each member of a meta ensemble puts the weights (session 24, docs/META.md "Pooling the seeds"): `edge-rl`
 * (the shipped ensemble, arithmetic mean, with the SLO guard) runs the normal mode on development worlds; every meta
 * observation it meets is replayed through each member alone, and the members' normalized weights are averaged over
 * those observations. Tells whether the members reach a corner the pooled vector misses, or sit in the interior.
 * Run: node --import tsx scripts/experiments/meta-member-weights.mts [--scenario healthcare] [--seeds 5] [--seed-base 30000]
 *      [--meta models/meta-td3.json]
 */
import './stdout-pipe.ts';
import { readEnsembleManifest } from '../../src/rl/ensemble.ts';
import { HierarchicalPolicy, averageMetaControllers, loadMetaActor, type MetaController } from '../../src/meta/hierarchical-policy.ts';
import { SLO_GUARD_DEFAULTS } from '../../src/meta/slo-guard.ts';
import { normalizeWeights } from '../../src/meta/weights.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { flag } from './flag.ts';

const scenario = flag('--scenario', 'healthcare') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, got '${scenario}'`);
const seeds = Number(flag('--seeds', '5'));
const seedBase = Number(flag('--seed-base', '30000'));
if (!(Number.isInteger(seeds) && seeds >= 1) || !(Number.isInteger(seedBase) && seedBase >= 0)) throw new Error('--seeds must be an integer >= 1 and --seed-base >= 0');
const manifest = readEnsembleManifest(flag('--meta', 'models/meta-td3.json'));
const members: MetaController[] = manifest.memberPaths.map((p) => loadMetaActor(p).controller);
const pooled = averageMetaControllers(members, 'ensemble', manifest.pooling);
const seen: Float32Array[] = [];
const policy = new HierarchicalPolicy({ id: 'edge-rl', meta: (obs) => (seen.push(Float32Array.from(obs)), pooled(obs)), sloGuard: SLO_GUARD_DEFAULTS });
const env = new SparkIotEnv({ scenario, maxSteps: 500 });
for (let i = 0; i < seeds; i++) runEpisode(env, policy, policy.id, seedBase + i, 500);

/** Mean normalized weights of a controller over the observations met. */
const meanWeights = (f: MetaController): number[] => {
  const sum = [0, 0, 0];
  for (const obs of seen) {
    const w = normalizeWeights(f(obs));
    sum[0]! += w.alpha / seen.length;
    sum[1]! += w.beta / seen.length;
    sum[2]! += w.gamma / seen.length;
  }
  return sum;
};
const fmt = (w: readonly number[]): string => w.map((x) => x.toFixed(2)).join('/');
const perMember = members.map(meanWeights);
const alphas = perMember.map((w) => w[0]!).sort((a, b) => a - b);
process.stdout.write(`${scenario}, worlds ${seedBase}..${seedBase + seeds - 1}, normal mode: ${seen.length} meta decisions; mean weights alpha/beta/gamma\n`);
process.stdout.write(`  pooled (${manifest.pooling}): ${fmt(meanWeights(pooled))}; geometric: ${fmt(meanWeights(averageMetaControllers(members, 'geometric', 'geometric')))}\n`);
process.stdout.write(`  members' alpha from ${alphas[0]!.toFixed(2)} to ${alphas.at(-1)!.toFixed(2)} (median ${alphas[Math.floor(alphas.length / 2)]!.toFixed(2)})\n`);
perMember.forEach((w, k) => process.stdout.write(`  seed ${manifest.seeds[k]}: ${fmt(w)}\n`));
