import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { RunningMeanStd } from './running-stats.ts';

test('RunningMeanStd matches the mean and population variance of all data seen', () => {
  const rng = new Rng(4);
  const rms = new RunningMeanStd(2);
  const all: number[][] = [[], []];
  for (let batch = 0; batch < 20; batch++) {
    const n = 1 + (batch % 5);
    const x = new Float64Array(n * 2);
    for (let r = 0; r < n; r++) {
      x[r * 2] = rng.normal(3, 2);
      x[r * 2 + 1] = rng.normal(-1, 0.5);
      all[0]!.push(x[r * 2]!);
      all[1]!.push(x[r * 2 + 1]!);
    }
    rms.update(x, n);
  }
  for (let i = 0; i < 2; i++) {
    const xs = all[i]!;
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    // The 1e-4 prior count (mean 0, var 1) shifts the result by ~1e-4 / 60.
    assert.ok(Math.abs(rms.mean[i]! - mean) < 1e-4, `mean ${rms.mean[i]} vs ${mean}`);
    assert.ok(Math.abs(rms.var[i]! - v) < 1e-3, `var ${rms.var[i]} vs ${v}`);
  }
});

test('normalize standardises and clips at +-clipObs; JSON round-trips', () => {
  const rms = new RunningMeanStd(1, { clipObs: 10 });
  rms.update([1, 3], 2); // mean ~2, var ~1
  const out = new Float64Array(3);
  rms.normalize([2, 3, 1000], 3, out);
  assert.ok(Math.abs(out[0]!) < 1e-3);
  assert.ok(Math.abs(out[1]! - 1) < 1e-3);
  assert.equal(out[2], 10);
  const back = RunningMeanStd.fromJSON(JSON.parse(JSON.stringify(rms.toJSON())));
  assert.deepEqual(back.mean, rms.mean);
  assert.deepEqual(back.var, rms.var);
  assert.equal(back.count, rms.count);
});
