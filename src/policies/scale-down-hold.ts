/**
 * Scale-down hold for the RL agents' executor count: the count put in force is the highest the agent recommended
 * over the last `holdS` seconds (the current recommendation included), so an executor released now is one the agent
 * has not wanted for that long. Scale-ups pass at once. This is the Kubernetes HPA's scale-down stabilization (a
 * rolling max of recommendations, src/policies/hpa-behavior.ts), with a window tied to what a release risks: an
 * executor wanted again within one cold start (config cluster.coldStart.medianS, 25 s) costs a cold start's billing
 * and leaves the job short for that long, so holding it through that window is never worse by much and avoids the
 * thrash the PPO agents show on on/off load (docs/AGENT.md "Scale-down hold").
 */
import { DEFAULT_CONFIG } from '../core/config.ts';

/** The agents' default hold: one median executor cold start (src/core/config.ts cluster.coldStart). */
export const AGENT_SCALE_DOWN_HOLD_S = DEFAULT_CONFIG.cluster.coldStart.medianS;

export class ScaleDownHold {
  private recent: number[] = [];

  constructor(readonly holdS: number) {
    if (!(Number.isFinite(holdS) && holdS >= 0)) throw new Error(`ScaleDownHold: holdS must be a finite number >= 0, got ${holdS}`);
  }

  reset(): void {
    this.recent = [];
  }

  /**
   * The executor count to put in force for this decision, given the agent's recommendation and the control interval:
   * the max over the last ceil(holdS / intervalS) recommendations (1 = no hold when holdS is 0).
   */
  apply(recommendedExecutors: number, controlIntervalS: number): number {
    if (!(controlIntervalS > 0)) throw new Error(`ScaleDownHold: controlIntervalS must be > 0, got ${controlIntervalS}`);
    const keep = Math.max(1, Math.ceil(this.holdS / controlIntervalS));
    this.recent.push(recommendedExecutors);
    if (this.recent.length > keep) this.recent.splice(0, this.recent.length - keep);
    let held = recommendedExecutors;
    for (const e of this.recent) if (e > held) held = e;
    return held;
  }
}
