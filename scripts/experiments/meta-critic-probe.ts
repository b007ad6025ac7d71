/**
 * Probe of the shipped meta-controller in the budget mode (docs/META.md, "Why the budget phase is lost"), on
 * training-range worlds (meta-env world seeds), fixed schedule normal (10 windows) -> budget with 10 % of the budget
 * left (BLEN windows) -> normal, the actor acting outside the budget phase:
 *  1. the twin critics' Q on the budget-mode observations for the actor's action and a few weight vectors (critic 0
 *     is the one the actor climbs, as in SB3), and how far apart the two critics are;
 *  2. Monte-Carlo: the budget phase's mean reward per window when a fixed vector replaces the actor there, minus the
 *     actor's, paired on the same worlds (mean ± CI95 over episodes).
 * If the critic ranks a vector below the actor's that Monte-Carlo ranks above it, the critic has it wrong.
 * Run: node --import tsx scripts/experiments/meta-critic-probe.ts [--model models/meta-td3.json] [--budget-windows 20] [--episodes 32]
 */
import { decodeWeights, readCheckpoint } from '../../src/rl/checkpoint.ts';
import { td3ActorFromCheckpoint } from '../../src/rl/td3/td3.ts';
import { Mlp } from '../../src/rl/nn/mlp.ts';
import { SparkIotMetaEnv } from '../../src/meta/meta-env.ts';
import type { ModePhase } from '../../src/meta/modes.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { meanCi } from '../../src/bench/stats.ts';
import { flag } from './flag.ts';

const modelPath = flag('--model', 'models/meta-td3.json');
const budgetWindows = Number(flag('--budget-windows', '20'));
const episodes = Number(flag('--episodes', '32'));
const ckpt = readCheckpoint(modelPath);
const actor = td3ActorFromCheckpoint(ckpt, modelPath);
const critics = ['critic0', 'critic1'].map((key) => {
  const m = new Mlp({ sizes: ckpt.architecture['criticSizes'] as number[], activation: 'relu', dtype: 'f64' }, 1);
  m.params.set(decodeWeights(ckpt.weights[key]!, m.params.length, key));
  return m;
});

// Raw actions in [0, 1]^3 (the env's Box; normalized to the simplex by the env); the critic sees them in [-1, 1].
const VECTORS: Record<string, number[]> = { '(1,0,0)': [1, 0, 0], '(0.8,0.1,0.1)': [0.8, 0.1, 0.1], '(0.6,0,0.4)': [0.6, 0, 0.4], '(0.6,0.4,0)': [0.6, 0.4, 0], '(0.2,0.2,0.6)': [0.2, 0.2, 0.6] };
const qOf = (c: number, obs: ArrayLike<number>, raw: ArrayLike<number>): number => {
  const x = new Float64Array(obs.length + 3);
  x.set(Array.from(obs));
  for (let i = 0; i < 3; i++) x[obs.length + i] = 2 * raw[i]! - 1;
  return critics[c]!.forward(x, 1)[0]!;
};
const META_STEPS = 30;
const schedule: ModePhase[] = [
  { startStep: 0, mode: 'normal' },
  { startStep: 100, mode: 'budget', budgetLeftFraction: 0.1 },
  { startStep: 100 + 10 * budgetWindows, mode: 'normal' },
];
const isBudget = (obs: ArrayLike<number>): boolean => obs[1] === 1;

console.log(`${modelPath}: budget phase of ${budgetWindows} windows, ${episodes} paired episodes per scenario`);
for (const scenario of SCENARIOS) {
  const perVector: Record<string, number[]> = {};
  // Per action: sums of Q0, Q1 and |Q0 - Q1| over the budget-mode observations.
  const qSum: Record<string, [number, number, number]> = {};
  let qN = 0;
  const addQ = (key: string, obs: ArrayLike<number>, raw: ArrayLike<number>): void => {
    const q0 = qOf(0, obs, raw);
    const q1 = qOf(1, obs, raw);
    const acc = (qSum[key] ??= [0, 0, 0]);
    acc[0] += q0;
    acc[1] += q1;
    acc[2] += Math.abs(q0 - q1);
  };
  for (const name of ['actor', ...Object.keys(VECTORS)]) {
    const fixed = VECTORS[name];
    const env = new SparkIotMetaEnv({ scenario, schedule, episodeMetaSteps: META_STEPS });
    perVector[name] = [];
    for (let ep = 0; ep < episodes; ep++) {
      let obs = env.reset({ seed: 5000 + ep }).obs;
      let total = 0;
      let windows = 0;
      for (let m = 0; m < META_STEPS; m++) {
        const own = Array.from(actor.predict(obs));
        if (name === 'actor' && isBudget(obs)) {
          addQ('actor', obs, own);
          for (const [k, v] of Object.entries(VECTORS)) addQ(k, obs, v);
          qN++;
        }
        const r = env.step(isBudget(obs) && fixed ? fixed : own);
        if (isBudget(obs)) {
          total += r.reward;
          windows++;
        }
        obs = r.obs;
      }
      perVector[name]!.push(total / windows);
    }
  }
  const base = perVector['actor']!;
  const cells = Object.keys(VECTORS).map((k) => {
    const d = meanCi(perVector[k]!.map((x, i) => x - base[i]!));
    const dq = (c: 0 | 1): string => ((qSum[k]![c] - qSum['actor']![c]) / qN).toFixed(3);
    return `${k}: Q0 ${dq(0)}, Q1 ${dq(1)}, MC ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} ± ${d.ci95.toFixed(4)}`;
  });
  const spread = Object.entries(qSum).map(([k, acc]) => `${k} ${(acc[2] / qN).toFixed(3)}`);
  console.log(`${scenario}: vs the actor (Q0, Q1 = the critics' mean difference; MC = reward per budget window, paired): ${cells.join(' | ')}`);
  console.log(`${scenario}: mean |Q0 - Q1|: ${spread.join(' | ')}`);
}
