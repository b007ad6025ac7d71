/**
 * Tier and codec cost / latency model of shuffle data (a model, not the real stores).
 *
 * Per message, shuffle data of S raw bytes is compressed (S / C), written and read once by the reducer
 * (2 * S / (r * B)) and decompressed (S / D): executor time S/C + 2S/(rB) + S/D, the break-even model of anchors.md
 * section 4, so compression pays on S3 (slow bandwidth) and not on redis / nvme. Data stays resident for
 * `residencyS` on the tier it was written to (tier and codec apply to data written after a change); while resident,
 * it is re-read at a rate driven by the data temperature (reuse probability), which costs executor time, requests and
 * retrieval fees on the tier where it lives. Redis (and the per-executor nvme disks) have a capacity: writes beyond it
 * overflow to the next tier with a latency penalty. Storage is charged per GB-second of residency (anchors.md
 * section 3), with a minimum billed duration per byte on the archive tier.
 */
import { CODECS, TIERS, type Codec, type Tier } from '../core/types.ts';
import type { CodecConfig, SimConfig, TierConfig } from '../core/config.ts';

const MB = 1e6;
const GB = 1e9;

/** Executor-seconds to compress, write, read once and decompress `rawBytes` on a tier with a codec. */
export function shuffleExecS(rawBytes: number, tier: TierConfig, codec: CodecConfig): number {
  const compressed = rawBytes / codec.ratio;
  return rawBytes / (codec.compressMBps * MB) + (2 * compressed) / (tier.bandwidthMBps * MB) + rawBytes / (codec.decompressMBps * MB);
}

/** Executor-seconds to re-read (read + decompress) `rawBytes` stored compressed on a tier. */
export function rereadExecS(rawBytes: number, tier: TierConfig, codec: CodecConfig): number {
  return rawBytes / codec.ratio / (tier.bandwidthMBps * MB) + rawBytes / (codec.decompressMBps * MB);
}

/** Latency a micro-batch spends on shuffle round trips (ms): write + read, plus re-reads with probability reuse. */
export function shuffleOpLatencyMs(tier: TierConfig, reuse: number, rereadsPerReuse: number): number {
  return tier.opLatencyMs * (2 + reuse * rereadsPerReuse);
}

/** USD to write `rawBytes` and read them once: requests, retrieval, and the minimum storage duration if any. */
export function writeReadUsd(rawBytes: number, tier: TierConfig, codec: CodecConfig, residencyS: number): number {
  const compressed = rawBytes / codec.ratio;
  const requests = compressed / tier.requestBytes;
  let usd = (requests * (tier.putUsdPer1k + tier.getUsdPer1k)) / 1000 + (compressed / GB) * tier.retrievalUsdPerGb;
  if (tier.minStorageS > residencyS) usd += (compressed / GB) * (tier.storageUsdPerGbHour / 3600) * tier.minStorageS;
  return usd;
}

/** USD to re-read `rawBytes` stored compressed on a tier. */
export function rereadUsd(rawBytes: number, tier: TierConfig, codec: CodecConfig): number {
  const compressed = rawBytes / codec.ratio;
  return ((compressed / tier.requestBytes) * tier.getUsdPer1k) / 1000 + (compressed / GB) * tier.retrievalUsdPerGb;
}

/** USD per second of residency of `compressedBytes` (zero on tiers billed by their minimum duration at write). */
export function residencyUsdPerS(compressedBytes: number, tier: TierConfig, residencyS: number): number {
  if (tier.minStorageS > residencyS) return 0;
  return (compressedBytes / GB) * (tier.storageUsdPerGbHour / 3600);
}

const N_TIERS = TIERS.length;
const N_COMBOS = TIERS.length * CODECS.length;

/**
 * Resident shuffle data by (tier, codec), in a ring of per-second writes over the residency window. One instance per
 * env; `advanceSecond` expires the oldest second, `write` stores a second's output with overflow, `rereads` charges
 * the temperature-driven re-reads. Costs accumulate in `costUsd`, executor time is returned.
 */
