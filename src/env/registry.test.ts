/**
 * The env-id table: Gymnasium's registrations (CartPole-v1 max_episode_steps=500, Pendulum-v1 200), what makeEnv
 * wraps, the listing, and which id the SparkIot option errors name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envIds, hasEnv, makeEnv } from './registry.ts';
import type { Env } from './types.ts';

test('Pendulum-v1 never terminates and is truncated at step 200; CartPole-v1 has the 500-step TimeLimit', () => {
  const env = makeEnv('Pendulum-v1');
  env.reset({ seed: 1 });
  for (let k = 1; k <= 200; k++) {
    const r = env.step([0]);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, k === 200, `step ${k}`);
    if (k === 200) assert.deepEqual((r.info['episode'] as { l: number }).l, 200);
  }
  // CartPole falls long before 500 steps under any simple policy: read the limit off the wrapper chain
  // (RecordEpisodeStatistics -> TimeLimit -> CartPoleEnv).
  const cartpole = makeEnv('CartPole-v1') as unknown as { id: string; env: { maxEpisodeSteps: number; env: Env } };
  assert.equal(cartpole.id, 'CartPole-v1');
  assert.equal(cartpole.env.maxEpisodeSteps, 500);
  assert.equal(cartpole.env.env.id, 'CartPole-v1');
});

test('envIds is sorted; hasEnv knows registered ids only', () => {
  const ids = envIds();
  assert.deepEqual(ids, [...ids].sort());
  for (const id of ['CartPole-v1', 'Pendulum-v1', 'SeedCompat-v0', 'SparkIot', 'SparkIot-v1']) assert.ok(hasEnv(id), id);
  assert.equal(hasEnv('Nope-v0'), false);
  assert.equal(hasEnv('sparkiot'), false);
});

test('SparkIot-v1 names itself in option errors', () => {
  assert.throws(() => makeEnv('SparkIot-v1', { scenarioo: 'x' }), /^Error: SparkIot-v1: unknown option 'scenarioo'/);
  assert.throws(() => makeEnv('SparkIot-v1', { maxSteps: 0 }), /^Error: SparkIot-v1: option maxSteps must be a positive integer, got 0/);
  assert.throws(() => makeEnv('SparkIot', { maxSteps: 0 }), /^Error: SparkIot: option maxSteps/);
});
