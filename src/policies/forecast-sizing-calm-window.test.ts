/**
 * The calm-load test of forecast-sizing (forecast-sizing.ts isCalm): the last windowSteps arrival rates, strictly
 * below maxArrivalCv, the plain CV unless 'detrended' is asked; the defaults; and reset forgetting what the rule saw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { coefficientOfVariation } from '../core/stats.ts';
import { FORECAST_SIZING_CALM, FORECAST_SIZING_SETTINGS, ForecastSizingPolicy, type CalmSettings } from './forecast-sizing.ts';
import { OraclePolicy } from './oracle.ts';
import { loadConfig } from '../core/config.ts';
import type { FutureView } from '../env/spark-iot-env.ts';

function contextAt(steps: number) {
  const env = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 50 });
  let out = env.reset({ seed: 7 });
  for (let i = 0; i < steps; i++) out = env.stepAction({ executors: 6, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  const ctx = (out.info as unknown as SparkIotInfo).context;
  return { obs: out.obs, ctx: { ...ctx, future: undefined } };
}
const { obs, ctx } = contextAt(5);
const rate = ctx.snapshot.arrivalRateMsgsPerS;

/** calmSteps after acting on these arrival rates, one per interval, from a reset. */
function calmStepsFor(calm: CalmSettings, rates: number[]): number {
  const p = new ForecastSizingPolicy(undefined, undefined, { calm });
  p.reset(1);
  for (const r of rates) p.act(obs, { ...ctx, snapshot: { ...ctx.snapshot, arrivalRateMsgsPerS: r } });
  return p.calmSteps;
}

test('the calm defaults: 0.9 of the SLA, detrended CV below 0.045 over 30 intervals, sized along a rising trend (session 31)', () => {
  assert.deepEqual(FORECAST_SIZING_CALM, { latencyShareOfSla: 0.9, maxArrivalCv: 0.045, windowSteps: 30, measure: 'detrended', trendAhead: true });
  assert.doesNotThrow(() => new ForecastSizingPolicy(undefined, undefined, { calm: { ...FORECAST_SIZING_CALM, latencyShareOfSla: 1 } }));
});

test('the window holds exactly the last windowSteps rates: an outlier stops counting once it slides out', () => {
  assert.ok(rate > 0);
  const calm: CalmSettings = { latencyShareOfSla: 0.9, maxArrivalCv: 0.01, windowSteps: 4, measure: 'cv' };
  assert.equal(calmStepsFor(calm, [10 * rate, rate, rate, rate]), 0);
  assert.equal(calmStepsFor(calm, [10 * rate, rate, rate, rate, rate]), 1);
  assert.equal(calmStepsFor(calm, [rate, rate, rate]), 0, 'not calm before the window is full');
  assert.equal(calmStepsFor(calm, [rate, rate, rate, rate]), 1);
});

test('calm means strictly below maxArrivalCv', () => {
  const rates = [0.9 * rate, 1.1 * rate, 0.9 * rate, 1.1 * rate];
  const cv = coefficientOfVariation(rates);
  assert.ok(cv > 0.05);
  assert.equal(calmStepsFor({ latencyShareOfSla: 0.9, maxArrivalCv: cv, windowSteps: 4, measure: 'cv' }, rates), 0);
  assert.equal(calmStepsFor({ latencyShareOfSla: 0.9, maxArrivalCv: cv * 1.001, windowSteps: 4, measure: 'cv' }, rates), 1);
});

test('without a measure the plain CV decides: a steady ramp is calm only when detrended is asked', () => {
  const ramp = [0.8, 0.9333, 1.0667, 1.2].map((f) => f * rate);
  const calm = { latencyShareOfSla: 0.9, maxArrivalCv: 0.05, windowSteps: 4 };
  assert.equal(calmStepsFor(calm, ramp), 0);
  assert.equal(calmStepsFor({ ...calm, measure: 'detrended' }, ramp), 1);
});

