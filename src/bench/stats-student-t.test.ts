import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ci95, pairedDifference, percentile, studentTCdf, studentTQuantile } from './stats.ts';

/** |a - b| within `rel` of max(1, |b|): the module promises ~1e-12. */
const close = (a: number, b: number, rel: number, msg: string): void => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${msg}: ${a} vs ${b}`);

// Textbook closed forms of Student's t (e.g. Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions 2, ch. 28):
//   df = 1 (Cauchy):  F(t) = 1/2 + atan(t) / pi,                      Q(p) = tan(pi (p - 1/2))
//   df = 2:           F(t) = 1/2 + t / (2 sqrt(2 + t^2)),             Q(p) = (2p - 1) / sqrt(2 p (1 - p))
//   df = 3:           F(t) = 1/2 + (u / (1 + u^2) + atan(u)) / pi,  u = t / sqrt(3)
const cdf1 = (t: number): number => 0.5 + Math.atan(t) / Math.PI;
const cdf2 = (t: number): number => 0.5 + t / (2 * Math.sqrt(2 + t * t));
const cdf3 = (t: number): number => {
  const u = t / Math.sqrt(3);
  return 0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI;
};
const q1 = (p: number): number => Math.tan(Math.PI * (p - 0.5));
const q2 = (p: number): number => (2 * p - 1) / Math.sqrt(2 * p * (1 - p));

test('the Student t CDF equals its closed forms for 1, 2 and 3 degrees of freedom, on both sides of 0', () => {
  // Small t (the incomplete beta's second branch) and large t (its first) alike.
  for (const t of [0.05, 0.3, 0.5, 1, 2, 4.3, 12.7, 50]) {
    for (const [df, f] of [[1, cdf1], [2, cdf2], [3, cdf3]] as const) {
      close(studentTCdf(t, df), f(t), 1e-12, `F(${t}; ${df})`);
      close(studentTCdf(-t, df), 1 - f(t), 1e-12, `F(${-t}; ${df})`);
    }
  }
});

test('the Student t CDF is 1/2 at 0 and reaches 0 and 1 at the infinities', () => {
  for (const df of [0.5, 1, 4, 30]) {
    assert.equal(studentTCdf(0, df), 0.5, `F(0; ${df})`);
    assert.equal(studentTCdf(Infinity, df), 1, `F(inf; ${df})`);
    assert.equal(studentTCdf(-Infinity, df), 0, `F(-inf; ${df})`);
  }
});

test('the Student t quantile inverts the closed forms to ~1e-12, is 0 at the median and odd about it', () => {
  for (const p of [0.55, 0.6, 0.75, 0.9, 0.95, 0.975, 0.995]) {
    close(studentTQuantile(p, 1), q1(p), 1e-12, `Q(${p}; 1)`);
    close(studentTQuantile(p, 2), q2(p), 1e-12, `Q(${p}; 2)`);
    close(studentTQuantile(1 - p, 2), -q2(p), 1e-12, `Q(${1 - p}; 2)`);
  }
  // t(0.975, 2) = 0.95 / sqrt(0.04875) = 4.302652729749464 (the golden table's df = 2 entry, by hand).
  close(studentTQuantile(0.975, 2), 0.95 / Math.sqrt(0.04875), 1e-12, 'Q(0.975; 2)');
  for (const df of [1, 2, 9, 1000]) assert.ok(Math.abs(studentTQuantile(0.5, df)) <= 1e-12, `Q(0.5; ${df}) = ${studentTQuantile(0.5, df)}`);
});

test('a fractional df below 1 is a Student t too: F(Q(p)) = p', () => {
  // scipy.stats.t.ppf(0.975, 0.5) = 164.55767348048818 (no closed form for df = 1/2).
  close(studentTQuantile(0.975, 0.5), 164.55767348048818, 1e-9, 'Q(0.975; 0.5)');
  for (const p of [0.6, 0.9, 0.975]) close(studentTCdf(studentTQuantile(p, 0.5), 0.5), p, 1e-12, `F(Q(${p}; 0.5))`);
});

test('the Student t quantile refuses p outside (0, 1) and df <= 0, naming the value', () => {
  assert.throws(() => studentTQuantile(0, 3), /p must be in \(0, 1\), got 0/);
  assert.throws(() => studentTQuantile(1, 3), /p must be in \(0, 1\), got 1/);
  assert.throws(() => studentTQuantile(Number.NaN, 3), /p must be in \(0, 1\), got NaN/);
  assert.throws(() => studentTQuantile(0.975, 0), /df must be > 0, got 0/);
  assert.throws(() => studentTQuantile(0.975, -2), /df must be > 0, got -2/);
});

test('CI95 of three numbers by hand: t(0.975, 2) s / sqrt(3)', () => {
  // [2, 4, 9]: mean 5, squared deviations 9 + 1 + 16 = 26, s^2 = 26 / 2 = 13; t(0.975, 2) = 0.95 / sqrt(0.04875).
  const expected = ((0.95 / Math.sqrt(0.04875)) * Math.sqrt(13)) / Math.sqrt(3);
  close(ci95([2, 4, 9]), expected, 1e-12, 'ci95');
  assert.ok(Math.abs(expected - 8.956686) < 1e-6); // 4.302653 x 3.605551 / 1.732051
  // The paired form: differences a_i - b_i = [2, 4, 9], in that order (a minus b).
  const d = pairedDifference([3, 5, 10], [1, 1, 1]);
  assert.deepEqual(d.diffs, [2, 4, 9]);
  assert.equal(d.mean, 5);
  assert.equal(d.n, 3);
  close(d.ci95, expected, 1e-12, 'paired ci95');
  const reversed = pairedDifference([1, 1, 1], [3, 5, 10]);
  assert.deepEqual(reversed.diffs, [-2, -4, -9]);
  assert.equal(reversed.mean, -5);
});

test('percentile at the ends is the minimum and the maximum; one value is every percentile', () => {
  const xs = [7, 3, 9, 1];
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile(xs, 100), 9);
  // Type 7 between order statistics: pos = (4 - 1) x 0.9 = 2.7 -> 7 + 0.7 x (9 - 7) = 8.4.
  assert.ok(Math.abs(percentile(xs, 90) - 8.4) < 1e-12);
  for (const q of [0, 50, 95, 100]) assert.equal(percentile([42], q), 42);
  assert.ok(Number.isNaN(percentile([], 95)));
});
