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

/** obs = [id, steps, reward so far] in one buffer it reuses (as some envs do); reward = the action; ends on action 1 (terminated) or 2 (truncated). */
class Reusing implements Env {
  readonly id = 'Reusing';
  readonly observationSpace = box(0, 100, [3]);
  readonly actionSpace = discrete(10);
  private readonly buf = new Float32Array(3);
  seeds: (number | undefined)[] = [];
  closed = 0;
  constructor(private readonly k: number) {}
  reset(opts: { seed?: number } = {}): ResetResult {
    this.seeds.push(opts.seed);
    this.buf.set([this.k, 0, 0]);
    return { obs: this.buf, info: {} };
  }
  step(a: number): StepResult {
    this.buf[1]! += 1;
    this.buf[2]! += a;
    return { obs: this.buf, reward: a, terminated: a === 1, truncated: a === 2, info: { k: this.k } };
  }
  close(): void {
    this.closed++;
  }
}

test('SyncVecEnv lays env i at i x obsSize, seeds env i with seed + i, auto-resets without a seed and keeps a copy of the final obs', () => {
  const envs = [new Reusing(1), new Reusing(2), new Reusing(3)];
  const vec = new SyncVecEnv(envs);
  assert.equal(vec.obsSize, 3);
  assert.deepEqual(Array.from(vec.reset(10)), [1, 0, 0, 2, 0, 0, 3, 0, 0]);
  assert.deepEqual(envs.map((e) => e.seeds), [[10], [11], [12]]);
  let r = vec.step([4, 5, 6]);
  assert.deepEqual(Array.from(r.obs), [1, 1, 4, 2, 1, 5, 3, 1, 6]);
  assert.deepEqual(Array.from(r.rewards), [4, 5, 6]);
  r = vec.step([7, 1, 2]);
  assert.deepEqual(Array.from(r.rewards), [7, 1, 2]);
  assert.deepEqual([Array.from(r.terminated), Array.from(r.truncated)], [[0, 1, 0], [0, 0, 1]]);
  // The buffer was overwritten by the reset; finalObs is the step's observation, copied.
  assert.ok(r.finalObs[1] instanceof Float64Array);
  assert.deepEqual(Array.from(r.finalObs[1]!), [2, 2, 6]);
  assert.deepEqual(Array.from(r.finalObs[2]!), [3, 2, 8]);
  assert.equal(r.finalObs[0], null);
  assert.deepEqual(Array.from(r.obs), [1, 2, 11, 2, 0, 0, 3, 0, 0]);
  assert.deepEqual(r.infos.map((i) => i['k']), [1, 2, 3], 'the infos of the last step');
  // SB3's DummyVecEnv resets a finished env without a seed (its own stream continues).
  assert.deepEqual(envs.map((e) => e.seeds), [[10], [11, undefined], [12, undefined]]);
  vec.reset();
  assert.deepEqual(envs.map((e) => e.seeds.at(-1)), [undefined, undefined, undefined]);
  vec.close();
  assert.deepEqual(envs.map((e) => e.closed), [1, 1, 1]);
  assert.throws(() => new SyncVecEnv([]), /SyncVecEnv: needs at least one env/);
});
