import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coefficientOfVariation } from './stats.ts';

test('coefficientOfVariation: population sd over mean; NaN without a positive mean', () => {
  assert.equal(coefficientOfVariation([5, 5, 5]), 0);
  // mean 10, population sd 1
  assert.ok(Math.abs(coefficientOfVariation([9, 11]) - 0.1) < 1e-12);
  assert.ok(Number.isNaN(coefficientOfVariation([])));
  assert.ok(Number.isNaN(coefficientOfVariation([0, 0])));
});
