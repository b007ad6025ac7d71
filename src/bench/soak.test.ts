import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const soak = fileURLToPath(new URL('./soak.ts', import.meta.url));
const run = (nodeArgs: string[], ...args: string[]) => spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', soak, ...args], { encoding: 'utf8', timeout: 120_000 });

test('bench:soak runs the live demo, samples it and ends with the demo\'s accounting (the growth verdict is the benchmark\'s, not checked here)', () => {
  const r = run(['--expose-gc'], '--duration', '4', '--sample-s', '1', '--json');
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    samples: Array<{ elapsedS: number; heapUsedMiB: number; published: number; processed: number }>;
    summary: { invariantOk: boolean; published: number; processed: number; dropped: number };
    heapGoalMiBPerDay: number;
    shuffle: Record<string, number>;
    ok: boolean;
  };
  assert.ok(out.samples.length >= 4, `${out.samples.length} samples`);
  assert.ok(out.samples.every((s) => s.heapUsedMiB > 0));
  assert.ok(out.samples.some((s) => s.published > 0), 'the counters are read from /metrics');
  assert.equal(out.summary.invariantOk, true);
  assert.equal(out.summary.published, out.summary.processed + out.summary.dropped);
  assert.deepEqual(Object.keys(out.shuffle), ['deleteFailures', 'garbagePending', 'garbageCollected', 'garbageAbandoned']);
  assert.ok(Object.values(out.shuffle).every((v) => Number.isInteger(v) && v >= 0), JSON.stringify(out.shuffle));
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

test('bench:soak --heap-snapshots writes two snapshots, a quarter in and at the end, that scripts/heap-diff.mts compares', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-soak-snap-'));
  const r = run(['--expose-gc'], '--duration', '4', '--sample-s', '1', '--heap-snapshots', dir, '--json');
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 2, files.join(', '));
  assert.ok(files.every((f) => /^soak-\d+s\.heapsnapshot$/.test(f)), files.join(', '));
  const diffScript = fileURLToPath(new URL('../../scripts/heap-diff.mts', import.meta.url));
  const diff = spawnSync(process.execPath, ['--import', 'tsx', diffScript, join(dir, files[0]!), join(dir, files[1]!), '--top', '5'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(diff.status, 0, diff.stderr);
  assert.match(diff.stdout, /^self sizes: [\d.]+ MiB -> [\d.]+ MiB/);
  assert.match(diff.stdout, /largest objects in /);
  const bad = run(['--expose-gc'], '--duration', '4', '--sample-s', '1', '--heap-snapshots', '/proc/version/x');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--heap-snapshots \/proc\/version\/x: not a writable folder/);
  const notSnapshot = spawnSync(process.execPath, ['--import', 'tsx', diffScript, soak, soak], { encoding: 'utf8' });
  assert.equal(notSnapshot.status, 1);
  assert.match(notSnapshot.stderr, /^heap-diff: .*soak\.ts: not a heap snapshot/);
});
