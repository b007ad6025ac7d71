import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTournament, seedFor, type TournamentOptions, type TournamentResult } from './tournament.ts';
import { formatSummaryCsv, summarize, SUMMARY_HEADER } from './summary.ts';
import { readStepsFile, recordToCsvRow, writeStepsFile, stepsToCsv, StepsFileWriter, STEP_FIELDS, STEPS_HEADER } from './steps-log.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';
import { makeFakeEnv } from './test-fake-env.ts';
import { defaultPolicyIds } from '../policies/registry.ts';
import { renderSvg, benchmarkSpec } from './plots.ts';

// The fake env has no FutureView, so the clairvoyant oracle runs only in tournament-real.test.ts.
// The RL agents read the real 27-feature observation, which the fake env does not produce; they run in tournament-real.test.ts.
const NEEDS_REAL_OBSERVATION = ['edge-rl-fixed', 'rl-no-edge', 'edge-rl', 'rl-no-edge-meta'];
const base: TournamentOptions = { scenarios: ['balanced', 'healthcare'], policies: defaultPolicyIds().filter((p) => p !== 'oracle' && !NEEDS_REAL_OBSERVATION.includes(p)), seeds: 3, steps: 60, makeEnv: makeFakeEnv };

/** The tournament with a sink that keeps every record (the tests' stand-in for the steps file). */
function runCollecting(opts: TournamentOptions): TournamentResult & { records: StepRecord[] } {
  const records: StepRecord[] = [];
  return { ...runTournament({ ...opts, onRecord: (r) => records.push(r) }), records };
}

test('the tournament is deterministic: byte-identical summary twice', () => {
  const a = formatSummaryCsv(runTournament(base).summary);
  const b = formatSummaryCsv(runTournament(base).summary);
  assert.equal(a, b);
  assert.equal(a.split('\n')[0], SUMMARY_HEADER);
  assert.equal(a.trim().split('\n').length, 1 + base.scenarios.length * base.policies.length);
});

test('every policy faces the identical exogenous arrival series within a seed; seeds differ', () => {
  const { records } = runCollecting(base);
  const series = new Map<string, string>();
  for (const scenario of base.scenarios) {
    for (let i = 0; i < base.seeds; i++) {
      const seed = seedFor(i);
      const perPolicy = base.policies.map((p) =>
        JSON.stringify(records.filter((r) => r.scenario === scenario && r.seed === seed && r.policy === p).map((r) => r.arrivalRateMsgsPerS)),
      );
      assert.equal(JSON.parse(perPolicy[0]!).length, base.steps);
      for (let k = 1; k < perPolicy.length; k++) assert.equal(perPolicy[k], perPolicy[0], `${scenario} seed ${seed}: ${base.policies[k]} saw other arrivals`);
      series.set(`${scenario}/${seed}`, perPolicy[0]!);
    }
  }
  assert.notEqual(series.get(`balanced/${seedFor(0)}`), series.get(`balanced/${seedFor(1)}`));
});

test('the summary recomputed from steps.csv.gz equals the written summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const { records, summary } = runCollecting({ ...base, seeds: 2 });
    const file = join(dir, 'steps.csv.gz');
    writeStepsFile(file, records);
    const back = readStepsFile(file);
    assert.equal(back.length, records.length);
    assert.deepEqual(back[17], records[17]);
    assert.equal(formatSummaryCsv(summarize(back)), formatSummaryCsv(summary));
    assert.equal(Object.keys(records[0]!).length, STEP_FIELDS.length, 'the steps file carries every StepRecord field');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runs are streamed: records reach the sink run by run in scenario -> policy -> seed order; the result keeps none', () => {
  const opts: TournamentOptions = { ...base, policies: ['fixed', 'keda-lag'], seeds: 2, steps: 7 };
  const events: string[] = [];
  const result = runTournament({
    ...opts,
    onRecord: (r) => events.push(`${r.scenario}/${r.policy}/${r.seed}#${r.step}`),
    onRunDone: (done, total, label) => events.push(`done ${done}/${total} ${label}`),
  });
  const expected: string[] = [];
  let done = 0;
  for (const scenario of opts.scenarios) {
    for (const policy of opts.policies) {
      for (let i = 0; i < opts.seeds; i++) {
        for (let t = 0; t < opts.steps; t++) expected.push(`${scenario}/${policy}/${seedFor(i)}#${t}`);
        expected.push(`done ${++done}/8 ${scenario}/${policy}`);
      }
    }
  }
  assert.deepEqual(events, expected);
  assert.deepEqual(Object.keys(result), ['summary'], 'the result carries the summary only, no records');
  assert.deepEqual(result.summary.map((r) => r.runs.map((m) => m.steps)), [[7, 7], [7, 7], [7, 7], [7, 7]]);
});

