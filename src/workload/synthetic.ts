/**
 * The synthetic arrival process of a scenario:
 *   rate(t) = min(peak, base * (1 + amp * sin(2 pi (t + phase) / period)) * exp(x_t) * burst(t))
 * with x an AR(1) process in log space, burst(t) = 1 + (m - 1) * envelope(t) for Poisson burst onsets (linear ramp up,
 * log-normal plateau, linear ramp down, log-normal magnitude m), and Poisson message counts around the rate.
 * Every part draws from its own fork of the episode seed, so no part shifts another's draws.
 */
import type { Rng } from '../core/rng.ts';
import type { ScenarioConfig } from '../core/config.ts';
import { allocateSeries, type ExogenousSeries } from './series.ts';
import { fillReuse } from './temperature.ts';

/** Burst envelope in [0, 1] per second plus onset flags; returns the envelope and the magnitudes per second. */
export interface BurstArrays {
  envelope: Float64Array;
  multiplier: Float64Array;
  onset: Uint8Array;
}

export function generateBursts(lengthS: number, bursts: ScenarioConfig['bursts'], rng: Rng, scratch?: BurstArrays): BurstArrays {
  const reuse = scratch && scratch.envelope.length === lengthS;
  const envelope = reuse ? scratch.envelope.fill(0) : new Float64Array(lengthS);
  const multiplier = reuse ? scratch.multiplier.fill(1) : new Float64Array(lengthS).fill(1);
  const onset = reuse ? scratch.onset.fill(0) : new Uint8Array(lengthS);
  if (bursts.ratePerHour <= 0) return { envelope, multiplier, onset };
  const meanGapS = 3600 / bursts.ratePerHour;
  // Start before 0 so that a burst may already be under way at the first second.
  let start = -bursts.durationMedianS + rng.exponential(meanGapS);
  while (start < lengthS) {
    const magnitude = Math.max(1, rng.logNormal(bursts.magnitudeMedian, bursts.magnitudeSigma));
    const plateauS = rng.logNormal(bursts.durationMedianS, bursts.durationSigma);
    const ramp = Math.max(1, bursts.rampS);
    const s0 = Math.floor(start);
    const end = s0 + 2 * ramp + plateauS;
    if (s0 >= 0) onset[s0] = 1;
    for (let i = Math.max(0, s0); i < Math.min(lengthS, Math.ceil(end)); i++) {
      const age = i - s0;
      const env = age < ramp ? (age + 1) / ramp : age < ramp + plateauS ? 1 : Math.max(0, (end - i) / ramp);
      if (env > envelope[i]!) envelope[i] = env;
      const mult = 1 + (magnitude - 1) * env;
      if (mult > multiplier[i]!) multiplier[i] = mult;
    }
    start += (end - start) + rng.exponential(meanGapS); // no overlap: the next gap starts after this burst
  }
  return { envelope, multiplier, onset };
}

/**
 * Zero-mean, unit-variance noise from one uniform draw. The AR(1) processes sum many of them, so their stationary
 * distribution is close to normal; it costs a fraction of a Box-Muller normal (the generator runs per episode).
 */
export function unitNoise(rng: Rng): number {
  return (rng.next() - 0.5) * 3.4641016151377544; // sqrt(12)
}

let scratchBursts: BurstArrays | undefined;

/** `previous`: a series whose arrays may be overwritten (the env passes its last episode's series). */
export function generateSyntheticSeries(lengthS: number, offsetS: number, scenario: ScenarioConfig, rng: Rng, previous?: ExogenousSeries | null): ExogenousSeries {
  const series = allocateSeries(lengthS, offsetS, '', previous);
  const bursts = generateBursts(lengthS, scenario.bursts, rng.fork('bursts'), scratchBursts);
  scratchBursts = bursts;
  const { envelope, multiplier, onset } = bursts;

  const noise = rng.fork('arrival-noise');
  const counts = rng.fork('arrival-counts');
  const sizes = rng.fork('message-sizes');
  const phaseS = rng.fork('diurnal-phase').uniform(0, scenario.diurnalPeriodS);
  const phi = scenario.noisePhi;
  const innovation = scenario.noiseSigma * Math.sqrt(1 - phi * phi);
  // exp(x) has mean exp(sigma^2 / 2); divide it out so the base rate is the mean.
  const logNoiseMean = (scenario.noiseSigma * scenario.noiseSigma) / 2;
  let x = noise.normal(0, scenario.noiseSigma);
  for (let i = 0; i < lengthS; i++) {
    x = phi * x + innovation * unitNoise(noise);
    const diurnal = 1 + scenario.diurnalAmplitude * Math.sin((2 * Math.PI * (i + phaseS)) / scenario.diurnalPeriodS);
    const rate = Math.min(scenario.peakRateMsgsPerS, scenario.baseRateMsgsPerS * diurnal * Math.exp(x - logNoiseMean) * multiplier[i]!);
    series.arrivalsMsgs[i] = Math.min(scenario.peakRateMsgsPerS, counts.poisson(rate));
    series.messageBytes[i] = scenario.messageBytes * Math.exp(scenario.messageBytesSigma * unitNoise(sizes) - (scenario.messageBytesSigma * scenario.messageBytesSigma) / 2);
    series.burstActive[i] = envelope[i]! > 0 ? 1 : 0;
    series.burstOnset[i] = onset[i]!;
  }
  fillReuse(series.reuseProbability, envelope, scenario, rng.fork('reuse'));
  return series;
}
