/**
 * `dexter-hpa`: a real Kubernetes HPA on CPU utilization (the original "Dexter" reactive scaler, done faithfully).
 * desired = ceil(ready x cpu / target) with the HPA's 10 % tolerance, not-ready (starting) executors counted at 0 %
 * when scaling up, then HPA behaviour (300 s scale-down stabilization, max(+100 %, +4) per 15 s); sync every 15 s.
 * Sources: anchors.md section 1.1 [read]. The 70 % CPU target is a common choice [recalled; the k8s walkthrough uses 50 %].
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { HPA_DEFAULTS, HpaBehavior, type HpaBehaviorSettings } from './hpa-behavior.ts';
import { SensibleResources } from './sensible-config.ts';
import { secondsToSteps } from './timing.ts';

export interface HpaSettings extends HpaBehaviorSettings {
  targetCpuUtilization: number;
  /** --horizontal-pod-autoscaler-sync-period. */
  syncPeriodS: number;
}

export const HPA_SETTINGS: HpaSettings = { ...HPA_DEFAULTS, targetCpuUtilization: 0.7, syncPeriodS: 15 };

/**
 * The HPA's replica calculation for a resource-utilization metric (replica_calculator.go GetResourceReplicas),
 * with no missing metrics. Returns the current count when no change is warranted.
 */
export function hpaCpuDesiredReplicas(
  currentReplicas: number,
  readyPods: number,
  notReadyPods: number,
  cpuUtilization: number,
  targetCpuUtilization: number,
  tolerance: number,
): number {
  if (readyPods <= 0) return currentReplicas; // no metrics at all: the HPA skips the sync
  const usageRatio = cpuUtilization / targetCpuUtilization;
  const scalingUp = usageRatio > 1;
  if (!scalingUp || notReadyPods === 0) {
    // Not-ready pods are ignored (left out of the average and of the count) unless scaling up.
    if (Math.abs(usageRatio - 1) <= tolerance) return currentReplicas;
    return Math.ceil(usageRatio * readyPods);
  }
  // Scaling up with not-ready pods: count them at 0 % and recompute; do nothing if that flips or lands in tolerance.
  const total = readyPods + notReadyPods;
  const newUsageRatio = (cpuUtilization * readyPods) / (targetCpuUtilization * total);
  if (Math.abs(newUsageRatio - 1) <= tolerance || newUsageRatio < 1) return currentReplicas;
  return Math.ceil(newUsageRatio * total);
}

export class DexterHpaPolicy implements Policy {
  private readonly behavior: HpaBehavior;
  private readonly resources = new SensibleResources();
  private stepIndex = 0;

  constructor(
    readonly settings: HpaSettings = HPA_SETTINGS,
    readonly id = 'dexter-hpa',
  ) {
    this.behavior = new HpaBehavior(settings);
  }

  reset(_seed: number): void {
    this.behavior.reset();
    this.resources.reset();
    this.stepIndex = 0;
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    const snap = ctx.snapshot;
    this.resources.observe(snap);
    const current = ctx.currentAction.executors;
    const syncEvery = secondsToSteps(this.settings.syncPeriodS, ctx.controlIntervalS);
    let executors = current;
    if (this.stepIndex % syncEvery === 0) {
      const nowS = this.stepIndex * ctx.controlIntervalS;
      const desired = hpaCpuDesiredReplicas(
        current,
        snap.executorsRunning,
        snap.executorsStarting,
        snap.cpuUtilization,
        this.settings.targetCpuUtilization,
        this.settings.tolerance,
      );
      executors = this.behavior.decide(nowS, current, desired);
    }
    this.stepIndex++;
    return this.resources.action(executors, ctx.currentAction);
  }
}
