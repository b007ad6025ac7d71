import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { describeTrace, loadTraceCsv, parseTraceCsv, parseTraceGapsCsv, quantile, skipTraceGaps, traceSeries } from './trace.ts';

const scenario = DEFAULT_CONFIG.scenarios.balanced;

test('malformed CSV gives an error naming the file and the line', () => {
  assert.throws(() => parseTraceCsv('t,rate\n0,1\n1,abc\n', 'a.csv'), /a\.csv: line 3: rate is not a number/);
  assert.throws(() => parseTraceCsv('t,rate\n0,1\n1,-4\n', 'b.csv'), /b\.csv: line 3: rate is negative/);
  assert.throws(() => parseTraceCsv('t,rate\n0,1\n1\n', 'c.csv'), /c\.csv: line 3: missing column/);
  assert.throws(() => parseTraceCsv('', 'd.csv'), /d\.csv: empty trace/);
  assert.throws(() => parseTraceCsv('t,rate\n', 'e.csv'), /e\.csv: empty trace/);
  assert.throws(() => parseTraceCsv('t,rate\n5,1\n3,1\n', 'f.csv'), /f\.csv: line 3: t must increase/);
  const dir = mkdtempSync(join(tmpdir(), 'trace-'));
  const path = join(dir, 'bad.csv');
  writeFileSync(path, 't,rate\n0,1\n1,x\n');
  assert.throws(() => loadTraceCsv(path), (e: Error) => e.message.includes(path) && e.message.includes('line 3'));
  assert.throws(() => loadTraceCsv(join(dir, 'missing.csv')), /cannot read trace file/);
});

test('replay: rescaled so the 99th percentile maps to the peak, looped, seed-dependent offset', () => {
  const rows = ['t,rate'];
  for (let t = 0; t < 100; t++) rows.push(`${t},${t < 50 ? 10 : 20}`);
  const trace = parseTraceCsv(rows.join('\n'), 'step.csv');
  const s = traceSeries(trace, 1000, 100, scenario, new Rng(1));
  assert.equal(s.source, 'step.csv');
  assert.ok(Math.abs(quantile(trace.rate, 0.99) - 20) < 1e-9);
  let max = 0;
  for (const v of s.arrivalsMsgs) max = Math.max(max, v);
  assert.ok(Math.abs(max - scenario.peakRateMsgsPerS) < 1e-6);
  // Looping: the series repeats with the trace's period (100 s).
  for (let i = 0; i < 800; i++) assert.equal(s.arrivalsMsgs[i], s.arrivalsMsgs[i + 100]);
  const other = traceSeries(trace, 1000, 100, scenario, new Rng(2));
  assert.notDeepEqual(Array.from(other.arrivalsMsgs.slice(0, 100)), Array.from(s.arrivalsMsgs.slice(0, 100)));
});

test('per-minute traces (traceStepS 60) are interpolated to 1 s with Poisson counts', () => {
  const trace = parseTraceCsv('t,rate\n0,100\n1,200\n2,100\n', 'm.csv', { traceStepS: 60 });
  assert.deepEqual(Array.from(trace.tS), [0, 60, 120]);
  const s = traceSeries(trace, 400, 100, scenario, new Rng(1), { rescale: false });
  let sum = 0;
  for (const v of s.arrivalsMsgs) sum += v;
  const mean = sum / 400;
  assert.ok(mean > 110 && mean < 160, `mean ${mean}`);
});

test('the real twitter per-minute trace loads, its recording holes skipped by the gaps.csv beside it', () => {
  const path = '/work/shared/traces/twitter-stream-2021/rate_60s.csv';
  const trace = loadTraceCsv(path, { traceStepS: 60 });
  assert.equal(trace.name, 'rate_60s.csv');
  const raw = loadTraceCsv(path, { traceStepS: 60, gaps: false });
  assert.equal(raw.gaps, undefined);
  assert.ok(raw.rate.length > 30_000);
  assert.equal(trace.gaps?.count, 22);
  assert.equal(trace.rate.length, raw.rate.length - trace.gaps!.skippedRows);
  // The 21 daily ~29 min holes and the 150 s one are gone: no run of zero minutes as long as 2 is left.
  const longestZeroRun = (rate: Float64Array): number => {
    let run = 0;
    let longest = 0;
    for (const r of rate) longest = Math.max(longest, (run = r === 0 ? run + 1 : 0));
    return longest;
  };
  assert.ok(longestZeroRun(raw.rate) >= 28);
  assert.ok(longestZeroRun(trace.rate) < 2, `longest zero run ${longestZeroRun(trace.rate)}`);
});

