import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEnv } from '../env/registry.ts';
import { SyncVecEnv } from '../env/vector.ts';
import { parseCheckpoint, saveCheckpoint, CHECKPOINT_VERSION } from './checkpoint.ts';
import { loadModel } from './model.ts';
import { PPO, ppoCheckpoint } from './ppo/ppo.ts';
import { TD3, td3ActorFromCheckpoint, td3Checkpoint } from './td3/td3.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-ckpt-'));

function trainedPpo(): PPO {
  const vec = new SyncVecEnv([makeEnv('CartPole-v1'), makeEnv('CartPole-v1')]);
  const ppo = new PPO(vec, { nEnvs: 2, nSteps: 64, batchSize: 64, nEpochs: 1, normalizeObs: true }, 4);
  ppo.learn(128);
  return ppo;
}

test('PPO checkpoint round-trip: same actions, normalisation statistics restored', () => {
  const ppo = trainedPpo();
  const path = join(dir, 'ppo.json');
  saveCheckpoint(path, ppoCheckpoint(ppo, 'CartPole-v1'));
  const model = loadModel(path, makeEnv('CartPole-v1'), 'ppo');
  assert.ok(model.checkpoint.normalization && model.checkpoint.normalization.count > 100);
  const env = makeEnv('CartPole-v1');
  let { obs } = env.reset({ seed: 9 });
  for (let t = 0; t < 50; t++) {
    const a = model.predict(obs);
    assert.equal(a, ppo.predict(obs, { deterministic: true }));
    const r = env.step(a);
    if (r.terminated || r.truncated) break;
    obs = r.obs;
  }
  assert.equal(model.checkpoint.numTimesteps, 128);
  assert.equal(model.checkpoint.seed, 4);
  assert.equal((model.checkpoint.hyperparameters as { nSteps: number }).nSteps, 64);
});

for (const dtype of ['f32', 'f64'] as const) {
  test(`TD3 checkpoint round-trip gives identical actions and records the dtype (${dtype})`, () => {
    const td3 = new TD3(makeEnv('Pendulum-v1'), { netArch: [8, 8], learningStarts: 10, batchSize: 8, dtype }, 1);
    td3.learn(30);
    const path = join(dir, `td3-${dtype}.json`);
    saveCheckpoint(path, td3Checkpoint(td3, 'Pendulum-v1'));
    const model = loadModel(path, makeEnv('Pendulum-v1'), 'td3');
    assert.equal(model.checkpoint.hyperparameters['dtype'], dtype);
    const obs = Float32Array.of(0.3, -0.9, 1.2);
    assert.deepEqual(model.predict(obs), td3.predict(obs));
  });
}

test('a TD3 checkpoint without a dtype (written before dtypes existed) loads as float64', () => {
  const td3 = new TD3(makeEnv('Pendulum-v1'), { netArch: [8, 8], learningStarts: 10, batchSize: 8, dtype: 'f64' }, 2);
  td3.learn(30);
  const content = td3Checkpoint(td3, 'Pendulum-v1');
  delete content.hyperparameters['dtype'];
  const path = join(dir, 'td3-old.json');
  saveCheckpoint(path, content);
  const model = loadModel(path, makeEnv('Pendulum-v1'), 'td3');
  const actor = td3ActorFromCheckpoint(model.checkpoint, path).actor;
  assert.ok(actor.params instanceof Float64Array);
  const obs = Float32Array.of(-0.2, 0.4, -3);
  assert.deepEqual(actor.forward(obs, 1), td3.actor.forward(obs, 1));
});

test('corrupted, truncated, wrong-version and mismatched checkpoints fail with clear messages', () => {
  const ppo = trainedPpo();
  const path = join(dir, 'ppo2.json');
  saveCheckpoint(path, ppoCheckpoint(ppo, 'CartPole-v1'));
  const text = readFileSync(path, 'utf8');
  // One weight character changed: the checksum catches it.
  const i = text.indexOf('"actor":"') + 20;
  const flipped = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
  assert.throws(() => parseCheckpoint(flipped, 'x'), /checksum mismatch/);
  assert.throws(() => parseCheckpoint(text.slice(0, text.length / 2), 'x'), /not valid JSON \(truncated or corrupted/);
  // A JSON error quoting a pretty-printed file stays one line, so the CLI prints one line.
  assert.throws(() => parseCheckpoint('{"a": 1,\n"b": x\n}', 'x'), (err: Error) => /not valid JSON/.test(err.message) && !err.message.includes('\n'));
  const obj = JSON.parse(text) as Record<string, unknown>;
  assert.throws(() => parseCheckpoint(JSON.stringify({ ...obj, version: CHECKPOINT_VERSION + 1 }), 'x'), /format version 2; this build reads version 1/);
  assert.throws(() => parseCheckpoint(JSON.stringify({ ...obj, format: 'other' }), 'x'), /has format 'other'/);
  assert.throws(() => loadModel(path, makeEnv('Pendulum-v1')), /observation space mismatch: saved Box shape \[4\], env has \[3\]/);
  assert.throws(() => loadModel(path, makeEnv('CartPole-v1'), 'td3'), /is a ppo model, expected td3/);
  writeFileSync(join(dir, 'empty.json'), '');
  assert.throws(() => loadModel(join(dir, 'empty.json')), /not valid JSON/);
  assert.throws(() => loadModel(join(dir, 'missing.json')), /cannot be read/);
});
