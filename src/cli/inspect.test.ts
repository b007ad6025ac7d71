import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './test-run-cli.ts';
import { seedRanges, summarizeCheckpoint } from './inspect.ts';
import { runTraining } from '../rl/trainer.ts';
import { WeightReadingStub } from '../meta/test-stubs.ts';
import { writeEnsembleManifest } from '../rl/ensemble.ts';

test('inspect describes the shipped PPO checkpoint and the meta ensemble, in text and as JSON', async () => {
  const ppo = await runCli(['inspect', 'models/edge-rl-ppo.json', '--json']);
  assert.equal(ppo.code, 0, ppo.stderr);
  assert.match(ppo.stdout, /models\/edge-rl-ppo\.json: PPO checkpoint for SparkIot \(checksum verified\)/);
  assert.match(ppo.stdout, /action: MultiDiscrete \[12, 4, 5, 4\] \(a correction of forecast-sizing's action/);
  assert.match(ppo.stdout, /control observation: workload_rate, data_volume, .*edge_predicted_workload, edge_burst_signal, .*codec_zstd\n/);
  assert.match(ppo.stdout, /final evaluation: mean return -?\d+\.\d{3} ± \d+\.\d{3} over 20 episodes/);
  const json = JSON.parse(ppo.stdout.trim().split('\n').at(-1)!) as { kind: string; algo: string; numTimesteps: number; envOptions: unknown };
  assert.equal(json.kind, 'checkpoint');
  assert.equal(json.algo, 'ppo');
  assert.ok(json.numTimesteps > 0);
  // Retrained in session 23: the checkpoint records the env options it was trained with.
  const envOptions = json.envOptions as { residualBase?: string; config?: { shuffle?: { drainTimeFrom?: string } } };
  assert.equal(envOptions.residualBase, 'forecast-sizing');
  assert.equal(envOptions.config?.shuffle?.drainTimeFrom, 'resident-tiers');

  const meta = await runCli(['inspect', 'models/meta-td3.json']);
  assert.equal(meta.code, 0, meta.stderr);
  assert.match(meta.stdout, /ensemble of 24 checkpoints \(seeds 1-24\)/);
  // The members were trained for the steps their shipped config names (80,000 since session 30).
  const { timesteps } = JSON.parse(readFileSync('configs/meta-td3.json', 'utf8')) as { timesteps: number };
  assert.match(meta.stdout, new RegExp(`members: all td3 on SparkIotMeta, observation Box \\[14\\] in \\[0, 1\\] \\('scenario'\\), ${timesteps.toLocaleString('en-US')} steps`));
});

test('inspect names a missing file (exit 2) and a modified checkpoint (exit 1)', async () => {
  const missing = await runCli(['inspect', 'models/none.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /'models\/none\.json' not found/);
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-inspect-'));
  const bad = join(dir, 'meta.json');
  writeFileSync(bad, readFileSync('models/meta-td3-s1.json', 'utf8').replace('"seed":1', '"seed":2'));
  const r = await runCli(['inspect', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /checksum mismatch/);
  // An ensemble whose member is gone names it.
  writeEnsembleManifest(join(dir, 'ens.json'), [1, 2], 'edgepilot train --seeds 1-2 --out ens.json');
  copyFileSync('models/meta-td3-s1.json', join(dir, 'ens-s1.json'));
  const e = await runCli(['inspect', join(dir, 'ens.json')]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /member not found: .*ens-s2\.json; produce it with: edgepilot train --seeds 1-2 --out ens\.json/);
  assert.doesNotMatch(e.stderr + r.stderr, /\n\s+at /, 'explained failures print no stack trace');
});

test("a meta checkpoint's summary names its observation variant and the env options it was trained with", () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-inspect-meta-'));
  const out = join(dir, 'meta.json');
  runTraining({ envId: 'SparkIotMeta', algo: 'td3', timesteps: 16, seed: 3, out, envOptions: { scenario: 'healthcare', windowSteps: 2, episodeMetaSteps: 2, metaContextFeatures: 'volatility', lowerPolicy: new WeightReadingStub() }, hyperparameters: { learningStarts: 8, batchSize: 4, netArch: [8, 8], threads: 1, dtype: 'f64' } });
  const s = summarizeCheckpoint(out);
  assert.equal(s.metaObservation?.variant, 'volatility');
  assert.deepEqual(s.metaObservation?.features.slice(12), ['arrival_cv', 'arrival_off_share']);
  assert.deepEqual(s.envOptions, { scenario: 'healthcare', windowSteps: 2, episodeMetaSteps: 2, metaContextFeatures: 'volatility' });
  assert.equal(s.seed, 3);
  assert.equal(s.finalEval?.episodes, 20);
  assert.equal(seedRanges([1, 2, 3, 5, 7, 8]), '1-3, 5, 7-8');
});

test('inspect: a folder is a usage error (exit 2); a file that is not a checkpoint exits 1 with one line, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-inspect-bad-'));
  const folder = await runCli(['inspect', dir]);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /is a folder; give a checkpoint or an ensemble manifest/);
  const notes = join(dir, 'notes.json');
  writeFileSync(notes, '');
  const bad = await runCli(['inspect', notes]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^edgepilot: checkpoint '.*notes\.json': is not valid JSON/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});

test('inspect shows how an ensemble pools its members, in text and as JSON (a geometric one was described as the mean)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-inspect-pooling-'));
  copyFileSync('models/meta-td3-s1.json', join(dir, 'g-s1.json'));
  copyFileSync('models/meta-td3-s2.json', join(dir, 'g-s2.json'));
  writeEnsembleManifest(join(dir, 'g.json'), [1, 2], undefined, 'geometric');
  const g = await runCli(['inspect', join(dir, 'g.json'), '--json']);
  assert.equal(g.code, 0, g.stderr);
  assert.match(g.stdout, /\n {2}pooling: geometric: exp of the mean log/);
  assert.doesNotMatch(g.stdout, /used as the mean/);
  assert.equal((JSON.parse(g.stdout.trim().split('\n').at(-1)!) as { pooling: string }).pooling, 'geometric');
  // A manifest without the field (written before session 24) is read as arithmetic, and says so.
  const old = JSON.parse(readFileSync(join(dir, 'g.json'), 'utf8')) as Record<string, unknown>;
  delete old['pooling'];
  writeFileSync(join(dir, 'g.json'), JSON.stringify(old));
  const a = await runCli(['inspect', join(dir, 'g.json'), '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /\n {2}pooling: arithmetic: the mean of the members' normalized outputs/);
  assert.equal((JSON.parse(a.stdout.trim().split('\n').at(-1)!) as { pooling: string }).pooling, 'arithmetic');
});
