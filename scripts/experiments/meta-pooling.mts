/**
 * Session 24 (docs/META.md "Pooling the seeds"): does the 24-seed meta ensemble lose cost to averaging? The mean of
 * the members' weight vectors cannot reach a corner of the simplex unless every member does, and the lower PPO's own
 * front (weights-front.mts) has its cheapest equal-violation points near the cost corner in industrial and healthcare.
 * Poolings compared (`--modes`):
 *  - `mean`: the arithmetic mean, what the shipped manifests say;
 *  - `geo`: the closed geometric mean (measured, not shipped);
 *  - `median`: the component-wise median;
 *  - `q-vote`: each member proposes its action and the ensemble's critics vote: the proposal with the highest mean
 *    over the members of min(twin Q) is taken (`q-vote+grid`: the meta report's 21 grid vectors also proposed).
 * Scored on development worlds (default 30000 + i) only: the tournament's seeds are not used to choose.
 * Run: node --import tsx scripts/experiments/meta-pooling.mts [--seeds 20] [--seed-base 30000] [--modes mean,q-vote,q-vote+grid]
 *      [--part tournament,mode-switch,normal] [--story-scenarios balanced,...] [--meta models/meta-td3-no-edge.json --mask-edge]
 *      [--other runs/X/meta-td3.json: adds the mode `other`, that ensemble pooled as its manifest says, against the same worlds]
 */
import './stdout-pipe.ts';
import { readEnsembleManifest } from '../../src/rl/ensemble.ts';
import { readCheckpoint, decodeWeights } from '../../src/rl/checkpoint.ts';
import { td3ActorFromCheckpoint } from '../../src/rl/td3/td3.ts';
import { Mlp } from '../../src/rl/nn/mlp.ts';
import { parseDtype } from '../../src/rl/wasm/kernels.ts';
import { HierarchicalPolicy, averageMetaControllers, metaContextFeaturesOf, type MetaController } from '../../src/meta/hierarchical-policy.ts';
import { SLO_GUARD_DEFAULTS } from '../../src/meta/slo-guard.ts';
import { normalizeWeights, weightGrid } from '../../src/meta/weights.ts';
import { ModeScheduleEnv } from '../../src/meta/mode-env.ts';
import { modeSwitchSchedule, singleModeSchedule } from '../../src/meta/modes.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { combinedObjective, scoreRun } from '../../src/bench/reports/meta.ts';
import { loadConfig } from '../../src/core/config.ts';
import { pairedDifference } from '../../src/bench/stats.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { runMetrics } from '../../src/bench/summary.ts';
import { flag } from './flag.ts';

const seeds = Number(flag('--seeds', '20'));
const seedBase = Number(flag('--seed-base', '30000'));
const modes = flag('--modes', 'mean,q-vote,q-vote+grid').split(',');
const parts = flag('--part', 'tournament,mode-switch').split(',');
const manifestPath = flag('--meta', 'models/meta-td3.json');
const STEPS = 500;
const maskEdge = process.argv.includes('--mask-edge');

interface Member {
  actor: (obs: Float32Array) => Float32Array; // box action in [0, 1]^3
  critics: Mlp<'f32' | 'f64'>[];
}

function loadMembers(path: string): { members: Member[]; features: ReturnType<typeof metaContextFeaturesOf> } {
  const manifest = readEnsembleManifest(path);
  let features: ReturnType<typeof metaContextFeaturesOf> | null = null;
  const members = manifest.memberPaths.map((p) => {
    const ckpt = readCheckpoint(p);
    features = metaContextFeaturesOf(ckpt, p);
    const actor = td3ActorFromCheckpoint(ckpt, p);
    const dtype = parseDtype(ckpt.hyperparameters['dtype'] ?? 'f64', p);
    const sizes = ckpt.architecture['criticSizes'] as number[];
    const critics = ['critic0', 'critic1'].map((k) => {
      const m = new Mlp({ sizes, activation: 'relu', dtype }, 1);
      m.params.set(decodeWeights(ckpt.weights[k] ?? '', m.params.length, k));
      return m;
    });
    return { actor: (obs: Float32Array) => actor.predict(obs), critics };
  });
  return { members, features: features! };
}

/** Box action [0, 1]^3 -> the critics' tanh scale [-1, 1]^3. */
const toTanh = (a: ArrayLike<number>): number[] => Array.from(a, (x) => 2 * x - 1);

function qVote(members: Member[], withGrid: boolean): MetaController {
  const grid = weightGrid(5);
  return (obs) => {
    const proposals: ArrayLike<number>[] = members.map((m) => m.actor(obs));
    if (withGrid) proposals.push(...grid);
    let best = 0;
    let bestQ = -Infinity;
    proposals.forEach((a, k) => {
      const input = [...Array.from(obs), ...toTanh(a)];
      let q = 0;
      for (const m of members) q += Math.min(m.critics[0]!.forward(input, 1)[0]!, m.critics[1]!.forward(input, 1)[0]!) / members.length;
      if (q > bestQ) {
        bestQ = q;
        best = k;
      }
    });
    return proposals[best]!;
  };
}

