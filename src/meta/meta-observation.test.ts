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

/** A context with just what the tracker reads (the rest of PolicyContext is not used by it). */
function fakeContext(v: { p95?: number; sla?: number; drop?: number; cost?: number; arrivals?: number; burst?: number; predicted?: number }): PolicyContext {
  return {
    snapshot: { p95LatencyMs: v.p95 ?? 100, droppedMsgs: v.drop ?? 0, costRateUsdPerHour: v.cost ?? 1, arrivalRateMsgsPerS: v.arrivals ?? 1000 },
    forecast: { burstProbability: v.burst ?? 0, predictedRateMsgsPerS: v.predicted ?? 1000 },
    slaP95LatencyMs: v.sla ?? 4000,
  } as unknown as PolicyContext;
}

test('features 4-11 follow the table: window rates over the last K steps, phase rates over the phase, cost over twice the budget, rates over the rate scale', () => {
  const modes = loadConfig().modes;
  const t = new MetaObservationTracker(4, 100_000, modes);
  t.observe(fakeContext({ p95: 9000, cost: 100 }), null, 4); // the reset snapshot: no step, no phase statistics
  const steps = [
    { p95: 5000, cost: 2, burst: 0.9, arrivals: 1000, predicted: 2000 }, // violates (over 4000 ms); leaves the window
    { p95: 1000, cost: 4, burst: 0.1, arrivals: 3000, predicted: 4000 },
    { p95: 1000, drop: 3, cost: 6, burst: 0.3, arrivals: 5000, predicted: 6000 }, // violates (drops)
    { p95: 1000, cost: 8, burst: 0.5, arrivals: 7000, predicted: 8000 },
    { p95: 4500, cost: 10, burst: 0.2, arrivals: 20_000, predicted: 30_000 }, // violates
  ];
  for (const s of steps) t.observe(fakeContext(s), 'normal', 4);
  const o = t.build('normal', 0.7, 4);
  const near = (i: number, want: number): void => assert.ok(Math.abs(o[i]! - want) < 1e-6, `feature ${i}: ${o[i]} vs ${want}`);
  assert.deepEqual(Array.from(o.slice(0, 3)), [1, 0, 0]);
  near(3, 0.7);
  near(4, 2 / 4); // the last K = 4 steps: two of them violate
  near(5, (4 + 6 + 8 + 10) / 4 / 4 / 2); // mean cost rate over the window / budget rate / 2
  near(6, (0.1 + 0.3 + 0.5 + 0.2) / 4);
  near(7, 0.5); // the 0.9 left the window
  near(8, 30_000 / 100_000);
  near(9, 20_000 / 100_000);
  near(10, 3 / 5); // the phase: five steps, three violate
  near(11, (2 + 4 + 6 + 8 + 10) / 5 / 4 / 2);
  near(12, 4000 / 10_000);
  near(13, 4 / 10);
});

test('before K steps have run, the window rates are over the contexts seen so far', () => {
  const t = new MetaObservationTracker(10, 100_000, loadConfig().modes);
  t.observe(fakeContext({ cost: 2 }), null, 4);
  t.observe(fakeContext({ p95: 5000, cost: 2 }), 'normal', 4);
  const o = t.build('normal', 1, 4);
  assert.ok(Math.abs(o[4]! - 1 / 2) < 1e-6, `violation share ${o[4]}`);
  assert.ok(Math.abs(o[5]! - 2 / 4 / 2) < 1e-6, `cost ${o[5]}`);
});

test('a new mode phase starts its phase features at 0 and counts only its own steps', () => {
  const t = new MetaObservationTracker(10, 100_000, loadConfig().modes);
  t.observe(fakeContext({}), null, 4);
  for (let i = 0; i < 4; i++) t.observe(fakeContext({ p95: 5000, cost: 8 }), 'normal', 4);
  assert.ok(t.build('normal', 1, 4)[10]! === 1);
  // The mode switched to budget: no budget step has run yet.
  const start = t.build('budget', 0.1, 4);
  assert.deepEqual([start[10], start[11]], [0, 0], 'phase features at a phase start');
  t.observe(fakeContext({ p95: 5000, cost: 2 }), 'budget', 4);
  t.observe(fakeContext({ p95: 1000, cost: 2 }), 'budget', 4);
  const o = t.build('budget', 0.1, 4);
  assert.ok(Math.abs(o[10]! - 1 / 2) < 1e-6, `phase violation rate ${o[10]}`);
  assert.ok(Math.abs(o[11]! - 2 / 4 / 2) < 1e-6, `phase cost ${o[11]}`);
  // A reset forgets the phase even when the next episode starts in the same mode.
  t.reset();
  t.observe(fakeContext({}), null, 4);
  t.observe(fakeContext({ p95: 1000, cost: 4 }), 'budget', 4);
  const r = t.build('budget', 0.1, 4);
  assert.deepEqual([r[10], r[11]], [0, Math.fround(4 / 4 / 2)]);
});

test('the critical mode counts violations against half the p95 target, in the window and in the phase features', () => {
  const t = new MetaObservationTracker(10, 100_000, loadConfig().modes);
  t.observe(fakeContext({}), null, 4);
  // 3000 ms: within the 4000 ms target, over half of it.
  t.observe(fakeContext({ p95: 3000, sla: 4000 }), 'critical', 4);
  t.observe(fakeContext({ p95: 1000, sla: 4000 }), 'critical', 4);
  const o = t.build('critical', 1, 4);
  assert.ok(Math.abs(o[4]! - 1 / 3) < 1e-6, `window share ${o[4]}`);
  assert.ok(Math.abs(o[10]! - 1 / 2) < 1e-6, `phase share ${o[10]}`);
  assert.equal(t.lastStepViolated, false);
  const n = new MetaObservationTracker(10, 100_000, loadConfig().modes);
  n.observe(fakeContext({}), null, 4);
  n.observe(fakeContext({ p95: 3000, sla: 4000 }), 'normal', 4);
  const on = n.build('normal', 1, 4);
  assert.deepEqual([on[4], on[10]], [0, 0], 'the normal mode does not count it');
});
