import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateAction } from '../../core/action.ts';
import { makeEnv } from '../../env/registry.ts';
import { SyncVecEnv } from '../../env/vector.ts';
import { saveCheckpoint } from '../../rl/checkpoint.ts';
import { PPO, ppoCheckpoint } from '../../rl/ppo/ppo.ts';
import { loadSeedRlPolicy, SEED_RL_DEFAULT_CHECKPOINT } from './seed-rl.ts';
import { runSeedTournament } from './tournament.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-seed-rl-'));

test('loadSeedRlPolicy: a SeedCompat checkpoint loads and plays deterministic, valid actions in the seed tournament', async () => {
  const vec = new SyncVecEnv([makeEnv('SeedCompat-v0')]);
  const ppo = new PPO(vec, { nEnvs: 1, nSteps: 32, batchSize: 32, nEpochs: 1, piLayers: [8], vfLayers: [8], normalizeObs: true }, 2);
  ppo.learn(32);
  const path = join(dir, 'seed.json');
  saveCheckpoint(path, ppoCheckpoint(ppo, 'SeedCompat-v0'));
  const p = await loadSeedRlPolicy(path);
  assert.equal(p.id, 'seed-rl');
  const obs = makeEnv('SeedCompat-v0').reset({ seed: 3 }).obs;
  const a = p.act(obs, undefined as never);
  validateAction(a);
  assert.deepEqual(p.act(obs, undefined as never), a);
  const [row1] = runSeedTournament([p], { seeds: 2, steps: 20, scenario: 'random' });
  const [row2] = runSeedTournament([await loadSeedRlPolicy(path)], { seeds: 2, steps: 20, scenario: 'random' });
  assert.deepEqual(row1, row2);
  assert.throws(() => p.act(new Float32Array(27), undefined as never), /13/);
});

test('loadSeedRlPolicy refuses a SparkIot checkpoint and a missing file with the path in the message', async () => {
  const vec = new SyncVecEnv([makeEnv('SparkIot', { maxSteps: 8 })]);
  const ppo = new PPO(vec, { nEnvs: 1, nSteps: 8, batchSize: 8, nEpochs: 1, piLayers: [8], vfLayers: [8] }, 2);
  ppo.learn(8);
  const path = join(dir, 'sparkiot.json');
  saveCheckpoint(path, ppoCheckpoint(ppo, 'SparkIot'));
  await assert.rejects(loadSeedRlPolicy(path), (err: Error) => err.message.includes(path) && /observation space mismatch/.test(err.message));
  await assert.rejects(loadSeedRlPolicy(join(dir, 'missing.json')), /missing\.json.*cannot be read/);
});

test('the shipped seed-rl checkpoint exists and loads', async () => {
  const path = SEED_RL_DEFAULT_CHECKPOINT;
  assert.ok(existsSync(path), `missing ${path}`);
  const p = await loadSeedRlPolicy(path);
  validateAction(p.act(makeEnv('SeedCompat-v0').reset({ seed: 0 }).obs, undefined as never));
});
