/**
 * The clip range's edges, where torch's clamp still passes the gradient (its mask is min <= x <= max) and
 * SB3's clip_fraction counts |ratio - 1| > clip_range strictly. A clip range of 0 is reached by a lin_ schedule at
 * the last update (progress_remaining 0), where every first-epoch ratio is exactly 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, discrete } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../../env/types.ts';
import { SyncVecEnv } from '../../env/vector.ts';
import { PPO, clippedSurrogate } from './ppo.ts';
import type { PpoIterationStats } from './ppo.ts';

test('clipped surrogate exactly on the clip edges: the gradient still flows (-A r), as through torch.clamp', () => {
  // 1 + 0.2 === 1.2 and 1 - 0.2 === 0.8 in doubles, so these ratios sit on the edges.
  assert.deepEqual(clippedSurrogate(2, 1.2, 0.2), { loss: -2.4, dLossDLogProb: -2.4 });
  assert.deepEqual(clippedSurrogate(-1, 0.8, 0.2), { loss: 0.8, dLossDLogProb: 0.8 });
  assert.deepEqual(clippedSurrogate(3, 1, 0), { loss: -3, dLossDLogProb: -3 });
  // Just outside the edge the clipped branch takes over with zero gradient.
  assert.equal(clippedSurrogate(2, 1.2000001, 0.2).dLossDLogProb, 0);
});

/** One-step episodes, observation [0], reward 1 for action 0 and 0 for action 1. */
class TwoArm implements Env {
  readonly id = 'TwoArm';
  readonly observationSpace = box(-1, 1, [1]);
  readonly actionSpace = discrete(2);
  reset(): ResetResult {
    return { obs: Float32Array.of(0), info: {} };
  }
  step(a: unknown): StepResult {
    return { obs: Float32Array.of(0), reward: a === 0 ? 1 : 0, terminated: true, truncated: false, info: {} };
  }
}

test('PPO at clip range 0 (lin_ schedule, last update): ratio 1 is not counted as clipped, and the policy still moves', () => {
  const ppo = new PPO(new SyncVecEnv([new TwoArm()]), { piLayers: [], vfLayers: [], nSteps: 8, batchSize: 8, nEpochs: 1, clipRange: 'lin_0.2', learningRate: 0.1, maxGradNorm: 1e6 }, 3);
  const before = Float64Array.from(ppo.policy.actor.params);
  let stats: PpoIterationStats | null = null;
  ppo.learn(8, (s) => (stats = s));
  const s = stats as PpoIterationStats | null;
  assert.ok(s);
  assert.equal(s.clipRange, 0);
  assert.equal(s.clipFraction, 0, 'SB3 counts |ratio - 1| > clip_range, and every ratio is exactly 1');
  assert.equal(s.approxKl, 0);
  const actions = Array.from(ppo.buffer.actions);
  assert.ok(actions.includes(0) && actions.includes(1), `both arms must be tried: ${actions}`);
  // The logits (actor bias, entries 2 and 3) move: action 0's up, action 1's down.
  const a = ppo.policy.actor.params;
  assert.ok(a[2]! > before[2]!, `logit 0: ${before[2]} -> ${a[2]}`);
  assert.ok(a[3]! < before[3]!, `logit 1: ${before[3]} -> ${a[3]}`);
});
