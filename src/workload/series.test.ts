import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateSeries, burstOnsetIndices } from './series.ts';

test('allocateSeries reuses the previous arrays of the same length with the burst flags cleared', () => {
  const previous = allocateSeries(5, 0, 'old');
  previous.burstActive.fill(1);
  previous.burstOnset[2] = 1;
  const next = allocateSeries(5, 3, 'new', previous);
  assert.equal(next.arrivalsMsgs, previous.arrivalsMsgs, 'the arrays are reused, not reallocated');
  assert.deepEqual([Array.from(next.burstActive), Array.from(next.burstOnset)], [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], 'no burst left over from the last episode');
  assert.deepEqual([next.offsetS, next.source], [3, 'new']);
});

test('allocateSeries allocates anew for another length', () => {
  const previous = allocateSeries(5, 0, 'old');
  const next = allocateSeries(8, 0, 'new', previous);
  assert.deepEqual([next.lengthS, next.arrivalsMsgs.length, next.burstOnset.length], [8, 8, 8]);
  assert.notEqual(next.arrivalsMsgs, previous.arrivalsMsgs);
});

test('burstOnsetIndices lists every onset, the first second included', () => {
  const s = allocateSeries(6, 0, 'x');
  s.burstOnset[0] = 1;
  s.burstOnset[4] = 1;
  assert.deepEqual(burstOnsetIndices(s), [0, 4]);
});
