/**
 * `edgepilot reproduce-seed`: the scenario choice, the table's notes and the JSON's reference columns, which
 * src/cli/reproduce-seed.test.ts does not pin (found by a mutation audit). In process, 1 seed x 2 steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { register } from './reproduce-seed.ts';
import { SEED_POLICIES, SEED_RL_REFERENCE } from '../policies/seed/registry.ts';

interface Row {
  policy: string;
  p95LatencyMs: number;
  referenceSlaViolationPct: number;
  referenceReadmeSlaViolationPct: number | null;
  referenceCostUsd: number;
  referenceP95LatencyMs: number;
  referenceStability: number | null;
}

/** Runs the command in process: its table, its JSON summary and what it wrote on stderr. */
async function reproduce(args: string[]): Promise<{ table: string; json: { scenario: string; rows: Row[] }; stderr: string }> {
  const printed: string[] = [];
  const stderr: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (String(c).startsWith('Original tournament') || String(c).startsWith('{"seeds"') ? (printed.push(String(c)), true) : out(c))) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (stderr.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const e = await cliErrorInProcess(register, ['reproduce-seed', '--seeds', '1', '--steps', '2', '--json', ...args]);
    assert.equal(e, null, String(e));
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { table: printed.filter((p) => !p.startsWith('{')).join(''), json: JSON.parse(printed.find((p) => p.startsWith('{'))!) as { scenario: string; rows: Row[] }, stderr: stderr.join('') };
}

test("reproduce-seed: the original's per-reset draw by default, or one named scenario; a misspelt one gets the close name", async () => {
  const byDefault = await reproduce([]);
  assert.equal(byDefault.json.scenario, 'random');
  const balanced = await reproduce(['--scenario', 'balanced']);
  assert.equal(balanced.json.scenario, 'balanced');
  assert.match(balanced.table, /^Original tournament on SeedCompatEnv: 1 seeds x 2 steps, scenario balanced, SLA = latency > 1000 ms\.\n/);
  const err = await cliErrorInProcess(register, ['reproduce-seed', '--scenario', 'balancd']);
  assert.ok(err instanceof UsageError, String(err));
  assert.match(err.message, /got 'balancd' \(did you mean 'balanced'\?\)$/);
});

test('reproduce-seed --json: no progress on stderr; the table says its costs are over fewer steps than the reference; the reference columns are the quoted ones', async () => {
  const r = await reproduce([]);
  assert.equal(r.stderr, '');
  assert.ok(r.table.includes('\n(The reference runs are 500 steps long; our total costs are over 2 steps.)\n'), r.table);
  const references = new Map([...SEED_POLICIES.map((p) => [p.id, p.reference] as const), ['seed-rl', SEED_RL_REFERENCE] as const]);
  for (const row of r.json.rows) {
    const ref = references.get(row.policy)!;
    assert.deepEqual([row.referenceSlaViolationPct, row.referenceReadmeSlaViolationPct, row.referenceCostUsd, row.referenceP95LatencyMs, row.referenceStability], [ref.slaPct, ref.readmeSlaPct, ref.costUsd, ref.p95LatencyMs, ref.stability], row.policy);
    // The measured P95 in the JSON is the table's (rounded there).
    const line = r.table.split('\n').find((l) => l.startsWith(`${row.policy} `))!;
    assert.equal(line.trim().split(/\s{2,}/)[3], row.p95LatencyMs.toFixed(0), line);
  }
});
