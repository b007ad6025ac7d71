import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBenchOptions, runBench } from '../cli/bench.ts';
import { readStepsFile } from '../bench/steps-log.ts';

test('bench --scenario mode-switch is runnable by name and not part of all', () => {
  assert.deepEqual(resolveBenchOptions({ scenario: 'mode-switch', policies: 'fixed' }).scenarios, ['mode-switch']);
  assert.ok(!resolveBenchOptions({ scenario: 'all', policies: 'fixed' }).scenarios.includes('mode-switch'));
  assert.throws(() => resolveBenchOptions({ scenario: 'mode-swtich', policies: 'fixed' }), /unknown scenario 'mode-swtich'; valid scenarios: .*all, mode-switch/);
});

test('bench --scenario mode-switch: two policies, the same worlds, the mode weights in the steps file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mode-switch-'));
  const write = process.stdout.write.bind(process.stdout);
  try {
    process.stdout.write = (() => true) as typeof process.stdout.write; // keep the table out of the TAP stream
    await runBench({ scenario: 'mode-switch', policies: 'threshold-forecast,keda-lag', seeds: '2', steps: '8', out: dir });
  } finally {
    process.stdout.write = write;
  }
  try {
    const rows = readStepsFile(join(dir, 'steps.csv.gz'));
    assert.equal(rows.length, 2 * 2 * 8);
    assert.ok(rows.every((r) => r.scenario === 'mode-switch'));
    for (const seed of [10_000, 10_001]) {
      const a = rows.filter((r) => r.seed === seed && r.policy === 'threshold-forecast').map((r) => r.arrivalRateMsgsPerS);
      const b = rows.filter((r) => r.seed === seed && r.policy === 'keda-lag').map((r) => r.arrivalRateMsgsPerS);
      assert.deepEqual(a, b);
    }
    // Steps 2-3 are the budget phase of an 8-step story: its weights (0.8, 0.1, 0.1) are in force.
    assert.deepEqual(rows.filter((r) => r.step === 2).map((r) => r.alpha), [0.8, 0.8, 0.8, 0.8]);
    assert.deepEqual(rows.filter((r) => r.step === 5).map((r) => r.beta), [0.8, 0.8, 0.8, 0.8]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
