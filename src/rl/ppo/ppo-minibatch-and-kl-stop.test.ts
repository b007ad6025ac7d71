/**
 * PPO's minibatch loop at its edges (SB3 ppo.py train): a last, shorter minibatch when batch_size does not divide
 * n_envs * n_steps (advantages normalised only when it holds more than one sample), the logged losses averaged
 * per minibatch, and the early stop on approx_kl > 1.5 * target_kl, which ends the whole update (all epochs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, discrete } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../../env/types.ts';
import { SyncVecEnv } from '../../env/vector.ts';
import type { PpoConfig } from './config.ts';
import { PPO } from './ppo.ts';
import type { PpoIterationStats } from './ppo.ts';

/** One-step episodes, observation [0], reward `hit` for action 0 and `miss` for action 1. */
class TwoArm implements Env {
  readonly id = 'TwoArm';
  readonly observationSpace = box(-1, 1, [1]);
  readonly actionSpace = discrete(2);
  constructor(
    private readonly hit = 1,
    private readonly miss = 0,
  ) {}
  reset(): ResetResult {
    return { obs: Float32Array.of(0), info: {} };
  }
  step(a: unknown): StepResult {
    return { obs: Float32Array.of(0), reward: a === 0 ? this.hit : this.miss, terminated: true, truncated: false, info: {} };
  }
}

function run(cfg: Partial<PpoConfig>, seed: number, env: Env = new TwoArm(), iterations = 1): { ppo: PPO; stats: PpoIterationStats[] } {
  const ppo = new PPO(new SyncVecEnv([env]), { piLayers: [], vfLayers: [], maxGradNorm: 1e6, ...cfg }, seed);
  const stats: PpoIterationStats[] = [];
  ppo.learn(ppo.config.nSteps * iterations, (s) => stats.push(s));
  return { ppo, stats };
}

test('a batch that batch_size does not divide ends with a shorter minibatch, left unnormalised when it has one sample', () => {
  // lr 0: nothing moves, so every ratio is 1 and the losses are known. Every reward is 1 and V(0) = c (critic bias),
  // so every advantage is A = 1 - c. 3 samples, batch 2: minibatches of 2 (normalised: (A - A) / (0 + 1e-8) = 0)
  // and 1 (raw A). SB3 logs the mean over minibatches: policy loss (0 + -A) / 2, value loss ((1 - c)^2 + (1 - c)^2) / 2.
  const { ppo, stats } = run({ nSteps: 3, batchSize: 2, nEpochs: 1, learningRate: 0, entCoef: 0 }, 5, new TwoArm(1, 1));
  const c = ppo.policy.critic.params[1]!;
  const A = 1 - c;
  const s = stats[0]!;
  assert.ok(Math.abs(A) > 1e-3, 'the case needs a non-zero advantage');
  assert.ok(Math.abs(s.policyLoss - -A / 2) < 1e-12, `policyLoss ${s.policyLoss} vs ${-A / 2}`);
  assert.ok(Math.abs(s.valueLoss - A * A) < 1e-12, `valueLoss ${s.valueLoss} vs ${A * A}`);
  assert.equal(s.approxKl, 0);
  assert.equal(s.clipFraction, 0);
  for (const p of [...ppo.policy.actor.params, ...ppo.policy.critic.params]) assert.ok(Number.isFinite(p));
});

test('target_kl: the update stops before the step of the first minibatch whose KL exceeds 1.5 * target_kl, for all epochs', () => {
  const base: Partial<PpoConfig> = { nSteps: 8, batchSize: 8, learningRate: 0.3, entCoef: 0 };
  // Without a target: epoch 1's KL is 0 (the rollout's own policy), epoch 2's is k, logged as the mean k / 2.
  const free = run({ ...base, nEpochs: 2, targetKl: null }, 11);
  const k = 2 * free.stats[0]!.approxKl;
  assert.ok(k > 1e-6, `epoch 2 must have moved the policy (k = ${k})`);
  const oneEpoch = run({ ...base, nEpochs: 1 }, 11);
  // 1.5 * (k / 1.75) < k < 2 * (k / 1.75): SB3 stops before epoch 2's step, so only epoch 1's step is taken.
  const stopped = run({ ...base, nEpochs: 2, targetKl: k / 1.75 }, 11);
  assert.deepEqual(Array.from(stopped.ppo.policy.actor.params), Array.from(oneEpoch.ppo.policy.actor.params));
  assert.deepEqual(Array.from(stopped.ppo.policy.critic.params), Array.from(oneEpoch.ppo.policy.critic.params));
  assert.equal(stopped.stats[0]!.approxKl, 0, 'the stopped minibatch is not logged');
  // Just above k / 1.5 the second epoch runs.
  const kept = run({ ...base, nEpochs: 2, targetKl: (k / 1.5) * 1.01 }, 11);
  assert.deepEqual(Array.from(kept.ppo.policy.actor.params), Array.from(free.ppo.policy.actor.params));
});

test('target_kl: an early stop ends the whole update, so no further epochs draw minibatch permutations', () => {
  // With a tiny target every update stops at its second minibatch (the first one's KL is exactly 0). Had the stop
  // only left the current epoch, each later epoch would shuffle again and the next iteration's minibatches would
  // differ from a 1-epoch run's.
  const cfg: Partial<PpoConfig> = { nSteps: 8, batchSize: 4, learningRate: 0.3, entCoef: 0, targetKl: 1e-12 };
  const one = run({ ...cfg, nEpochs: 1 }, 4, new TwoArm(), 3);
  const many = run({ ...cfg, nEpochs: 5 }, 4, new TwoArm(), 3);
  assert.deepEqual(Array.from(many.ppo.policy.actor.params), Array.from(one.ppo.policy.actor.params));
  assert.deepEqual(Array.from(many.ppo.policy.critic.params), Array.from(one.ppo.policy.critic.params));
  assert.deepEqual(Array.from(many.ppo.buffer.actions), Array.from(one.ppo.buffer.actions));
});

test('clipFraction is the mean over minibatches of the share of that minibatch\'s samples outside the clip range', () => {
  // 8 samples in minibatches of 4, 5 epochs, a tiny clip range and a large step: after the very first minibatch
  // nearly every ratio is outside 1 +- 0.001. Each minibatch contributes clipped / 4, so the logged mean times
  // 4 * 10 minibatches is a whole number, and it exceeds 1/2 (a share of all 8 samples could not).
  const { stats } = run({ nSteps: 8, batchSize: 4, nEpochs: 5, learningRate: 0.5, clipRange: 0.001, entCoef: 0 }, 2);
  const f = stats[0]!.clipFraction;
  assert.ok(f > 0.5 && f <= 1, `clipFraction ${f}`);
  const count = f * 40;
  assert.ok(Math.abs(count - Math.round(count)) < 1e-9, `clipFraction * 40 = ${count}`);
});