test('gaps: rows overlapping a gap are skipped and the rest move up with their durations; sizes follow', () => {
  const trace = parseTraceCsv('t,rate,size\n0,1,10\n10,2,20\n20,3,30\n30,4,40\n40,5,50\n', 'g.csv');
  // [12, 25) overlaps the rows starting at 10 and 20; [50, 51) overlaps nothing (the last row lasts the rows' 10 s
  // step, since session 15; before, traceStepS = 1 s).
  assert.equal(trace.stepS, 10);
  const out = skipTraceGaps(trace, [{ startS: 12, lengthS: 13 }, { startS: 50, lengthS: 1 }], 'gaps.csv');
  assert.deepEqual(Array.from(out.rate), [1, 4, 5]);
  assert.deepEqual(Array.from(out.size!), [10, 40, 50]);
  assert.deepEqual(Array.from(out.tS), [0, 10, 20]);
  assert.deepEqual(out.gaps, { file: 'gaps.csv', count: 2, skippedRows: 2, skippedS: 20 });
  assert.deepEqual(Array.from(trace.rate), [1, 2, 3, 4, 5], 'the input is not changed');
  assert.throws(() => skipTraceGaps(trace, [{ startS: 0, lengthS: 100 }], 'all.csv'), /g\.csv: every row lies in a gap of all\.csv/);
});

test('gaps files: parsed with a header, bad rows named by file and line; found beside the trace, or given, or off', () => {
  assert.deepEqual(parseTraceGapsCsv('t_start,length_steps\n5,3\n', 'gaps.csv'), [{ startS: 5, lengthS: 3 }]);
  assert.throws(() => parseTraceGapsCsv('t_start,length_steps\n5\n', 'x.csv'), /x\.csv: line 2: expected t_start,length_steps/);
  assert.throws(() => parseTraceGapsCsv('t_start,length_steps\n5,0\n', 'y.csv'), /y\.csv: line 2: t_start must be >= 0 and length_steps > 0/);
  const dir = mkdtempSync(join(tmpdir(), 'trace-gaps-'));
  const path = join(dir, 'rate.csv');
  writeFileSync(path, 't,rate\n0,1\n1,0\n2,0\n3,4\n');
  assert.equal(loadTraceCsv(path).gaps, undefined, 'no gaps file, nothing skipped');
  writeFileSync(join(dir, 'gaps.csv'), 't_start,length_steps\n1,2\n');
  assert.deepEqual(Array.from(loadTraceCsv(path).rate), [1, 4]);
  assert.deepEqual(Array.from(loadTraceCsv(path, { gaps: false }).rate), [1, 0, 0, 4]);
  writeFileSync(join(dir, 'other.csv'), 't_start,length_steps\n3,1\n');
  assert.deepEqual(Array.from(loadTraceCsv(path, { gaps: join(dir, 'other.csv') }).rate), [1, 0, 0]);
  assert.throws(() => loadTraceCsv(path, { gaps: join(dir, 'none.csv') }), /none\.csv: cannot read gaps file/);
});

test('the raw Azure code event log counts to exactly the rate.csv of its SOURCE.md, sizes = token sums / requests', () => {
  const dir = '/work/shared/traces/azure-llm-2023';
  const events = loadTraceCsv(join(dir, 'AzureLLMInferenceTrace_code.csv'));
  const rates = loadTraceCsv(join(dir, 'rate.csv'));
  const sums = parseTraceCsv(readFileSync(join(dir, 'sizes.csv'), 'utf8'), 'sizes.csv'); // t,rate,context_tokens (per-second sums)
  assert.equal(events.rate.length, 3437);
  assert.deepEqual(Array.from(events.rate), Array.from(rates.rate));
  for (let i = 0; i < events.rate.length; i++) {
    const expected = sums.rate[i]! > 0 ? sums.size![i]! / sums.rate[i]! : 0;
    assert.ok(Math.abs(events.size![i]! - expected) < 1e-6, `second ${i}: ${events.size![i]} vs ${expected}`);
  }
});

