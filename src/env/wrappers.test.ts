/**
 * The Gymnasium-style wrappers against Gymnasium / SB3 semantics: TimeLimit (gymnasium.wrappers.TimeLimit),
 * RecordEpisodeStatistics (SB3's Monitor: info.episode = {r, l} on the last step), NormalizeObservation (SB3's
 * VecNormalize order: update the statistics with the raw observation, then normalise it), and forwarding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, discrete } from '../core/spaces.ts';
import type { Env, ResetOptions, ResetResult, StepResult } from './types.ts';
import { NormalizeObservation, RecordEpisodeStatistics, TimeLimit, type ObservationNormalizer } from './wrappers.ts';

/** obs = [steps since reset, 10 x that]; reward = the action; terminates on action 1; truncates itself on action 2. */
class Scripted implements Env {
  readonly id = 'Scripted-v0';
  readonly observationSpace = box(0, 1000, [2]);
  readonly actionSpace = discrete(10);
  t = 0;
  closed = 0;
  resets: ResetOptions[] = [];
  reset(opts: ResetOptions = {}): ResetResult {
    this.resets.push(opts);
    this.t = 0;
    return { obs: Float32Array.of(0, 0), info: { from: 'reset' } };
  }
  step(a: number): StepResult {
    this.t++;
    return { obs: Float32Array.of(this.t, 10 * this.t), reward: a, terminated: a === 1, truncated: a === 2, info: { inner: this.t } };
  }
  close(): void {
    this.closed++;
  }
}

test('TimeLimit: truncated from the limit-th step on, whatever the inner env said; terminated passes through', () => {
  const inner = new Scripted();
  const env = new TimeLimit(inner as Env, 3);
  env.reset();
  // The inner env's own truncation before the limit is kept.
  assert.deepEqual([env.step(2).truncated, env.step(0).truncated, env.step(0).truncated], [true, false, true]);
  // Terminating exactly at the limit: gymnasium.wrappers.TimeLimit reports both (consumers bootstrap only when
  // truncated && !terminated, src/rl/ppo/ppo.ts).
  env.reset();
  env.step(0);
  env.step(0);
  const last = env.step(1);
  assert.deepEqual([last.terminated, last.truncated], [true, true]);
  for (const bad of [0, -1, 2.5]) assert.throws(() => new TimeLimit(inner as Env, bad), new RegExp(`maxEpisodeSteps must be a positive integer, got ${bad}`));
  assert.equal(new TimeLimit(inner as Env, 1).step(0).truncated, true);
});

test('RecordEpisodeStatistics: the undiscounted return and length of each episode, on its terminated or truncated step', () => {
  const env = new RecordEpisodeStatistics(new Scripted() as Env);
  env.reset({ seed: 1 });
  const a = env.step(3);
  assert.equal(a.info['episode'], undefined);
  assert.equal(a.info['inner'], 1);
  const b = env.step(1); // terminated
  assert.deepEqual(b.info['episode'], { r: 4, l: 2 });
  assert.equal(b.info['inner'], 2, 'the inner info is kept');
  env.reset();
  env.step(5);
  env.step(0);
  const c = env.step(2); // truncated
  assert.deepEqual(c.info['episode'], { r: 7, l: 3 }, 'counters restart at reset');
});

test('NormalizeObservation: every observation normalised; statistics updated with the raw one first, and only when asked', () => {
  // Subtracts the mean of the observations it was updated with (0 before any update).
  class MeanShift implements ObservationNormalizer {
    n = 0;
    sum = [0, 0];
    update(x: ArrayLike<number>): void {
      this.n++;
      for (let i = 0; i < 2; i++) this.sum[i]! += x[i]!;
    }
    normalize(x: ArrayLike<number>, _n: number, out: Float64Array): Float64Array {
      for (let i = 0; i < 2; i++) out[i] = x[i]! - (this.n > 0 ? this.sum[i]! / this.n : 0);
      return out;
    }
  }
  const frozen = new MeanShift();
  frozen.update([1, 10]);
  const fixed = new NormalizeObservation(new Scripted() as Env, frozen);
  assert.deepEqual(Array.from(fixed.reset().obs), [-1, -10]);
  assert.deepEqual(Array.from(fixed.step(0).obs), [0, 0]);
  assert.deepEqual(Array.from(fixed.step(0).obs), [1, 10]);
  assert.equal(frozen.n, 1, 'not updated without the flag');

  const learning = new MeanShift();
  const env = new NormalizeObservation(new Scripted() as Env, learning, true);
  assert.deepEqual(Array.from(env.reset().obs), [0, 0]); // mean of {0}
  assert.deepEqual(Array.from(env.step(0).obs), [0.5, 5]); // 1 - mean of {0, 1}
  const s = env.step(0);
  assert.deepEqual(Array.from(s.obs), [1, 10]); // 2 - mean of {0, 1, 2}
  assert.ok(s.obs instanceof Float32Array);
  assert.equal(s.reward, 0);
  assert.equal(learning.n, 3);
});

test('wrappers forward id, spaces, reset options and close to the wrapped env', () => {
  const inner = new Scripted();
  const env = new RecordEpisodeStatistics(new TimeLimit(inner as Env, 5));
  assert.equal(env.id, 'Scripted-v0');
  assert.equal(env.observationSpace, inner.observationSpace);
  assert.equal(env.actionSpace, inner.actionSpace);
  env.reset({ seed: 4, options: { x: 1 } });
  assert.deepEqual(inner.resets, [{ seed: 4, options: { x: 1 } }]);
  env.close();
  assert.equal(inner.closed, 1);
});
