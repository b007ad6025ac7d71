/**
 * `edgepilot report`: option checks, the README index and the --json summary that src/cli/report.test.ts does not
 * pin (found by a mutation audit). In process; the one run is a shuffle report of 1 seed x 1 step on one scenario.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readmeText, resolveReportOptions, runReportCommand } from './report.ts';
import { UsageError } from './output.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-report-options-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

test("report --scenario all is every scenario (no list), for every kind that reads --scenario", () => {
  for (const kind of ['shuffle', 'edge', 'weights', 'all']) assert.equal(resolveReportOptions(kind, { scenario: 'all' }).scenarios, undefined, kind);
});

test('report --agent is refused by the weights report as by meta (neither reads it); a blank one is called empty', () => {
  assert.throws(() => resolveReportOptions('shuffle', { agent: ' ' }), usage(/^--agent is empty$/));
  assert.throws(() => resolveReportOptions('weights', { agent: 'fixed' }), usage(/^--agent applies to the shuffle and edge reports, not to 'weights'$/));
  assert.equal(resolveReportOptions('all', { agent: 'fixed' }).agent, 'fixed');
});

test('the README index names the agent of a written report and keeps a failure message inside its table cell', () => {
  const plan = resolveReportOptions('all', { out: 'x' });
  const text = readmeText(plan, [
    { kind: 'shuffle', status: 'ok', markdownPath: join('x', 'shuffle', 'shuffle.md'), pngPaths: [], summary: { agent: 'edge-rl' } },
    { kind: 'edge', status: 'failed', error: 'a | b\nc' },
  ], 'edgepilot report all');
  assert.match(text, /\| shuffle \| .* \| written \(agent `edge-rl`\) \|\n/);
  assert.match(text, /\| edge \| .* \| failed: a \\\| b c \|\n/);
});

test('report: an --out that cannot be a folder is refused before any run', async () => {
  writeFileSync(join(dir, 'a-file'), '');
  await assert.rejects(runReportCommand('shuffle', { out: join(dir, 'a-file', 'r'), seeds: '1', steps: '1' }), usage(/^--out .*a-file\/r: '.*a-file' is a file, not a folder$/));
});

test('report <kind> --json: the summary names the --out folder; no progress on stderr', async () => {
  const out = join(dir, 'r');
  const printed: string[] = [];
  const stderr: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (String(c).startsWith('{"kind"') ? (printed.push(String(c)), true) : String(c).startsWith('report ') ? true : write(c))) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (stderr.push(String(c)), true)) as typeof process.stderr.write;
  const savedCode = process.exitCode;
  try {
    await runReportCommand('shuffle', { out, seeds: '1', steps: '1', scenario: 'balanced', agent: 'threshold-forecast', json: true });
    assert.equal(process.exitCode ?? 0, 0);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = savedCode;
  }
  const summary = JSON.parse(printed.join('')) as { kind: string; status: string; out: string };
  assert.deepEqual([summary.kind, summary.status, summary.out], ['shuffle', 'ok', out]);
  assert.equal(stderr.join(''), '');
});
