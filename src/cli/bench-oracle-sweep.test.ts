import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBenchOptions } from './bench.ts';
import { UsageError } from './output.ts';
import { runCli } from './test-run-cli.ts';

test('bench --oracle-sweep is off by default and refused for mode-switch', () => {
  assert.equal(resolveBenchOptions({ quick: true }).oracleSweep, false);
  assert.equal(resolveBenchOptions({ quick: true, oracleSweep: true }).oracleSweep, true);
  assert.throws(() => resolveBenchOptions({ scenario: 'mode-switch', oracleSweep: true }), (e) => e instanceof UsageError && /--oracle-sweep: not for mode-switch/.test((e as Error).message));
});

test('bench --oracle-sweep on a trace adds the foresight section, per world, to the report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, ['t,rate', ...Array.from({ length: 200 }, (_, t) => `${t},${t % 50 < 10 ? 400 : 40}`)].join('\n'));
  const out = join(dir, 'out');
  const r = await runCli(['bench', '--scenario', 'balanced', '--seeds', '2', '--steps', '6', '--policies', 'fixed,keda-lag,oracle,edge-rl-fixed', '--trace', trace, '--oracle-sweep', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(json.oracleSweep.length, 1);
  assert.equal(json.oracleSweep[0].world, 'balanced (rate.csv)');
  assert.equal(json.oracleSweep[0].settings, 40);
  assert.equal(json.oracleSweep[0].agent, 'edge-rl-fixed');
  assert.ok(Number.isInteger(json.oracleSweep[0].paretoMet) && Number.isInteger(json.oracleSweep[0].thirdMet));
  // stdout points to the sweep's section (it said nothing about the sweep); the JSON line stays last.
  assert.match(r.stdout, /\noracle sweep: 40 settings x 1 world; which bars foresight clears: .*out\/report\.md, section "How far foresight gets"\n\{/);
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /## How far foresight gets: the oracle's rule at 40 settings/);
  assert.match(report, /\| balanced \(rate\.csv\) \| \d+ of 40 \| \d+ of 40 \| [0-9.]+ % \/ [0-9.]+ USD \| /);
  assert.match(report, /cheapest setting with no more violations than `edge-rl-fixed`/);
  const plain = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '4', '--policies', 'keda-lag', '--trace', trace, '--out', out]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(readFileSync(join(out, 'report.md'), 'utf8'), /How far foresight gets/);
});
