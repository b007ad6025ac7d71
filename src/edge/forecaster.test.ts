import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { generateSyntheticSeries } from '../workload/synthetic.ts';
import { evaluateForecaster, forecastMetrics } from './accuracy.ts';
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
