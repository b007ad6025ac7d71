/**
 * `keda-lag`: KEDA's Kafka scaler (anchors.md section 1.2 [read]).
 *  - The HPA KEDA generates has an AverageValue target of lagThreshold per replica, so
 *    replicas = min(ceil(totalLag / lagThreshold), partitions, maxReplicaCount), with HPA behaviour (tolerance,
 *    300 s scale-down stabilization, max(+100 %, +4) per 15 s) on a 15 s sync.
 *  - Without allowIdleConsumers, totalLag is capped at partitions x lagThreshold.
 *  - Activation (0 <-> 1) is KEDA's own: polled every 30 s, active iff lag > activationLagThreshold; more than
 *    300 s (cooldownPeriod) after the last active poll it scales to minReplicaCount = 0, which the action space
 *    floors at 1 executor.
 * lag: the messages the next micro-batch must read = backlog + one trigger interval of arrivals (Structured
 * Streaming reads up to the latest offset at each trigger, so that is what a lag exporter sees at the poll).
 * lagThreshold, chosen as a user would: what one executor drains in 7 s at its nominal rate, i.e. each executor
 * finishes its share of a 10 s micro-batch in ~70 % of the trigger interval.
 */
import type { Action } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { HPA_DEFAULTS, HpaBehavior, type HpaBehaviorSettings } from './hpa-behavior.ts';
import { SensibleResources } from './sensible-config.ts';
import { secondsToSteps } from './timing.ts';

export interface KedaSettings extends HpaBehaviorSettings {
  /** lagThreshold = executorCapacityMsgsPerS x this many seconds. */
  lagThresholdDrainS: number;
  activationLagThreshold: number;
  partitions: number;
  pollingIntervalS: number;
  cooldownPeriodS: number;
  hpaSyncPeriodS: number;
}

export const KEDA_SETTINGS: KedaSettings = {
  ...HPA_DEFAULTS,
  lagThresholdDrainS: 7,
  activationLagThreshold: 0,
  // A topic partitioned for the largest consumer group we allow (20 executors); the cap is then never binding
  // below maxReplicas, as when a user sizes partitions properly (KEDA issues #2908/#4791 show what happens otherwise).
  partitions: 20,
  pollingIntervalS: 30,
  cooldownPeriodS: 300,
  hpaSyncPeriodS: 15,
};

/** The replica count KEDA's generated HPA wants, before tolerance and behaviour. */
export function kedaDesiredReplicas(totalLag: number, lagThreshold: number, partitions: number, maxReplicas: number): number {
  if (!(lagThreshold > 0)) throw new Error(`kedaDesiredReplicas: lagThreshold must be > 0, got ${lagThreshold}`);
  const cappedLag = Math.min(Math.max(0, totalLag), partitions * lagThreshold);
  return Math.min(Math.ceil(cappedLag / lagThreshold), partitions, maxReplicas);
}

export class KedaLagPolicy implements Policy {
  private readonly behavior: HpaBehavior;
  private readonly resources = new SensibleResources();
  private stepIndex = 0;
  private active = true;
  private lastActiveS = 0;

  constructor(
    readonly settings: KedaSettings = KEDA_SETTINGS,
    readonly id = 'keda-lag',
  ) {
    this.behavior = new HpaBehavior(settings);
  }

  reset(_seed: number): void {
    this.behavior.reset();
    this.resources.reset();
    this.stepIndex = 0;
    this.active = true;
    this.lastActiveS = 0;
  }

  act(_obs: Float32Array, ctx: PolicyContext): Action {
    const s = this.settings;
    const snap = ctx.snapshot;
    this.resources.observe(snap);
    const nowS = this.stepIndex * ctx.controlIntervalS;
    const lagThreshold = ctx.executorCapacityMsgsPerS * s.lagThresholdDrainS;
    const totalLag = snap.backlogMsgs + snap.arrivalRateMsgsPerS * ctx.controlIntervalS;
    const current = ctx.currentAction.executors;
    let executors = current;

    if (this.stepIndex % secondsToSteps(s.pollingIntervalS, ctx.controlIntervalS) === 0) {
      const isActive = totalLag > s.activationLagThreshold;
      if (isActive) this.lastActiveS = nowS;
      // Cooldown applies only to the 1 -> 0 step; activation (0 -> 1) is immediate. Upstream scales to zero once
      // lastActiveTime + cooldownPeriod is strictly before now (scale_executor.go), so a poll at exactly 300 s stays up.
      this.active = isActive || nowS - this.lastActiveS <= s.cooldownPeriodS;
    }
    if (!this.active) {
      executors = s.minReplicas; // scaled to zero, floored by the action space
    } else if (this.stepIndex % secondsToSteps(s.hpaSyncPeriodS, ctx.controlIntervalS) === 0) {
      // External metric with an AverageValue target: ratio = lag / (threshold x current), desired = ceil(lag / threshold).
      const usageRatio = Math.min(totalLag, s.partitions * lagThreshold) / (lagThreshold * current);
      const desired = this.behavior.withinTolerance(usageRatio)
        ? current
        : Math.max(s.minReplicas, kedaDesiredReplicas(totalLag, lagThreshold, s.partitions, s.maxReplicas));
      executors = this.behavior.decide(nowS, current, desired);
    }
    this.stepIndex++;
    return this.resources.action(executors, ctx.currentAction);
  }
}
