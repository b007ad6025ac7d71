/**
 * The engine's shuffle: the real stores behind a TieredShuffleStore (src/shuffle/stores/tiered-store.ts), so the
 * blocks between the map and reduce stages go through the selected tier with the selected codec:
 *   redis   = in-process memory store (default) or a Redis server (`stores.hot.type: 'redis'`),
 *   nvme    = a directory store,
 *   s3      = an S3 store on the embedded s3rver (default) or an external endpoint,
 *   archive = another bucket on the same S3 server (s3rver has no Glacier class, docs/SHUFFLE.md).
 * Tier/codec changes apply to blocks written after the change (the tiered store fixes both per put); a failed
 * tier falls back to the next one with no block lost (its fallback and backup copies).
 *
 * It also prices the shuffle with the simulator's figures (config.ts shuffle.tiers): requests per put/get, bytes
 * retrieved, and storage per GB-second of residency (with the tier's minimum storage duration).
 */
import { join } from 'node:path';
import type { SimConfig } from '../../core/config.ts';
import type { Codec, Tier } from '../../core/types.ts';
import { DirectoryShuffleStore } from '../../shuffle/stores/directory-store.ts';
import { MemoryShuffleStore } from '../../shuffle/stores/memory-store.ts';
import { RedisShuffleStore } from '../../shuffle/stores/redis-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../../shuffle/stores/s3-server.ts';
import { S3ShuffleStore } from '../../shuffle/stores/s3-store.ts';
import { TieredShuffleStore, type TieredStoreStats } from '../../shuffle/stores/tiered-store.ts';
import type { ShuffleStore } from '../../shuffle/stores/types.ts';
import type { EngineOptions } from './options.ts';

export interface ShuffleCounters {
  /** Raw (uncompressed) bytes written and read, and bytes read more than once. */
  rawBytesWritten: number;
  storedBytesWritten: number;
  rawBytesRead: number;
  rawBytesReread: number;
  blocksWritten: number;
  blocksRead: number;
}

interface Placed {
  tier: Tier;
  storedBytes: number;
  putAtMs: number;
  reads: number;
}

export class EngineShuffle {
  private readonly placed = new Map<string, Placed>();
  private costUsd = 0;
  private counters: ShuffleCounters = zeroCounters();
  private closed = false;
  /** Since open: blocks written per tier they landed on and per codec (the placement tests read these). */
  readonly blocksWrittenByTier: Partial<Record<Tier, number>> = {};
  readonly blocksWrittenByCodec: Partial<Record<Codec, number>> = {};

  private constructor(
    readonly store: TieredShuffleStore,
    private readonly config: SimConfig,
    private readonly nowMs: () => number,
    private readonly embeddedS3: EmbeddedS3 | undefined,
    /** The S3 endpoint in use, if any. */
    readonly s3Endpoint: string | undefined,
  ) {}

  /** Opens the configured stores (and starts the embedded s3rver when asked). */
  static async open(options: EngineOptions, runId: string, config: SimConfig, nowMs: () => number): Promise<EngineShuffle> {
    const s = options.stores;
    const stores: Partial<Record<Tier, ShuffleStore>> = {};
    stores.redis = s.hot.type === 'redis'
      ? new RedisShuffleStore({ url: s.hot.url, keyPrefix: `edgepilot:engine:${runId}:`, opTimeoutMs: s.hot.opTimeoutMs, ttlSeconds: s.hot.ttlSeconds })
      : new MemoryShuffleStore({ capacityBytes: s.hot.capacityBytes, tier: 'redis' });
    stores.nvme = new DirectoryShuffleStore({ directory: s.warmDirectory ?? join(options.outputDir, 'shuffle-nvme'), tier: 'nvme' });
    let embedded: EmbeddedS3 | undefined;
    let endpoint: string | undefined;
    if (s.s3 !== 'none') {
      let bucket = 'edgepilot-shuffle';
      let archiveBucket = 'edgepilot-archive';
      if (s.s3 === 'embedded') {
        embedded = await startEmbeddedS3();
        endpoint = embedded.endpoint;
      } else {
        endpoint = s.s3.endpoint;
        bucket = s.s3.bucket;
        archiveBucket = s.s3.archiveBucket;
      }
      stores.s3 = new S3ShuffleStore({ endpoint, bucket, prefix: `${runId}/`, tier: 's3' });
      stores.archive = new S3ShuffleStore({ endpoint, bucket: archiveBucket, prefix: `${runId}/`, tier: 'archive' });
    }
    const store = new TieredShuffleStore({
      stores,
      tier: options.initialTier,
      codec: options.initialCodec,
      retryAfterMs: s.retryAfterMs,
    });
    return new EngineShuffle(store, config, nowMs, embedded, endpoint);
  }

