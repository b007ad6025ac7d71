/**
 * LocalEngineMetricsSource: the MetricsSource (src/control/types.ts) of the embedded engine. Each snapshot covers
 * the interval since the previous one, with the SystemSnapshot's meaning in the simulator (src/core/types.ts):
 *
 * - arrival / processed rate: distinct messages accepted by ingest() / merged into windows, per second;
 * - p95 latency: device timestamp (sentAtMs) -> window contribution, of the messages processed in the interval
 *   (0 when none was processed; then the backlog tells the story);
 * - cpu utilization: emulated busy time (messages granted / capacity) over the serving executors' time — the
 *   token-bucket load, not the host CPU, which the emulation deliberately decouples (docs/ENGINE.md);
 * - memory utilization: the engine's working set (queued and in-flight message bytes, window state) over the
 *   serving executors' memory budget;
 * - cost: the emulated cluster (executors at config.ts prices, per second, one-minute minimum) plus the shuffle
 *   (requests, retrieval, storage residency at the tier's prices), the same price model as the simulator;
 * - observed reuse: shuffle bytes read more than once over bytes read (a block is read once by its reducer, so
 *   this is 0 unless a read is repeated; see docs/ENGINE.md).
 * One engine should have one MetricsSource: each snapshot consumes the interval.
 */
import type { SystemSnapshot } from '../../core/types.ts';
import type { MetricsSource } from '../../control/types.ts';
import { CONTROL_SNAPSHOTS_TOPIC } from '../devices/topics.ts';
import type { StreamEngine } from './engine.ts';
import type { PublishFn } from './outputs.ts';

/** Nearest-rank percentile of unsorted values (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export interface LocalEngineMetricsOptions {
  /** When given, every snapshot is also published as JSON on edgepilot/control/snapshots (docs/MESSAGES.md). */
  publish?: PublishFn;
}

export class LocalEngineMetricsSource implements MetricsSource {
  readonly id = 'local-engine';
  private warned = false;
  publishFailures = 0;

  constructor(
    private readonly engine: StreamEngine,
    private readonly options: LocalEngineMetricsOptions = {},
  ) {}

  async snapshot(): Promise<SystemSnapshot> {
    const snapshot = this.measure();
    if (this.options.publish !== undefined) {
      try {
        const result = this.options.publish(CONTROL_SNAPSHOTS_TOPIC, JSON.stringify(snapshot));
        if (result instanceof Promise) result.catch(() => this.publishFailures++);
      } catch {
        this.publishFailures++;
      }
    }
    return snapshot;
  }

  private measure(): SystemSnapshot {
    const e = this.engine;
    const s = e.takeInterval();
    const intervalS = Math.max(1e-3, (s.endMs - s.startMs) / 1000);
    const counts = e.executorCounts();
    let tier: SystemSnapshot['tier'] = e.options.initialTier;
    let codec: SystemSnapshot['codec'] = e.options.initialCodec;
    let memoryGb = e.options.initialMemoryGb;
    try {
      const target = e.target;
      tier = target.tier;
      codec = target.codec;
      memoryGb = target.memoryGb;
    } catch (err) {
      // Not started yet: report the configured start values (a MetricsSource must not throw).
      if (!this.warned) {
        this.warned = true;
        process.emitWarning(`local-engine metrics: ${(err as Error).message}; reporting the configured tier and codec`);
      }
    }
    return {
      tSeconds: e.elapsedS(),
      arrivalRateMsgsPerS: s.arrived / intervalS,
      processedRateMsgsPerS: s.processed / intervalS,
      backlogMsgs: e.backlogMsgs,
      p95LatencyMs: percentile(s.latenciesMs, 95),
      cpuUtilization: s.availableMs > 0 ? Math.min(1, s.busyMs / s.availableMs) : 0,
      memoryUtilization: e.memoryUtilization(),
      executorsRunning: counts.running,
      executorsStarting: counts.starting,
      executorsDraining: counts.draining,
      memoryPerExecutorGb: memoryGb,
      tier,
      codec,
      shuffleBytes: s.shuffleRawBytesWritten,
      observedReuse: s.shuffleRawBytesRead > 0 ? s.shuffleRawBytesReread / s.shuffleRawBytesRead : 0,
      costRateUsdPerHour: (s.costUsd / intervalS) * 3600,
      costUsd: s.costUsd,
      droppedMsgs: s.dropped,
      meanMessageBytes: s.arrived > 0 ? s.arrivedBytes / s.arrived : 0,
    };
  }
}
