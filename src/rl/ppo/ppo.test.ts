import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, discrete, multiDiscrete } from '../../core/spaces.ts';
import type { Space } from '../../core/spaces.ts';
import type { Env, EnvAction, ResetResult, StepResult } from '../../env/types.ts';
import { SyncVecEnv } from '../../env/vector.ts';
import { RecordEpisodeStatistics, TimeLimit } from '../../env/wrappers.ts';
import { PPO, clippedSurrogate } from './ppo.ts';
import { CounterEnv } from '../test-envs.ts';

test('clipped surrogate: loss and gradient in each branch (clip 0.2)', () => {
  // Inside the range both branches agree: gradient -A r.
  assert.deepEqual(clippedSurrogate(2, 1.1, 0.2), { loss: -2.2, dLossDLogProb: -2.2 });
  // A > 0, r above 1 + c: the clipped branch is the min and has zero gradient.
  const hi = clippedSurrogate(2, 1.5, 0.2);
  assert.ok(Math.abs(hi.loss - -2.4) < 1e-12);
  assert.equal(hi.dLossDLogProb, 0);
  // A < 0, r above 1 + c: the unclipped branch is the min (pessimistic bound), gradient flows.
  const neg = clippedSurrogate(-2, 1.5, 0.2);
  assert.equal(neg.loss, 3);
  assert.equal(neg.dLossDLogProb, 3);
  // A > 0, r below 1 - c: unclipped is the min, gradient flows.
  assert.deepEqual(clippedSurrogate(1, 0.5, 0.2), { loss: -0.5, dLossDLogProb: -0.5 });
  // A < 0, r below 1 - c: clipped is the min, no gradient.
  const lo = clippedSurrogate(-1, 0.5, 0.2);
  assert.ok(Math.abs(lo.loss - 0.8) < 1e-12);
  assert.equal(lo.dLossDLogProb, 0);
});

test('clipped surrogate gradient matches finite differences in log-prob', () => {
  for (const [adv, logRatio] of [
    [1.3, 0.05],
    [-0.7, 0.3],
    [0.9, -0.4],
    [-1.1, -0.1],
  ] as const) {
    const f = (lr: number): number => clippedSurrogate(adv, Math.exp(lr), 0.2).loss;
    const h = 1e-7;
    const num = (f(logRatio + h) - f(logRatio - h)) / (2 * h);
    assert.ok(Math.abs(num - clippedSurrogate(adv, Math.exp(logRatio), 0.2).dLossDLogProb) < 1e-6, `A=${adv} logRatio=${logRatio}`);
  }
});

/** One-step episodes: reward = score(action). */
class Bandit implements Env {
  readonly id = 'Bandit';
  readonly observationSpace = box(-1, 1, [2]);
  constructor(
    readonly actionSpace: Space,
    private readonly score: (a: EnvAction) => number,
  ) {}
  reset(): ResetResult {
    return { obs: Float32Array.of(0.5, -0.5), info: {} };
  }
  step(a: EnvAction): StepResult {
    return { obs: Float32Array.of(0.5, -0.5), reward: this.score(a), terminated: true, truncated: false, info: {} };
  }
}

function vecOf(make: () => Env, n: number): SyncVecEnv {
  return new SyncVecEnv(Array.from({ length: n }, () => new RecordEpisodeStatistics(make())));
}

test('PPO learns a MultiDiscrete bandit (log-prob/entropy summed over heads)', () => {
  const target = [2, 0, 1];
  const make = () => new Bandit(multiDiscrete([3, 2, 4]), (a) => (a as Int32Array).reduce((s, v, i) => s + (v === target[i] ? 1 : 0), 0));
  const ppo = new PPO(vecOf(make, 4), { nEnvs: 4, nSteps: 64, batchSize: 64, nEpochs: 4, learningRate: 3e-3 }, 1);
  ppo.learn(3000);
  assert.deepEqual(Array.from(ppo.predict([0.5, -0.5]) as Int32Array), target);
});

