import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { generateSyntheticSeries } from '../workload/synthetic.ts';
import { detectionMetrics, evaluateForecaster, forecastMetrics } from './accuracy.ts';
import { Forecaster } from './forecaster.ts';

test("Holt's trend extrapolates a linear ramp to the cloud horizon", () => {
  const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  for (let t = 0; t < 400; t++) f.observe(t, 1000 + 10 * t);
  // Newest device second 399 reaches the cloud 25 s later; the forecast is 15 s past it.
  assert.ok(Math.abs(f.predictedRate() - (1000 + 10 * (399 + 15))) < 1, `${f.predictedRate()}`);
  assert.ok(f.burstProbability() < 0.5, 'a steady ramp is not a burst');
});

test('a step burst raises the alarm within seconds and it clears after the burst', () => {
  const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  for (let t = 0; t < 300; t++) f.observe(t, 1000);
  assert.equal(f.alarm(), false);
  let detectedAt = -1;
  for (let t = 300; t < 360; t++) {
    f.observe(t, 3000);
    if (detectedAt < 0 && f.alarm()) detectedAt = t;
  }
  assert.ok(detectedAt >= 300 && detectedAt <= 305, `detected at ${detectedAt}`);
  assert.ok(f.burstProbability() > 0.5);
  for (let t = 360; t < 420; t++) f.observe(t, 1000);
  assert.equal(f.alarm(), false);
});

test('the forecast is computed only from the past: changing the future leaves it unchanged', () => {
  const rng = new Rng(5);
  const series = Array.from({ length: 600 }, () => rng.uniform(900, 1100));
  const run = (s: number[]) => {
    const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
    for (let t = 0; t <= 400; t++) f.observe(t, s[t]!);
    return f.forecast();
  };
  const a = run(series);
  const changed = series.slice();
  for (let t = 401; t < 600; t++) changed[t] = 50_000;
  assert.deepEqual(run(changed), a);
});

test('the forecast is not the future: error > 0 on bursty input, with useful burst detection', () => {
  const scenario = DEFAULT_CONFIG.scenarios.healthcare;
  const series = generateSyntheticSeries(6000, 300, scenario, new Rng(11));
  const acc = evaluateForecaster(series.arrivalsMsgs, series.burstOnset, { leadTimeS: 25, horizonS: 40 }, 300, 5900);
  assert.ok(acc.onsets > 0, 'the trace has bursts');
  assert.ok(acc.mapePct > 1, `MAPE ${acc.mapePct}`);
  assert.ok(acc.burstRecall > 0.5, `recall ${acc.burstRecall}`);
  assert.ok(acc.burstPrecision > 0.5, `precision ${acc.burstPrecision}`);
  assert.ok(acc.meanLeadTimeS > 0, 'edge detections come before the onset reaches the cloud');
});

test('forecastMetrics golden values', () => {
  const m = forecastMetrics([110, 90, 0], [100, 100, 0], [95, 300], [100, 200], { maxEarlyS: 25, maxLateS: 30 });
  assert.ok(Math.abs(m.mapePct - 10) < 1e-9);
  assert.equal(m.burstPrecision, 0.5);
  assert.equal(m.burstRecall, 0.5);
  assert.equal(m.meanLeadTimeS, 5);
});

test('bad observations are rejected', () => {
  const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  assert.throws(() => f.observe(0, Number.NaN), /rate must be a finite number/);
  f.observe(1, 5);
  assert.throws(() => f.observe(1, 5), /time must increase/);
});

// Mutation audit (src/edge, src/control): behaviours the tests above left unchecked.

test("Holt's level moves alpha = 0.3 of the way to a new rate and the trend beta = 0.05 of the level's move", () => {
  const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  f.observe(0, 1000);
  assert.equal(f.predictedRate(), 1000, 'the first second is the level');
  f.observe(1, 2000);
  // level = 0.3 * 2000 + 0.7 * 1000 = 1300; trend = 0.05 * 300 = 15; 15 s past the newest device second: 1300 + 15 * 15.
  assert.ok(Math.abs(f.predictedRate() - 1525) < 1e-9, `${f.predictedRate()}`);
});

test('given settings override the defaults, and the forecast carries its horizon and gateway', () => {
  const f = new Forecaster({ leadTimeS: 10, horizonS: 30, levelAlpha: 1, trendBeta: 0, gatewayId: 'gw-9' });
  f.observe(0, 100);
  f.observe(1, 105);
  assert.deepEqual(f.forecast(), { predictedRateMsgsPerS: 105, burstProbability: 0, horizonS: 30, gatewayId: 'gw-9' });
});

test('reset() forgets everything: the forecaster then behaves as a new one', () => {
  const feed = (f: Forecaster) => {
    for (let t = 0; t < 100; t++) f.observe(t, t < 60 ? 1000 : 4000);
    return f.forecast();
  };
  const used = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  feed(used);
  assert.ok(used.alarm(), 'the test needs a forecaster in alarm before the reset');
  used.reset();
  assert.equal(used.burstProbability(), 0);
  assert.deepEqual(feed(used), feed(new Forecaster({ leadTimeS: 25, horizonS: 40 })));
});

