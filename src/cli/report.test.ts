import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readStepsFile } from '../bench/steps-log.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReportUnavailableError } from '../bench/reports/common.ts';
import { loadReportRunner, readmeText, resolveReportOptions, runReportKind } from './report.ts';
import { UsageError } from './output.ts';

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}
/** Runs `edgepilot report ...` in a child process (asynchronously, so the CLI runs below start together). */
function run(args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/edgepilot.js', 'report', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const dir = mkdtempSync(join(tmpdir(), 'edgepilot-cli-report-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const out = join(dir, 'r1');
const [help, bogus, shuffle] = await Promise.all([
  run(['--help']),
  run(['bogus']),
  run(['shuffle', '--agent', 'threshold-forecast', '--scenario', 'balanced', '--seeds', '2', '--steps', '10', '--out', out, '--json']),
]);

test('report --help lists the kinds and the options', () => {
  const r = help;
  assert.equal(r.status, 0, r.stderr);
  for (const s of ['meta', 'shuffle', 'edge', 'weights', 'all', '--out <dir>', '--seeds <n>', '--steps <n>', '--quick', '--json', '--agent <id>']) assert.ok(r.stdout.includes(s), `help mentions ${s}`);
});

test('an unknown kind or a bad flag exits 2 with a clear error', () => {
  const r = bogus;
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown report 'bogus'; valid reports: meta, shuffle, edge, weights, all/);
  assert.throws(() => resolveReportOptions('shuffle', { seeds: '0' }), /--seeds must be an integer >= 1, got '0'/);
  assert.throws(() => resolveReportOptions('edge', { scenario: 'balanced,mars' }), /unknown scenario 'mars'; valid scenarios: smart-city, healthcare, industrial, balanced, all/);
});

