import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const simSpeed = fileURLToPath(new URL('./sim-speed.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', simSpeed, ...args], { encoding: 'utf8', timeout: 60_000 });

test('bench scripts: -h is --help', () => {
  const r = run('-h');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^npm run bench:sim -- \[options\]/);
});

test('bench scripts: a positional argument exits 2, and a bad command line is answered with the usage after the message', () => {
  const r = run('extra');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bench:sim: Unexpected argument 'extra'.*\nnpm run bench:sim -- \[options\]/);
  const missing = run('--steps');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^bench:sim: Option '--steps <value>' argument missing\nnpm run bench:sim -- \[options\]/);
});
