import assert from 'node:assert/strict';
import { test } from 'node:test';
import { looksLikePrometheus, sumPrometheusMatrix } from './prometheus.ts';
import { parseTraceCsv } from './trace-formats.ts';

/** A range query's answer holding these series' values. */
const answer = (...series: unknown[][]): string => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series.map((values) => ({ metric: {}, values })) } });

test('an answer saved with whitespace before it (a newline, a BOM) is still told by its start', () => {
  assert.equal(looksLikePrometheus(`\n  ${answer([[1700000000, '5']])}`), true);
  assert.equal(looksLikePrometheus(`\uFEFF${answer([[1700000000, '5']])}`), true);
  assert.deepEqual(Array.from(parseTraceCsv(`\n${answer([[1700000000, '5'], [1700000015, '6']])}`, 'nl.json').rate), [5, 6]);
});

test('an answer without a status field (the data object alone kept) is read', () => {
  const text = JSON.stringify({ data: { resultType: 'matrix', result: [{ metric: {}, values: [[1700000000, '5']] }] } });
  assert.deepEqual(sumPrometheusMatrix(text, 'p.json').rate, [5]);
});

test('a rate of 0 is a sample of no load, not a negative rate', () => {
  assert.deepEqual(sumPrometheusMatrix(answer([[1700000000, '0'], [1700000015, '4']]), 'p.json').rate, [0, 4]);
});

test('a value that is empty, or a number rather than a string, or a time that is a string is refused, naming series and sample', () => {
  assert.throws(() => sumPrometheusMatrix(answer([[1700000000, '5'], [1700000015, '']]), 'e.json'), /e\.json: series 1, sample 2: expected \[unix seconds, "value"\] with a finite value, got \[1700000015,""\]/);
  assert.throws(() => sumPrometheusMatrix(answer([[1700000000, 5]]), 'n.json'), /n\.json: series 1, sample 1: expected \[unix seconds, "value"\]/);
  assert.throws(() => sumPrometheusMatrix(answer([['1700000000', '5']]), 's.json'), /s\.json: series 1, sample 1: expected \[unix seconds, "value"\]/);
});

test('a sample that is not a pair is refused naming the file, series and sample, not with a TypeError', () => {
  assert.throws(() => parseTraceCsv(answer([[1700000000, '5'], 7]), 'pt.json'), /^TraceFormatError: pt\.json: series 1, sample 2: expected \[unix seconds, "value"\] with a finite value, got 7$/);
});

test('series are summed in time order whichever series starts first', () => {
  // Series 1 starts 15 s after series 2: its samples come first in the answer, but not first in time.
  const sums = sumPrometheusMatrix(answer([[1700000015, '1'], [1700000030, '1']], [[1700000000, '2'], [1700000015, '2'], [1700000030, '2']]), 'p.json');
  assert.deepEqual([sums.tS, sums.rate], [[0, 15, 30], [2, 3, 3]]);
});