test('report shuffle --json: the last stdout line is the summary; the files exist', () => {
  const r = shuffle;
  assert.equal(r.status, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.equal(last['kind'], 'shuffle');
  assert.equal(last['status'], 'ok');
  assert.equal(last['markdownPath'], join(out, 'shuffle', 'shuffle.md'));
  assert.equal((last['summary'] as Record<string, unknown>)['agent'], 'threshold-forecast');
  assert.ok(existsSync(join(out, 'shuffle', 'steps.csv.gz')) && existsSync(join(out, 'shuffle', 'shuffle_cost_sla.png')));
  assert.doesNotMatch(r.stderr, /report shuffle +\d+%/, '--json: no progress bar on stderr either');
});

test('an agent the runner cannot make: the report is unavailable with a clear message (exit 1 in the CLI)', async () => {
  // The CLI refuses an unregistered id itself (exit 2); the runner's own check still names it.
  const plan = { ...resolveReportOptions('edge', { out: join(dir, 'r2') }), agent: 'no-such-agent' };
  await assert.rejects(runReportKind('edge', plan, 'edgepilot report edge', true), (e: Error) => e instanceof ReportUnavailableError && /--agent no-such-agent: policy 'no-such-agent' is not registered/.test(e.message));
});

test('a missing external report module or export is "not available yet", naming the file', async () => {
  const missing = pathToFileURL(join(dir, 'nope', 'meta.ts')).href;
  await assert.rejects(loadReportRunner('meta', missing, 'runMetaReport'), (e: Error) => e instanceof ReportUnavailableError && /report 'meta' is not available yet: .*nope\/meta\.ts does not exist/.test(e.message));
  const noExport = new URL('../bench/reports/common.ts', import.meta.url).href;
  await assert.rejects(loadReportRunner('weights', noExport, 'runWeightsReport'), /report 'weights' is not available yet: .*common\.ts does not export runWeightsReport\(\)/);
  const ok = await loadReportRunner('shuffle', new URL('../bench/reports/shuffle.ts', import.meta.url).href, 'runShuffleReport');
  assert.equal(typeof ok, 'function');
});

test('options: defaults, --quick, all; README index links each report or says why it is missing', () => {
  assert.deepEqual(resolveReportOptions('edge', {}), { kinds: ['edge'], all: false, out: 'reports', seeds: 10, steps: 500, quick: false, agent: undefined, maskedAgent: undefined, scenarios: undefined });
  const q = resolveReportOptions('all', { quick: true, out: 'x', scenario: 'balanced,healthcare' });
  assert.deepEqual([q.kinds, q.seeds, q.steps, q.scenarios], [['meta', 'shuffle', 'edge', 'weights'], 3, 120, ['balanced', 'healthcare']]);
  assert.throws(() => resolveReportOptions('shuffle', { agent: ' ' }), UsageError);
  const text = readmeText(q, [
    { kind: 'meta', status: 'unavailable', error: "report 'meta' is not available yet: src/bench/reports/meta.ts does not exist" },
    { kind: 'shuffle', status: 'ok', markdownPath: join('x', 'shuffle', 'shuffle.md'), pngPaths: [join('x', 'shuffle', 'a.png')] },
  ], 'edgepilot report all');
  assert.match(text, /\| meta \| .* \| — \| — \| unavailable: report 'meta' is not available yet: src\/bench\/reports\/meta\.ts does not exist \|/);
  assert.match(text, /\| shuffle \| .* \| \[shuffle\/shuffle\.md\]\(shuffle\/shuffle\.md\) \| \[shuffle\/a\.png\]\(shuffle\/a\.png\) \| written \|/);
});

test('report edge --trace runs both variants on the trace and says so; every other report takes --trace too', async () => {
  const trace = join(dir, 'onoff.csv');
  // On/off load: 60 s quiet, 60 s busy, so the replay has burst onsets for the windows and the forecaster.
  writeFileSync(trace, ['t,rate', ...Array.from({ length: 1200 }, (_, t) => `${t},${Math.floor(t / 60) % 2 === 0 ? 5 : 50}`)].join('\n'));
  const plan = resolveReportOptions('edge', { agent: 'threshold-forecast', scenario: 'balanced', seeds: '2', steps: '60', out: join(dir, 'r-trace'), trace });
  assert.equal(plan.trace?.name, 'onoff.csv');
  const r = await runReportKind('edge', plan, 'edgepilot report edge --trace onoff.csv', true);
  assert.equal(r.summary['trace'], 'onoff.csv');
  const md = readFileSync(r.markdownPath, 'utf8');
  assert.match(md, /workload: the trace onoff\.csv \(1,200 rows of 1 s/);
  const rows = readStepsFile(join(dir, 'r-trace', 'edge', 'steps.csv.gz'));
  assert.ok(rows.length === 2 * 2 * 60 && rows.every((x) => x.trace === 'onoff.csv'), 'every run replays the trace');
  for (const kind of ['meta', 'shuffle', 'weights', 'all']) assert.equal(resolveReportOptions(kind, { trace }).trace?.name, 'onoff.csv', `${kind} takes --trace`);
  assert.throws(() => resolveReportOptions('edge', { traceFormat: 'events' }), /--trace-format needs --trace/);
  assert.throws(() => resolveReportOptions('edge', { trace: join(dir, 'nope.csv') }), /--trace: file not found/);
});

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

test("the meta report's floor of 4 steps is a usage error before anything runs (it was a stack trace)", () => {
  assert.throws(() => resolveReportOptions('meta', { steps: '3' }), usage(/--steps must be >= 4 for the meta report/));
  assert.throws(() => resolveReportOptions('all', { steps: '3' }), usage(/--steps must be >= 4 for the meta report/));
  assert.equal(resolveReportOptions('edge', { steps: '3' }).steps, 3);
  assert.throws(() => resolveReportOptions('edge', { steps: '1e12' }), usage(/--steps must be <= 100,000/));
});

test('--agent and --masked-agent: an unregistered id is a usage error with the close name; a kind that ignores the flag refuses it', () => {
  assert.throws(() => resolveReportOptions('edge', { agent: 'edge-r' }), usage(/^--agent: unknown policy 'edge-r'; .*\(did you mean 'edge-rl'\?\)/));
  assert.throws(() => resolveReportOptions('edge', { maskedAgent: 'nosuch' }), usage(/^--masked-agent: unknown policy 'nosuch'/));
  assert.throws(() => resolveReportOptions('meta', { agent: 'fixed' }), usage(/--agent applies to the shuffle and edge reports, not to 'meta'/));
  assert.throws(() => resolveReportOptions('shuffle', { maskedAgent: 'fixed' }), usage(/--masked-agent applies to the edge report only/));
  assert.equal(resolveReportOptions('all', { maskedAgent: 'fixed' }).maskedAgent, 'fixed');
});

test('a --trace file that is not there is a usage error for any report; a misspelt report is named', () => {
  for (const kind of ['meta', 'shuffle', 'weights', 'edge', 'all']) assert.throws(() => resolveReportOptions(kind, { trace: 'no/such/file.csv' }), usage(/--trace: file not found/), kind);
  assert.throws(() => resolveReportOptions('shufle', {}), usage(/unknown report 'shufle'; .*\(did you mean 'shuffle'\?\)/));
});

test('a scenario listed twice in --scenario is a usage error up front (it crashed after the runs: records not contiguous)', () => {
  for (const kind of ['edge', 'shuffle', 'weights', 'all']) {
    assert.throws(() => resolveReportOptions(kind, { scenario: 'healthcare,healthcare' }), usage(/^--scenario lists 'healthcare' twice$/), kind);
  }
  assert.throws(() => resolveReportOptions('edge', { scenario: 'balanced, healthcare,balanced' }), usage(/^--scenario lists 'balanced' twice$/));
  assert.deepEqual(resolveReportOptions('edge', { scenario: 'balanced,healthcare' }).scenarios, ['balanced', 'healthcare']);
});

test('--quick writes to runs/reports-quick by default, not over the committed full-run reports/; a full run keeps reports/', () => {
  assert.equal(resolveReportOptions('all', { quick: true }).out, join('runs', 'reports-quick'));
  assert.equal(resolveReportOptions('all', {}).out, 'reports');
  assert.equal(resolveReportOptions('all', { quick: true, out: 'reports' }).out, 'reports');
  assert.match(help.stdout.replace(/\s+/g, ' '), /runs\/reports-quick with --quick/);
});

test('--scenario is refused by the meta report, which runs its own worlds (it was silently ignored); weights reads it', () => {
  assert.throws(() => resolveReportOptions('meta', { scenario: 'healthcare' }), usage(/^--scenario applies to the shuffle, edge and weights reports, not to 'meta'/));
  assert.deepEqual(resolveReportOptions('weights', { scenario: 'healthcare' }).scenarios, ['healthcare']);
  assert.deepEqual(resolveReportOptions('all', { scenario: 'healthcare' }).scenarios, ['healthcare']);
});

test('the README index says 1 paired seed and 1 control step in the singular', () => {
  const one = resolveReportOptions('all', { seeds: '1', steps: '4', out: 'x' });
  assert.match(readmeText(one, [], 'edgepilot report all'), /\n1 paired seed x 4 control steps per run\./);
  assert.match(readmeText({ ...one, seeds: 2, steps: 1 }, [], 'edgepilot report all'), /\n2 paired seeds x 1 control step per run\./);
});
