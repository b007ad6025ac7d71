import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningPercentile } from './running-percentile.ts';
import { Rng } from './rng.ts';

const bySort = (xs: readonly number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))]!;
};

test('RunningPercentile gives the element a sort of the whole history gives, after every value', () => {
  const rng = new Rng(5);
  for (const p of [0.9, 0.5, 0.01, 1]) {
    const rp = new RunningPercentile(p);
    const xs: number[] = [];
    for (let i = 0; i < 600; i++) {
      // Ties and drifts included: rounded values, a trend, and repeats.
      const x = i % 7 === 0 ? 1.5 : Math.round(rng.uniform(0, 8) * 10) / 10 + (i > 300 ? 2 : 0);
      xs.push(x);
      rp.add(x);
      assert.equal(rp.value(), bySort(xs, p), `p ${p} after ${i + 1} values`);
    }
    rp.reset();
    assert.equal(rp.count, 0);
    assert.throws(() => rp.value(), /no values yet/);
  }
});

test('RunningPercentile refuses a bad p or a non-finite value', () => {
  assert.throws(() => new RunningPercentile(0), /p must be in \(0, 1\]/);
  assert.throws(() => new RunningPercentile(1.5), /p must be in \(0, 1\]/);
  assert.throws(() => new RunningPercentile(0.9).add(Number.NaN), /must be finite, got NaN/);
});

test('RunningPercentile refuses infinite values, which would pin the answer for good', () => {
  const rp = new RunningPercentile(0.9);
  assert.throws(() => rp.add(Number.POSITIVE_INFINITY), /must be finite, got Infinity/);
  assert.throws(() => rp.add(Number.NEGATIVE_INFINITY), /must be finite, got -Infinity/);
  assert.equal(rp.count, 0, 'a refused value is not counted');
});
