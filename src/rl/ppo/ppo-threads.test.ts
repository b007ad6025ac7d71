/** PPO with `threads: 2` (the critic on a worker thread, critic-threads.ts) learns exactly what `threads: 1` learns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from '../../env/registry.ts';
import { SyncVecEnv } from '../../env/vector.ts';
import type { PpoConfig } from './config.ts';
import { PPO, ppoCheckpoint } from './ppo.ts';

function trained(envId: string, hp: Partial<PpoConfig>, threads: 1 | 2, steps: number, envOptions?: Record<string, unknown>): { checkpoint: string; ppo: PPO } {
  const n = hp.nEnvs ?? 1;
  const ppo = new PPO(new SyncVecEnv(Array.from({ length: n }, () => makeEnv(envId, envOptions))), { ...hp, threads }, 7);
  try {
    ppo.learn(steps);
  } finally {
    ppo.close();
  }
  return { checkpoint: JSON.stringify(ppoCheckpoint(ppo, envId)), ppo };
}

const cases: { name: string; envId: string; hp: Partial<PpoConfig>; steps: number; envOptions?: Record<string, unknown> }[] = [
  // A discrete action, the gradient clip binding (a small maxGradNorm), value clipping, a last minibatch shorter than
  // the others (600 = 4 x 128 + 88).
  { name: 'CartPole-v1, clipped gradients and values, a short last minibatch', envId: 'CartPole-v1', hp: { nEnvs: 2, nSteps: 300, batchSize: 128, nEpochs: 3, maxGradNorm: 0.05, clipRangeVf: 0.1 }, steps: 1800 },
  // A continuous action: log_std is a third tensor in the clip's sum and in the main thread's Adam; a KL stop.
  { name: 'Pendulum-v1, log_std and an early stop on the KL', envId: 'Pendulum-v1', hp: { nEnvs: 2, nSteps: 256, batchSize: 64, nEpochs: 4, targetKl: 0.002, learningRate: 3e-3 }, steps: 2048 },
  // The shipped lower level's configuration (MultiDiscrete residual action on SparkIot), a few updates of it.
  { name: 'SparkIot with the edge-rl-ppo hyperparameters', envId: 'SparkIot', hp: { nEnvs: 8, nSteps: 64, batchSize: 256, nEpochs: 2, learningRate: 5e-4, gamma: 0.9, entCoef: 0.01, normalizeObs: true, initialAction: { action: [3, 1, 0, 0], logit: 3 } }, steps: 1536, envOptions: { scenario: 'mixed', weights: 'random', residualBase: 'forecast-sizing' } },
];

for (const c of cases) {
  test(`threads 2 gives the bits of threads 1: ${c.name}`, () => {
    const one = trained(c.envId, c.hp, 1, c.steps, c.envOptions);
    const two = trained(c.envId, c.hp, 2, c.steps, c.envOptions);
    assert.ok(one.ppo.optimizer.stepCount > 0, 'the single-threaded run took optimiser steps');
    assert.equal(two.checkpoint, one.checkpoint);
    assert.equal(two.ppo.numTimesteps, one.ppo.numTimesteps);
  });
}

test('threads is not saved in the checkpoint, and a closed PPO starts a new worker on its next update', () => {
  const { ppo } = trained('CartPole-v1', { nEnvs: 1, nSteps: 64, batchSize: 32, nEpochs: 1 }, 2, 64);
  assert.equal('threads' in ppoCheckpoint(ppo, 'CartPole-v1').hyperparameters, false);
  ppo.learn(64);
  ppo.close();
  assert.equal(ppo.numTimesteps, 128);
});