export class ShuffleState {
  private readonly tiers: TierConfig[];
  private readonly codecs: CodecConfig[];
  private readonly residencyS: number;
  private readonly ringRaw: Float64Array;
  /** Resident raw bytes per (tier, codec) combination: index tier * 3 + codec. */
  readonly residentRaw = new Float64Array(N_COMBOS);
  /** Per (tier, codec): residency USD per raw byte-second, re-read executor-s and USD per raw byte. */
  private readonly residencyUsdPerRawByteS = new Float64Array(N_COMBOS);
  private readonly rereadExecSPerRawByte = new Float64Array(N_COMBOS);
  private readonly rereadUsdPerRawByte = new Float64Array(N_COMBOS);
  /** Resident compressed bytes per tier. */
  private readonly residentCompressedByTier = new Float64Array(N_TIERS);
  private residentTotalRaw = 0;
  private slot = 0;
  costUsd = 0;
  /** Share of the last write that overflowed its tier. */
  overflowFraction = 0;
  /** Raw bytes written since the last reset (takeCost does not clear it). */
  rawWrittenBytes = 0;

  constructor(private readonly config: SimConfig) {
    const s = config.shuffle;
    this.tiers = TIERS.map((t) => s.tiers[t]);
    this.codecs = CODECS.map((c) => s.codecs[c]);
    this.residencyS = s.residencyS;
    this.ringRaw = new Float64Array(N_COMBOS * s.residencyS);
    for (let k = 0; k < N_COMBOS; k++) {
      const tier = this.tiers[(k / 3) | 0]!;
      const codec = this.codecs[k % 3]!;
      this.residencyUsdPerRawByteS[k] = residencyUsdPerS(1 / codec.ratio, tier, this.residencyS);
      this.rereadExecSPerRawByte[k] = rereadExecS(1, tier, codec);
      this.rereadUsdPerRawByte[k] = rereadUsd(1, tier, codec);
    }
  }

  reset(): void {
    this.ringRaw.fill(0);
    this.residentRaw.fill(0);
    this.residentCompressedByTier.fill(0);
    this.residentTotalRaw = 0;
    this.slot = 0;
    this.costUsd = 0;
    this.overflowFraction = 0;
    this.rawWrittenBytes = 0;
  }

  /** Expires the data written `residencyS` seconds ago and charges one second of residency. */
  advanceSecond(): void {
    this.slot = (this.slot + 1) % this.residencyS;
    if (this.residentTotalRaw <= 0) return;
    const base = this.slot * N_COMBOS;
    let total = 0;
    for (let k = 0; k < N_COMBOS; k++) {
      const expired = this.ringRaw[base + k]!;
      let raw = this.residentRaw[k]!;
      if (expired > 0) {
        const t = (k / 3) | 0;
        const removed = Math.min(raw, expired);
        raw -= removed;
        this.residentRaw[k] = raw;
        this.residentCompressedByTier[t] = Math.max(0, this.residentCompressedByTier[t]! - removed / this.codecs[k % 3]!.ratio);
        this.ringRaw[base + k] = 0;
      }
      if (raw > 0) {
        this.costUsd += raw * this.residencyUsdPerRawByteS[k]!;
        total += raw;
      }
    }
    this.residentTotalRaw = total;
  }

  /**
   * Op latency (ms) of one re-read where the data lives: the tiers' op latencies weighted by resident raw bytes, or
   * null when nothing is resident.
   */
  residentOpLatencyMs(): number | null {
    if (this.residentTotalRaw <= 0) return null;
    let weighted = 0;
    let raw = 0;
    for (let k = 0; k < N_COMBOS; k++) {
      const r = this.residentRaw[k]!;
      if (r <= 0) continue;
      weighted += r * this.tiers[(k / 3) | 0]!.opLatencyMs;
      raw += r;
    }
    return raw > 0 ? weighted / raw : null;
  }

