/**
 * The shape of a workload as a controller sees it: the arrivals summed per control interval, and the ground-truth
 * bursts of the series. `edgepilot trace` prints it for a replayed trace next to the synthetic process of the same
 * scenario, so a user can see whether a trace looks like the worlds the agents were trained on before benchmarking
 * on it.
 *
 * Per interval, not per second: the agents observe and act once per control interval, and per second the counting
 * noise of a sparse series would inflate the CV and the empty share (a second without a message is not an idle
 * interval).
 */
import { loadConfig, type SimConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import type { ExogenousSeries } from './series.ts';
import { generateSyntheticSeries } from './synthetic.ts';
import { quantile, traceSeries, traceSpanS, type Trace } from './trace.ts';

export interface LoadShape {
  /** Mean of the interval rates (msgs/s). */
  meanMsgsPerS: number;
  /** 99th percentile of the interval rates (msgs/s; linear interpolation, as the trace rescaling uses). */
  p99MsgsPerS: number;
  /** Largest interval rate (msgs/s). */
  peakMsgsPerS: number;
  /** Coefficient of variation of the interval rates: population std / mean (0 when the mean is 0). */
  cv: number;
  /** Share of intervals in which no message arrived, in [0, 1]. */
  emptyIntervalShare: number;
  /** Burst onsets (the series' burstOnset flags) per hour of the series. */
  burstOnsetsPerHour: number;
  /** Share of seconds with a burst in progress (the series' burstActive flags), in [0, 1]. */
  burstActiveShare: number;
}

/**
 * The load shape of `series` over its whole intervals of `intervalS` seconds, from index 0 (the warm-up included:
 * it is part of the world the env generates). A trailing partial interval is left out of every figure, bursts
 * included, so all of them cover the same seconds.
 */
export function loadShape(series: ExogenousSeries, intervalS: number): LoadShape {
  if (!Number.isInteger(intervalS) || intervalS < 1) throw new Error(`loadShape: intervalS must be a positive integer (the series is per second), got ${intervalS}`);
  const intervals = Math.floor(series.lengthS / intervalS);
  if (intervals < 1) throw new Error(`loadShape: the series (${series.lengthS} s) is shorter than one interval of ${intervalS} s`);
  const coveredS = intervals * intervalS;

  const ratesMsgsPerS = new Float64Array(intervals);
  let empty = 0;
  for (let k = 0; k < intervals; k++) {
    let msgs = 0;
    for (let i = k * intervalS; i < (k + 1) * intervalS; i++) msgs += series.arrivalsMsgs[i]!;
    ratesMsgsPerS[k] = msgs / intervalS;
    if (msgs === 0) empty++;
  }

  let sum = 0;
  let peak = 0;
  for (const r of ratesMsgsPerS) {
    sum += r;
    peak = Math.max(peak, r);
  }
  const mean = sum / intervals;
  // Two passes (mean, then squared deviations): no cancellation at rates of 10^4-10^5 msgs/s.
  let squares = 0;
  for (const r of ratesMsgsPerS) squares += (r - mean) * (r - mean);
  const cv = mean > 0 ? Math.sqrt(squares / intervals) / mean : 0;

  let onsets = 0;
  let activeS = 0;
  for (let i = 0; i < coveredS; i++) {
    onsets += series.burstOnset[i]! ? 1 : 0;
    activeS += series.burstActive[i]! ? 1 : 0;
  }

  return {
    meanMsgsPerS: mean,
    p99MsgsPerS: quantile(ratesMsgsPerS, 0.99),
    peakMsgsPerS: peak,
    cv,
    emptyIntervalShare: empty / intervals,
    burstOnsetsPerHour: onsets / (coveredS / 3600),
    burstActiveShare: activeS / coveredS,
  };
}

/** The longest replay compared by default: a day (a 3-week trace's shape is seen in a day). */
const DEFAULT_MAX_SHAPE_LENGTH_S = 24 * 3600;

/** The replay length a trace's shape is measured over: its span in whole intervals, at most a day, at least one. */
export function shapeLengthS(trace: Trace, intervalS: number): number {
  return Math.max(intervalS, Math.min(DEFAULT_MAX_SHAPE_LENGTH_S, Math.floor(traceSpanS(trace) / intervalS) * intervalS));
}

/** A scenario's name: a key of the config's scenarios. */
export type ShapeScenario = keyof SimConfig['scenarios'];

export interface ScenarioShapes {
  scenario: ShapeScenario;
  /** The trace replayed for the scenario (rescaled to its peak unless `rescale` is false). */
  trace: LoadShape;
  /** The scenario's synthetic process, the world the agents were trained on. */
  synthetic: LoadShape;
}

/**
 * Both worlds of each scenario over `lengthS` s from the seed's world stream, as an env reset with that seed
 * draws them (src/env/spark-iot-env.ts): the trace from the same start offset an episode of that seed replays from.
 * `edgepilot trace` prints them as a table, `bench --trace` as one line (describeShapeContrast).
 */
export function compareShapes(trace: Trace, scenarios: readonly ShapeScenario[], lengthS: number, seed: number, rescale: boolean, intervalS: number, config: SimConfig = loadConfig()): ScenarioShapes[] {
  return scenarios.map((scenario) => {
    const world = new Rng(seed).fork('world');
    const replayed = loadShape(traceSeries(trace, lengthS, 0, config.scenarios[scenario], world, { rescale }), intervalS);
    const synthetic = loadShape(generateSyntheticSeries(lengthS, 0, config.scenarios[scenario], world), intervalS);
    return { scenario, trace: replayed, synthetic };
  });
}

/**
 * One line for a bench run on a trace: the replay's CV, empty intervals and bursts against the range of the
 * synthetic worlds'. The replay's figures barely depend on the scenario (its rescaling is linear), so the first
 * scenario's stand for all; the synthetic side is given as a range over the scenarios.
 */
export function describeShapeContrast(rows: readonly ScenarioShapes[], intervalS: number): string {
  if (rows.length === 0) return '';
  const t = rows[0]!.trace;
  const range = (f: (s: LoadShape) => number, digits: number): string => {
    const values = rows.map((r) => f(r.synthetic));
    const lo = Math.min(...values).toFixed(digits);
    const hi = Math.max(...values).toFixed(digits);
    return lo === hi ? lo : `${lo}-${hi}`;
  };
  return `load shape per ${intervalS} s interval: CV ${t.cv.toFixed(2)}, ${(100 * t.emptyIntervalShare).toFixed(0)} % of intervals empty, ${t.burstOnsetsPerHour.toFixed(1)} bursts/h; ` +
    `the synthetic worlds the agents trained on: CV ${range((s) => s.cv, 2)}, ${range((s) => 100 * s.emptyIntervalShare, 0)} % empty, ${range((s) => s.burstOnsetsPerHour, 1)} bursts/h (edgepilot trace compares them)`;
}
