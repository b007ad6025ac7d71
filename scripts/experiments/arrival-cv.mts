/**
 * How calm is the load? The arrival rate's coefficient of variation over sliding windows of control intervals (the
 * window `forecast-sizing` uses to detect calm load, src/policies/forecast-sizing.ts FORECAST_SIZING_CALM), as
 * quantiles over every window of every run, per world and scenario: the synthetic worlds (where the agents train)
 * and the development traces (scripts/experiments/dev-worlds.ts). The calm threshold 0.05 is about the synthetic
 * worlds' 1st percentile (docs/AGENT.md "Calm load").
 * `--measure detrended` measures the variation around each window's least-squares line instead (a ramp is calm).
 * Run: node --import tsx scripts/experiments/arrival-cv.mts [--seeds 20] [--seed-base 40000] [--window 30] [--measure cv|detrended] [--below 0.05]
 */
import './stdout-pipe.ts';
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS } from '../../src/env/spark-iot-types.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { ForecastSizingPolicy } from '../../src/policies/forecast-sizing.ts';
import { coefficientOfVariation, detrendedCoefficientOfVariation } from '../../src/core/stats.ts';
import { DEV_STEPS, devWorlds } from './dev-worlds.ts';
import { flag } from './flag.ts';

const seeds = Number(flag('--seeds', '20'));
const seedBase = Number(flag('--seed-base', '40000'));
const windowSteps = Number(flag('--window', '30'));
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
if (!(Number.isInteger(windowSteps) && windowSteps >= 2)) throw new Error(`--window must be an integer >= 2, got ${windowSteps}`);
const measure = flag('--measure', 'cv');
if (measure !== 'cv' && measure !== 'detrended') throw new Error(`--measure must be cv or detrended, got '${measure}'`);
const variation = measure === 'detrended' ? detrendedCoefficientOfVariation : coefficientOfVariation;
const below = Number(flag('--below', '0.05'));

/** CV of each full window of `rates` (a window with no arrivals counts as not calm: Infinity, sorted last). */
function windowCvs(rates: number[]): number[] {
  const out: number[] = [];
  for (let t = windowSteps; t <= rates.length; t++) {
    const cv = variation(rates.slice(t - windowSteps, t));
    out.push(Number.isNaN(cv) ? Infinity : cv);
  }
  return out;
}

const quantiles = [0, 0.001, 0.01, 0.05, 0.25, 0.5];
process.stdout.write(`arrival-rate ${measure === 'cv' ? 'CV' : 'CV around the least-squares line'} over ${windowSteps}-interval windows, ${seeds} runs from seed ${seedBase} x ${DEV_STEPS} steps (forecast-sizing drives the cluster; the arrivals do not depend on it)\n`);
process.stdout.write(`world scenario: ${quantiles.map((q) => `p${100 * q}`).join(' ')} | share of windows below ${below}\n`);
for (const [name, trace] of devWorlds()) {
  for (const scenario of SCENARIOS) {
    const cvs: number[] = [];
    for (let i = 0; i < seeds; i++) {
      const env = new SparkIotEnv({ scenario, maxSteps: DEV_STEPS, ...(trace ? { trace } : {}) });
      cvs.push(...windowCvs(runEpisode(env, new ForecastSizingPolicy(), 'forecast-sizing', seedBase + i, DEV_STEPS).map((r) => r.arrivalRateMsgsPerS)));
    }
    cvs.sort((a, b) => a - b);
    const at = (q: number): string => cvs[Math.min(cvs.length - 1, Math.floor(q * cvs.length))]!.toFixed(3);
    const share = cvs.filter((c) => c < below).length / cvs.length;
    process.stdout.write(`${name} ${scenario}: ${quantiles.map(at).join(' ')} | ${(100 * share).toFixed(1)} %\n`);
  }
}
