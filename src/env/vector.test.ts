import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, discrete } from '../core/spaces.ts';
import type { Env, ResetResult, StepResult } from './types.ts';
import { SyncVecEnv } from './vector.ts';
import { RecordEpisodeStatistics, TimeLimit } from './wrappers.ts';
import { makeEnv, registerEnv, envIds } from './registry.ts';

/** obs = [steps since reset]; terminates when the action is 1. */
class Counter implements Env {
  readonly id = 'Counter';
  readonly observationSpace = box(0, 100, [1]);
  readonly actionSpace = discrete(2);
  private t = 0;
  reset(): ResetResult {
    this.t = 0;
    return { obs: Float32Array.of(0), info: {} };
  }
  step(a: number): StepResult {
    this.t++;
    return { obs: Float32Array.of(this.t), reward: 1, terminated: a === 1, truncated: false, info: {} };
  }
}

test('SyncVecEnv auto-resets and keeps the final observation of a truncated episode', () => {
  const vec = new SyncVecEnv([new RecordEpisodeStatistics(new TimeLimit(new Counter(), 3) as Env), new Counter() as Env]);
  vec.reset(0);
  vec.step([0, 0]);
  vec.step([0, 0]);
  const r = vec.step([0, 1]);
  assert.equal(r.truncated[0], 1);
  assert.equal(r.terminated[0], 0);
  assert.deepEqual(Array.from(r.finalObs[0]!), [3]);
  assert.equal(r.obs[0], 0, 'env 0 was reset');
  assert.deepEqual(r.infos[0]!['episode'], { r: 3, l: 3 });
  assert.equal(r.terminated[1], 1);
  assert.deepEqual(Array.from(r.finalObs[1]!), [3]);
  assert.equal(r.obs[1], 0);
  const r2 = vec.step([0, 0]);
  assert.equal(r2.finalObs[0], null);
  assert.equal(r2.obs[0], 1);
});

test('TimeLimit does not set truncated before the limit', () => {
  const env = new TimeLimit(new Counter() as Env, 2);
  env.reset();
  assert.equal(env.step(0).truncated, false);
  assert.equal(env.step(0).truncated, true);
});

test('registry: unknown ids list the valid ones; registerEnv adds new ids and refuses duplicates', () => {
  assert.throws(() => makeEnv('Nope-v0'), /unknown env 'Nope-v0'; valid ids: .*CartPole-v1.*Pendulum-v1/);
  registerEnv('Counter-test-v0', () => new Counter() as Env, { maxEpisodeSteps: 2 });
  assert.ok(envIds().includes('Counter-test-v0'));
  const env = makeEnv('Counter-test-v0');
  env.reset();
  env.step(0);
  assert.equal(env.step(0).truncated, true);
  assert.throws(() => registerEnv('CartPole-v1', () => new Counter() as Env), /already registered/);
});
