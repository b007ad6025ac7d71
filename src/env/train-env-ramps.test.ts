/**
 * rampShare (docs/STATUS.md "Next" (h)): a share of training episodes whose slow cycle is a fast one, drawn from a
 * stream of its own so that a config without it trains on exactly the worlds it did before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotTrainEnv, parseSparkIotTrainOptions, type SparkIotTrainEnvOptions } from './spark-iot-train-env.ts';
import { applyWorkloadVariation, assertWorkloadVariation, sampleRampVariation } from '../workload/variation.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import type { WorkloadVariation } from '../workload/variation.ts';

function episodes(options: SparkIotTrainEnvOptions, seed: number, n: number): { scenario: string; worldSeed: number; workload?: WorkloadVariation; arrivals: number[] }[] {
  const env = new SparkIotTrainEnv({ maxSteps: 2, ...options });
  const out = [];
  for (let k = 0; k < n; k++) {
    if (k === 0) env.reset({ seed });
    else env.reset();
    out.push({ ...env.episode!, arrivals: Array.from(env.inner.exogenous().arrivalsMsgs.subarray(0, 300)) });
  }
  return out;
}

test('rampShare 0 (or unset) draws nothing: the same scenarios, seeds, variations and arrivals as before', () => {
  const before = episodes({ workloadVariationShare: 0.5 }, 3, 12);
  const zero = episodes({ workloadVariationShare: 0.5, rampShare: 0 }, 3, 12);
  assert.deepEqual(zero, before);
  assert.ok(before.some((e) => e.workload) && before.some((e) => !e.workload), 'the variation share applies to some episodes');
});

test('rampShare 1 gives every episode a fast cycle and leaves the other draws as they were', () => {
  const before = episodes({ workloadVariationShare: 0.5 }, 3, 12);
  const ramps = episodes({ workloadVariationShare: 0.5, rampShare: 1 }, 3, 12);
  for (let k = 0; k < 12; k++) {
    const [b, r] = [before[k]!, ramps[k]!];
    assert.equal(r.scenario, b.scenario);
    assert.equal(r.worldSeed, b.worldSeed);
    const { diurnalPeriodS, diurnalAmplitude, ...rest } = r.workload!;
    assert.deepEqual(rest, b.workload ?? {}, `episode ${k}: the other variation keys are the ones drawn without ramps`);
    assert.ok(diurnalPeriodS! >= 1800 && diurnalPeriodS! <= 14_400, `period ${diurnalPeriodS}`);
    assert.ok(diurnalAmplitude! >= 0.3 && diurnalAmplitude! <= 0.7, `amplitude ${diurnalAmplitude}`);
    assert.notDeepEqual(r.arrivals, b.arrivals, `episode ${k}: the fast cycle changes the arrivals`);
  }
});

test('rampShare 0.5 ramps about half the episodes', () => {
  const eps = episodes({ rampShare: 0.5 }, 9, 400);
  const share = eps.filter((e) => e.workload?.diurnalPeriodS !== undefined).length / eps.length;
  // Binomial(400, 0.5): sd 0.025, so [0.4, 0.6] holds with probability 1 - 6e-5 (and the seed is fixed).
  assert.ok(share > 0.4 && share < 0.6, `share ${share}`);
});

test('a fast cycle replaces the scenario period and amplitude; out-of-range values are named', () => {
  const s = DEFAULT_CONFIG.scenarios.healthcare;
  const v = applyWorkloadVariation(s, { diurnalPeriodS: 3600, diurnalAmplitude: 0.6 });
  assert.equal(v.diurnalPeriodS, 3600);
  assert.equal(v.diurnalAmplitude, 0.6);
  assert.equal(v.baseRateMsgsPerS, s.baseRateMsgsPerS);
  assert.equal(applyWorkloadVariation(s, { baseRateScale: 2 }).diurnalPeriodS, s.diurnalPeriodS, 'unset keys keep the scenario');
  assert.throws(() => assertWorkloadVariation({ diurnalAmplitude: 1.2 }, 'w'), /w\.diurnalAmplitude must be <= 1/);
  assert.throws(() => assertWorkloadVariation({ diurnalPeriodS: 0 }, 'w'), /w\.diurnalPeriodS must be > 0/);
  assert.throws(() => parseSparkIotTrainOptions({ rampShare: 1.5 }), /option rampShare must be a number in \[0, 1\]/);
  const draws = Array.from({ length: 2000 }, (_, i) => sampleRampVariation(new Rng(i)));
  const periods = draws.map((d) => d.diurnalPeriodS!);
  // Log-uniform on [1800, 14400]: the median is the geometric mean, 5091 s.
  const below = periods.filter((p) => p < Math.sqrt(1800 * 14_400)).length / periods.length;
  assert.ok(below > 0.45 && below < 0.55, `share below the geometric mean ${below}`);
});
