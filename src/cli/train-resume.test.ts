/**
 * `edgepilot train --seeds ... --resume`: an ensemble run that was stopped keeps the members it already wrote and
 * trains only the rest, with the same files as an uninterrupted run; a file that is another model is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnsembleManifest } from '../rl/ensemble.ts';
import { resumableMember } from './train.ts';

const run = (args: string[]) => spawnSync(process.execPath, ['bin/edgepilot.js', 'train', ...args], { encoding: 'utf8' });
const TD3 = ['--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '300', '--eval-freq', '0'];

test('train --resume keeps the members already written and trains the others, giving the uninterrupted run\'s files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-train-resume-'));
  const out = join(dir, 'td3.json');
  const full = run([...TD3, '--seeds', '1-3', '--out', out, '--quiet']);
  assert.equal(full.status, 0, full.stderr);
  const original = [1, 2, 3].map((s) => readFileSync(join(dir, `td3-s${s}.json`), 'utf8'));
  // As if stopped while seed 2 was training: its checkpoint was never written.
  rmSync(join(dir, 'td3-s2.json'));
  const before1 = statSync(join(dir, 'td3-s1.json')).mtimeMs;
  const r = run([...TD3, '--seeds', '1-3', '--out', out, '--resume', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /--resume: 2 of 3 members already written \(seeds 1, 3\); training 1/);
  assert.equal(statSync(join(dir, 'td3-s1.json')).mtimeMs, before1, 'seed 1 kept, not rewritten');
  assert.deepEqual([1, 2, 3].map((s) => readFileSync(join(dir, `td3-s${s}.json`), 'utf8')), original);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { members: { seed: number; checkpoint: string }[] };
  assert.deepEqual(summary.members.map((m) => m.seed), [1, 2, 3]);
  const manifest = readEnsembleManifest(out);
  assert.deepEqual(manifest.seeds, [1, 2, 3]);
  // The manifest records the command that gives these files, without --resume.
  assert.ok(manifest.command !== undefined && !manifest.command.includes('--resume'), manifest.command);
  // Everything on disk: nothing is trained.
  const again = run([...TD3, '--seeds', '1-3', '--out', out, '--resume']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /3 of 3 members already written .* training 0/);
});

test('train --resume refuses a member file that is another model, naming what differs, and needs --seeds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-train-resume-bad-'));
  const out = join(dir, 'td3.json');
  assert.equal(run([...TD3, '--seeds', '1-2', '--out', out, '--quiet']).status, 0);
  const steps = run(['--env', 'Pendulum-v1', '--algo', 'td3', '--timesteps', '400', '--eval-freq', '0', '--seeds', '1-2', '--out', out, '--resume']);
  assert.equal(steps.status, 1);
  assert.match(steps.stderr, /--resume: '.*td3-s1\.json' was trained with another number of steps \(300, this command: 400\); delete it or give another --out/);
  const expect = { algo: 'td3' as const, envId: 'Pendulum-v1', seed: 1, timesteps: 300 };
  assert.equal(resumableMember(join(dir, 'td3-s1.json'), expect)?.seed, 1);
  assert.equal(resumableMember(join(dir, 'none-s1.json'), expect), null);
  assert.throws(() => resumableMember(join(dir, 'td3-s1.json'), { ...expect, seed: 2 }), /another seed \(1, this command: 2\)/);
  assert.throws(() => resumableMember(join(dir, 'td3-s1.json'), { ...expect, algo: 'ppo' }), /another algorithm/);
  assert.throws(() => resumableMember(join(dir, 'td3-s1.json'), { ...expect, envId: 'CartPole-v1' }), /another env/);
  assert.throws(() => resumableMember(join(dir, 'td3-s1.json'), { ...expect, hyperparameters: { gamma: 0.5 } }), /another hyper-parameter gamma \(0\.99, this command: 0\.5\)/);
  assert.throws(() => resumableMember(join(dir, 'td3-s1.json'), { ...expect, envOptions: { maxSteps: 50 } }), /another envOptions/);
  writeFileSync(join(dir, 'td3-s1.json'), '{"cut');
  assert.throws(() => resumableMember(join(dir, 'td3-s1.json'), expect), /is not a readable checkpoint .*; delete it to train that member again/);
  const alone = run([...TD3, '--seed', '1', '--resume']);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /--resume needs --seeds/);
});
