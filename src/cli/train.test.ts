import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (args: string[]) => spawnSync(process.execPath, ['bin/edgepilot.js', 'train', ...args], { encoding: 'utf8' });

test('edgepilot train --json prints the summary as the last stdout line and writes the artifacts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-train-'));
  const out = join(dir, 'ppo.json');
  const r = run(['--env', 'CartPole-v1', '--algo', 'ppo', '--timesteps', '512', '--seed', '2', '--out', out, '--eval-freq', '256', '--eval-episodes', '2', '--json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(last), ['algo', 'env', 'timesteps', 'seed', 'meanReturn', 'stdReturn', 'stepsPerSecond', 'wallSeconds', 'checkpoint']);
  assert.equal(last['checkpoint'], out);
  assert.equal(last['timesteps'], 2048); // one SB3-default rollout of 2048 steps
  assert.ok(existsSync(out) && existsSync(join(dir, 'ppo.log.jsonl')) && existsSync(join(dir, 'ppo.best.json')));
});

test('edgepilot train: unknown env / algo and a td3-on-Discrete request exit 2 with the valid choices', () => {
  const env = run(['--env', 'Nope-v1', '--algo', 'ppo']);
  assert.equal(env.status, 2);
  assert.match(env.stderr, /unknown env 'Nope-v1'; valid: .*CartPole-v1.*Pendulum-v1/);
  const algo = run(['--env', 'CartPole-v1', '--algo', 'dqn']);
  assert.equal(algo.status, 2);
  assert.match(algo.stderr, /unknown algo 'dqn'; valid: ppo, td3/);
  const td3 = run(['--env', 'CartPole-v1', '--algo', 'td3']);
  assert.equal(td3.status, 2);
  assert.match(td3.stderr, /td3 needs a Box action space/);
});
