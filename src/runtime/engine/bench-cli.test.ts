import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./bench.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });

test('engine bench: --help prints the usage and exits 0 without running the benchmark', () => {
  const r = run('--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--raw-validation V/);
  assert.doesNotMatch(r.stdout, /ingestedMsgsPerS/);
});

test('engine bench: an unknown option or a bad value exits non-zero naming it, without running', () => {
  const unknown = run('--rat', '5');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^engine bench: Unknown option '--rat'/);
  const bad = run('--raw-validation', 'foo');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--raw-validation must be one of executor, receiver, envelope, got 'foo'/);
  assert.doesNotMatch(bad.stdout + bad.stderr, /ingestedMsgsPerS/);
});
