import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { generateSyntheticSeries } from './synthetic.ts';

test('synthetic series: deterministic per seed, bounded by the peak, bursty, autocorrelated temperature', () => {
  const sc = DEFAULT_CONFIG.scenarios['smart-city'];
  const a = generateSyntheticSeries(6000, 300, sc, new Rng(3));
  const b = generateSyntheticSeries(6000, 300, sc, new Rng(3));
  const c = generateSyntheticSeries(6000, 300, sc, new Rng(4));
  assert.deepEqual(a.arrivalsMsgs, b.arrivalsMsgs);
  assert.notDeepEqual(a.arrivalsMsgs, c.arrivalsMsgs);
  let onsets = 0;
  let inBurst = 0;
  let outBurst = 0;
  let nIn = 0;
  let nOut = 0;
  for (let i = 0; i < a.lengthS; i++) {
    assert.ok(a.arrivalsMsgs[i]! >= 0 && a.arrivalsMsgs[i]! <= sc.peakRateMsgsPerS);
    assert.ok(a.reuseProbability[i]! > 0 && a.reuseProbability[i]! < 1);
    onsets += a.burstOnset[i]!;
    if (a.burstActive[i]) { inBurst += a.arrivalsMsgs[i]!; nIn++; } else { outBurst += a.arrivalsMsgs[i]!; nOut++; }
  }
  assert.ok(onsets >= 3, `${onsets} onsets in 100 min at 6/h`);
  assert.ok(inBurst / nIn > 1.5 * (outBurst / nOut), 'bursts raise the rate');
  // Temperature is autocorrelated, not i.i.d. (the original drew U(0,1) each step).
  let diff = 0;
  for (let i = 1; i < a.lengthS; i++) diff += Math.abs(a.reuseProbability[i]! - a.reuseProbability[i - 1]!);
  assert.ok(diff / a.lengthS < 0.05);
});
