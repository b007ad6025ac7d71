/**
 * Per-episode variations of a scenario's synthetic workload, for training-time domain randomization: the agent sees
 * worlds noisier, burstier, calmer, busier than the four scenarios' defaults, so that it does not learn only their
 * exact arrival statistics (real traces differ from them: the Azure code trace is on/off at minute scale, the
 * Twitter stream is smooth; see ../shared/traces/*\/SOURCE.md). Only the arrival process changes: the SLA, budget,
 * message sizes and everything on the cluster side stay the scenario's.
 */
import type { Rng } from '../core/rng.ts';
import type { ScenarioConfig } from '../core/config.ts';

export interface WorkloadVariation {
  /** Multiplies the base arrival rate (the peak cap stays). */
  baseRateScale?: number;
  /** Replaces the AR(1) log-noise's stationary sigma and per-second autocorrelation. */
  noiseSigma?: number;
  noisePhi?: number;
  /** Multiply the burst onset rate, the burst magnitude's excess over 1, and the plateau duration. */
  burstRateScale?: number;
  burstMagnitudeScale?: number;
  burstDurationScale?: number;
  /** Replace the slow cycle's period and amplitude: a short cycle makes the ramps of a fast daily pattern. */
  diurnalPeriodS?: number;
  diurnalAmplitude?: number;
}

const KEYS = ['baseRateScale', 'noiseSigma', 'noisePhi', 'burstRateScale', 'burstMagnitudeScale', 'burstDurationScale', 'diurnalPeriodS', 'diurnalAmplitude'] as const;

/** Checks a variation (unknown keys, non-finite or out-of-range values are errors naming the key). */
export function assertWorkloadVariation(v: unknown, where: string): WorkloadVariation {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} must be an object, got ${JSON.stringify(v)}`);
  for (const [key, value] of Object.entries(v)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new Error(`${where}: unknown key '${key}'; known: ${KEYS.join(', ')}`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${where}.${key} must be a finite number >= 0, got ${JSON.stringify(value)}`);
    if (key === 'noisePhi' && value > 0.9999) throw new Error(`${where}.noisePhi must be <= 0.9999, got ${value}`);
    if (key === 'baseRateScale' && value === 0) throw new Error(`${where}.baseRateScale must be > 0`);
    if (key === 'diurnalPeriodS' && value === 0) throw new Error(`${where}.diurnalPeriodS must be > 0`);
    if (key === 'diurnalAmplitude' && value > 1) throw new Error(`${where}.diurnalAmplitude must be <= 1 (the rate stays >= 0), got ${value}`);
  }
  return v as WorkloadVariation;
}

/** The scenario with the variation applied (a new object; the input is not changed). */
export function applyWorkloadVariation(s: ScenarioConfig, v: WorkloadVariation | undefined): ScenarioConfig {
  if (!v) return s;
  return {
    ...s,
    baseRateMsgsPerS: s.baseRateMsgsPerS * (v.baseRateScale ?? 1),
    noiseSigma: v.noiseSigma ?? s.noiseSigma,
    noisePhi: v.noisePhi ?? s.noisePhi,
    diurnalPeriodS: v.diurnalPeriodS ?? s.diurnalPeriodS,
    diurnalAmplitude: v.diurnalAmplitude ?? s.diurnalAmplitude,
    bursts: {
      ...s.bursts,
      ratePerHour: s.bursts.ratePerHour * (v.burstRateScale ?? 1),
      magnitudeMedian: 1 + (s.bursts.magnitudeMedian - 1) * (v.burstMagnitudeScale ?? 1),
      durationMedianS: s.bursts.durationMedianS * (v.burstDurationScale ?? 1),
    },
  };
}

/**
 * One random variation. The ranges are [assumed], chosen wide rather than fitted to any trace: rates from half to
 * 1.3x, log-noise sigma from the scenarios' 0.12 up to 1.0 (minute-scale swings of e^{+-2}), autocorrelation down
 * to 0.8 (changes within seconds), a quarter to 4x the bursts, up to twice their excess magnitude, a third to twice
 * their duration; scales are drawn log-uniformly so that halving and doubling are equally likely.
 */
export function sampleWorkloadVariation(rng: Rng): WorkloadVariation {
  const logUniform = (lo: number, hi: number): number => Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  return {
    baseRateScale: logUniform(0.5, 1.3),
    noiseSigma: rng.uniform(0.12, 1),
    noisePhi: rng.uniform(0.8, 0.98),
    burstRateScale: logUniform(0.25, 4),
    burstMagnitudeScale: logUniform(0.5, 2),
    burstDurationScale: logUniform(0.33, 2),
  };
}

/**
 * One fast cycle (docs/STATUS.md "Next" (h)): the scenarios' only slow change is a 24-hour sine that rises at most
 * 2.2 % of the base rate in ten minutes, so an agent trained on them never meets a steady ramp. A period of 30 min to
 * 4 h (log-uniform) and an amplitude of 0.3-0.7 [assumed] climb, at their steepest, 8-150 % of the base rate in ten
 * minutes, a rush hour or a shift change; the random phase (the generator's own) puts an episode anywhere on it.
 */
export function sampleRampVariation(rng: Rng): WorkloadVariation {
  return {
    diurnalPeriodS: Math.exp(rng.uniform(Math.log(1800), Math.log(14_400))),
    diurnalAmplitude: rng.uniform(0.3, 0.7),
  };
}
