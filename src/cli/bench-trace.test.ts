import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveBenchOptions } from './bench.ts';
import { UsageError } from './output.ts';
import { cliErrorInProcess, runCli } from './test-run-cli.ts';
import { loadTraceFlag } from './trace-flags.ts';
import { readStepsFile } from '../bench/steps-log.ts';

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

test('bench --trace-gaps / --no-trace-gaps / --trace-format: a file, off, or the default (gaps.csv beside the trace); bad use is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, 't,rate\n0,1\n1,2\n');
  writeFileSync(join(dir, 'holes.csv'), 't_start,length_steps\n1,1\n');
  assert.equal('traceGaps' in resolveBenchOptions({ quick: true, trace }), false);
  assert.equal(resolveBenchOptions({ quick: true, trace, traceGaps: false }).traceGaps, false);
  assert.equal(resolveBenchOptions({ quick: true, trace, traceGaps: join(dir, 'holes.csv') }).traceGaps, join(dir, 'holes.csv'));
  assert.throws(() => resolveBenchOptions({ quick: true, traceGaps: join(dir, 'holes.csv') }), usage(/--trace-gaps needs --trace/));
  assert.throws(() => resolveBenchOptions({ quick: true, trace, traceGaps: join(dir, 'nope.csv') }), usage(/--trace-gaps: file not found: .*nope\.csv/));
  assert.equal(resolveBenchOptions({ quick: true, trace, traceFormat: 'events' }).traceFormat, 'events');
  assert.equal('traceFormat' in resolveBenchOptions({ quick: true, trace }), false);
  assert.throws(() => resolveBenchOptions({ quick: true, trace, traceFormat: 'json' }), usage(/--trace-format must be one of auto, series, events, wide, access-log, got 'json'/));
  assert.throws(() => resolveBenchOptions({ quick: true, traceFormat: 'events' }), usage(/--trace-format needs --trace/));
  assert.deepEqual(resolveBenchOptions({ quick: true, trace, traceColumns: 'minute, msgs' }).traceColumns, ['minute', 'msgs']);
  assert.throws(() => resolveBenchOptions({ quick: true, traceColumns: 't,rate' }), usage(/--trace-columns needs --trace/));
  assert.throws(() => resolveBenchOptions({ quick: true, trace, traceColumns: 't,,rate' }), usage(/--trace-columns takes 1 to 3 comma-separated column names or numbers, got 't,,rate'/));
  assert.throws(() => resolveBenchOptions({ quick: true, trace, traceColumns: 'a,b,c,d' }), usage(/--trace-columns takes 1 to 3/));
});

test('bench replays a gzip-compressed wide table (per-function per-minute counts, summed) and names a missing column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
  const wide = join(dir, 'invocations.csv.gz');
  const minutes = Array.from({ length: 30 }, (_, m) => m + 1);
  const row = (fn: string, f: (m: number) => number): string => [`o`, `a`, fn, 'http', ...minutes.map(f)].join(',');
  writeFileSync(wide, gzipSync([['HashOwner', 'HashApp', 'HashFunction', 'Trigger', ...minutes].join(','), row('f1', (m) => 60 * (1 + (m % 5))), row('f2', (m) => (m % 10 === 0 ? 600 : 0))].join('\n')));
  const out = join(dir, 'out');
  const r = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', wide, '--trace-step-s', '60', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /wide table \(30 slot columns '1'\.\.'30', 60 s each, summed over 2 rows\): 30 slots over 1,800 s; rate mean 4\.00, p99 11\.0, peak 11\.0, /);
  const missing = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', join(dir, 'cols.csv'), '--out', out]);
  assert.match(missing.stderr, /--trace: file not found/);
  writeFileSync(join(dir, 'cols.csv'), 'host,minute,msgs\nh,0,5\nh,1,6\n');
  const bad = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', join(dir, 'cols.csv'), '--trace-columns', 'minute,count', '--out', out]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /cols\.csv: no column 'count' \(the header has: host, minute, msgs\)/);
});