test('the steps file streamed from the sink equals stepsToCsv of the same records, member by member', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stream-'));
  try {
    const file = join(dir, 'steps.csv.gz');
    const rowsPerMember = 7; // members straddle run boundaries (runs of 15 steps), as they do with 50k rows
    const writer = new StepsFileWriter(file, rowsPerMember);
    const records: StepRecord[] = [];
    const { summary } = runTournament({ ...base, policies: ['fixed', 'keda-lag'], seeds: 2, steps: 15, onRecord: (r) => {
      writer.write(r);
      records.push(r);
    } });
    writer.close();
    assert.equal(writer.rows, records.length);
    const bytes = readFileSync(file);
    assert.equal(gunzipSync(bytes).toString('utf8'), stepsToCsv(records));
    // The same bytes as one gzip member per rowsPerMember lines (the header counts as a line): the format readers know.
    const lines = [STEPS_HEADER, ...records.map(recordToCsvRow)];
    const members: Buffer[] = [];
    for (let i = 0; i < lines.length; i += rowsPerMember) members.push(gzipSync(Buffer.from(`${lines.slice(i, i + rowsPerMember).join('\n')}\n`), { level: 6 }));
    assert.ok(members.length > 2);
    assert.ok(bytes.equals(Buffer.concat(members)));
    assert.equal(formatSummaryCsv(summarize(readStepsFile(file))), formatSummaryCsv(summary), 'the summary built run by run equals the one from the file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run too long for the old in-memory limit is not refused up front (it streams)', () => {
  // 2 x 1e9 steps would have needed ~2.4 TB of records; this env truncates each run after 3 steps.
  const shortEnv: TournamentOptions['makeEnv'] = (o) => makeFakeEnv({ ...o, maxSteps: 3 });
  let rows = 0;
  const { summary } = runTournament({ scenarios: ['balanced'], policies: ['fixed'], seeds: 2, steps: 1e9, makeEnv: shortEnv, onRecord: () => rows++ });
  assert.equal(rows, 6);
  assert.deepEqual(summary[0]?.runs.map((m) => m.steps), [3, 3]);
});

test('the plot spec renders to an SVG with text', async () => {
  const { summary } = runTournament({ ...base, policies: ['fixed', 'keda-lag'], seeds: 2, steps: 20 });
  const svg = await renderSvg(benchmarkSpec(summary, 'test'));
  assert.match(svg, /<svg/);
  assert.match(svg, /keda-lag/);
});

test('the CLI: unknown scenario or policy -> exit 2 with the valid ones; --json prints one summary last', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/edgepilot.js', 'bench', ...args], { encoding: 'utf8' });
  const badScenario = run('--scenario', 'mars');
  assert.equal(badScenario.status, 2);
  assert.match(badScenario.stderr, /unknown scenario 'mars'; valid scenarios: smart-city, healthcare, industrial, balanced, all/);
  const badPolicy = run('--policies', 'fixed,bogus');
  assert.equal(badPolicy.status, 2);
  assert.match(badPolicy.stderr, /unknown policy 'bogus'; valid policies: fixed, dexter-hpa/);
  const badTrace = run('--trace', '/nonexistent/trace.csv');
  assert.equal(badTrace.status, 2);
  assert.match(badTrace.stderr, /--trace: file not found/);
  const badSeeds = run('--seeds', '0');
  assert.equal(badSeeds.status, 2);
  assert.match(badSeeds.stderr, /--seeds must be an integer >= 1/);

  const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  try {
    const ok = run('--scenario', 'balanced', '--policies', 'fixed,keda-lag', '--seeds', '2', '--steps', '15', '--out', dir, '--json');
    assert.equal(ok.status, 0, ok.stderr);
    const lines = ok.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as { out: string; rows: Array<{ policy: string }> };
    assert.equal(summary.out, dir);
    assert.deepEqual(summary.rows.map((r) => r.policy), ['fixed', 'keda-lag']);
    const csv = readFileSync(join(dir, 'results_summary.csv'), 'utf8');
    assert.equal(csv, formatSummaryCsv(summarize(readStepsFile(join(dir, 'steps.csv.gz')))));
    assert.ok(readFileSync(join(dir, 'benchmark_plots.png')).subarray(1, 4).toString() === 'PNG');
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /## Settings used/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
