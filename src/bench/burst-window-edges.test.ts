import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burstWindowMask, windowViolationPct } from './burst-window.ts';

test('an onset on the last step opens a window of its 3 steps before and itself', () => {
  const onsets = [0, 0, 0, 0, 0, 0, 0, 1];
  assert.deepEqual([...burstWindowMask(onsets)], [0, 0, 0, 0, 1, 1, 1, 1]);
});

test('the window violation share counts the run\'s first step, and uses the before/after it is given', () => {
  // Onset at 1: window [0, 7] (8 steps); the only violation is step 0 -> 1 of 8 = 12.5 %.
  assert.equal(windowViolationPct([0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 12.5);
  // Onset at 5, violations at 3, 4, 7, 8 (12 steps).
  const onsets = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  const violated = [0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0];
  assert.equal(windowViolationPct(onsets, violated, 1, 3), 60); // [4, 8]: 5 steps, violated 4, 7, 8
  assert.equal(windowViolationPct(onsets, violated, 3, 1), 40); // [2, 6]: 5 steps, violated 3, 4
  assert.equal(windowViolationPct(onsets, violated), 40); // [2, 11]: 10 steps, violated 3, 4, 7, 8
});

test('violation flags longer than the onset flags are an error too', () => {
  assert.throws(() => windowViolationPct([0, 1], [1, 1, 1]), /2 onset flags but 3 violation flags/);
});