test('bench on a trace with a gaps.csv beside it says what it skipped, in stderr and in the report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, ['t,rate', ...Array.from({ length: 120 }, (_, t) => `${t},${t >= 40 && t < 70 ? 0 : 50 + (t % 7)}`)].join('\n'));
  writeFileSync(join(dir, 'gaps.csv'), 't_start,length_steps\n40,30\n');
  const out = join(dir, 'out');
  const r = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', trace, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped 30 rows \(30 s\) overlapping the 1 gap of .*gaps\.csv/);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /skipped 30 rows \(30 s\)/);
  assert.doesNotMatch(r.stderr, /warning: none of the gaps/);
  // Gaps past the trace's end (a per-minute trace read as seconds would put them there) are warned about.
  writeFileSync(join(dir, 'gaps.csv'), 't_start,length_steps\n4000,30\n');
  const beyond = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', trace, '--out', out]);
  assert.equal(beyond.code, 0, beyond.stderr);
  assert.match(beyond.stderr, /skipped 0 rows \(0 s\) overlapping the 1 gap .*; warning: none of the gaps lies within the trace's 120 s; if its rows are not 1 s apart, give --trace-step-s/);
  writeFileSync(join(dir, 'gaps.csv'), 't_start,length_steps\n40,30\n');
  const off = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', trace, '--no-trace-gaps', '--out', out]);
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stderr, /no gaps file applied/);
  // The trace's load shape against the worlds the agents trained on, in the printed line and the report.
  assert.match(off.stderr, /no gaps file applied; load shape per 10 s interval: CV \d+\.\d\d, \d+ % of intervals empty, \d+\.\d bursts\/h; the synthetic worlds the agents trained on: CV [\d.]+, 0 % empty, [\d.]+ bursts\/h \(edgepilot trace compares them\)/);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /load shape per 10 s interval/);
});

test('bench replays an event log (one timestamped row per message); a bad row is a usage error naming file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
  const events = join(dir, 'events.csv');
  const rows = ['TIMESTAMP,ContextTokens'];
  for (let s = 0; s < 90; s++) for (let k = 0; k < (s % 30 < 10 ? 8 : 1); k++) rows.push(`2023-11-16 18:${String(17 + Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${k}00,${100 + 50 * k}`);
  writeFileSync(events, rows.join('\n'));
  const out = join(dir, 'out');
  const r = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', events, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  // 3 busy spans of 10 s x 8 messages + 60 quiet seconds x 1 = 300 messages in 90 rows of 1 s.
  assert.match(r.stderr, /event log \(header column 'ContextTokens' is a size\) of 300 messages counted into 90 rows of 1 s over 90\.0 s; rate mean 3\.33, .* peak 8\.00, .* 0 % of rows empty; size per message mean/);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /events\.csv \(event log \(header column 'ContextTokens' is a size\) of 300 messages/);
  writeFileSync(events, `${rows.slice(0, 5).join('\n')}\n2023-11-16 18:17:99,3\n`);
  const bad = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', events, '--out', out]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /events\.csv: line 6: timestamp is not a date and time/);
});

test('bench replays a gzip-compressed web server access log (Common Log Format), saying so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
  const lines: string[] = [];
  for (let s = 0; s < 60; s++) for (let k = 0; k < (s < 20 ? 5 : 1); k++) lines.push(`h${k} - - [16/Nov/2023:18:17:${String(s).padStart(2, '0')} +0000] "GET /x${k} HTTP/1.1" 200 ${1000 * (k + 1)}`);
  const log = join(dir, 'access.log.gz');
  writeFileSync(log, gzipSync(`${lines.join('\n')}\n`));
  const r = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '6', '--policies', 'keda-lag', '--trace', log, '--out', join(dir, 'out')]);
  assert.equal(r.code, 0, r.stderr);
  // 20 s x 5 requests + 40 s x 1 = 140 requests in 60 rows of 1 s.
  assert.match(r.stderr, /event log \(web server access log, Common Log Format: one request a line, its response bytes as the size\) of 140 messages counted into 60 rows of 1 s/);
});

test('bench runs the shipped agents from another working directory (their checkpoints resolve from the package)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cwd-'));
  writeFileSync(join(dir, 'rate.csv'), 't,rate\n0,5\n1,9\n2,4\n');
  const r = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '4', '--policies', 'edge-rl,rl-no-edge-meta', '--trace', 'rate.csv', '--out', 'out'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /edge-rl +balanced \(rate\.csv\)/);
  assert.ok(readFileSync(join(dir, 'out', 'report.md'), 'utf8').length > 0);
});

