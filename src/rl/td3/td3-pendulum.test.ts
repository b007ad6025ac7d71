import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTraining } from '../trainer.ts';

// Short version of the correctness benchmark (npm run bench:rl): TD3 on Pendulum-v1, one seed, 6k steps with
// a [64, 64] net and batch 128. A random or non-learning policy scores about -1200 to -1500; this run
// reached about -280 when calibrated, so the -800 bar leaves room for noise but not for a broken TD3.
test('TD3 on Pendulum-v1 improves far beyond random within 6k steps', () => {
  const r = runTraining({
    envId: 'Pendulum-v1',
    algo: 'td3',
    timesteps: 6000,
    seed: 1,
    hyperparameters: { gamma: 0.98, learningStarts: 500, actionNoiseSigma: 0.1, netArch: [64, 64], batchSize: 128 },
  });
  assert.ok(r.meanReturn >= -800, `mean deterministic return ${r.meanReturn}`);
});
