import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burstWindowMask, windowViolationPct, WINDOW_AFTER_STEPS, WINDOW_BEFORE_STEPS } from './burst-window.ts';

/** The indices a mask marks. */
const steps = (mask: Uint8Array): number[] => [...mask].flatMap((m, i) => (m ? [i] : []));

test('the burst window spans 3 steps before to 6 after each onset, clipped to the run, overlaps merged', () => {
  assert.equal(WINDOW_BEFORE_STEPS, 3);
  assert.equal(WINDOW_AFTER_STEPS, 6);
  const onsets = new Uint8Array(20);
  onsets[1] = 1; // [0, 7] (clipped at 0)
  onsets[5] = 1; // [2, 11]: merges with the first
  onsets[18] = 1; // [15, 19] (clipped at the end)
  assert.deepEqual(steps(burstWindowMask(onsets)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 18, 19]);
});

test('burst windows: the union of [onset - before, onset + after], clipped to the run, for any before/after', () => {
  const onsets = Array.from({ length: 20 }, (_, i) => i === 1 || i === 8 || i === 10);
  assert.deepEqual(steps(burstWindowMask(onsets, 3, 6)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.deepEqual(steps(burstWindowMask(onsets, 0, 1)), [1, 2, 8, 9, 10, 11]);
  assert.deepEqual(steps(burstWindowMask(onsets.map(() => false), 3, 6)), []);
});

test('violation share in the windows: NaN without an onset, a clear error on mismatched lengths', () => {
  const onsets = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
  const violated = [1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1];
  // Window [1, 10]: 10 steps, violated at 4, 5, 10 -> 30 %.
  assert.equal(windowViolationPct(onsets, violated), 30);
  assert.ok(Number.isNaN(windowViolationPct([0, 0], [1, 1])));
  assert.throws(() => windowViolationPct([0, 1], [1]), /2 onset flags but 1 violation flags/);
});