test('a size column is rescaled so the mean size of the seconds with messages is the scenario\'s message size', () => {
  const rows = ['t,rate,size'];
  for (let t = 0; t < 200; t++) rows.push(t % 2 === 0 ? `${t},10,${t % 4 === 0 ? 100 : 300}` : `${t},0,0`);
  const trace = parseTraceCsv(rows.join('\n'), 'z.csv');
  const s = traceSeries(trace, 200, 0, scenario, new Rng(3), { rescale: false });
  let sum = 0;
  let n = 0;
  for (let i = 0; i < 200; i++) {
    if (s.arrivalsMsgs[i]! === 0) continue; // the replay starts at a random offset: pick the seconds with messages
    sum += s.messageBytes[i]!;
    n++;
  }
  assert.equal(n, 100);
  // The empty odd seconds do not dilute the mean (before: the mean over all rows, 100, made sizes twice too big).
  assert.ok(Math.abs(sum / n - scenario.messageBytes) < 1e-6 * scenario.messageBytes, `mean ${sum / n}`);
});

test('describeTrace says how a trace was read: format, rows, span, rate statistics, empty rows, sizes', () => {
  const rates = parseTraceCsv('t,rate\n0,0\n1,10\n2,30\n3,0\n', 'r.csv', { traceStepS: 60 });
  assert.equal(describeTrace(rates), "4 rows of 60 s over 240 s; rate mean 10.0, p99 29.4, peak 30.0, CV 1.22, 50 % of rows empty; no size column (the scenario's message sizes)");
  const events = parseTraceCsv('ts,size\n2024-01-01 00:00:00,100\n2024-01-01 00:00:00.5,300\n2024-01-01 00:00:02,50\n', 'e.csv');
  assert.match(describeTrace(events), /^event log \(header column 'size' is a size\) of 3 messages counted into 3 rows of 1 s over 3\.00 s; rate mean 1\.00, .*33 % of rows empty; size per message mean 125 /);
  // A series read other than from a plain t,rate file says how (before session 18 no series did).
  const log = '{"tSeconds":0,"snapshot":{"arrivalRateMsgsPerS":5}}\n{"tSeconds":10,"snapshot":{"arrivalRateMsgsPerS":7}}\n{"tSec';
  assert.match(describeTrace(parseTraceCsv(log, 'decisions.jsonl')), /^series \(JSON lines, keys 'tSeconds', 'snapshot\.arrivalRateMsgsPerS'; numeric t column; the last line \(3\) is not a whole JSON object \(a file still being written\?\): skipped\), 2 rows of 10 s/);
  assert.match(describeTrace(parseTraceCsv('rate\n5\n7\n', 'l.csv')), /^series \(one column: a rate a row\), 2 rows of 1 s/);
});

test('a trace whose p99 is 0 (over 99 % empty rows) is rescaled by its peak, not replayed at its raw rate', () => {
  const rows = ['t,rate'];
  for (let t = 0; t < 1000; t++) rows.push(`${t},${t % 500 === 0 ? 3 : 0}`);
  const trace = parseTraceCsv(rows.join('\n'), 'sparse.csv');
  assert.equal(quantile(trace.rate, 0.99), 0);
  const s = traceSeries(trace, 1000, 0, scenario, new Rng(1));
  let max = 0;
  for (const v of s.arrivalsMsgs) max = Math.max(max, v);
  assert.ok(Math.abs(max - scenario.peakRateMsgsPerS) < 1e-6, `peak ${max}`);
});

test('a gzip-compressed trace is read by its magic bytes; a corrupt one is an error naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-gz-'));
  const file = join(dir, 'rate.csv.gz');
  writeFileSync(file, gzipSync('t,rate\n0,5\n1,7\n'));
  const t = loadTraceCsv(file);
  assert.deepEqual(Array.from(t.rate), [5, 7]);
  const bad = join(dir, 'bad.csv.gz');
  writeFileSync(bad, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  assert.throws(() => loadTraceCsv(bad), /bad\.csv\.gz: the trace file is gzip-compressed but does not decompress/);
});

test('a gaps file without a gap row is refused, naming its first bad line (an empty one or a word applied 0 gaps, exit 0)', () => {
  assert.throws(() => parseTraceGapsCsv('', 'e.csv'), /: e\.csv: empty; expected t_start,length_steps rows/);
  assert.throws(() => parseTraceGapsCsv('\n  \n', 'e.csv'), /: e\.csv: empty/);
  assert.throws(() => parseTraceGapsCsv('hello world\n', 'w.csv'), /: w\.csv: line 1: expected t_start,length_steps \(two numbers\), got 'hello world'$/);
  assert.throws(() => parseTraceGapsCsv('t_start,length_steps\n', 'h.csv'), /: h\.csv: no gap rows after the header \(line 1: 't_start,length_steps'\)/);
});

