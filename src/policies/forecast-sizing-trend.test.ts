import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquaresSlope } from '../core/stats.ts';
import { FORECAST_SIZING_CALM, FORECAST_SIZING_SETTINGS, ForecastSizingPolicy } from './forecast-sizing.ts';

test("leastSquaresSlope is the fitted line's rise per index: exact on a line, 0 on a constant, the textbook sum otherwise", () => {
  assert.equal(leastSquaresSlope([5, 7, 9, 11]), 2);
  assert.equal(leastSquaresSlope([3, 3, 3]), 0);
  assert.equal(leastSquaresSlope([4]), 0);
  // x = 0,1,2, y = 1,0,5: x mean 1, y mean 2; sxy = (-1)(-1) + 0 + (1)(3) = 4, sxx = 2: slope 2.
  assert.equal(leastSquaresSlope([1, 0, 5]), 2);
});

test('trendAhead: a calm rising window sizes for more executors than the flat look-ahead; a flat one for the same', () => {
  // Drives the rule with a steady ramp (calm by the detrended measure) and with a constant rate, with and without
  // trendAhead, and compares the executors asked on the last step.
  const run = (rates: number[], trendAhead: boolean): number => {
    const p = new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, undefined, { calm: { ...FORECAST_SIZING_CALM, trendAhead } });
    p.reset(1);
    let executors = 0;
    for (const [k, rate] of rates.entries()) {
      const ctx = {
        scenario: 'healthcare',
        controlIntervalS: 10,
        snapshot: { arrivalRateMsgsPerS: rate, meanMessageBytes: 0, observedReuse: 0.3, backlogMsgs: 0, executorsRunning: 4, executorsStarting: 0, memoryGb: 4, tier: 'nvme', codec: 'lz4' },
        forecast: { predictedRateMsgsPerS: rate, burstProbability: 0, horizonS: 40, gatewayId: 'g' },
      } as never;
      // The executors asked over the last 10 steps, all of them calm (the window fills after 30).
      if (k >= rates.length - 10) executors += p.act(new Float32Array(13), ctx).executors;
      else p.act(new Float32Array(13), ctx);
    }
    assert.ok(p.calmSteps > 0, 'the window was calm');
    return executors;
  };
  const ramp = Array.from({ length: 40 }, (_, i) => 750 * (i + 1));
  const flat = Array.from({ length: 40 }, () => 20_000);
  assert.ok(run(ramp, true) > run(ramp, false), `ramp: ${run(ramp, true)} vs ${run(ramp, false)}`);
  assert.equal(run(flat, true), run(flat, false));
  assert.throws(() => new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, undefined, { calm: { ...FORECAST_SIZING_CALM, trendAhead: 'yes' as never } }), /calm\.trendAhead must be a boolean/);
});
