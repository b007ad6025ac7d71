import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { applyWorkloadVariation, assertWorkloadVariation, sampleWorkloadVariation } from './variation.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';

const base = DEFAULT_CONFIG.scenarios.healthcare;

test('a variation changes only the arrival process and leaves the scenario object untouched', () => {
  const v = applyWorkloadVariation(base, { baseRateScale: 0.5, noiseSigma: 0.9, noisePhi: 0.85, burstRateScale: 2, burstMagnitudeScale: 2, burstDurationScale: 0.5 });
  assert.equal(v.baseRateMsgsPerS, base.baseRateMsgsPerS * 0.5);
  assert.equal(v.noiseSigma, 0.9);
  assert.equal(v.noisePhi, 0.85);
  assert.equal(v.bursts.ratePerHour, base.bursts.ratePerHour * 2);
  assert.equal(v.bursts.magnitudeMedian, 1 + (base.bursts.magnitudeMedian - 1) * 2);
  assert.equal(v.bursts.durationMedianS, base.bursts.durationMedianS * 0.5);
  assert.equal(v.slaP95LatencyMs, base.slaP95LatencyMs);
  assert.equal(v.budgetUsdPerHour, base.budgetUsdPerHour);
  assert.equal(v.peakRateMsgsPerS, base.peakRateMsgsPerS);
  assert.equal(DEFAULT_CONFIG.scenarios.healthcare.noiseSigma, 0.12);
  assert.equal(applyWorkloadVariation(base, undefined), base);
});

test('bad variations are rejected with the key named', () => {
  assert.throws(() => assertWorkloadVariation({ noiseSigma: -1 }, 'w'), /w\.noiseSigma must be a finite number >= 0/);
  assert.throws(() => assertWorkloadVariation({ noisePhi: 1 }, 'w'), /w\.noisePhi must be <= 0\.9999/);
  assert.throws(() => assertWorkloadVariation({ burstiness: 2 }, 'w'), /unknown key 'burstiness'/);
  assert.throws(() => assertWorkloadVariation({ baseRateScale: Number.NaN }, 'w'), /baseRateScale/);
  assert.throws(() => new SparkIotEnv().reset({ seed: 1, options: { workload: { noiseSigma: 'high' } } }), /options\.workload\.noiseSigma/);
});

test('sampled variations are seeded, valid and within their stated ranges', () => {
  const a = sampleWorkloadVariation(new Rng(7));
  assert.deepEqual(a, sampleWorkloadVariation(new Rng(7)));
  const rng = new Rng(3);
  for (let i = 0; i < 500; i++) {
    const v = assertWorkloadVariation(sampleWorkloadVariation(rng), 'v');
    assert.ok(v.baseRateScale! >= 0.5 && v.baseRateScale! <= 1.3);
    assert.ok(v.noiseSigma! >= 0.12 && v.noiseSigma! <= 1);
    assert.ok(v.noisePhi! >= 0.8 && v.noisePhi! <= 0.98);
    assert.ok(v.burstRateScale! >= 0.25 && v.burstRateScale! <= 4);
  }
});

test('the env replays a varied world: same seed and variation -> same arrivals, different from the default world', () => {
  const arrivals = (workload?: object): number[] => {
    const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 30 });
    env.reset({ seed: 5, options: workload ? { workload } : {} });
    const out: number[] = [];
    for (let i = 0; i < 30; i++) out.push((env.stepAction({ executors: 10, memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info as unknown as SparkIotInfo).record!.arrivalRateMsgsPerS);
    return out;
  };
  const noisy = { noiseSigma: 1, noisePhi: 0.8 };
  assert.deepEqual(arrivals(noisy), arrivals(noisy));
  assert.notDeepEqual(arrivals(noisy), arrivals());
  const cv = (xs: number[]): number => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length) / m;
  };
  assert.ok(cv(arrivals(noisy)) > cv(arrivals()), 'sigma 1 noise makes the arrivals more variable than the default 0.12');
});

// Rules found unpinned by a hand-made mutation audit (each test failed on a mutant).

test('a variation must be an object, not an array, and its base rate scale must be above 0', () => {
  assert.throws(() => assertWorkloadVariation([], 'w'), /w must be an object, got \[\]/);
  assert.throws(() => assertWorkloadVariation({ baseRateScale: 0 }, 'w'), /w\.baseRateScale must be > 0/);
});

test('sampled burst magnitude and duration scales stay in their stated ranges; scales are log-uniform (halving as likely as doubling)', () => {
  const rng = new Rng(11);
  const rateScales: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const v = sampleWorkloadVariation(rng);
    assert.ok(v.burstMagnitudeScale! >= 0.5 && v.burstMagnitudeScale! <= 2, `magnitude scale ${v.burstMagnitudeScale}`);
    assert.ok(v.burstDurationScale! >= 0.33 && v.burstDurationScale! <= 2, `duration scale ${v.burstDurationScale}`);
    rateScales.push(v.burstRateScale!);
  }
  // Log-uniform on [0.25, 4]: the median is 1 (uniform would put it at 2.1) and a quarter lie under 0.5.
  rateScales.sort((a, b) => a - b);
  const median = rateScales[1000]!;
  assert.ok(median > 0.85 && median < 1.15, `median burst rate scale ${median}`);
  const underHalf = rateScales.filter((x) => x < 0.5).length / rateScales.length;
  assert.ok(underHalf > 0.2 && underHalf < 0.3, `share under 0.5: ${underHalf}`);
});
