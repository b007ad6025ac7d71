import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const simSpeed = fileURLToPath(new URL('./sim-speed.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', simSpeed, ...args], { encoding: 'utf8', timeout: 60_000 });

test('bench scripts: --help prints the usage and exits 0 without running the benchmark', () => {
  const r = run('--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^npm run bench:sim -- \[options\]/);
  assert.match(r.stdout, /--steps N/);
  assert.doesNotMatch(r.stdout, /stepsPerSecond/);
});

test('bench scripts: an unknown option or a bad value exits 2 with a message naming it, not a stack trace', () => {
  const unknown = run('--stepz', '5');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^bench:sim: Unknown option '--stepz'/);
  assert.doesNotMatch(unknown.stderr, /at .*\.ts:\d+/);
  const bad = run('--steps', 'many');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^bench:sim: --steps must be a positive integer, got 'many'/);
});

test('bench scripts: a misspelt option is answered with the close one', () => {
  const typo = run('--stepz', '5');
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /^bench:sim: Unknown option '--stepz' \(did you mean '--steps'\?\)/);
  const far = run('--bogus');
  assert.equal(far.status, 2);
  assert.doesNotMatch(far.stderr, /did you mean/);
});