test('a gaps file: only its first line may be a header, so a bad row 2 is blamed on line 2 (it was skipped as a header, the error fell later)', () => {
  assert.throws(() => parseTraceGapsCsv('t_start,length_steps\nabc,def\n5,3\n', 'g.csv'), /: g\.csv: line 2: expected t_start,length_steps \(two numbers\), got 'abc,def'$/);
  assert.throws(() => parseTraceGapsCsv('t_start,length_steps\nabc,def\nx\n', 'g.csv'), /: g\.csv: line 2: /);
  assert.throws(() => parseTraceGapsCsv('5,3\nabc,def\n', 'g.csv'), /: g\.csv: line 2: /);
  assert.deepEqual(parseTraceGapsCsv('\uFEFFt_start,length_steps\r\n5,3\r\n', 'bom.csv'), [{ startS: 5, lengthS: 3 }]);
});

test('a bad gaps file is named as the gaps file in the loader\'s error, not as a line of the trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-gaps-name-'));
  const path = join(dir, 'r.csv');
  writeFileSync(path, 't,rate\n0,1\n1,2\n');
  writeFileSync(join(dir, 'bad.csv'), 'hello world\n');
  assert.throws(() => loadTraceCsv(path, { gaps: join(dir, 'bad.csv') }), /: gaps file .*bad\.csv: line 1: expected t_start,length_steps/);
});

// Rules found unpinned by a hand-made mutation audit of the replay (each test below failed on at least one mutant).

test('a gaps file refuses a negative t_start, naming file and line', () => {
  assert.throws(() => parseTraceGapsCsv('t_start,length_steps\n-0.5,3\n', 'neg.csv'), /neg\.csv: line 2: t_start must be >= 0 and length_steps > 0, got '-0\.5,3'/);
});

test('gaps: the last row lasts the trace\'s step, so a gap inside that step skips it', () => {
  const trace = parseTraceCsv('t,rate\n0,1\n10,2\n20,3\n', 'g.csv');
  const out = skipTraceGaps(trace, [{ startS: 25, lengthS: 1 }], 'gaps.csv');
  assert.deepEqual(Array.from(out.rate), [1, 2], 'the row at 20 s covers [20, 30)');
});

test('gaps: kept rows move up by their own durations when the rows are not evenly spaced', () => {
  // Rows a minute apart but for one missing minute: the row at 60 s lasts 120 s, the others 60 s.
  const trace = parseTraceCsv('time,count\n2024-01-01 00:00,1\n2024-01-01 00:01,2\n2024-01-01 00:03,3\n2024-01-01 00:04,4\n2024-01-01 00:05,5\n2024-01-01 00:06,6\n', 'm.csv');
  assert.equal(trace.stepS, 60);
  const out = skipTraceGaps(trace, [{ startS: 0, lengthS: 1 }], 'gaps.csv');
  assert.deepEqual(Array.from(out.tS), [0, 120, 180, 240, 300], 'the row after the 120 s one starts 120 s later');
  assert.deepEqual(Array.from(out.rate), [2, 3, 4, 5, 6]);
});

test('describeTrace: a constant rate has a CV of 0, never NaN from rounding', () => {
  // Three rows of 0.1: the mean of the squares falls 1.7e-18 below the square of the mean in doubles.
  const flat = parseTraceCsv('t,rate\n0,0.1\n1,0.1\n2,0.1\n', 'flat.csv');
  assert.match(describeTrace(flat), /, CV 0\.00, /);
});

test('quantile sorts numerically: the top of 5, 40, 300 is 300 and the bottom 5', () => {
  assert.equal(quantile([40, 300, 5], 1), 300);
  assert.equal(quantile([40, 300, 5], 0), 5);
  assert.equal(quantile([40, 300, 5], 0.5), 40);
});

test('the mean size leaves out rows without messages even when they carry a size', () => {
  const trace = parseTraceCsv('t,rate,size\n0,10,100\n1,0,900\n2,10,300\n', 'z.csv');
  assert.match(describeTrace(trace), /size per message mean 200 /, 'the empty row\'s 900 does not count');
});

