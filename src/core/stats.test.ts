import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coefficientOfVariation, detrendedCoefficientOfVariation } from './stats.ts';

test('coefficientOfVariation: population sd over mean; NaN without a positive mean', () => {
  assert.equal(coefficientOfVariation([5, 5, 5]), 0);
  // mean 10, population sd 1
  assert.ok(Math.abs(coefficientOfVariation([9, 11]) - 0.1) < 1e-12);
  assert.ok(Number.isNaN(coefficientOfVariation([])));
  assert.ok(Number.isNaN(coefficientOfVariation([0, 0])));
});

test('the detrended CV is the variation around the least-squares line: 0 for a ramp, the CV for a level series', () => {
  assert.equal(detrendedCoefficientOfVariation([100, 110, 120, 130, 140]), 0);
  assert.ok(coefficientOfVariation([100, 110, 120, 130, 140]) > 0.1);
  // No trend: the same as the CV.
  const level = [90, 110, 90, 110, 90, 110, 100, 100];
  const flatLine = [95, 105, 95, 105, 105, 95, 105, 95];
  assert.ok(Math.abs(detrendedCoefficientOfVariation(flatLine) - coefficientOfVariation(flatLine)) < 1e-12);
  assert.ok(detrendedCoefficientOfVariation(level) <= coefficientOfVariation(level) + 1e-12);
  // A step is not a line: it stays variable.
  assert.ok(detrendedCoefficientOfVariation([100, 100, 100, 100, 250, 250, 250, 250]) > 0.1);
  assert.ok(Number.isNaN(detrendedCoefficientOfVariation([])));
  assert.ok(Number.isNaN(detrendedCoefficientOfVariation([0, 0, 0])));
});

test('the detrended CV of fewer than 3 values is 0 (a line fits them exactly); from 3 values on it is computed', () => {
  assert.equal(detrendedCoefficientOfVariation([5]), 0);
  assert.equal(detrendedCoefficientOfVariation([5, 9]), 0);
  // [100, 200, 100]: the least-squares line is flat at 133.3; residuals -33.3, 66.7, -33.3; sd sqrt(6666.7/3) = 47.14.
  const v = detrendedCoefficientOfVariation([100, 200, 100]);
  assert.ok(Math.abs(v - Math.sqrt(20000 / 9) / (400 / 3)) < 1e-12, `got ${v}`);
});

test('a mean of exactly 0 gives NaN, not an infinite CV', () => {
  assert.ok(Number.isNaN(coefficientOfVariation([-1, 1])), 'CV of [-1, 1]');
  assert.ok(Number.isNaN(detrendedCoefficientOfVariation([-1, 2, -1])), 'detrended CV of [-1, 2, -1]');
});
