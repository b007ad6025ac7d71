import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ci95, mean, pairedDifference, percentile, sampleStd, studentTQuantile } from './stats.ts';

const close = (a: number, b: number, tol: number, msg?: string): void => assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} ${a} vs ${b}`);

test('Student t 0.975 quantiles match the tables', () => {
  // Golden values (scipy.stats.t.ppf(0.975, df)).
  const golden: Array<[number, number]> = [
    [1, 12.706204736174707],
    [2, 4.302652729749464],
    [4, 2.7764451051977934],
    [9, 2.2621571628540993],
    [29, 2.045229642132703],
    [1000, 1.9623390808264078],
  ];
  for (const [df, t] of golden) close(studentTQuantile(0.975, df), t, 1e-9, `df=${df}`);
  close(studentTQuantile(0.025, 9), -2.2621571628540993, 1e-9);
});

test('mean, sample std and CI95 golden values', () => {
  assert.equal(mean([1, 2, 3, 4, 5]), 3);
  close(sampleStd([1, 2, 3, 4, 5]), Math.sqrt(2.5), 1e-12);
  // t(0.975, 4) x sqrt(2.5) / sqrt(5) = 2.7764451051977934 x 0.7071067811865476
  close(ci95([1, 2, 3, 4, 5]), 1.96324316134501, 1e-9);
  close(ci95([10, 12]), 12.706204736174707 * Math.SQRT2 / Math.SQRT2, 1e-9); // s = sqrt(2), n = 2 -> t x 1
  assert.ok(Number.isNaN(ci95([3])));
  assert.equal(ci95([4, 4, 4]), 0);
});

test('paired differences use same-seed pairs', () => {
  const d = pairedDifference([5, 7, 9], [4, 6, 8]);
  assert.deepEqual(d.diffs, [1, 1, 1]);
  assert.equal(d.mean, 1);
  assert.equal(d.ci95, 0);
  assert.throws(() => pairedDifference([1, 2], [1]), /pair up/);
});

test('percentile interpolates like numpy (type 7)', () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  close(percentile([...Array(101).keys()], 95), 95, 1e-12);
  close(percentile([10, 20, 30, 40, 50], 95), 48, 1e-12);
});
