/**
 * The size-threshold shuffle rule: Apache Uniffle's tier rule, ported to the simulator's shuffle model.
 *
 * Uniffle (anchors.md section 3, [read] server config docs + ShuffleBufferManager) keeps shuffle data in memory and
 * sends each flush event larger than `rss.server.flush.cold.storage.threshold.size` (default 64 MB) to cold storage
 * (HDFS), smaller ones to local disk. Here:
 *
 *   flushBytes = raw shuffle bytes one executor wrote over the last control interval
 *              = snapshot.shuffleBytes / max(1, snapshot.executorsRunning)
 *   flushBytes >  flushThresholdBytes  -> cold tier (s3) with zstd
 *   flushBytes <= flushThresholdBytes  -> hot tier (redis) with lz4
 *
 * Why these pairs: compression pays on a slow tier and not on a fast one (anchors.md section 4 break-even model), so
 * the cold tier gets zstd (best ratio) and the hot tier Spark's default lz4 (anchors.md section 4, [read]).
 * "Flush" = one executor's shuffle output of one control interval is our mapping of Uniffle's per-buffer flush onto a
 * simulator without shuffle servers [assumed]; the threshold is Uniffle's default, unchanged, as a user would run it.
 */
import type { SystemSnapshot } from '../core/types.ts';
import type { ShuffleChoice, ShuffleChooser } from './shuffle-override.ts';
import { ShuffleOverridePolicy } from './shuffle-override.ts';
import { ThresholdForecastPolicy } from './threshold-forecast.ts';

export interface SizeThresholdShuffleSettings {
  /** Flushes above this many raw bytes go to the cold tier. Uniffle default 64 MB (anchors.md section 3, [read]). */
  flushThresholdBytes: number;
  hot: ShuffleChoice;
  cold: ShuffleChoice;
}

export const SIZE_THRESHOLD_SHUFFLE_SETTINGS: SizeThresholdShuffleSettings = {
  flushThresholdBytes: 64 * 1024 * 1024,
  hot: { tier: 'redis', codec: 'lz4' },
  cold: { tier: 's3', codec: 'zstd' },
};

/** Raw shuffle bytes one executor wrote in the last interval (the rule's "flush size"). */
export function flushBytesPerExecutor(snapshot: Pick<SystemSnapshot, 'shuffleBytes' | 'executorsRunning'>): number {
  if (!(snapshot.shuffleBytes >= 0)) throw new Error(`size-threshold-shuffle: snapshot.shuffleBytes must be a number >= 0, got ${snapshot.shuffleBytes}`);
  return snapshot.shuffleBytes / Math.max(1, snapshot.executorsRunning);
}

/** The rule itself: large flushes -> cold tier, small -> hot. */
export function sizeThresholdChoice(
  snapshot: Pick<SystemSnapshot, 'shuffleBytes' | 'executorsRunning'>,
  settings: SizeThresholdShuffleSettings = SIZE_THRESHOLD_SHUFFLE_SETTINGS,
): ShuffleChoice {
  if (!(settings.flushThresholdBytes > 0)) throw new Error(`size-threshold-shuffle: flushThresholdBytes must be > 0, got ${settings.flushThresholdBytes}`);
  const choice = flushBytesPerExecutor(snapshot) > settings.flushThresholdBytes ? settings.cold : settings.hot;
  return { ...choice };
}

export function sizeThresholdChooser(settings: SizeThresholdShuffleSettings = SIZE_THRESHOLD_SHUFFLE_SETTINGS): ShuffleChooser {
  return (ctx) => sizeThresholdChoice(ctx.snapshot, settings);
}

/**
 * The standalone policy `size-threshold-shuffle` (registry, not in the default set): threshold-forecast's scaling and
 * VPA-like memory, with the size-threshold rule for tier and codec.
 */
export function createSizeThresholdShufflePolicy(settings: SizeThresholdShuffleSettings = SIZE_THRESHOLD_SHUFFLE_SETTINGS): ShuffleOverridePolicy {
  return new ShuffleOverridePolicy(new ThresholdForecastPolicy(), sizeThresholdChooser(settings), 'size-threshold-shuffle');
}
