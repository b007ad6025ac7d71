import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edgepilot.js', 'reproduce-seed', ...args], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });

test('reproduce-seed --json prints measured rows next to the quoted reference values', () => {
  const r = cli('--seeds', '4', '--steps', '200', '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const summary = JSON.parse(lines.at(-1)!);
  assert.equal(summary.seeds, 4);
  assert.equal(summary.steps, 200);
  // seed-rl is measured because models/seed-rl-ppo.json ships with the repo (engineer A, docs/AGENT.md).
  assert.deepEqual(summary.rows.map((x: { policy: string }) => x.policy), ['seed-fixed', 'seed-dexter', 'seed-seer', 'seed-threshold', 'seed-rl']);
  assert.equal(summary.rows[4].referenceSlaViolationPct, 17.6);
  const fixed = summary.rows[0];
  assert.equal(fixed.referenceSlaViolationPct, 90.3);
  assert.equal(fixed.referenceReadmeSlaViolationPct, 90);
  assert.ok(fixed.slaViolationPct > 70 && fixed.slaViolationPct < 100);
  assert.equal(summary.rows[3].slaViolationPct, 0);
  assert.match(r.stdout, /REFERENCE values quoted from original-system\.md/);
  assert.doesNotMatch(r.stdout, /seed-rl \(not run\)/);
});

test('reproduce-seed rejects bad flags with exit code 2 and a clear message', () => {
  const bad = cli('--scenario', 'smart-city');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--scenario must be 'random' or one of healthcare_critical/);
  const zero = cli('--seeds', '0');
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--seeds must be an integer >= 1, got '0'/);
  const ckpt = cli('--rl-checkpoint', '/nonexistent/ckpt.json');
  assert.equal(ckpt.status, 2);
  assert.match(ckpt.stderr, /--rl-checkpoint: no file at/);
});

test('reproduce-seed --rl-checkpoint: a folder is a usage error, a file that is not a checkpoint exits 1 with its reason and no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-reproduce-'));
  try {
    const folder = cli('--seeds', '1', '--steps', '2', '--rl-checkpoint', dir);
    assert.equal(folder.status, 2);
    assert.match(folder.stderr, /--rl-checkpoint: .* is a folder, not a file/);
    const notes = join(dir, 'notes.json');
    writeFileSync(notes, 'not json');
    const bad = cli('--seeds', '1', '--steps', '2', '--rl-checkpoint', notes);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^edgepilot: --rl-checkpoint: checkpoint '.*notes\.json': is not valid JSON/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    const huge = cli('--steps', '1e12');
    assert.equal(huge.status, 2);
    assert.match(huge.stderr, /--steps must be <= 100,000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
