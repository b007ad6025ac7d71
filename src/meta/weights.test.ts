import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeWeights, weightGrid, weightsLabel, WEIGHT_FLOOR } from './weights.ts';

test('normalizeWeights maps raw vectors onto the simplex, keeping proportions', () => {
  const w = normalizeWeights([0.6, 0.2, 0.2]);
  assert.ok(Math.abs(w.alpha + w.beta + w.gamma - 1) < 1e-12);
  const s = 1 + 3 * WEIGHT_FLOOR;
  assert.ok(Math.abs(w.alpha - (0.6 + WEIGHT_FLOOR) / s) < 1e-12);
  assert.ok(Math.abs(w.beta - (0.2 + WEIGHT_FLOOR) / s) < 1e-12);
  // Scale-free: the same direction gives the same weights up to the floor.
  const w2 = normalizeWeights({ alpha: 3, beta: 1, gamma: 1 });
  assert.ok(Math.abs(w2.alpha - 0.6) < 1e-3 && Math.abs(w2.beta - 0.2) < 1e-3);
  assert.deepEqual(normalizeWeights([0, 0, 0]), { alpha: 1 / 3, beta: 1 / 3, gamma: 1 / 3 });
  // A float32 rounding negative at the Box's lower bound counts as 0.
  assert.deepEqual(normalizeWeights([-1e-8, 0, 0]), { alpha: 1 / 3, beta: 1 / 3, gamma: 1 / 3 });
});

test('normalizeWeights rejects bad input with a message naming the problem and the caller', () => {
  assert.throws(() => normalizeWeights([1, 2], 'here'), /here: expected 3 weight components/);
  assert.throws(() => normalizeWeights([1, Number.NaN, 0], 'here'), /here: weight component 1 is not a finite number/);
  assert.throws(() => normalizeWeights([1, 0, -0.5]), /weight component 2 is negative: -0.5/);
});

test('weightGrid(5) is the 21-point simplex lattice, each point distinct and summing to 1', () => {
  const g = weightGrid(5);
  assert.equal(g.length, 21);
  for (const p of g) assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-12);
  assert.equal(new Set(g.map((p) => weightsLabel(normalizeWeights(p)))).size, 21);
  assert.deepEqual(g[0], [1, 0, 0]);
  assert.equal(weightGrid(2).length, 6);
  assert.throws(() => weightGrid(0), /n must be a positive integer/);
});

test('normalizeWeights refuses a fourth component and infinite components', () => {
  assert.throws(() => normalizeWeights([1, 0, 0, 0], 'here'), /here: expected 3 weight components \(alpha, beta, gamma\), got 4/);
  assert.throws(() => normalizeWeights([Number.POSITIVE_INFINITY, 0, 0], 'here'), /here: weight component 0 is not a finite number: Infinity/);
  assert.throws(() => normalizeWeights({ alpha: 1, beta: Number.NEGATIVE_INFINITY, gamma: 0 }, 'here'), /weight component 1 is not a finite number/);
});
