/**
 * PPO rollout and logging details SB3 pins down (on_policy_algorithm.py collect_rollouts, ppo.py train): the
 * time-limit bootstrap only for a truncation that is not also a termination and through the normalised final
 * observation, the value clip on both sides of the old value, and the 100-episode window of the logged means.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, discrete } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../../env/types.ts';
import { SyncVecEnv } from '../../env/vector.ts';
import { RecordEpisodeStatistics } from '../../env/wrappers.ts';
import { RunningMeanStd } from '../running-stats.ts';
import { CounterEnv } from '../test-envs.ts';
import type { PpoConfig } from './config.ts';
import { PPO } from './ppo.ts';
import type { PpoIterationStats } from './ppo.ts';

/** One-step episodes: reset gives [resetObs], the step gives [stepObs] and `reward` (or the episode number if null), ending as told. */
class OneStep implements Env {
  readonly id = 'OneStep';
  readonly observationSpace = box(-100, 100, [1]);
  readonly actionSpace = discrete(2);
  private episodes = 0;
  constructor(
    private readonly end: { terminated: boolean; truncated: boolean },
    private readonly reward: number | null = 1,
    private readonly resetObs = 0,
    private readonly stepObs = 0,
  ) {}
  reset(): ResetResult {
    return { obs: Float32Array.of(this.resetObs), info: {} };
  }
  step(): StepResult {
    this.episodes++;
    return { obs: Float32Array.of(this.stepObs), reward: this.reward ?? this.episodes, ...this.end, info: {} };
  }
}

function make(env: Env, cfg: Partial<PpoConfig>, critic: [number, number]): PPO {
  const ppo = new PPO(new SyncVecEnv([env]), { piLayers: [], vfLayers: [], nSteps: 2, batchSize: 2, nEpochs: 1, learningRate: 0, gamma: 0.5, ...cfg }, 1);
  ppo.policy.critic.params.set(critic); // V(x) = W x + c
  return ppo;
}

test('a step both terminated and truncated is terminal: no gamma * V(final obs) is added to its reward', () => {
  const both = make(new OneStep({ terminated: true, truncated: true }, 1, 0, 3), {}, [0.5, 2]);
  both.learn(2);
  assert.deepEqual(Array.from(both.buffer.rewards), [1, 1]);
  const truncated = make(new OneStep({ terminated: false, truncated: true }, 1, 0, 3), {}, [0.5, 2]);
  truncated.learn(2);
  // V(3) = 0.5 * 3 + 2 = 3.5, reward 1 + 0.5 * 3.5.
  assert.deepEqual(Array.from(truncated.buffer.rewards), [2.75, 2.75]);
});

test('with normalizeObs the truncation bootstrap evaluates V on the normalised final observation', () => {
  const ppo = make(new OneStep({ terminated: false, truncated: true }, 1, 2, 5), { normalizeObs: true, nSteps: 1, batchSize: 1 }, [0.3, 0.1]);
  ppo.learn(1);
  // The statistics have seen the reset observation [2] (and, in SB3's order, the post-reset [2] as well: this
  // implementation normalises before that update, docs/RL.md "Known differences"); either way x = clip(3 / ~0) = 10.
  const rms = new RunningMeanStd(1);
  rms.update([2], 1);
  const x = rms.normalize([5], 1, new Float64Array(1))[0]!;
  assert.equal(x, 10, 'clipped at clip_obs');
  assert.equal(ppo.buffer.rewards[0], 1 + 0.5 * (0.3 * x + 0.1));
});

test('value clipping also clips a value that fell more than clip_range_vf below the old one', () => {
  // Returns 0, V = c starts at 1; epoch 1 (unclipped) logs (1 - 0)^2 = 1 and Adam moves c down by about lr = 0.5.
  // Epoch 2: c - 1 < -0.1, so V_pred = 1 - 0.1 and its loss is 0.9^2 (unclipped it would be about 0.5^2).
  const ppo = make(new OneStep({ terminated: true, truncated: false }, 0), { nSteps: 4, batchSize: 4, nEpochs: 2, learningRate: 0.5, clipRangeVf: 0.1, entCoef: 0, maxGradNorm: 1e6 }, [0.3, 1]);
  let stats: PpoIterationStats | null = null;
  ppo.learn(4, (s) => (stats = s));
  const s = stats as PpoIterationStats | null;
  assert.ok(s);
  assert.ok(Math.abs(s.valueLoss - (1 + 0.9 * 0.9) / 2) < 1e-12, `valueLoss ${s.valueLoss}`);
});

test('meanEpisodeReturn / meanEpisodeLength cover the last 100 finished episodes (SB3 ep_info_buffer)', () => {
  // 130 one-step episodes with return = episode number: the last 100 are 31..130, mean 80.5.
  const ppo = new PPO(new SyncVecEnv([new RecordEpisodeStatistics(new OneStep({ terminated: true, truncated: false }, null))]), { piLayers: [], vfLayers: [], nSteps: 130, batchSize: 130, nEpochs: 1, learningRate: 0 }, 1);
  let stats: PpoIterationStats | null = null;
  ppo.learn(130, (s) => (stats = s));
  const s = stats as PpoIterationStats | null;
  assert.ok(s);
  assert.equal(ppo.episodeInfos.length, 100);
  assert.equal(s.meanEpisodeReturn, 80.5);
  assert.equal(s.meanEpisodeLength, 1);
});

test('with normalizeObs the rollout\'s last value V(s_T) is taken on the normalised observation', () => {
  // CounterEnv never ends: obs 0 then 0.1, reward 0. One step, so A = gamma V(norm(0.1)) - V(norm(0)), with the
  // statistics after the step (they include 0.1) for the last value.
  const ppo = make(new CounterEnv(), { normalizeObs: true, nSteps: 1, batchSize: 1 }, [0.7, 0.2]);
  ppo.learn(1);
  const rms = new RunningMeanStd(1);
  rms.update([0], 1);
  const x0 = rms.normalize([0], 1, new Float64Array(1))[0]!;
  rms.update([Math.fround(0.1)], 1);
  const x1 = rms.normalize([Math.fround(0.1)], 1, new Float64Array(1))[0]!;
  assert.ok(Math.abs(x1 - Math.fround(0.1)) > 0.1, 'the case needs normalisation to matter');
  const want = 0.5 * (0.7 * x1 + 0.2) - (0.7 * x0 + 0.2);
  assert.ok(Math.abs(ppo.buffer.advantages[0]! - want) < 1e-12, `advantage ${ppo.buffer.advantages[0]} vs ${want}`);
});
