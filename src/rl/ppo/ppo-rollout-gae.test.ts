/**
 * PPO's rollout feeds the buffer's GAE with gamma and gae_lambda in the right places: advantages of a never-ending
 * episode, recomputed by hand from SB3's recursion delta_t = r_t + gamma V(s_t+1) - V(s_t),
 * A_t = delta_t + gamma lambda A_t+1, bootstrapped from V(obs after the last step).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncVecEnv } from '../../env/vector.ts';
import { PPO } from './ppo.ts';
import { CounterEnv } from '../test-envs.ts';


test('PPO rollout: GAE with gamma 0.9 and lambda 0.5 over a 3-step rollout, bootstrapped from the next observation', () => {
  // lr 0 keeps the critic fixed, so V after learn() is the V used during collection.
  const ppo = new PPO(new SyncVecEnv([new CounterEnv({ id: 'Ramp', reward: (t) => t })]), { nSteps: 3, batchSize: 3, nEpochs: 1, learningRate: 0, gamma: 0.9, gaeLambda: 0.5 }, 2);
  ppo.learn(3);
  const V = (x: number): number => ppo.policy.values([Math.fround(x)], 1)[0]!;
  const v = [V(0), V(0.1), V(0.2), V(0.3)];
  assert.deepEqual(Array.from(ppo.buffer.rewards), [1, 2, 3]);
  for (let t = 0; t < 3; t++) assert.ok(Math.abs(ppo.buffer.values[t]! - v[t]!) < 1e-12, `stored V(s_${t})`);
  const d = [0, 1, 2].map((t) => t + 1 + 0.9 * v[t + 1]! - v[t]!);
  const a2 = d[2]!;
  const a1 = d[1]! + 0.45 * a2;
  const a0 = d[0]! + 0.45 * a1;
  [a0, a1, a2].forEach((want, t) => {
    assert.ok(Math.abs(ppo.buffer.advantages[t]! - want) < 1e-12, `A_${t}: ${ppo.buffer.advantages[t]} vs ${want}`);
    assert.ok(Math.abs(ppo.buffer.returns[t]! - (want + v[t]!)) < 1e-12, `R_${t}`);
  });
});