test('a doubling of the rate is a burst (k = 2 sd of the log rate is ~20 % above the baseline)', () => {
  const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  for (let t = 0; t < 300; t++) f.observe(t, 1000);
  let detectedAt = -1;
  for (let t = 300; t < 320 && detectedAt < 0; t++) {
    f.observe(t, 2000);
    if (f.alarm()) detectedAt = t;
  }
  assert.ok(detectedAt >= 300 && detectedAt <= 304, `detected at ${detectedAt}`);
});

test('the burst detector works on the log rate: +-10 % noise is no burst at 10 msgs/s nor at 10,000 msgs/s', () => {
  for (const base of [10, 10_000]) {
    const rng = new Rng(3);
    const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
    let alarms = 0;
    for (let t = 0; t < 600; t++) {
      f.observe(t, base * rng.uniform(0.9, 1.1));
      if (f.alarm()) alarms++;
    }
    assert.equal(alarms, 0, `base ${base} msgs/s`);
  }
});

test('a sustained burst keeps the alarm on while it lasts: the baseline learns 10x slower during an alarm', () => {
  const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  for (let t = 0; t < 300; t++) f.observe(t, 1000);
  for (let t = 300; t < 305; t++) f.observe(t, 3000);
  assert.ok(f.alarm(), 'alarm 5 s into the burst');
  for (let t = 305; t < 540; t++) {
    f.observe(t, 3000);
    assert.ok(f.alarm(), `the alarm dropped at t = ${t}, ${t - 300} s into the burst`);
  }
});

test('a silent second (rate 0) is an observation, and a falling rate never forecasts below 0 msgs/s', () => {
  const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
  for (let t = 0; t < 60; t++) f.observe(t, 1000);
  // Traffic stops: Holt's trend turns steeply negative, level + trend x 15 s would be below 0.
  for (let t = 60; t < 66; t++) f.observe(t, 0);
  assert.equal(f.predictedRate(), 0);
  assert.equal(f.forecast().predictedRateMsgsPerS, 0);
});

test('a detection counts from maxEarlyS before to maxLateS after an onset, both edges included; lead = onset - detection', () => {
  const match = { maxEarlyS: 30, maxLateS: 30 };
  const edges = detectionMetrics([70, 130, 500], [100], match);
  assert.equal(edges.burstRecall, 1);
  assert.ok(Math.abs(edges.burstPrecision - 2 / 3) < 1e-12, 'two of three detections are in the window');
  assert.equal(edges.meanLeadTimeS, 30, 'the first detection, 30 s ahead of the onset');
  const late = detectionMetrics([131], [100], match);
  assert.equal(late.burstRecall, 0);
  assert.equal(late.burstPrecision, 0);
  const justInTime = detectionMetrics([130], [100], match);
  assert.equal(justInTime.burstRecall, 1);
  assert.equal(justInTime.meanLeadTimeS, -30, 'a detection after the onset has a negative lead');
  const early = detectionMetrics([69], [100], match);
  assert.equal(early.burstRecall, 0);
});

/** Cloud-side arrivals: 1000 msgs/s with a 3x burst from `riseS` for 60 s; its ground-truth onset is labelled at `onsetS`. */
function burstSeries(riseS: number, onsetS: number, length = 1200) {
  const arrivals = new Float64Array(length).fill(1000);
  for (let t = riseS; t < riseS + 60; t++) arrivals[t] = 3000;
  const onset = new Uint8Array(length);
  onset[onsetS] = 1;
  return { arrivals, onset };
}

test('evaluateForecaster: the gateways see a burst lead seconds before the cloud; one detection per alarm, counted up to lead + 5 s early', () => {
  // The rate rises 3 s before the labelled onset: the gateways (25 s ahead) alarm ~27 s before the onset reaches the cloud.
  const { arrivals, onset } = burstSeries(797, 800);
  const acc = evaluateForecaster(arrivals, onset, { leadTimeS: 25, horizonS: 40 }, 300, 1100);
  assert.equal(acc.onsets, 1);
  assert.equal(acc.detections, 1, 'an alarm that stays on is one detection');
  assert.equal(acc.burstRecall, 1);
  assert.equal(acc.burstPrecision, 1);
  assert.ok(acc.meanLeadTimeS > 25 && acc.meanLeadTimeS <= 30, `lead ${acc.meanLeadTimeS} s`);
});

test('evaluateForecaster scores the forecast against the arrivals horizonS ahead: a linear ramp is forecast exactly', () => {
  const arrivals = Float64Array.from({ length: 2000 }, (_, i) => 1000 + 10 * i);
  const acc = evaluateForecaster(arrivals, new Uint8Array(2000), { leadTimeS: 25, horizonS: 40 }, 1200, 1900);
  assert.ok(acc.mapePct < 0.01, `MAPE ${acc.mapePct} %`);
});
