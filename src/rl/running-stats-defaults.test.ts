import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningMeanStd } from './running-stats.ts';

test('RunningMeanStd defaults are VecNormalize\'s: count 1e-4, clip_obs 10, epsilon 1e-8', () => {
  const r = new RunningMeanStd(1);
  assert.equal(r.count, 1e-4);
  assert.equal(r.clipObs, 10);
  assert.equal(r.epsilon, 1e-8);
  const out = new Float64Array(3);
  // mean 0, var 1: (x - 0) / sqrt(1 + 1e-8), clipped at +-10 (not +-5).
  r.normalize([7, 12, -30], 3, out);
  assert.equal(out[0], 7 / Math.sqrt(1 + 1e-8));
  assert.equal(out[1], 10);
  assert.equal(out[2], -10);
});