test('PPO learns a Box bandit with a state-independent log_std, and clips actions to the bounds', () => {
  const make = () => new Bandit(box(-1, 1, [1]), (a) => -(((a as Float32Array)[0]! - 0.4) ** 2));
  const ppo = new PPO(vecOf(make, 4), { nEnvs: 4, nSteps: 64, batchSize: 64, nEpochs: 5, learningRate: 3e-3 }, 2);
  const logStd0 = ppo.policy.logStd.params[0]!;
  ppo.learn(6000);
  const a = (ppo.predict([0.5, -0.5]) as Float32Array)[0]!;
  assert.ok(Math.abs(a - 0.4) < 0.1, `mean action ${a}`);
  assert.ok(ppo.policy.logStd.params[0]! < logStd0, 'exploration noise shrinks');
});


test('PPO bootstraps a time-limit truncation with gamma * V(final obs) (truncated is not terminal)', () => {
  const vec = new SyncVecEnv([new RecordEpisodeStatistics(new TimeLimit(new CounterEnv({ id: 'Walk', reward: () => 1 }) as Env, 3))]);
  // lr 0 keeps the critic fixed, so V(final obs) after learn() is the value used during collection.
  const ppo = new PPO(vec, { nSteps: 6, batchSize: 6, nEpochs: 1, learningRate: 0, gamma: 0.9 }, 3);
  ppo.learn(6);
  const v = (x: number): number => ppo.policy.values([Math.fround(x)], 1)[0]!; // observations are float32
  const r = ppo.buffer.rewards;
  // Steps 0,1 are ordinary; step 2 is truncated with final obs 0.3.
  assert.equal(r[0], 1);
  assert.equal(r[1], 1);
  assert.ok(Math.abs(r[2]! - (1 + 0.9 * v(0.3))) < 1e-12, `${r[2]} vs ${1 + 0.9 * v(0.3)}`);
  assert.ok(Math.abs(r[5]! - (1 + 0.9 * v(0.3))) < 1e-12);
  assert.deepEqual(Array.from(ppo.buffer.episodeStarts), [1, 0, 0, 1, 0, 0]);
});

test('PPO rejects a config that does not match the vector env, naming the key', () => {
  const vec = vecOf(() => new Bandit(discrete(2), () => 0), 2);
  assert.throws(() => new PPO(vec, { nEnvs: 3 }, 0), /nEnvs=3 but the vector env has 2/);
  assert.throws(() => new PPO(vec, { nEnvs: 2, learningRate: 'fast' }, 0), /learningRate/);
});

test('initialAction starts the policy at the preferred action, and leaves the checkpoint unchanged when unset', () => {
  const make = () => new Bandit(multiDiscrete([3, 2, 4]), () => 0);
  const ppo = new PPO(vecOf(make, 2), { nEnvs: 2, initialAction: { action: [1, 0, 3], logit: 4 } }, 5);
  assert.deepEqual(Array.from(ppo.predict([0.5, -0.5]) as Int32Array), [1, 0, 3]);
  // With e^4 against 3 near-zero logits the preferred index of the 4-way head draws about 95 % of the samples.
  const sampled = Array.from({ length: 400 }, () => (ppo.predict([0.5, -0.5], { deterministic: false }) as Int32Array)[2]);
  const share = sampled.filter((v) => v === 3).length / sampled.length;
  assert.ok(share > 0.85 && share < 0.99, `share ${share}`);
  const plain = new PPO(vecOf(make, 2), { nEnvs: 2 }, 5);
  assert.equal('initialAction' in plain.config, false);
  assert.throws(() => new PPO(vecOf(make, 2), { nEnvs: 2, initialAction: { action: [1, 0], logit: 1 } }, 5), /initialAction.action has 2 indices/);
  assert.throws(() => new PPO(vecOf(make, 2), { nEnvs: 2, initialAction: { action: [1, 2, 0], logit: 1 } }, 5), /initialAction.action\[1\] = 2/);
  const boxVec = vecOf(() => new Bandit(box(-1, 1, [1]), () => 0), 2);
  assert.throws(() => new PPO(boxVec, { nEnvs: 2, initialAction: { action: [0], logit: 1 } }, 5), /Discrete or MultiDiscrete/);
});
