/**
 * How every baseline chooses memory, shuffle tier and codec, so that no baseline is a strawman on the knobs it does
 * not scale (the original thesis locked its baselines to 4 GB; original-system.md section 6.4).
 *
 * - Memory is sized like a Kubernetes VPA would: from the observed working set per executor
 *   (memoryUtilization x memoryPerExecutorGb), target = P90 of the history x 1.15 safety margin
 *   ([recalled] VPA recommender defaults: target = 90th percentile of memory usage, 15 % margin; its history is days
 *   long, here the run so far). It is raised at once when the recommendation exceeds the current size (spilling is
 *   expensive) and lowered only when at least 2 GB would be saved (VPA's updater evicts only outside its
 *   lower/upper bounds; the 2 GB band is our simplification of that hysteresis).
 * - Tier and codec are Spark's defaults: shuffle on local disk (nvme) and spark.io.compression.codec = lz4
 *   (anchors.md section 4, Spark defaults [read]). A cold tier is only worth it with zstd (anchors.md section 4).
 */
import type { Action, Codec, SystemSnapshot, Tier } from '../core/types.ts';
import { MAX_MEMORY_GB } from '../core/action.ts';
import { RunningPercentile } from '../core/running-percentile.ts';

export interface SensibleConfigSettings {
  /** Percentile of the working-set history the memory size covers (VPA: 0.9). */
  memoryPercentile: number;
  /** Safety margin over that percentile (VPA: 0.15). */
  memoryMargin: number;
  /** Lower memory only when it saves at least this much (GB). */
  memoryDownBandGb: number;
  tier: Tier;
  codec: Codec;
}

export const SENSIBLE_DEFAULTS: SensibleConfigSettings = {
  memoryPercentile: 0.9,
  memoryMargin: 0.15,
  memoryDownBandGb: 2,
  tier: 'nvme',
  codec: 'lz4',
};

/** VPA-like memory recommender plus Spark's shuffle defaults; one instance per policy run. */
export class SensibleResources {
  /** The working-set history's percentile, kept as values arrive (a sort per step made long runs quadratic). */
  private readonly workingSetsGb: RunningPercentile;

  constructor(readonly settings: SensibleConfigSettings = SENSIBLE_DEFAULTS) {
    this.workingSetsGb = new RunningPercentile(settings.memoryPercentile);
  }

  reset(): void {
    this.workingSetsGb.reset();
  }

  /** Record the working set per executor seen in this snapshot (skipped when nothing was serving). */
  observe(snapshot: SystemSnapshot): void {
    if (snapshot.executorsRunning <= 0 || !(snapshot.memoryUtilization > 0)) return;
    this.workingSetsGb.add(snapshot.memoryUtilization * snapshot.memoryPerExecutorGb);
  }

  /** Memory per executor (GB, integer 1-8) to request, given what is in force now. */
  memoryGb(currentGb: number): number {
    if (this.workingSetsGb.count === 0) return currentGb;
    const recommendedGb = Math.min(MAX_MEMORY_GB, Math.max(1, Math.ceil(this.workingSetsGb.value() * (1 + this.settings.memoryMargin))));
    if (recommendedGb > currentGb) return recommendedGb;
    if (currentGb - recommendedGb >= this.settings.memoryDownBandGb) return recommendedGb;
    return currentGb;
  }

  /** The full action for a chosen executor count. */
  action(executors: number, currentAction: Action): Action {
    return { executors, memoryGb: this.memoryGb(currentAction.memoryGb), tier: this.settings.tier, codec: this.settings.codec };
  }
}
