/**
 * The shared trace flags (src/cli/trace-flags.ts), checked without a command around them: every mistake is a usage
 * error that names the flag and what was wrong; what is valid comes back as given; the replay line and the progress
 * of a large file say what happens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseTraceCsv } from '../workload/trace.ts';
import { addTraceReplayOptions, describeTraceReplay, readTraceWithProgress, resolveTraceFlags, resolveTraceReplayFlags, traceFlagError, traceParseOptions } from './trace-flags.ts';
import { UsageError } from './output.ts';

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

function traceFile(): { dir: string; trace: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trace-flags-checks-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, 't,rate\n0,1\n1,2\n');
  return { dir, trace };
}

test('each read flag without --trace names itself', () => {
  assert.throws(() => resolveTraceFlags({ traceColumns: 't,rate' }), usage(/^--trace-columns needs --trace$/));
  assert.throws(() => resolveTraceFlags({ traceStepS: '60' }), usage(/^--trace-step-s needs --trace$/));
  assert.throws(() => resolveTraceFlags({ traceFormat: 'series' }), usage(/^--trace-format needs --trace$/));
});

test('--trace-step-s: not a number and not above zero are refused, naming the flag', () => {
  const { trace } = traceFile();
  assert.throws(() => resolveTraceFlags({ trace, traceStepS: 'x' }), usage(/^--trace-step-s must be a number, got 'x'$/));
  assert.throws(() => resolveTraceFlags({ trace, traceStepS: '-1' }), usage(/^--trace-step-s must be > 0, got '-1'$/));
  assert.equal(resolveTraceFlags({ trace, traceStepS: '0.000001' }).traceStepS, 0.000001);
});

test('--trace-columns: 1 to 3 names, trimmed, none empty and none twice (in any case)', () => {
  const { trace } = traceFile();
  assert.deepEqual(resolveTraceFlags({ trace, traceColumns: ' t , rate ' }), { trace, traceColumns: ['t', 'rate'] });
  assert.deepEqual(resolveTraceFlags({ trace, traceColumns: 't,rate,size' }).traceColumns, ['t', 'rate', 'size']);
  assert.deepEqual(resolveTraceFlags({ trace, traceColumns: '2' }).traceColumns, ['2']);
  assert.throws(() => resolveTraceFlags({ trace, traceColumns: 't,,rate' }), usage(/^--trace-columns takes 1 to 3 comma-separated column names or numbers, got 't,,rate'$/));
  assert.throws(() => resolveTraceFlags({ trace, traceColumns: '' }), usage(/^--trace-columns takes 1 to 3/));
  assert.throws(() => resolveTraceFlags({ trace, traceColumns: 'a,b,c,d' }), usage(/^--trace-columns takes 1 to 3 .*, got 'a,b,c,d'$/));
  assert.throws(() => resolveTraceFlags({ trace, traceColumns: 't,t' }), usage(/^--trace-columns names 't' twice/));
  assert.throws(() => resolveTraceFlags({ trace, traceColumns: 'Rate,t,rate' }), usage(/^--trace-columns names 'rate' twice/));
});

test('the resolved flags become the parser\'s options, each under its own name', () => {
  const { trace } = traceFile();
  const resolved = resolveTraceFlags({ trace, traceStepS: '60', traceFormat: 'series', traceColumns: 'minute,count' });
  assert.deepEqual(traceParseOptions(resolved), { traceStepS: 60, format: 'series', columns: ['minute', 'count'] });
  assert.deepEqual(traceParseOptions(resolveTraceFlags({ trace })), {});
});

test('the replay flags: gaps file, --no-trace-gaps and --no-trace-rescale need --trace; a missing gaps file is named', () => {
  const { dir, trace } = traceFile();
  const holes = join(dir, 'holes.csv');
  writeFileSync(holes, 't_start,length_steps\n1,1\n');
  assert.deepEqual(resolveTraceReplayFlags({}), { traceRescale: true });
  assert.deepEqual(resolveTraceReplayFlags({ trace }), { traceRescale: true });
  assert.deepEqual(resolveTraceReplayFlags({ trace, traceGaps: holes }), { traceGaps: holes, traceRescale: true });
  assert.deepEqual(resolveTraceReplayFlags({ trace, traceGaps: false, traceRescale: false }), { traceGaps: false, traceRescale: false });
  assert.throws(() => resolveTraceReplayFlags({ traceGaps: holes }), usage(/^--trace-gaps needs --trace$/));
  assert.throws(() => resolveTraceReplayFlags({ trace, traceGaps: join(dir, 'none.csv') }), usage(/^--trace-gaps: file not found: .*none\.csv$/));
  assert.throws(() => resolveTraceReplayFlags({ trace, traceGaps: dir }), usage(/^--trace-gaps: .* is a folder, not a file$/));
  assert.throws(() => resolveTraceReplayFlags({ traceGaps: false }), usage(/^--no-trace-gaps needs --trace$/));
  assert.throws(() => resolveTraceReplayFlags({ traceRescale: false }), usage(/^--no-trace-rescale needs --trace$/));
  assert.throws(() => resolveTraceReplayFlags({ trace, traceGaps: holes, traceGapsBoth: true }), usage(/^--trace-gaps and --no-trace-gaps do not go together/));
});

test('--trace-gaps with --no-trace-gaps is recorded as both; either one alone, or one given twice, is not', () => {
  const both = (args: string[]): unknown => addTraceReplayOptions(new Command()).parse(args, { from: 'user' }).opts().traceGapsBoth;
  assert.equal(both(['--trace-gaps', 'g.csv']), undefined);
  assert.equal(both(['--no-trace-gaps']), undefined);
  assert.equal(both(['--no-trace-gaps', '--no-trace-gaps']), undefined);
  assert.equal(both(['--trace-gaps', 'a.csv', '--trace-gaps', 'b.csv']), undefined);
  assert.equal(both(['--no-trace-gaps', '--trace-gaps', 'g.csv']), true);
});

test('the replay line: a loop only when the run is longer than the trace; the gaps applied, in the singular for one', () => {
  const t = parseTraceCsv('t,rate\n0,1\n1,2\n2,3\n', 'r.csv'); // 3 rows of 1 s: a span of 3 s
  assert.doesNotMatch(describeTraceReplay(t, true, 3), /loop/, 'a run as long as the trace does not loop');
  assert.match(describeTraceReplay(t, true, 4), /shorter than a run \(4 s\)/);
  assert.match(describeTraceReplay(t, false), /replayed at its own rates in msgs\/s \(--no-trace-rescale\)/);
  assert.match(describeTraceReplay(t, true), /rescaled so its p99 is the scenario's peak/);
  const one = { ...t, gaps: { file: 'gaps.csv', count: 1, skippedRows: 1, skippedS: 1 } };
  assert.match(describeTraceReplay(one), /skipped 1 rows \(1 s\) overlapping the 1 gap of gaps\.csv/);
  assert.doesNotMatch(describeTraceReplay(one), /warning/);
  const outside = { ...t, gaps: { file: 'gaps.csv', count: 2, skippedRows: 0, skippedS: 0 } };
  assert.match(describeTraceReplay(outside), /the 2 gaps of gaps\.csv .*; warning: none of the gaps lies within the trace's 3 s; if its rows are not 1 s apart, give --trace-step-s$/);
  const none = { ...t, gaps: { file: 'gaps.csv', count: 0, skippedRows: 0, skippedS: 0 } };
  assert.doesNotMatch(describeTraceReplay(none), /warning/, 'an empty gaps file has no gap to miss');
});

/** Runs readTraceWithProgress with a fake loader reporting `events`; returns what was logged and written to stderr. */
function withProgress(events: { pass: number; bytesRead: number; totalBytes: number }[], fileBytes: number, announceBytes: number): { logged: string[]; stderr: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'trace-flags-progress-')), 'big.csv');
  writeFileSync(file, 'x'.repeat(fileBytes));
  const logged: string[] = [];
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    readTraceWithProgress(file, (options) => {
      for (const e of events) options.onProgress?.(e);
    }, (l) => logged.push(l), announceBytes);
  } finally {
    process.stderr.write = write;
  }
  return { logged, stderr: chunks.join('') };
}

