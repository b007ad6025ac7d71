/**
 * `threshold-forecast`: the simple rule on the edge forecast, a sanity baseline for the RL agent (same inputs, no
 * learning): size for max(current rate, predicted rate) with 25 % headroom plus the backlog drained within one
 * interval, and 50 % more when the gateways' burst probability is >= 0.5. Design choices of this project, not an
 * external system.
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { SensibleResources } from './sensible-config.ts';
import { clampExecutors } from './timing.ts';

export interface ThresholdForecastSettings {
  headroom: number;
  burstProbabilityThreshold: number;
  burstExtra: number;
}

export const THRESHOLD_FORECAST_SETTINGS: ThresholdForecastSettings = { headroom: 1.25, burstProbabilityThreshold: 0.5, burstExtra: 1.5 };

export function thresholdForecastExecutors(ctx: PolicyContext, s: ThresholdForecastSettings = THRESHOLD_FORECAST_SETTINGS): number {
  const snap = ctx.snapshot;
  let rateMsgsPerS = Math.max(snap.arrivalRateMsgsPerS, ctx.forecast.predictedRateMsgsPerS) * s.headroom;
  if (ctx.forecast.burstProbability >= s.burstProbabilityThreshold) rateMsgsPerS *= s.burstExtra;
  rateMsgsPerS += snap.backlogMsgs / ctx.controlIntervalS;
  return clampExecutors(Math.ceil(rateMsgsPerS / ctx.executorCapacityMsgsPerS));
}

export class ThresholdForecastPolicy implements Policy {
  readonly id = 'threshold-forecast';
  private readonly resources = new SensibleResources();

  constructor(readonly settings: ThresholdForecastSettings = THRESHOLD_FORECAST_SETTINGS) {}

  reset(_seed: number): void {
    this.resources.reset();
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    this.resources.observe(ctx.snapshot);
    return this.resources.action(thresholdForecastExecutors(ctx, this.settings), ctx.currentAction);
  }
}
