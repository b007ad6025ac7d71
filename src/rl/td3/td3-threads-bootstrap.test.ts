/**
 * threads: 2 against threads: 1 on an env that never terminates (time-limit cuts only), so every critic target
 * bootstraps through the actor target, whose rows [B/2, B) the worker computes from its own Polyak-averaged copy.
 * (The bandit in td3.test.ts terminates every step, which hides the actor target.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box } from '../../core/spaces.ts';
import type { Env } from '../../env/types.ts';
import { TimeLimit } from '../../env/wrappers.ts';
import { TD3 } from './td3.ts';
import { CounterEnv } from '../test-envs.ts';

test('threads: 2 gives the bits of threads: 1 when the targets bootstrap through the actor target', () => {
  const run = (threads: 1 | 2): TD3 => {
    const env = new TimeLimit(new CounterEnv({ id: 'Clock', obsDivisor: 5, reward: (t) => Math.sin(t), actionSpace: box(-1, 1, [1]) }) as Env, 6);
    const td3 = new TD3(env, { netArch: [8], learningStarts: 10, batchSize: 8, bufferSize: 64, policyDelay: 2, actionNoiseSigma: 0.1, threads, dtype: 'f64' }, 5);
    td3.learn(40);
    td3.syncFromWorker();
    td3.close();
    return td3;
  };
  const a = run(1);
  const b = run(2);
  assert.equal(b.numUpdates, 30);
  assert.deepEqual(b.actorTarget.params, a.actorTarget.params);
  assert.deepEqual(b.critics[0].params, a.critics[0].params);
  assert.deepEqual(b.critics[1].params, a.critics[1].params);
  assert.deepEqual(b.criticTargets[0].params, a.criticTargets[0].params);
  assert.deepEqual(b.criticTargets[1].params, a.criticTargets[1].params);
  assert.deepEqual(b.actor.params, a.actor.params);
});
