/**
 * docs/SIMULATOR.md "The oracle": the oracle sizes for the demand over [now, now + 2 intervals + the duration of its
 * next cold-start draw]. Until session 31 the exogenous series ended 96 s after an episode's last decision
 * (edgeLeadTimeS 25 + forecastHorizonS 40 + 2 intervals + 1 s) while a draw may last cluster.coldStart.maxS (120 s),
 * so in an episode's last steps a draw over 76 s clipped the oracle's window. The series now also covers the longest
 * draw; lengthening it only appends seconds, so every other policy sees the same world as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv, type FutureView } from './spark-iot-env.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { generateSyntheticSeries } from '../workload/synthetic.ts';
import { traceSeries } from '../workload/trace.ts';
import { parseTraceCsv } from '../workload/trace-formats.ts';
import type { ExogenousSeries } from '../workload/series.ts';

function windowEndAtLastDecision(coldStart: { medianS: number; minS: number; maxS: number }): { end: number; length: number } {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 5, exposeFuture: true, config: { cluster: { coldStart: { ...coldStart, sigma: 0 } } } });
  let info = env.reset({ seed: 1 }).info as unknown as SparkIotInfo;
  for (let k = 0; k < 4; k++) info = env.step([9, 3, 1, 1]).info as unknown as SparkIotInfo;
  const f = info.context.future as FutureView;
  assert.equal(f.tSeconds, 40, 'the last decision of the episode');
  return { end: f.offsetS + f.tSeconds + 2 * f.controlIntervalS + Math.ceil(f.coldStartS(f.coldStartsUsed)), length: f.arrivalsMsgs.length };
}

test('the FutureView covers the oracle\'s documented window at the last decision, up to the longest cold start', () => {
  // Every cold start lasts 100 s: at the last decision the window is now + 20 + 100 s.
  const at100 = windowEndAtLastDecision({ medianS: 100, minS: 100, maxS: 120 });
  assert.ok(at100.length >= at100.end, `series ends at index ${at100.length}, the window at ${at100.end}`);
  // Every cold start lasts the longest allowed, 300 s (above the default 120): the series grows with maxS.
  const at300 = windowEndAtLastDecision({ medianS: 300, minS: 300, maxS: 300 });
  assert.ok(at300.length >= at300.end, `series ends at index ${at300.length}, the window at ${at300.end}`);
});

function assertPrefix(short: ExogenousSeries, long: ExogenousSeries): void {
  assert.ok(long.lengthS > short.lengthS);
  for (const key of ['arrivalsMsgs', 'messageBytes', 'reuseProbability', 'burstActive', 'burstOnset'] as const) {
    assert.deepEqual(Array.from(long[key].subarray(0, short.lengthS)), Array.from(short[key]), key);
  }
}

test('a longer series only appends seconds: the synthetic and the trace series agree on the shorter one\'s seconds', () => {
  for (const name of ['smart-city', 'healthcare', 'industrial', 'balanced'] as const) {
    const scenario = DEFAULT_CONFIG.scenarios[name];
    const short = generateSyntheticSeries(2000, 60, scenario, new Rng(11).fork('world'));
    const long = generateSyntheticSeries(2055, 60, scenario, new Rng(11).fork('world'));
    assertPrefix(short, long);
  }
  // A 60 s trace (Poisson counts around interpolated rates, sizes drawn where the trace has none) and a 1 s one.
  const rows60 = Array.from({ length: 50 }, (_, i) => `${i * 60},${10 + ((i * 37) % 23)}`).join('\n');
  const rows1 = Array.from({ length: 900 }, (_, i) => `${i},${5 + ((i * 13) % 17)},${200 + (i % 7)}`).join('\n');
  for (const [text, stepS] of [[`t,rate\n${rows60}\n`, 60], [`t,rate,size\n${rows1}\n`, 1]] as const) {
    const trace = parseTraceCsv(text, 'x.csv', { traceStepS: stepS });
    const scenario = DEFAULT_CONFIG.scenarios.balanced;
    assertPrefix(traceSeries(trace, 2000, 60, scenario, new Rng(5).fork('world')), traceSeries(trace, 2055, 60, scenario, new Rng(5).fork('world')));
  }
});