test('reset forgets the largest message size seen: a run after one with big messages sizes as a fresh policy', () => {
  const big = { ...ctx, snapshot: { ...ctx.snapshot, meanMessageBytes: 50 * ctx.snapshot.meanMessageBytes } };
  const fresh = new ForecastSizingPolicy();
  fresh.reset(1);
  const expected = fresh.act(obs, ctx);
  const p = new ForecastSizingPolicy();
  p.reset(1);
  assert.notDeepEqual(p.act(obs, big), expected, 'the message size matters here');
  p.reset(1);
  assert.deepEqual(p.act(obs, ctx), expected);
});

test('calm is measured on the arrival rate itself, not on the forecast-raised demand', () => {
  const p = new ForecastSizingPolicy(undefined, undefined, { calm: { latencyShareOfSla: 0.9, maxArrivalCv: 0.01, windowSteps: 4, measure: 'cv' } });
  p.reset(1);
  for (let i = 0; i < 4; i++) p.act(obs, { ...ctx, forecast: { ...ctx.forecast, predictedRateMsgsPerS: rate * (i % 2 === 0 ? 1 : 3) } });
  assert.equal(p.calmSteps, 1);
});

test('the message size is the largest seen so far; before any data, the scenario\'s configured size', () => {
  const big = { ...ctx, snapshot: { ...ctx.snapshot, meanMessageBytes: 50 * ctx.snapshot.meanMessageBytes } };
  const a = new ForecastSizingPolicy();
  const b = new ForecastSizingPolicy();
  a.reset(1);
  b.reset(1);
  a.act(obs, big);
  b.act(obs, big);
  assert.deepEqual(a.act(obs, ctx), b.act(obs, big), 'a smaller mean afterwards does not shrink the size');
  const configured = loadConfig().scenarios.healthcare.messageBytes;
  const none = new ForecastSizingPolicy();
  const given = new ForecastSizingPolicy();
  none.reset(1);
  given.reset(1);
  const noData = none.act(obs, { ...ctx, snapshot: { ...ctx.snapshot, meanMessageBytes: 0 } });
  assert.deepEqual(noData, given.act(obs, { ...ctx, snapshot: { ...ctx.snapshot, meanMessageBytes: configured } }));
});

test('forecast-sizing is the oracle fed the present held flat: max(rate, forecast), largest message, observed reuse, 2 intervals + cold start + 1 s', () => {
  const config = loadConfig();
  const scenario = config.scenarios.healthcare;
  for (const [predicted, reuse] of [[0.5 * rate, 0.1], [2 * rate, 0.9], [1.3 * rate, 0.5]] as const) {
    const c = { ...ctx, snapshot: { ...ctx.snapshot, observedReuse: reuse }, forecast: { ...ctx.forecast, predictedRateMsgsPerS: predicted } };
    const p = new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, config, { calm: null });
    p.reset(1);
    const oracle = new OraclePolicy(FORECAST_SIZING_SETTINGS);
    oracle.reset(1);
    const coldStartS = config.cluster.coldStart.medianS;
    const horizonS = 2 * c.controlIntervalS + Math.ceil(coldStartS) + 1;
    const demand = Math.max(rate, predicted);
    const future: FutureView = {
      tSeconds: 0,
      offsetS: 0,
      arrivalsMsgs: new Float64Array(horizonS).fill(demand),
      messageBytes: new Float64Array(horizonS).fill(c.snapshot.meanMessageBytes),
      reuseProbability: new Float64Array(horizonS).fill(reuse),
      coldStartS: () => coldStartS,
      coldStartsUsed: 0,
      config,
      scenario,
      controlIntervalS: c.controlIntervalS,
    };
    assert.deepEqual(p.act(obs, c), oracle.act(obs, { ...c, future }), `predicted ${predicted}, reuse ${reuse}`);
  }
});
