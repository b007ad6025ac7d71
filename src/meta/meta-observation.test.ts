import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { PolicyContext } from '../policies/types.ts';
import { parseTraceCsv } from '../workload/trace.ts';
import { META_OBS_SIZE, MetaObservationTracker, VOLATILITY_HISTORY_STEPS, metaObservationFeatures, metaObservationSize } from './meta-observation.ts';

/** The contexts of `steps` steps of a world whose arrivals are on for 60 s and off for 60 s (not rescaled). */
function onOffContexts(steps: number): PolicyContext[] {
  const trace = parseTraceCsv(['t,rate', ...Array.from({ length: 1200 }, (_, t) => `${t},${Math.floor(t / 60) % 2 === 0 ? 2000 : 50}`)].join('\n'), 'onoff.csv');
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: steps, trace, rescaleTrace: false });
  const out = [(env.reset({ seed: 1 }).info as { context: PolicyContext }).context];
  for (let i = 0; i < steps; i++) out.push((env.stepAction({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info as { context: PolicyContext }).context);
  return out;
}

test("the 'volatility' variant puts the arrivals' CV over the window and their off share over 5 min in features 12-13", () => {
  const config = loadConfig();
  const contexts = onOffContexts(40);
  const budget = config.scenarios.balanced.budgetUsdPerHour;
  const volatility = new MetaObservationTracker(10, config.observation.rateScaleMsgsPerS, config.modes, false, 'volatility');
  const scenario = new MetaObservationTracker(10, config.observation.rateScaleMsgsPerS, config.modes, false);
  for (const [i, ctx] of contexts.entries()) {
    volatility.observe(ctx, i === 0 ? null : 'normal', budget);
    scenario.observe(ctx, i === 0 ? null : 'normal', budget);
  }
  const rates = contexts.map((c) => c.snapshot.arrivalRateMsgsPerS);
  const recent = rates.slice(-10);
  const mean = recent.reduce((a, x) => a + x, 0) / recent.length;
  const cv = Math.sqrt(recent.reduce((a, x) => a + (x - mean) ** 2, 0) / recent.length) / mean;
  const history = rates.slice(-VOLATILITY_HISTORY_STEPS);
  const off = history.filter((x) => x < 0.25 * Math.max(...history)).length / history.length;
  assert.ok(cv > 0.5 && off > 0.3, `the world is on/off: cv ${cv}, off share ${off}`);
  const v = volatility.build('normal', 1, budget);
  assert.ok(Math.abs(v[12]! - Math.min(1, cv / 2)) < 1e-6, `feature 12 ${v[12]} vs cv/2 ${cv / 2}`);
  assert.ok(Math.abs(v[13]! - off) < 1e-6, `feature 13 ${v[13]} vs ${off}`);
  // The default (what the shipped meta-controllers were trained on) is unchanged, and features 0-11 agree.
  const s = scenario.build('normal', 1, budget);
  assert.ok(Math.abs(s[12]! - contexts.at(-1)!.slaP95LatencyMs / 10_000) < 1e-6);
  assert.ok(Math.abs(s[13]! - budget / 10) < 1e-6);
  assert.deepEqual(Array.from(v.slice(0, 12)), Array.from(s.slice(0, 12)));
  assert.equal(s.length, META_OBS_SIZE);
  assert.equal(new MetaObservationTracker(10, 1, config.modes).contextFeatures, 'scenario', "the default is 'scenario'");
  // 'scenario+volatility' is the scenario observation followed by the two volatility features.
  const both = new MetaObservationTracker(10, config.observation.rateScaleMsgsPerS, config.modes, false, 'scenario+volatility');
  for (const [i, ctx] of contexts.entries()) both.observe(ctx, i === 0 ? null : 'normal', budget);
  const b = both.build('normal', 1, budget);
  assert.equal(b.length, 16);
  assert.equal(metaObservationSize('scenario+volatility'), 16);
  assert.deepEqual(metaObservationFeatures('scenario+volatility').slice(14), ['arrival_cv', 'arrival_off_share']);
  assert.deepEqual(Array.from(b.slice(0, 14)), Array.from(s));
  assert.deepEqual(Array.from(b.slice(14)), Array.from(v.slice(12, 14)));
});

test('the tracker refuses an unknown variant and an output array of the wrong size, naming both', () => {
  const config = loadConfig();
  assert.throws(() => new MetaObservationTracker(10, 1, config.modes, false, 'burst' as never), /metaContextFeatures must be one of 'scenario', 'volatility', 'scenario\+volatility', got "burst"/);
  const t = new MetaObservationTracker(10, 1, config.modes, false, 'scenario+volatility');
  t.observe(onOffContexts(1)[0]!, null, 1);
  assert.throws(() => t.build('normal', 1, 1, new Float32Array(14)), /out has 14 values, the 'scenario\+volatility' observation has 16/);
});
