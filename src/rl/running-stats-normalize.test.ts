/**
 * RunningMeanStd against hand-worked numbers: the parallel (Chan et al.) merge of SB3's RunningMeanStd, per
 * feature column, and VecNormalize's normalisation clip((x - mean) / sqrt(var + eps), -clip, clip).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningMeanStd } from './running-stats.ts';

const near = (actual: number, expected: number, what: string, tol = 1e-12): void => assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs expected ${expected}`);

test('update merges a batch into the running mean and population variance, column by column (hand-worked)', () => {
  // Column 0: 3 earlier points with mean 1, var 2, plus the batch [4, 6] (mean 5, var 1, n 2), delta 4, total 5:
  //   mean = 1 + 4 * 2 / 5 = 2.6;  M2 = 2 * 3 + 1 * 2 + 4^2 * 3 * 2 / 5 = 27.2;  var = 27.2 / 5 = 5.44.
  // Column 1: mean 0, var 1, plus [0, 10] (mean 5, var 25), delta 5:
  //   mean = 5 * 2 / 5 = 2;  M2 = 1 * 3 + 25 * 2 + 25 * 3 * 2 / 5 = 83;  var = 16.6.
  const rms = RunningMeanStd.fromJSON({ mean: [1, 0], var: [2, 1], count: 3, clipObs: 10, epsilon: 1e-8 });
  rms.update([4, 0, 6, 10], 2); // rows (4, 0) and (6, 10)
  assert.equal(rms.count, 5);
  near(rms.mean[0]!, 2.6, 'mean 0');
  near(rms.var[0]!, 5.44, 'var 0');
  near(rms.mean[1]!, 2, 'mean 1');
  near(rms.var[1]!, 16.6, 'var 1');
  // Same data as one set: 1 + 1 + 1 + 4 + 6 = 13 over 5 points is 2.6, so the merge is exact, not approximate.
});

test('normalize divides by the standard deviation and clips on both sides', () => {
  const rms = RunningMeanStd.fromJSON({ mean: [2], var: [4], count: 10, clipObs: 5, epsilon: 1e-8 });
  const out = rms.normalize([6, -100, 100, 2, -1], 5, new Float64Array(5));
  near(out[0]!, 4 / Math.sqrt(4 + 1e-8), 'std 2: (6 - 2) / 2');
  assert.equal(out[1], -5);
  assert.equal(out[2], 5);
  assert.equal(out[3], 0);
  near(out[4]!, -3 / Math.sqrt(4 + 1e-8), '(-1 - 2) / 2');
});

test('normalize puts epsilon inside the square root (a constant feature with var 0 is scaled by 1/sqrt(eps))', () => {
  const rms = RunningMeanStd.fromJSON({ mean: [1], var: [0], count: 10, clipObs: 10, epsilon: 1e-8 });
  const out = rms.normalize([1 + 2e-5], 1, new Float64Array(1));
  near(out[0]!, 0.2, '2e-5 / sqrt(1e-8)', 1e-9);
});
