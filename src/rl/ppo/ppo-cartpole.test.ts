import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTraining } from '../trainer.ts';
import { readFileSync } from 'node:fs';

// Short version of the correctness benchmark (npm run bench:rl): zoo hyper-parameters, one seed, 30k steps.
// A random policy scores ~22 on CartPole-v1; a broken PPO stays far below the bar.
test('PPO on CartPole-v1 (zoo config) reaches a deterministic eval return >= 200 within 30k steps', () => {
  const cfg = JSON.parse(readFileSync(new URL('../../../configs/ppo-cartpole.json', import.meta.url), 'utf8')) as { hyperparameters: Record<string, unknown> };
  const r = runTraining({ envId: 'CartPole-v1', algo: 'ppo', timesteps: 30_000, seed: 1, hyperparameters: cfg.hyperparameters });
  assert.ok(r.meanReturn >= 200, `mean deterministic return ${r.meanReturn}`);
});
