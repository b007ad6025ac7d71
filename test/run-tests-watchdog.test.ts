/**
 * scripts/run-tests.mjs's watchdog: a test file that leaks a listening server keeps its process alive after its tests
 * passed; the run is stopped, fails, and says why, and no process of it is left behind. Runs the script in a scratch
 * folder holding one test file (the watchdog's limit is a fraction of a minute, so the hang is the only thing timed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const script = resolve('scripts/run-tests.mjs');

function scratch(testSource: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ep-run-tests-'));
  mkdirSync(join(dir, 'src'));
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'src', 'one.test.ts'), testSource);
  return dir;
}

function run(dir: string, watchdogMin: string): { status: number | null; stderr: string } {
  // Without NODE_TEST_CONTEXT: Node's runner would take the child for a nested run and skip its files.
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8', env: { ...env, EDGEPILOT_TEST_WATCHDOG_MIN: watchdogMin }, timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

test('run-tests: a test file that hangs on a leaked server is stopped by the watchdog, fails, says so, and leaves no process', () => {
  const marker = `leak-${process.pid}-${Date.now()}`;
  const dir = scratch(`import { test } from 'node:test';\nimport { createServer } from 'node:net';\ntest('${marker}', () => { createServer().listen(0, '127.0.0.1'); });\n`);
  try {
    const r = run(dir, '0.05');
    assert.equal(r.status, 1, `the run fails (stderr: ${r.stderr})`);
    assert.match(r.stderr, /passed 0\.05 min and was stopped: a test file probably hangs/);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    assert.ok(!ps.stdout.includes(join(dir, 'src', 'one.test.ts')), 'no process of the stopped run is left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run-tests: a passing file passes under the watchdog, a failing one fails, and a bad limit is refused', () => {
  const ok = scratch(`import { test } from 'node:test';\ntest('fine', () => {});\n`);
  const bad = scratch(`import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('broken', () => { assert.equal(1, 2); });\n`);
  try {
    assert.equal(run(ok, '5').status, 0, 'a passing file passes');
    assert.equal(run(bad, '5').status, 1, 'a failing file fails');
    const r = run(ok, 'soon');
    assert.equal(r.status, 2, 'a limit that is not a number is a usage error');
    assert.match(r.stderr, /EDGEPILOT_TEST_WATCHDOG_MIN must be a number of minutes >= 0, got 'soon'/);
  } finally {
    rmSync(ok, { recursive: true, force: true });
    rmSync(bad, { recursive: true, force: true });
  }
});