test('bench --no-trace-rescale replays the trace at its own rates; by default its p99 becomes the scenario peak', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rescale-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, ['t,rate', ...Array.from({ length: 200 }, (_, t) => `${t},${t % 2 === 0 ? 100 : 300}`)].join('\n'));
  const meanArrivals = async (extra: string[]): Promise<{ mean: number; stderr: string }> => {
    const out = join(dir, extra.length ? 'raw' : 'scaled');
    const r = await runCli(['bench', '--scenario', 'balanced', '--seeds', '1', '--steps', '5', '--policies', 'keda-lag', '--trace', trace, ...extra, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = readStepsFile(join(out, 'steps.csv.gz'));
    return { mean: rows.reduce((a, x) => a + x.arrivalRateMsgsPerS, 0) / rows.length, stderr: r.stderr };
  };
  const raw = await meanArrivals(['--no-trace-rescale']);
  assert.match(raw.stderr, /replayed at its own rates in msgs\/s \(--no-trace-rescale\)/);
  assert.ok(raw.mean > 150 && raw.mean < 250, `raw mean arrival ${raw.mean}`);
  const scaled = await meanArrivals([]);
  assert.match(scaled.stderr, /rescaled so its p99 is the scenario's peak/);
  // p99 300 -> balanced's peak 55,000: the mean of 100/300 becomes about 36,700.
  assert.ok(scaled.mean > 30_000 && scaled.mean < 43_000, `scaled mean arrival ${scaled.mean}`);
  assert.throws(() => resolveBenchOptions({ quick: true, traceRescale: false }), usage(/--no-trace-rescale needs --trace/));
});

test('the trace line says when a run is longer than the trace (it loops), and not otherwise', async () => {
  const { describeTraceReplay } = await import('./trace-flags.ts');
  const { parseTraceCsv } = await import('../workload/trace.ts');
  const t = parseTraceCsv('t,rate\n0,1\n1,2\n2,3\n', 'r.csv');
  assert.match(describeTraceReplay(t, true, 50), /shorter than a run \(50 s\), so each run replays it in a loop; no gaps file applied$/);
  assert.doesNotMatch(describeTraceReplay(t, true, 3), /loop/);
  assert.match(describeTraceReplay(t, false), /replayed at its own rates in msgs\/s/);
});

test('--trace-gaps FILE with --no-trace-gaps is refused, in either order, by bench and trace (the last one given used to win silently)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-gaps-both-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, 't,rate\n0,1\n1,2\n');
  writeFileSync(join(dir, 'holes.csv'), 't_start,length_steps\n1,1\n');
  const { register: registerBench } = await import('./bench.ts');
  const { register: registerTrace } = await import('./trace.ts');
  const both = /^--trace-gaps and --no-trace-gaps do not go together/;
  for (const flags of [['--trace-gaps', join(dir, 'holes.csv'), '--no-trace-gaps'], ['--no-trace-gaps', '--trace-gaps', join(dir, 'holes.csv')]]) {
    assert.ok(usage(both)(await cliErrorInProcess(registerBench, ['bench', '--trace', trace, ...flags])), `bench ${flags.join(' ')}`);
    assert.ok(usage(both)(await cliErrorInProcess(registerTrace, ['trace', trace, ...flags])), `trace ${flags.join(' ')}`);
  }
  assert.throws(() => resolveBenchOptions({ quick: true, traceGaps: false }), usage(/^--no-trace-gaps needs --trace$/));
});

test('--trace-columns naming one column twice is refused (t,t read the time as the rate); so is a name and a number for one column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-cols-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, 't,rate\n0,1\n1,2\n');
  assert.throws(() => resolveBenchOptions({ quick: true, trace, traceColumns: 't,t' }), usage(/^--trace-columns names 't' twice/));
  assert.throws(() => resolveBenchOptions({ quick: true, trace, traceColumns: 't,rate,T' }), usage(/^--trace-columns names 'T' twice/));
  assert.throws(() => loadTraceFlag(trace, { columns: ['t', '1'] }), usage(/columns 't' and '1' are the same column/));
  assert.equal(loadTraceFlag(trace, { columns: ['t', '2'] }).rate.length, 2);
});
