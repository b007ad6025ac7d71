/** The bench scripts' option parsing (src/bench/bench-args.ts) through a real script: -h, --help anywhere, and '--'. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const simSpeed = fileURLToPath(new URL('./sim-speed.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', simSpeed, ...args], { encoding: 'utf8', timeout: 60_000 });

test('bench scripts: -h and a --help after other options print the usage and exit 0 without running the benchmark', () => {
  for (const args of [['-h'], ['--steps', '5', '--help']]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^npm run bench:sim -- \[options\]/, args.join(' '));
    assert.doesNotMatch(r.stdout, /stepsPerSecond/, args.join(' '));
  }
});

test("bench scripts: an argument after '--' is refused as an argument, with no option suggested for it", () => {
  const r = run('--', '--stepz');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bench:sim: Unexpected argument '--stepz'/);
  assert.doesNotMatch(r.stderr, /did you mean/);
});