  get tier(): Tier {
    return this.store.tier;
  }

  get codec(): Codec {
    return this.store.codecName;
  }

  /** Tier and codec for blocks written from now on. */
  select(selection: { tier?: Tier; codec?: Codec }): void {
    this.store.select(selection);
  }

  async write(key: string, raw: Buffer): Promise<void> {
    await this.store.put(key, raw);
    const where = this.store.locate(key)!;
    const tier = this.config.shuffle.tiers[where.tier];
    this.costUsd += (Math.max(1, Math.ceil(where.storedBytes / tier.requestBytes)) * tier.putUsdPer1k) / 1000;
    this.placed.set(key, { tier: where.tier, storedBytes: where.storedBytes, putAtMs: this.nowMs(), reads: 0 });
    this.counters.rawBytesWritten += raw.length;
    this.counters.storedBytesWritten += where.storedBytes;
    this.counters.blocksWritten++;
    this.blocksWrittenByTier[where.tier] = (this.blocksWrittenByTier[where.tier] ?? 0) + 1;
    this.blocksWrittenByCodec[where.codec] = (this.blocksWrittenByCodec[where.codec] ?? 0) + 1;
  }

  /** The block's raw bytes; throws (BlockLostError and the like) when no copy is readable. */
  async read(key: string): Promise<Buffer> {
    const raw = await this.store.get(key);
    if (raw === undefined) throw new Error(`engine shuffle: block '${key}' is unknown to the store`);
    const placed = this.placed.get(key);
    if (placed !== undefined) {
      const tier = this.config.shuffle.tiers[placed.tier];
      this.costUsd += (Math.max(1, Math.ceil(placed.storedBytes / tier.requestBytes)) * tier.getUsdPer1k) / 1000;
      this.costUsd += (placed.storedBytes / 1e9) * tier.retrievalUsdPerGb;
      if (placed.reads > 0) this.counters.rawBytesReread += raw.length;
      placed.reads++;
    }
    this.counters.rawBytesRead += raw.length;
    this.counters.blocksRead++;
    return raw;
  }

  /** Removes a block once reduced; bills its residency. A failed delete is counted by the store, not thrown. */
  async remove(key: string): Promise<void> {
    const placed = this.placed.get(key);
    this.placed.delete(key);
    if (placed !== undefined) {
      const tier = this.config.shuffle.tiers[placed.tier];
      const residencyS = Math.max((this.nowMs() - placed.putAtMs) / 1000, tier.minStorageS);
      this.costUsd += (placed.storedBytes / 1e9) * (residencyS / 3600) * tier.storageUsdPerGbHour;
    }
    await this.store.delete(key).catch(() => undefined);
  }

  takeCostUsd(): number {
    const c = this.costUsd;
    this.costUsd = 0;
    return c;
  }

  takeCounters(): ShuffleCounters {
    const c = this.counters;
    this.counters = zeroCounters();
    return c;
  }

  stats(): TieredStoreStats {
    return this.store.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.store.close();
    } finally {
      await this.embeddedS3?.stop();
    }
  }
}

function zeroCounters(): ShuffleCounters {
  return { rawBytesWritten: 0, storedBytesWritten: 0, rawBytesRead: 0, rawBytesReread: 0, blocksWritten: 0, blocksRead: 0 };
}
