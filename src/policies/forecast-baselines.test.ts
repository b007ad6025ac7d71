/**
 * Mutation-audit tests for the predictive and forecast-driven baselines: seer-linear (OLS over the last 120 s,
 * extrapolated by a Little's-law provisioning delay with a 30 s prior weighted as 4 starts), threshold-forecast
 * (ceil((max(current, predicted) x 1.25 [x 1.5 if burst probability >= 0.5] + backlog / interval) / capacity)) and
 * forecast-sizing (largest message size seen; calm measured on the arrival rate). docs/BASELINES.md "Settings".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyContext } from './types.ts';
import { SeerLinearPolicy } from './seer-linear.ts';
import { thresholdForecastExecutors } from './threshold-forecast.ts';
import { FORECAST_SIZING_CALM, ForecastSizingPolicy } from './forecast-sizing.ts';
import { ctx, obs } from './test-context.ts';

function withForecast(c: PolicyContext, predictedRateMsgsPerS: number, burstProbability = 0): PolicyContext {
  return { ...c, forecast: { ...c.forecast, predictedRateMsgsPerS, burstProbability } };
}

test('threshold-forecast: ceil, max(current, predicted), burst factor from probability 0.5 on, backlog drained in one interval', () => {
  assert.equal(thresholdForecastExecutors(withForecast(ctx({ arrivalRateMsgsPerS: 168 }), 0)), 3); // 210 / 100 = 2.1 -> 3
  assert.equal(thresholdForecastExecutors(withForecast(ctx({ arrivalRateMsgsPerS: 400 }), 200)), 5); // current wins: 500 -> 5
  assert.equal(thresholdForecastExecutors(withForecast(ctx({ arrivalRateMsgsPerS: 200 }), 200, 0.5)), 4); // 375 -> 4
  assert.equal(thresholdForecastExecutors(withForecast(ctx({ arrivalRateMsgsPerS: 200 }), 200, 0.49)), 3); // 250 -> 3
  assert.equal(thresholdForecastExecutors(withForecast(ctx({ arrivalRateMsgsPerS: 200, backlogMsgs: 1000 }), 200)), 4); // 250 + 100 -> 4
});

test('seer-linear fits the last 120 s (12 steps) of arrival rates, no more and no fewer', () => {
  const p = new SeerLinearPolicy();
  p.reset(0);
  const rates = [9000, 9000, 0, 0, 0, 0, 0, 0, 700, 700, 700, 700, 700, 700];
  let executors = 0;
  for (const r of rates) executors = p.act(obs, ctx({ arrivalRateMsgsPerS: r }, 4)).executors;
  // Window: t = 20..130 s, six 0s then six 700s. OLS slope = 126000 / 14300 = 8.81 msgs/s per s around
  // (t 75 s, 350 msgs/s); at 130 + 30 s (prior delay): 350 + 8.81 x 85 = 1099 msgs/s -> ceil(1099 / 70) = 16.
  assert.equal(p.provisioningDelayS(), 30);
  assert.equal(executors, 16);
});

test("seer-linear measures the provisioning delay by Little's law: executor-seconds starting / executors started, prior 30 s x 4", () => {
  const p = new SeerLinearPolicy();
  p.reset(0);
  const observe = (running: number, starting: number) => p.act(obs, ctx({ arrivalRateMsgsPerS: 100, executorsRunning: running, executorsStarting: starting }, running + starting));
  observe(4, 0);
  observe(4, 4); // 4 executors added, starting for 10 s
  observe(4, 4); // still starting: 10 s more each
  observe(8, 0); // ready
  observe(5, 0); // 3 removed: removals are no starts
  // (30 s x 4 + 80 executor-seconds) / (4 + 4 started) = 25 s
  assert.equal(p.provisioningDelayS(), 25);
});

test('forecast-sizing sizes for the largest mean message size seen so far', () => {
  const rate = 20_000;
  const run = (bytes: number[]) => {
    const p = new ForecastSizingPolicy();
    p.reset(1);
    let a = p.act(obs, ctx({ arrivalRateMsgsPerS: rate, meanMessageBytes: bytes[0] }, 6));
    for (const b of bytes.slice(1)) a = p.act(obs, ctx({ arrivalRateMsgsPerS: rate, meanMessageBytes: b }, a.executors));
    return a;
  };
  // Smaller messages after large ones: the rule still sizes for the large ones, exactly as if they had stayed.
  assert.deepEqual(run([4000, 1000]), run([4000, 4000]));
  assert.ok(run([4000, 1000]).executors > run([1000, 1000]).executors);
});

test('forecast-sizing measures calm on the arrival rate, not on the edge forecast it sizes with', () => {
  const p = new ForecastSizingPolicy();
  p.reset(1);
  const rate = 20_000;
  for (let i = 0; i < FORECAST_SIZING_CALM.windowSteps; i++) {
    // Flat arrivals; the forecast alternates between the rate and 30 % above it.
    p.act(obs, withForecast(ctx({ arrivalRateMsgsPerS: rate }, 6), i % 2 === 0 ? rate : 1.3 * rate));
  }
  assert.equal(p.calmSteps, 1);
});
