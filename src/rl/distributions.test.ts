import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { categorical, diagGaussian, multiCategorical } from './distributions.ts';
import type { Distribution } from './distributions.ts';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('categorical log-prob and entropy golden values (logits [1, 2, 3])', () => {
  const d = categorical(3);
  const logits = [1, 2, 3];
  const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)); // 3.40760596444438
  close(lse, 3.40760596444438, 1e-12);
  close(d.logProb(logits, 0, [], [2], 0), 3 - lse);
  close(d.logProb(logits, 0, [], [0], 0), -2.40760596444438, 1e-12);
  // H = -sum p log p with p = softmax = [0.09003057, 0.24472847, 0.66524096].
  close(d.entropy(logits, 0, []), 0.8323955, 1e-6);
  const a = new Float64Array(1);
  d.mode(logits, 0, a, 0);
  assert.equal(a[0], 2);
});

test('multi-categorical log-prob and entropy are sums over the heads', () => {
  const d = multiCategorical([2, 3]);
  const logits = [0.5, -0.5, 1, 2, 3];
  const c2 = categorical(2);
  const c3 = categorical(3);
  close(d.logProb(logits, 0, [], [1, 0], 0), c2.logProb([0.5, -0.5], 0, [], [1], 0) + c3.logProb([1, 2, 3], 0, [], [0], 0));
  close(d.entropy(logits, 0, []), c2.entropy([0.5, -0.5], 0, []) + c3.entropy([1, 2, 3], 0, []));
});

test('diagonal Gaussian log-prob and entropy golden values', () => {
  const d = diagGaussian(2);
  const logStd = [0, Math.log(2)];
  // N(0,1) at 1: -0.5 - 0.9189385; N(1, 2^2) at 2: -0.125 - log 2 - 0.9189385.
  close(d.logProb([0, 1], 0, logStd, [1, 2], 0), -0.5 - 0.9189385332046727 + (-0.125 - Math.LN2 - 0.9189385332046727));
  close(d.entropy([0, 1], 0, logStd), 2 * 1.4189385332046727 + Math.LN2);
});

function checkBackward(d: Distribution, out: number[], extra: number[], action: number[]): void {
  const dOut = new Float64Array(out.length);
  const dExtra = new Float64Array(extra.length);
  const wLp = 0.7;
  const wH = -0.3;
  d.backward(out, 0, extra, action, 0, wLp, wH, dOut, dExtra);
  const f = (o: number[], e: number[]): number => wLp * d.logProb(o, 0, e, action, 0) + wH * d.entropy(o, 0, e);
  const h = 1e-6;
  for (let i = 0; i < out.length; i++) {
    const p = [...out];
    const m = [...out];
    p[i]! += h;
    m[i]! -= h;
    close(dOut[i]!, (f(p, extra) - f(m, extra)) / (2 * h), 1e-7);
  }
  for (let i = 0; i < extra.length; i++) {
    const p = [...extra];
    const m = [...extra];
    p[i]! += h;
    m[i]! -= h;
    close(dExtra[i]!, (f(out, p) - f(out, m)) / (2 * h), 1e-7);
  }
}

test('distribution gradients match finite differences', () => {
  checkBackward(categorical(4), [0.3, -1, 2, 0.1], [], [2]);
  checkBackward(multiCategorical([3, 2]), [0.3, -1, 2, 0.1, 0.4], [], [1, 1]);
  checkBackward(diagGaussian(2), [0.3, -0.4], [-0.5, 0.2], [1.1, -2]);
});

test('categorical sampling follows the probabilities (seeded)', () => {
  const d = categorical(3);
  const rng = new Rng(11);
  const counts = [0, 0, 0];
  const a = new Float64Array(1);
  const n = 20000;
  for (let i = 0; i < n; i++) {
    d.sample([1, 2, 3], 0, [], rng, a, 0);
    counts[a[0]!]!++;
  }
  const p = [0.09003057, 0.24472847, 0.66524096];
  for (let k = 0; k < 3; k++) close(counts[k]! / n, p[k]!, 0.015);
});

test('Gaussian sampling has the requested mean and std', () => {
  const d = diagGaussian(1);
  const rng = new Rng(12);
  const a = new Float64Array(1);
  let s = 0;
  let s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    d.sample([1.5], 0, [Math.log(0.5)], rng, a, 0);
    s += a[0]!;
    s2 += a[0]! ** 2;
  }
  close(s / n, 1.5, 0.02);
  close(Math.sqrt(s2 / n - (s / n) ** 2), 0.5, 0.02);
});
