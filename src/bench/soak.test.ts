import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const soak = fileURLToPath(new URL('./soak.ts', import.meta.url));
const run = (nodeArgs: string[], ...args: string[]) => spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', soak, ...args], { encoding: 'utf8', timeout: 120_000 });

test('bench:soak runs the live demo, samples it and ends with the demo\'s accounting (the growth verdict is the benchmark\'s, not checked here)', () => {
  const r = run(['--expose-gc'], '--duration', '4', '--sample-s', '1', '--json');
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    samples: Array<{ elapsedS: number; heapUsedMiB: number; published: number; processed: number }>;
    summary: { invariantOk: boolean; published: number; processed: number; dropped: number };
    heapGoalMiBPerDay: number;
    ok: boolean;
  };
  assert.ok(out.samples.length >= 4, `${out.samples.length} samples`);
  assert.ok(out.samples.every((s) => s.heapUsedMiB > 0));
  assert.ok(out.samples.some((s) => s.published > 0), 'the counters are read from /metrics');
  assert.equal(out.summary.invariantOk, true);
  assert.equal(out.summary.published, out.summary.processed + out.summary.dropped);
  assert.equal(r.status, out.ok ? 0 : 1, 'the exit code is the verdict');
});

test('bench:soak refuses to run without --expose-gc and names bad options', () => {
  const noGc = run([], '--duration', '4', '--sample-s', '1');
  assert.equal(noGc.status, 2);
  assert.match(noGc.stderr, /--expose-gc/);
  const bad = run(['--expose-gc'], '--duration', '2', '--sample-s', '1');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /fewer than 4 samples/);
  const scenario = run(['--expose-gc'], '--scenario', 'mars');
  assert.equal(scenario.status, 2);
  assert.match(scenario.stderr, /--scenario must be one of .* got 'mars'/);
  const policy = run(['--expose-gc'], '--policy', 'nope', '--duration', '4', '--sample-s', '1');
  assert.equal(policy.status, 1);
  assert.match(policy.stderr, /^bench:soak: demo: unknown policy 'nope'; valid policies: /);
});
