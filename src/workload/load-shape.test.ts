import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareShapes, describeShapeContrast, loadShape, shapeLengthS, type LoadShape } from './load-shape.ts';
import { parseTraceCsv, type Trace } from './trace.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { allocateSeries, type ExogenousSeries } from './series.ts';

/** A series with these per-second arrivals and the seconds (indices) flagged as burst onsets and as in a burst. */
function series(arrivals: number[], onsets: number[] = [], active: number[] = []): ExogenousSeries {
  const s = allocateSeries(arrivals.length, 0, 'hand-made');
  s.arrivalsMsgs.set(arrivals);
  for (const i of onsets) s.burstOnset[i] = 1;
  for (const i of active) s.burstActive[i] = 1;
  return s;
}

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

test('loadShape: figures over 2 s intervals, worked by hand; the trailing partial interval is left out', () => {
  // Intervals of 2 s: [0,0] [4,6] [10,10] [0,2], then a lone second (7) that is no whole interval.
  // Interval rates 0, 5, 10, 1 msgs/s: mean 4; deviations -4, 1, 6, -3, squares 62 / 4 = 15.5, so CV sqrt(15.5) / 4;
  // p99 of the sorted 0, 1, 5, 10 at position 0.99 * 3 = 2.97: 5 + 0.97 * (10 - 5) = 9.85; one interval of four empty.
  // Bursts over the 8 covered seconds: onsets at 2 and 4 (the one at 8 lies in the partial interval), in a burst at
  // 2-5 (and 8): 2 onsets in 8 s is 900 an hour, 4 of 8 seconds in a burst.
  const shape = loadShape(series([0, 0, 4, 6, 10, 10, 0, 2, 7], [2, 4, 8], [2, 3, 4, 5, 8]), 2);
  close(shape.meanMsgsPerS, 4, 'mean');
  close(shape.p99MsgsPerS, 9.85, 'p99');
  close(shape.peakMsgsPerS, 10, 'peak');
  close(shape.cv, Math.sqrt(15.5) / 4, 'cv');
  close(shape.emptyIntervalShare, 0.25, 'empty share');
  close(shape.burstOnsetsPerHour, 900, 'onsets per hour');
  close(shape.burstActiveShare, 0.5, 'burst share');
});

test('loadShape works at the interval given: alternating seconds are steady per 2 s and on/off per 1 s', () => {
  const onOff = series([0, 10, 0, 10, 0, 10]);
  const perInterval = loadShape(onOff, 2);
  close(perInterval.meanMsgsPerS, 5, 'mean per 2 s');
  close(perInterval.peakMsgsPerS, 5, 'peak per 2 s');
  close(perInterval.cv, 0, 'cv per 2 s');
  close(perInterval.emptyIntervalShare, 0, 'empty per 2 s');
  const perSecond = loadShape(onOff, 1);
  close(perSecond.peakMsgsPerS, 10, 'peak per 1 s');
  close(perSecond.cv, 1, 'cv per 1 s');
  close(perSecond.emptyIntervalShare, 0.5, 'empty per 1 s');
});

test('loadShape of a silent series: every interval empty, CV 0 rather than NaN', () => {
  const shape = loadShape(series(new Array<number>(20).fill(0)), 10);
  assert.deepEqual(shape, { meanMsgsPerS: 0, p99MsgsPerS: 0, peakMsgsPerS: 0, cv: 0, emptyIntervalShare: 1, burstOnsetsPerHour: 0, burstActiveShare: 0 });
});

test('loadShape refuses an interval that is not a whole number of seconds, and a series shorter than one', () => {
  assert.throws(() => loadShape(series([1, 2, 3]), 1.5), /intervalS must be a positive integer .*got 1\.5/);
  assert.throws(() => loadShape(series([1, 2, 3]), 0), /intervalS must be a positive integer/);
  assert.throws(() => loadShape(series([1, 2, 3]), 10), /the series \(3 s\) is shorter than one interval of 10 s/);
});

test('describeShapeContrast: the replay against the range of the synthetic worlds; shapeLengthS: the span in whole intervals, up to a day', () => {
  const shape = (cv: number, empty: number, bursts: number): LoadShape => ({ meanMsgsPerS: 1, p99MsgsPerS: 1, peakMsgsPerS: 1, cv, emptyIntervalShare: empty, burstOnsetsPerHour: bursts, burstActiveShare: 0 });
  const line = describeShapeContrast([
    { scenario: 'healthcare', trace: shape(1.8, 0.6, 202.6), synthetic: shape(0.61, 0, 10.5) },
    { scenario: 'industrial', trace: shape(1.81, 0.6, 202.5), synthetic: shape(0.44, 0, 6.3) },
  ], 10);
  assert.equal(line, 'load shape per 10 s interval: CV 1.80, 60 % of intervals empty, 202.6 bursts/h; the synthetic worlds the agents trained on: CV 0.44-0.61, 0 % empty, 6.3-10.5 bursts/h (edgepilot trace compares them)');
  assert.equal(describeShapeContrast([], 10), '');
  const trace = (rows: number, stepS: number): Trace => ({ name: 't', stepS, tS: Float64Array.from({ length: rows }, (_, i) => i * stepS), rate: new Float64Array(rows).fill(1), size: null, reading: 'series' });
  assert.deepEqual([shapeLengthS(trace(605, 1), 10), shapeLengthS(trace(3, 1), 10), shapeLengthS(trace(2000, 60), 10)], [600, 10, 86_400]);
});

// Rules found unpinned by a hand-made mutation audit (each test failed on a mutant).

test('loadShape: an interval with a single message is not empty', () => {
  close(loadShape(series([1, 0, 0, 0]), 2).emptyIntervalShare, 0.5, 'one of two intervals empty');
});

test('compareShapes replays the trace at its own rates when rescale is off, at the scenario\'s peak when on', () => {
  // A 1 s trace replays its counts as they are: 10 and 30 alternating, 20 msgs/s per 2 s interval.
  const trace = parseTraceCsv('t,rate\n0,10\n1,30\n', 'alt.csv');
  const [raw] = compareShapes(trace, ['balanced'], 10, 1, false, 2, DEFAULT_CONFIG);
  close(raw!.trace.meanMsgsPerS, 20, 'mean without rescaling');
  const [scaled] = compareShapes(trace, ['balanced'], 10, 1, true, 2, DEFAULT_CONFIG);
  assert.ok(scaled!.trace.peakMsgsPerS > 1000, `rescaled to the scenario's peak, got ${scaled!.trace.peakMsgsPerS}`);
});
