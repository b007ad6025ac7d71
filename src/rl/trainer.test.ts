import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainConfig, runTraining } from './trainer.ts';

test('the same seed gives the same training curve (PPO and TD3); another seed differs', () => {
  const ppo = (seed: number) => runTraining({ envId: 'CartPole-v1', algo: 'ppo', timesteps: 2048, seed, hyperparameters: { nEnvs: 2, nSteps: 128, batchSize: 64, nEpochs: 2 } });
  const a = ppo(5);
  const b = ppo(5);
  assert.ok(a.curve.length >= 8);
  assert.deepEqual(a.curve, b.curve);
  assert.equal(a.meanReturn, b.meanReturn);
  assert.notDeepEqual(ppo(6).curve, a.curve);
  const td3 = () => runTraining({ envId: 'Pendulum-v1', algo: 'td3', timesteps: 800, seed: 2, hyperparameters: { netArch: [16, 16], batchSize: 32, learningStarts: 200 } });
  const c = td3();
  const d = td3();
  assert.ok(c.curve.length === 4);
  assert.deepEqual(c.curve, d.curve);
  assert.equal(c.meanReturn, d.meanReturn);
});

test('training writes the checkpoint, the best model and a JSONL log with rollout and eval rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-train-'));
  const out = join(dir, 'm.json');
  const r = runTraining({ envId: 'CartPole-v1', algo: 'ppo', timesteps: 1024, seed: 1, hyperparameters: { nSteps: 256 }, evalFreq: 512, evalEpisodes: 2, out });
  assert.ok(existsSync(out) && existsSync(join(dir, 'm.best.json')));
  const rows = readFileSync(join(dir, 'm.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.equal(rows.filter((x) => x.type === 'rollout').length, 4);
  assert.equal(rows.filter((x) => x.type === 'eval').length, 2);
  assert.equal(rows.at(-1)!.type, 'final-eval');
  assert.equal(r.timesteps, 1024);
});

test('config validation names the bad key', () => {
  assert.throws(() => parseTrainConfig({ algo: 'ppo', hyperparameters: { nStepz: 3 } }, 'config x'), /config x: unknown key 'hyperparameters.nStepz'/);
  assert.throws(() => parseTrainConfig({ algo: 'ppo', hyperparameters: { gamma: 2 } }, 'config x'), /'hyperparameters.gamma'/);
  assert.throws(() => parseTrainConfig({ algo: 'ppo', timestep: 3 }, 'config x'), /unknown key 'timestep'/);
  assert.throws(() => parseTrainConfig({ algo: 'sac' }, 'config x'), /'algo'/);
  // Values that would train nonsense are refused: a negative or zero learning rate or clip range, no gradient steps.
  assert.throws(() => parseTrainConfig({ algo: 'ppo', hyperparameters: { learningRate: -1 } }, 'config x'), /'hyperparameters.learningRate': expected a number >= 0/);
  assert.throws(() => parseTrainConfig({ algo: 'ppo', hyperparameters: { clipRange: 'lin_0' } }, 'config x'), /'hyperparameters.clipRange': expected "lin_<value>" with a value > 0/);
  assert.equal(parseTrainConfig({ algo: 'ppo', hyperparameters: { learningRate: 'lin_3e-4' } }, 'x').hyperparameters?.learningRate, 'lin_3e-4');
  assert.throws(() => parseTrainConfig({ algo: 'td3', hyperparameters: { gradientSteps: 0 } }, 'config x'), /'hyperparameters.gradientSteps': must be -1/);
  assert.deepEqual(parseTrainConfig({ algo: 'td3', hyperparameters: { netArch: [64, 64] } }, 'x').hyperparameters, { netArch: [64, 64] });
});

test('an unknown config key names the close one', () => {
  assert.throws(() => parseTrainConfig({ algo: 'ppo', hyperparameters: { learningRat: 1 } }, 'config x'), /unknown key 'hyperparameters\.learningRat' \(did you mean 'learningRate'\?\)/);
  assert.throws(() => parseTrainConfig({ algo: 'td3', hyperparameters: { bufferSise: 1 } }, 'config x'), /\(did you mean 'bufferSize'\?\)/);
  assert.throws(() => parseTrainConfig({ algo: 'ppo', timestep: 3 }, 'config x'), /unknown key 'timestep' \(did you mean 'timesteps'\?\)/);
  // Nothing close: no hint.
  assert.throws(() => parseTrainConfig({ algo: 'ppo', zzz: 3 }, 'config x'), (e: Error) => /unknown key 'zzz'$/.test(e.message));
});
