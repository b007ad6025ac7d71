/**
 * Mutation-audit tests for the time-constant conversion (timing.ts: max(1, round(seconds / interval)), docs/BASELINES.md
 * "Time constants") and the agents' scale-down hold (scale-down-hold.ts: the max over the last ceil(holdS / interval)
 * recommendations).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secondsToSteps } from './timing.ts';
import { ScaleDownHold } from './scale-down-hold.ts';

test('time constants round to the nearest number of control steps (at least one)', () => {
  assert.equal(secondsToSteps(12, 10), 1); // round(1.2), not ceil
  assert.equal(secondsToSteps(14, 10), 1);
  assert.equal(secondsToSteps(25, 10), 3); // round(2.5) = 3
  assert.equal(secondsToSteps(64, 10), 6);
  assert.equal(secondsToSteps(0, 10), 1);
});

test('the scale-down hold rounds its window up: 21 s at 10 s holds for 3 decisions', () => {
  const hold = new ScaleDownHold(21);
  assert.deepEqual([9, 1, 1, 1].map((e) => hold.apply(e, 10)), [9, 9, 9, 1]);
});
