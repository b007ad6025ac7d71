/**
 * `seer-linear`: a linear-regression predictive scaler (the original "Seer", done faithfully and without the
 * original's oracle input, original-system.md section 6.4). Ordinary least squares over the last 2 min of arrival
 * rates, extrapolated to now + the expected provisioning delay (AWS predictive scaling's pre-launch buffer plays this
 * role, anchors.md section 1.8), sized to a 70 % target utilization of the executors' nominal rate.
 * Configured as predictive scalers are deployed, not as a strawman: like Alibaba AHPA (anchors.md 1.8 [read]: the final
 * count is the max of the proactive and the reactive answers) the demand is max(predicted, current) rate, plus the
 * backlog drained within one control interval. Without that floor, OLS extrapolates the decay after every burst to
 * near zero and the job falls behind (measured: 15-33 % SLA violations on the quick tournament); set
 * `reactiveFloor: false` for the pure predictor.
 * The provisioning delay is measured online by Little's law (mean executors starting / mean executors added per
 * second), starting from a 30 s prior [recalled: executor pod start on Kubernetes is tens of seconds].
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { SensibleResources } from './sensible-config.ts';
import { clampExecutors, secondsToSteps, Window } from './timing.ts';

export interface SeerSettings {
  historyS: number;
  targetUtilization: number;
  priorProvisioningDelayS: number;
  /** Weight of the prior, in observed executor starts. */
  priorWeightStarts: number;
  /** AHPA-style max(proactive, reactive) plus backlog drain. */
  reactiveFloor: boolean;
}

export const SEER_SETTINGS: SeerSettings = {
  historyS: 120,
  targetUtilization: 0.7,
  priorProvisioningDelayS: 30,
  priorWeightStarts: 4,
  reactiveFloor: true,
};

/** OLS fit y = a + b x; returns the prediction at x. With fewer than 2 points, the last value (or 0). */
export function linearPredict(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return 0;
  if (n === 1) return ys[0]!;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return my + slope * (x - mx);
}

export class SeerLinearPolicy implements Policy {
  readonly id = 'seer-linear';
  private readonly resources = new SensibleResources();
  private rates: Window | null = null;
  private times: Window | null = null;
  private stepIndex = 0;
  private startingExecutorSeconds = 0;
  private executorsAdded = 0;
  private lastAllocated = -1;

  constructor(readonly settings: SeerSettings = SEER_SETTINGS) {}

  reset(_seed: number): void {
    this.resources.reset();
    this.rates = null;
    this.times = null;
    this.stepIndex = 0;
    this.startingExecutorSeconds = 0;
    this.executorsAdded = 0;
    this.lastAllocated = -1;
  }

  /** Little's law: mean time in the "starting" state = executor-seconds spent starting / executors that started. */
  provisioningDelayS(): number {
    const s = this.settings;
    return (s.priorProvisioningDelayS * s.priorWeightStarts + this.startingExecutorSeconds) / (s.priorWeightStarts + this.executorsAdded);
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    const s = this.settings;
    const snap = ctx.snapshot;
    const interval = ctx.controlIntervalS;
    this.resources.observe(snap);
    const n = secondsToSteps(s.historyS, interval);
    this.rates ??= new Window(n);
    this.times ??= new Window(n);
    const nowS = this.stepIndex * interval;
    this.stepIndex++;
    this.rates.push(snap.arrivalRateMsgsPerS);
    this.times.push(nowS);

    const allocated = snap.executorsRunning + snap.executorsStarting;
    if (this.lastAllocated >= 0) {
      this.startingExecutorSeconds += snap.executorsStarting * interval;
      this.executorsAdded += Math.max(0, allocated - this.lastAllocated);
    }
    this.lastAllocated = allocated;

    const predictedMsgsPerS = Math.max(0, linearPredict(this.times.items(), this.rates.items(), nowS + this.provisioningDelayS()));
    const demandMsgsPerS = s.reactiveFloor
      ? Math.max(predictedMsgsPerS, snap.arrivalRateMsgsPerS) + snap.backlogMsgs / interval
      : predictedMsgsPerS;
    const executors = clampExecutors(Math.ceil(demandMsgsPerS / (ctx.executorCapacityMsgsPerS * s.targetUtilization)));
    return this.resources.action(executors, ctx.currentAction);
  }
}