  /**
   * Seconds an executor removed now takes to drain. With `shuffle.drainTimeFrom: 'resident-tiers'` (the default): the
   * longest `drainS` among the tier being written and every tier still holding data (over 1 raw byte, so float residue
   * of expired data does not count); local-disk (nvme) shuffle data keeps its executor (shuffle tracking) until it ages
   * out, whatever tier the next batches write to. With 'write-tier': the written tier's `drainS` (before session 23).
   */
  drainS(writeTierIndex: number): number {
    let drain = this.tiers[writeTierIndex]!.drainS;
    if (this.config.shuffle.drainTimeFrom === 'write-tier') return drain;
    for (let k = 0; k < N_COMBOS; k++) {
      if (this.residentRaw[k]! > 1) drain = Math.max(drain, this.tiers[(k / 3) | 0]!.drainS);
    }
    return drain;
  }

  /** Resident compressed bytes on tier index t. */
  residentCompressed(tierIndex: number): number {
    return this.residentCompressedByTier[tierIndex]!;
  }

  /** Capacity (bytes) of tier index t with `executors` serving. */
  tierCapacityBytes(tierIndex: number, executors: number): number {
    const t = this.tiers[tierIndex]!;
    return t.capacityGb * GB * (t.capacityPerExecutor ? Math.max(1, executors) : 1);
  }

  /**
   * Executor-seconds and costs of this second's re-reads: each resident byte is re-read at rate
   * reuse * rereadsPerReuse / residencyS per second on the tier where it lives.
   */
  rereads(reuse: number): number {
    const perS = (reuse * this.config.shuffle.rereadsPerReuse) / this.residencyS;
    if (perS <= 0) return 0;
    if (perS <= 0 || this.residentTotalRaw <= 0) return 0;
    let execS = 0;
    for (let k = 0; k < N_COMBOS; k++) {
      const raw = this.residentRaw[k]!;
      if (raw <= 0) continue;
      const bytes = raw * perS;
      execS += bytes * this.rereadExecSPerRawByte[k]!;
      this.costUsd += bytes * this.rereadUsdPerRawByte[k]!;
    }
    return execS;
  }

  /**
   * Writes (and reads once) `rawBytes` of this second's shuffle output to `tierIndex` with `codecIndex`, overflowing
   * to slower tiers when a tier is full. Returns the executor-seconds it took.
   */
  write(rawBytes: number, tierIndex: number, codecIndex: number, executors: number): number {
    this.rawWrittenBytes += rawBytes;
    const codec = this.codecs[codecIndex]!;
    let remainingRaw = rawBytes;
    let execS = 0;
    let t = tierIndex;
    this.overflowFraction = 0;
    while (remainingRaw > 0) {
      const tier = this.tiers[t]!;
      let rawHere = remainingRaw;
      if (t < N_TIERS - 1) {
        const freeCompressed = Math.max(0, this.tierCapacityBytes(t, executors) - this.residentCompressed(t));
        rawHere = Math.min(remainingRaw, freeCompressed * codec.ratio);
      }
      if (rawHere > 0) {
        const k = t * 3 + codecIndex;
        this.residentRaw[k] = this.residentRaw[k]! + rawHere;
        this.residentCompressedByTier[t] = this.residentCompressedByTier[t]! + rawHere / codec.ratio;
        this.residentTotalRaw += rawHere;
        this.ringRaw[this.slot * N_COMBOS + k] = this.ringRaw[this.slot * N_COMBOS + k]! + rawHere;
        execS += shuffleExecS(rawHere, tier, codec);
        this.costUsd += writeReadUsd(rawHere, tier, codec, this.residencyS);
        remainingRaw -= rawHere;
      }
      if (remainingRaw > 0) {
        t++;
        if (rawBytes > 0) this.overflowFraction = remainingRaw / rawBytes;
      }
    }
    return execS;
  }

  takeCost(): number {
    const c = this.costUsd;
    this.costUsd = 0;
    return c;
  }
}

export function tierIndex(tier: Tier): number {
  return TIERS.indexOf(tier);
}
export function codecIndex(codec: Codec): number {
  return CODECS.indexOf(codec);
}
