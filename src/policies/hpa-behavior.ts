/**
 * The Kubernetes HPA controller's decision step, shared by `dexter-hpa` and by KEDA (which generates an HPA).
 * Ported from kubernetes/pkg/controller/podautoscaler (anchors.md section 1.1 [read] for every default):
 *  - tolerance band: no change while |ratio - 1| <= 0.1,
 *  - scale-down stabilization: the highest recommendation of the last 300 s (a rolling max),
 *  - scale-up stabilization 0 s, scale-up limit max(+100 %, +4 pods) per 15 s period (selectPolicy Max),
 *  - scale-down limit 100 % per 15 s.
 * Times are in seconds of the policy's own clock; the caller decides when a sync happens.
 */

export interface HpaBehaviorSettings {
  minReplicas: number;
  maxReplicas: number;
  /** Cluster-wide --horizontal-pod-autoscaler-tolerance. */
  tolerance: number;
  scaleDownStabilizationS: number;
  scaleUpStabilizationS: number;
  scaleUpPercent: number;
  scaleUpPods: number;
  scaleUpPeriodS: number;
  scaleDownPercent: number;
  scaleDownPeriodS: number;
}

export const HPA_DEFAULTS: HpaBehaviorSettings = {
  minReplicas: 1,
  maxReplicas: 20,
  tolerance: 0.1,
  scaleDownStabilizationS: 300,
  scaleUpStabilizationS: 0,
  scaleUpPercent: 100,
  scaleUpPods: 4,
  scaleUpPeriodS: 15,
  scaleDownPercent: 100,
  scaleDownPeriodS: 15,
};

interface TimedValue {
  tS: number;
  value: number;
}

export class HpaBehavior {
  private recommendations: TimedValue[] = [];
  /** Replica changes this controller made (for the per-period rate limits). */
  private scaleEvents: TimedValue[] = [];

  constructor(readonly settings: HpaBehaviorSettings = HPA_DEFAULTS) {}

  reset(): void {
    this.recommendations = [];
    this.scaleEvents = [];
  }

  /** True when the ratio is inside the tolerance band (no action). */
  withinTolerance(usageRatio: number): boolean {
    return Math.abs(usageRatio - 1) <= this.settings.tolerance;
  }

  /**
   * From the raw desired count (after the tolerance check) to the replicas to set now:
   * stabilization (stabilizeRecommendationWithBehaviors), then rate limits (convertDesiredReplicasWithBehaviorRate).
   */
  decide(nowS: number, currentReplicas: number, desiredReplicas: number): number {
    const s = this.settings;
    // Stabilization: up = min of recent recommendations (window 0 s -> this one), down = max over the last 300 s.
    let upRecommendation = desiredReplicas;
    let downRecommendation = desiredReplicas;
    for (const r of this.recommendations) {
      if (r.tS > nowS - s.scaleUpStabilizationS) upRecommendation = Math.min(upRecommendation, r.value);
      if (r.tS > nowS - s.scaleDownStabilizationS) downRecommendation = Math.max(downRecommendation, r.value);
    }
    this.recommendations.push({ tS: nowS, value: desiredReplicas });
    const horizonS = Math.max(s.scaleDownStabilizationS, s.scaleUpStabilizationS, s.scaleUpPeriodS, s.scaleDownPeriodS);
    this.recommendations = this.recommendations.filter((r) => r.tS > nowS - horizonS);
    let stabilized = currentReplicas;
    if (stabilized < upRecommendation) stabilized = upRecommendation;
    if (stabilized > downRecommendation) stabilized = downRecommendation;

    // Rate limits, relative to the replica count at the start of each period.
    let next = stabilized;
    if (stabilized > currentReplicas) {
      const addedInPeriod = this.sumEvents(nowS, s.scaleUpPeriodS, 1);
      const periodStart = currentReplicas - addedInPeriod;
      const limit = Math.max(Math.ceil(periodStart * (1 + s.scaleUpPercent / 100)), periodStart + s.scaleUpPods);
      next = Math.min(stabilized, limit, s.maxReplicas);
    } else if (stabilized < currentReplicas) {
      const removedInPeriod = this.sumEvents(nowS, s.scaleDownPeriodS, -1);
      const periodStart = currentReplicas + removedInPeriod;
      const limit = Math.ceil(periodStart * (1 - s.scaleDownPercent / 100));
      next = Math.max(stabilized, limit, s.minReplicas);
    }
    next = Math.min(s.maxReplicas, Math.max(s.minReplicas, next));
    if (next !== currentReplicas) this.scaleEvents.push({ tS: nowS, value: next - currentReplicas });
    this.scaleEvents = this.scaleEvents.filter((e) => e.tS > nowS - horizonS);
    return next;
  }

  /** Replicas added (sign 1) or removed (sign -1) within the last `periodS`. */
  private sumEvents(nowS: number, periodS: number, sign: 1 | -1): number {
    let total = 0;
    for (const e of this.scaleEvents) if (e.tS > nowS - periodS && Math.sign(e.value) === sign) total += Math.abs(e.value);
    return total;
  }
}