test('replay of a coarse trace: Poisson counts (whole messages), the last row interpolated toward the first as the loop restarts', () => {
  const trace = parseTraceCsv('t,rate\n0,0\n1,600\n', 'saw.csv', { traceStepS: 60 });
  // Over one loop (120 s) the rate rises 0 -> 600 and falls back to 0: a mean of 300 msgs/s, 36,000 messages. Held at
  // 600 over the last row instead, it would be 54,000.
  const s = traceSeries(trace, 120, 0, scenario, new Rng(5), { rescale: false });
  let total = 0;
  for (const v of s.arrivalsMsgs) {
    assert.ok(Number.isInteger(v), `a count of messages, got ${v}`);
    total += v;
  }
  assert.ok(Math.abs(total - 36_000) < 1_000, `total ${total}`);
});

test('replay of a 1 s trace uses its counts as they are, with no interpolation between rows', () => {
  const trace = parseTraceCsv(`t,rate\n${[3, 7, 1, 9, 4].map((r, i) => `${i},${r}`).join('\n')}\n`, 'counts.csv');
  const s = traceSeries(trace, 50, 0, scenario, new Rng(9), { rescale: false });
  for (const v of s.arrivalsMsgs) assert.ok([3, 7, 1, 9, 4].includes(v), `a row's count, got ${v}`);
});

test('replayed sizes are at least 1 byte, however small a size is next to the trace\'s mean', () => {
  const trace = parseTraceCsv('t,rate,size\n0,10,1\n1,10,1000000\n', 'sizes.csv');
  const s = traceSeries(trace, 20, 0, scenario, new Rng(4), { rescale: false });
  for (const b of s.messageBytes) assert.ok(b >= 1, `size ${b}`);
  assert.ok(s.messageBytes.some((b) => b === 1), 'the 1-byte messages scale below a byte and are held at 1');
});

test('trace bursts: a jump to over twice a 300 s trailing mean is one burst, lasting until that mean catches up; a flat trace has none', () => {
  // 1 s rows: 3,000 s at 10 msgs/s, then 1,000 s at 50. From a baseline of 10 the mean reaches 25 (half of 50) after
  // ln(40 / 25) / -ln(1 - 1/300) = 140.8 s, so each burst lasts 141 s.
  const rows = Array.from({ length: 4000 }, (_, t) => `${t},${t < 3000 ? 10 : 50}`);
  const trace = parseTraceCsv(`t,rate\n${rows.join('\n')}\n`, 'step.csv');
  const s = traceSeries(trace, 8000, 0, scenario, new Rng(2), { rescale: false });
  const runs: { start: number; length: number }[] = [];
  for (let i = 0; i < s.lengthS; i++) {
    if (!s.burstActive[i]) continue;
    if (i === 0 || !s.burstActive[i - 1]) runs.push({ start: i, length: 0 });
    runs[runs.length - 1]!.length++;
  }
  assert.ok(runs.length >= 1, 'the jump is a burst');
  for (const run of runs) {
    assert.equal(run.length, 141, `burst at ${run.start}`);
    assert.deepEqual([s.arrivalsMsgs[run.start - 1], s.arrivalsMsgs[run.start]], [10, 50], 'it starts at the jump');
  }
  const onsets = Array.from(s.burstOnset.keys()).filter((i) => s.burstOnset[i]);
  assert.deepEqual(onsets, runs.map((r) => r.start), 'one onset per burst, at its first second');
  const flat = traceSeries(parseTraceCsv('t,rate\n0,10\n1,10\n', 'flat.csv'), 600, 0, scenario, new Rng(2), { rescale: false });
  assert.equal(flat.burstActive.reduce((a, b) => a + b, 0), 0);
});

test('a trace file whose name holds a line break is refused up front, naming it (steps.csv rows are read line by line)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-name-'));
  const path = join(dir, 'two\nlines.csv');
  writeFileSync(path, 't,rate\n0,1\n1,2\n');
  assert.throws(() => loadTraceCsv(path), (e: Error) => e.message.includes(JSON.stringify(path)) && /name holds a line break; rename the file/.test(e.message));
  const plain = join(dir, 'one line.csv');
  writeFileSync(plain, 't,rate\n0,1\n1,2\n');
  assert.equal(loadTraceCsv(plain).name, 'one line.csv');
});