test('a file of exactly the announce size is announced ("or more"); one byte less is read silently', () => {
  assert.equal(withProgress([], 100, 100).logged.length, 1);
  assert.equal(withProgress([], 99, 100).logged.length, 0);
});

test('a sniffing pass (under a fifth of the file) gets no bar; the first full pass gets the unnumbered bar, the next "pass 2"', () => {
  const MiB = 1024 * 1024;
  const total = 10 * MiB;
  const { stderr } = withProgress([
    { pass: 1, bytesRead: MiB, totalBytes: total }, // sniffs 10 %
    { pass: 2, bytesRead: 5 * MiB, totalBytes: total },
    { pass: 2, bytesRead: total, totalBytes: total },
    { pass: 3, bytesRead: 3 * MiB, totalBytes: total },
    { pass: 3, bytesRead: total, totalBytes: total },
  ], 10, 0);
  const labels = new Set([...stderr.matchAll(/reading --trace(, pass \d+)? \(MiB\)/g)].map((m) => m[0]));
  assert.deepEqual([...labels].sort(), ['reading --trace (MiB)', 'reading --trace, pass 2 (MiB)'], stderr);
});

test('a loader message that starts with the file is not given the file twice', () => {
  assert.equal(traceFlagError('/d/r.csv', '/d/r.csv: line 3: rate is not a number').message, '--trace /d/r.csv: line 3: rate is not a number');
  assert.equal(traceFlagError('/d/r.csv', 'no rows').message, '--trace /d/r.csv: no rows');
});
