import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParamVector, clipCoefficient, clipGradNorm } from './adam.ts';

test('clipGradNorm scales a gradient whose norm is between maxNorm and 2 maxNorm (torch: coef = max / (norm + 1e-6), capped at 1)', () => {
  const a = new ParamVector(2);
  a.grads.set([0.9, 1.2]); // norm 1.5
  const norm = clipGradNorm([a], 1);
  assert.equal(norm, 1.5);
  const coef = 1 / (1.5 + 1e-6);
  assert.deepEqual(Array.from(a.grads), [0.9 * coef, 1.2 * coef]);
});

test('clipCoefficient gives the factor clipGradNorm applies, and 1 when the norm is within the limit', () => {
  const grads = [Float64Array.of(3, 0), Float64Array.of(4)];
  assert.equal(clipCoefficient(grads, 1), 1 / (5 + 1e-6));
  assert.equal(clipCoefficient(grads, 4.5), 4.5 / (5 + 1e-6));
  // At max = norm the factor is just under 1 (torch clamps only above 1); above it, 1.
  assert.equal(clipCoefficient(grads, 5), 5 / (5 + 1e-6));
  assert.equal(clipCoefficient(grads, 6), 1);
});