/** The component-wise median of the members' simplex weights. */
function median(members: Member[]): MetaController {
  return (obs) => {
    const ws = members.map((m) => normalizeWeights(m.actor(obs)));
    return (['alpha', 'beta', 'gamma'] as const).map((k) => {
      const xs = ws.map((w) => w[k]).sort((a, b) => a - b);
      return xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2;
    });
  };
}

const { members, features } = loadMembers(manifestPath);
const actors = members.map((m) => m.actor as MetaController);
const controllers: Record<string, MetaController> = {
  mean: averageMetaControllers(actors, 'arithmetic mean', 'arithmetic'),
  'q-vote': qVote(members, false),
  'q-vote+grid': qVote(members, true),
  geo: averageMetaControllers(actors, 'geometric mean', 'geometric'),
  median: median(members),
};
const otherPath = process.argv.includes('--other') ? flag('--other', '') : undefined;
if (otherPath !== undefined) {
  const other = loadMembers(otherPath);
  if (other.features !== features) throw new Error(`--other: '${otherPath}' was trained on the meta observation '${other.features}', '${manifestPath}' on '${features}'`);
  controllers['other'] = averageMetaControllers(other.members.map((m) => m.actor as MetaController), 'other', readEnsembleManifest(otherPath).pooling);
}
for (const m of modes) if (!controllers[m]) throw new Error(`--modes: unknown '${m}' (known: ${Object.keys(controllers).join(', ')})`);
const make = (mode: string): HierarchicalPolicy => new HierarchicalPolicy({ id: 'edge-rl', meta: controllers[mode]!, metaContextFeatures: features, sloGuard: SLO_GUARD_DEFAULTS, maskEdge });
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (d: { mean: number; ci95: number }, digits = 3): string => `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(digits)} ± ${d.ci95.toFixed(digits)}`;

if (parts.includes('tournament')) {
  process.stdout.write(`tournament metrics, worlds ${seedBase}..${seedBase + seeds - 1} x ${STEPS} steps (with the SLO guard, as edge-rl)\n`);
  for (const scenario of SCENARIOS) {
    const env = new SparkIotEnv({ scenario, maxSteps: STEPS });
    const rows = modes.map((mode) => {
      const policy = make(mode);
      const runs = Array.from({ length: seeds }, (_, i) => runMetrics(runEpisode(env, policy, policy.id, seedBase + i, STEPS)));
      const windows = runs.map((r) => r.windowSlaViolationPct ?? Number.NaN).filter((x) => Number.isFinite(x));
      return { mode, viol: runs.map((r) => r.slaViolationPct), cost: runs.map((r) => r.costUsd), windowPct: windows.length ? mean(windows) : Number.NaN };
    });
    for (const r of rows) {
      const dv = pairedDifference(r.viol, rows[0]!.viol);
      const dc = pairedDifference(r.cost, rows[0]!.cost);
      process.stdout.write(`  ${scenario.padEnd(11)} ${r.mode.padEnd(12)} ${mean(r.viol).toFixed(3)} % / ${mean(r.cost).toFixed(3)} USD, burst windows ${r.windowPct.toFixed(2)} %${r === rows[0] ? '' : `  (vs ${rows[0]!.mode}: ${fmt(dv, 2)} pts, ${fmt(dc)} USD)`}\n`);
    }
  }
}

const storyScenarios = flag('--story-scenarios', 'balanced').split(',') as (typeof SCENARIOS)[number][];
for (const part of ['mode-switch', 'normal'] as const) {
  if (!parts.includes(part)) continue;
  const schedule = part === 'normal' ? singleModeSchedule('normal') : modeSwitchSchedule(STEPS);
  const scenarios = part === 'normal' ? [...SCENARIOS] : storyScenarios;
  const all = modes.map(() => [] as number[]);
  for (const scenario of scenarios) {
    const budgetUsdPerHour = loadConfig().scenarios[scenario].budgetUsdPerHour;
    const js = modes.map((mode) =>
      Array.from({ length: seeds }, (_, i) => {
        const env = new ModeScheduleEnv({ scenario, maxSteps: STEPS, schedule });
        const policy = make(mode);
        return combinedObjective(scoreRun(runEpisode(env, policy, policy.id, seedBase + i, STEPS), schedule, budgetUsdPerHour));
      }),
    );
    js.forEach((j, k) => all[k]!.push(...j));
    process.stdout.write(`${part === 'normal' ? 'normal mode' : 'mode-switch story'} (${scenario}), worlds ${seedBase}..${seedBase + seeds - 1}: J per step\n`);
    modes.forEach((mode, k) => process.stdout.write(`  ${mode.padEnd(12)} J ${mean(js[k]!).toFixed(4)}${k === 0 ? '' : `  (vs ${modes[0]}: ${fmt(pairedDifference(js[k]!, js[0]!), 4)})`}\n`));
  }
  if (scenarios.length > 1) {
    process.stdout.write(`${part} over ${scenarios.join(', ')}:\n`);
    modes.forEach((mode, k) => process.stdout.write(`  ${mode.padEnd(12)} J ${mean(all[k]!).toFixed(4)}${k === 0 ? '' : `  (vs ${modes[0]}: ${fmt(pairedDifference(all[k]!, all[0]!), 4)})`}\n`));
  }
}
