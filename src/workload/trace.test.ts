import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { loadTraceCsv, parseTraceCsv, quantile, traceSeries } from './trace.ts';

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

test('the real twitter per-minute trace loads', () => {
  const trace = loadTraceCsv('/work/shared/traces/twitter-stream-2021/rate_60s.csv', { traceStepS: 60 });
  assert.equal(trace.name, 'rate_60s.csv');
  assert.ok(trace.rate.length > 30_000);
});
