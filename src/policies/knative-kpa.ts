/**
 * `knative-kpa`: the Knative Pod Autoscaler (knative/serving pkg/autoscaler/scaling/autoscaler.go), anchors.md
 * section 1.6 [read]: desired = ceil(observed / (per-pod target x 70 %)) averaged over a 60 s stable window; a panic
 * window of 10 % of it (6 s); panic starts when the panic-window desired count, ceil(load / target), is >= 200 % of
 * the ready pods, pods are never decreased in panic, and panic ends after a full stable window with no reason to
 * panic. Scale-down is limited to 2x per tick (max-scale-down-rate), scale-up to 1000x.
 * Mapping: the per-pod target is the executor's nominal msgs/s (an RPS target); the observed load is the arrival
 * rate plus the queued messages spread over one control interval (queued requests count, as queue-proxy
 * concurrency does). The 6 s panic window is shorter than a control step, so it is the latest step.
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { SensibleResources } from './sensible-config.ts';
import { clampExecutors, secondsToSteps, Window } from './timing.ts';

export interface KpaSettings {
  targetUtilization: number;
  stableWindowS: number;
  panicWindowPercentage: number;
  panicThresholdPercentage: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  minScale: number;
  maxScale: number;
}

export const KPA_SETTINGS: KpaSettings = {
  targetUtilization: 0.7,
  stableWindowS: 60,
  panicWindowPercentage: 10,
  panicThresholdPercentage: 200,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  minScale: 1,
  maxScale: 20,
};

export class KnativeKpaPolicy implements Policy {
  readonly id = 'knative-kpa';
  private readonly resources = new SensibleResources();
  private stable: Window | null = null;
  private panic: Window | null = null;
  private stepIndex = 0;
  /** Time panic mode was (re)entered; null when not panicking. */
  private panicTimeS: number | null = null;
  private maxPanicPods = 0;

  constructor(readonly settings: KpaSettings = KPA_SETTINGS) {}

  reset(_seed: number): void {
    this.resources.reset();
    this.stable = null;
    this.panic = null;
    this.stepIndex = 0;
    this.panicTimeS = null;
    this.maxPanicPods = 0;
  }

  get inPanic(): boolean {
    return this.panicTimeS !== null;
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    const s = this.settings;
    const snap = ctx.snapshot;
    this.resources.observe(snap);
    const interval = ctx.controlIntervalS;
    const nowS = this.stepIndex * interval;
    this.stepIndex++;
    this.stable ??= new Window(secondsToSteps(s.stableWindowS, interval));
    this.panic ??= new Window(secondsToSteps((s.stableWindowS * s.panicWindowPercentage) / 100, interval));
    const observedMsgsPerS = snap.arrivalRateMsgsPerS + snap.backlogMsgs / interval;
    this.stable.push(observedMsgsPerS);
    this.panic.push(observedMsgsPerS);

    const perPodTarget = ctx.executorCapacityMsgsPerS * s.targetUtilization;
    const readyPods = Math.max(1, snap.executorsRunning);
    const maxUp = Math.ceil(s.maxScaleUpRate * readyPods);
    const maxDown = Math.floor(readyPods / s.maxScaleDownRate);
    const clampRate = (n: number): number => Math.min(maxUp, Math.max(maxDown, n));
    const desiredStable = clampRate(Math.ceil(this.stable.mean() / perPodTarget));
    const panicPods = Math.ceil(this.panic.mean() / perPodTarget);
    const desiredPanic = clampRate(panicPods);
    // Upstream compares the rounded-up panic pod count (dppc), not the raw load, with the ready pods.
    const overPanicThreshold = panicPods / readyPods >= s.panicThresholdPercentage / 100;

    if (overPanicThreshold) {
      this.panicTimeS = nowS; // enter or extend panic
    } else if (this.panicTimeS !== null && this.panicTimeS + s.stableWindowS < nowS) {
      this.panicTimeS = null;
      this.maxPanicPods = 0;
    }

    let desired = desiredStable;
    if (this.panicTimeS !== null) {
      // In panic: the larger of the stable and panic counts, and never below what panic already asked for.
      desired = Math.max(desiredStable, desiredPanic, this.maxPanicPods);
      this.maxPanicPods = desired;
    }
    return this.resources.action(clampExecutors(desired, s.minScale, s.maxScale), ctx.currentAction);
  }
}
