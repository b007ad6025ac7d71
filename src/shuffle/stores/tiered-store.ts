/**
 * TieredShuffleStore: writes each shuffle block to the tier and with the codec the policy selected, and
 * keeps the block readable when a tier fails.
 *
 * - Placement. A put frames the block with the selected codec (../codecs.ts) and tries the selected tier.
 *   If that tier fails (connection refused, timeout, capacity, any error) it tries the next tier in the
 *   order hot -> warm -> cold -> archive (redis, nvme, s3, archive), then, rather than lose the block, the
 *   warmer tiers nearest first. Where each block went is recorded, so reads go straight to it.
 * - Fallback accounting. A block that did not land on the selected tier is one fallback, counted by the
 *   reason the selected tier failed and by route ("redis->nvme"); every failed attempt is also counted per
 *   tier and reason.
 * - Volatile tiers. Memory and Redis (run without persistence) lose everything when the process stops, so a
 *   block acknowledged there also gets a background backup copy on the nearest durable tier. Reads use the
 *   primary copy and fall back to the backup (or to the bytes still in flight to it). This is what makes
 *   "Redis stopped: no block lost" hold; it costs one extra warm-tier write per hot block, off the put's
 *   critical path. Disable with `backupVolatile: false`.
 * - A tier that failed with a connection error or a timeout is skipped for `retryAfterMs`, so a dead
 *   tier does not cost every put a timeout.
 * - Codec changes apply to blocks written after the change; every block records its own codec in its
 *   frame, so reads never depend on the current selection (design.md, realism rules).
 */
import { TIERS } from '../../core/types.ts';
import { decodeBlock, getCodec, type Codec, type CodecName } from '../codecs.ts';
import {
  classifyStoreError,
  validateBlockData,
  validateBlockKey,
  type FailureReason,
  type ShuffleStore,
  type Tier,
} from './types.ts';

/** Why a block did not land on (or a read skipped) a tier. */
export type SkipReason = FailureReason | 'tier-down' | 'not-configured';

export interface TieredStoreOptions {
  /** The configured stores by tier; the live engine maps 'archive' to an S3 store with its own bucket. */
  stores: Partial<Record<Tier, ShuffleStore>>;
  /** Initially selected tier; default the first configured tier in hot -> archive order. */
  tier?: Tier;
  /** Initially selected codec; default 'lz4' (Spark's default spark.io.compression.codec, anchors.md §4). */
  codec?: CodecName;
  zstdLevel?: number;
  /** Keep a backup copy of blocks on volatile tiers on the nearest durable tier; default true. */
  backupVolatile?: boolean;
  /** How long a tier that failed with a connection error or timeout is skipped; default 1000 ms. */
  retryAfterMs?: number;
  /** Monotonic clock in ms (tests inject one); default performance.now. */
  nowMs?: () => number;
}

export interface BlockLocation {
  tier: Tier;
  codec: CodecName;
  rawBytes: number;
  storedBytes: number;
  /** Tier holding the backup copy once it is written. */
  backupTier?: Tier;
}

export interface AttemptFailure {
  tier: Tier;
  reason: SkipReason;
  message: string;
}

/** No configured tier accepted the block. */
export class ShuffleWriteError extends Error {
  constructor(
    message: string,
    readonly attempts: AttemptFailure[],
  ) {
    super(message);
    this.name = 'ShuffleWriteError';
  }
}

/** A block that was acknowledged but can no longer be read from any of its copies. */
export class BlockLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockLostError';
  }
}

export interface TieredStoreStats {
  puts: number;
  gets: number;
  /** Blocks written somewhere other than the selected tier. */
  fallbacks: number;
  /** Fallbacks by the reason the selected tier was not used. */
  fallbacksByReason: Partial<Record<SkipReason, number>>;
  /** Fallbacks by route, e.g. { 'redis->nvme': 3 }. */
  fallbackRoutes: Record<string, number>;
  /** Every failed or skipped write attempt, per tier and reason. */
  tierFailures: Partial<Record<Tier, Partial<Record<SkipReason, number>>>>;
  /** Blocks and stored (framed, compressed) bytes currently placed on each tier (primary copies). */
  blocksByTier: Partial<Record<Tier, number>>;
  storedBytesByTier: Partial<Record<Tier, number>>;
  /** Totals over all puts: raw block bytes and the framed bytes actually written. */
  rawBytesWritten: number;
  storedBytesWritten: number;
  backupsWritten: number;
  backupsFailed: number;
  backupsPending: number;
  /** Reads served by a backup copy because the primary failed or had lost the block. */
  readsFromBackup: number;
  deleteFailures: number;
  /**
   * Copies whose delete failed, kept to be deleted again later (each later delete starts a sweep), the ones a sweep
   * removed, and the ones given up on because more than MAX_GARBAGE_COPIES were waiting (they stay in their store:
   * Redis expires them, a folder or bucket keeps them until the run's prefix is cleaned up).
   */
  garbagePending: number;
  garbageCollected: number;
  garbageAbandoned: number;
  /** Last error message seen per tier. */
  lastErrors: Partial<Record<Tier, string>>;
}

/** [assumed] Failed deletes remembered at most: ~100 bytes each, 10 MB; a store down that long is an outage, not a blip. */
export const MAX_GARBAGE_COPIES = 100_000;
/** Copies one sweep retries at most, one at a time: a store that is still failing costs one timeout per sweep. */
const GARBAGE_SWEEP_COPIES = 64;

interface PendingBackup {
  frame: Buffer;
  done: Promise<void>;
}

function increment<K extends string>(counts: Partial<Record<K, number>>, key: K, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

export class TieredShuffleStore implements ShuffleStore {
  readonly volatile = false;
  private readonly stores: Partial<Record<Tier, ShuffleStore>>;
  private selectedTier: Tier;
  private codec: Codec;
  private readonly zstdLevel: number | undefined;
  private readonly backupVolatile: boolean;
  private readonly retryAfterMs: number;
  private readonly nowMs: () => number;
  private readonly locations = new Map<string, BlockLocation>();
  private readonly pendingBackups = new Map<string, PendingBackup>();
  private readonly downUntilMs: Partial<Record<Tier, number>> = {};
  /**
   * Copies whose delete failed (a timeout during a burst, an outage), by key, to be deleted again: without this a
   * failed delete left the object in its store for good, and the S3 store's size bookkeeping with it (the hour-long
   * soak of session 25 found 6,883 such keys, docs/BENCHMARKS.md "A long run of the live demo").
   */
  private readonly garbage = new Map<string, Set<Tier>>();
  private garbageSweep: Promise<void> | null = null;
  /**
   * The last put or delete queued per key. Puts and deletes of one key run one after another in call order: two
   * overlapping writes of a key could otherwise land in the store in one order and in `locations` in the other (the
   * store holding the older frame under the newer location), and a delete overlapping a put could remove the new copy.
   */
  private readonly keyQueues = new Map<string, Promise<void>>();
  private readonly counters: TieredStoreStats = {
    puts: 0,
    gets: 0,
    fallbacks: 0,
    fallbacksByReason: {},
    fallbackRoutes: {},
    tierFailures: {},
    blocksByTier: {},
    storedBytesByTier: {},
    rawBytesWritten: 0,
    storedBytesWritten: 0,
    backupsWritten: 0,
    backupsFailed: 0,
    backupsPending: 0,
    readsFromBackup: 0,
    deleteFailures: 0,
    garbagePending: 0,
    garbageCollected: 0,
    garbageAbandoned: 0,
    lastErrors: {},
  };

  constructor(options: TieredStoreOptions) {
    const configured = TIERS.filter((tier) => options.stores[tier] !== undefined);
    if (configured.length === 0) throw new Error(`tiered store: configure at least one of ${TIERS.join(', ')}`);
    for (const [tier, store] of Object.entries(options.stores)) {
      if (!(TIERS as readonly string[]).includes(tier)) throw new Error(`tiered store: unknown tier '${tier}' in stores (expected ${TIERS.join(', ')})`);
      if (store !== undefined && store.tier !== tier) throw new Error(`tiered store: the store given for tier '${tier}' serves tier '${store.tier}'`);
    }
    const retryAfterMs = options.retryAfterMs ?? 1000;
    if (!(retryAfterMs >= 0)) throw new Error(`tiered store: retryAfterMs must be >= 0, got ${options.retryAfterMs}`);
    this.stores = { ...options.stores };
    this.selectedTier = this.checkTier(options.tier ?? configured[0]!);
    this.zstdLevel = options.zstdLevel;
    this.codec = getCodec(options.codec ?? 'lz4', { zstdLevel: this.zstdLevel });
    this.backupVolatile = options.backupVolatile ?? true;
    this.retryAfterMs = retryAfterMs;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** The selected tier (blocks may land elsewhere on failure; see locate()). */
  get tier(): Tier {
    return this.selectedTier;
  }

  get codecName(): CodecName {
    return this.codec.name;
  }

  /** Changes the tier and/or codec for blocks written from now on. */
  select(selection: { tier?: Tier; codec?: CodecName }): void {
    if (selection.tier !== undefined) this.selectedTier = this.checkTier(selection.tier);
    if (selection.codec !== undefined && selection.codec !== this.codec.name) {
      this.codec = getCodec(selection.codec, { zstdLevel: this.zstdLevel });
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    validateBlockKey(key, 'tiered store put');
    validateBlockData(data, 'tiered store put');
    this.counters.puts++;
    // Fixed when put is called, even if select() is called while it waits for the key's earlier operations.
    const codec = this.codec;
    const selected = this.selectedTier;
    const frame = codec.compress(data);
    return this.inKeyOrder(key, () => this.putFrame(key, frame, data.length, codec.name, selected));
  }

  private async putFrame(key: string, frame: Buffer, rawBytes: number, codecName: CodecName, selected: Tier): Promise<void> {
    // Let an in-flight backup of the old version finish before writing: its copy is then known and can be removed,
    // and it cannot land after (and over) the new block on the tier the new block goes to.
    await this.pendingBackups.get(key)?.done;
    const attempts: AttemptFailure[] = [];
    let landed: Tier | undefined;
    for (const tier of this.writeOrder(selected)) {
      const failure = await this.tryPut(tier, key, frame);
      if (failure === undefined) {
        landed = tier;
        break;
      }
      attempts.push(failure);
    }
    if (landed === undefined) {
      const detail = attempts.map((a) => `${a.tier}: ${a.reason} (${a.message})`).join('; ');
      throw new ShuffleWriteError(`tiered store: no tier accepted block '${key}' of ${rawBytes} bytes: ${detail}`, attempts);
    }
    if (landed !== selected) {
      this.counters.fallbacks++;
      increment(this.counters.fallbacksByReason, attempts[0]!.reason);
      increment(this.counters.fallbackRoutes, `${selected}->${landed}`);
    }
    this.counters.rawBytesWritten += rawBytes;
    this.counters.storedBytesWritten += frame.length;

    const previous = this.locations.get(key);
    const location: BlockLocation = { tier: landed, codec: codecName, rawBytes, storedBytes: frame.length };
    this.locations.set(key, location);
    this.keepFromGarbage(key, landed);
    increment(this.counters.blocksByTier, landed);
    increment(this.counters.storedBytesByTier, landed, frame.length);
    if (previous !== undefined) {
      this.forgetPlacement(previous);
      // The old copies are garbage now, except on the tier that was just overwritten in place.
      await this.deleteCopies(key, [previous.tier, previous.backupTier].filter((t): t is Tier => t !== undefined && t !== landed));
    }
    if (this.backupVolatile && this.stores[landed]!.volatile) this.startBackup(key, frame, location);
  }

  async get(key: string): Promise<Buffer | undefined> {
    validateBlockKey(key, 'tiered store get');
    this.counters.gets++;
    const location = this.locations.get(key);
    if (location === undefined) return undefined;
    const problems: string[] = [];

    const primaryDown = this.isDown(location.tier) && this.hasBackup(key, location);
    if (!primaryDown) {
      const raw = await this.readCopy(location.tier, key, problems);
      if (raw !== undefined) return raw;
    } else {
      problems.push(`${location.tier}: skipped (tier down)`);
    }
    const pending = this.pendingBackups.get(key);
    if (pending !== undefined) {
      this.counters.readsFromBackup++;
      return decodeBlock(pending.frame, key);
    }
    if (location.backupTier !== undefined) {
      const raw = await this.readCopy(location.backupTier, key, problems);
      if (raw !== undefined) {
        this.counters.readsFromBackup++;
        return raw;
      }
    }
    throw new BlockLostError(`tiered store: block '${key}' was written to ${location.tier} but no copy is readable: ${problems.join('; ')}`);
  }

  async delete(key: string): Promise<void> {
    validateBlockKey(key, 'tiered store delete');
    return this.inKeyOrder(key, () => this.deleteBlock(key));
  }

  private async deleteBlock(key: string): Promise<void> {
    await this.pendingBackups.get(key)?.done;
    const location = this.locations.get(key);
    if (location === undefined) return;
    this.locations.delete(key);
    this.forgetPlacement(location);
    await this.deleteCopies(key, [location.tier, location.backupTier].filter((t): t is Tier => t !== undefined));
    // Not awaited: the caller's delete does not wait on old garbage; one sweep runs at a time.
    if (this.garbage.size > 0 && this.garbageSweep === null) void this.collectGarbage();
  }

  /** Deletes again up to GARBAGE_SWEEP_COPIES copies whose delete failed; stops at the first that fails again. */
  async collectGarbage(): Promise<void> {
    if (this.garbageSweep !== null) return this.garbageSweep;
    this.garbageSweep = (async () => {
      let tried = 0;
      // The Map itself, not a copy (a copy of 100,000 waiting copies per sweep would be quadratic); deleting the entry
      // being visited is safe during a Map's iteration.
      for (const [key, tiers] of this.garbage) {
        for (const tier of [...tiers]) {
          // Written again on this tier while the sweep awaited another copy (keepFromGarbage): no longer garbage.
          if (!tiers.has(tier)) continue;
          if (tried++ >= GARBAGE_SWEEP_COPIES) return;
          try {
            await this.stores[tier]!.delete(key);
          } catch {
            this.counters.deleteFailures++;
            return;
          }
          tiers.delete(tier);
          this.counters.garbageCollected++;
        }
        // Only this entry, and only if empty: a copy that failed meanwhile may have been added to it, or to a new entry.
        if (tiers.size === 0 && this.garbage.get(key) === tiers) this.garbage.delete(key);
      }
    })().finally(() => {
      this.garbageSweep = null;
    });
    return this.garbageSweep;
  }

  /** Where a block is, or undefined for an unknown key. */
  locate(key: string): BlockLocation | undefined {
    const location = this.locations.get(key);
    return location === undefined ? undefined : { ...location };
  }

  /** Stored bytes of all primary copies. */
  usedBytes(): number {
    return Object.values(this.counters.storedBytesByTier).reduce((sum, bytes) => sum + (bytes ?? 0), 0);
  }

  stats(): TieredStoreStats {
    let garbagePending = 0;
    for (const tiers of this.garbage.values()) garbagePending += tiers.size;
    return structuredClone({ ...this.counters, backupsPending: this.pendingBackups.size, garbagePending });
  }

  /** Waits until every backup copy started so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.pendingBackups.size > 0) await Promise.all([...this.pendingBackups.values()].map((p) => p.done));
  }

  /** Flushes backups and the garbage sweep in flight, then closes every configured store (the tiered store owns them). */
  async close(): Promise<void> {
    await this.flush();
    await this.garbageSweep;
    await Promise.all(Object.values(this.stores).map((store) => store?.close()));
  }

  /** Runs `op` once the key's earlier puts and deletes have settled (whether they succeeded or failed). */
  private inKeyOrder(key: string, op: () => Promise<void>): Promise<void> {
    const run = (this.keyQueues.get(key) ?? Promise.resolve()).then(op);
    const tail = run.catch(() => undefined);
    this.keyQueues.set(key, tail);
    // Forgotten once idle, so the map holds only keys with an operation in flight.
    void tail.then(() => {
      if (this.keyQueues.get(key) === tail) this.keyQueues.delete(key);
    });
    return run;
  }

  private checkTier(tier: Tier): Tier {
    if (!(TIERS as readonly string[]).includes(tier)) throw new Error(`tiered store: unknown tier '${tier}' (expected ${TIERS.join(', ')})`);
    return tier;
  }

  /** The selected tier, the colder tiers in order, then the warmer ones nearest first. */
  private writeOrder(selected: Tier): Tier[] {
    const index = TIERS.indexOf(selected);
    return [...TIERS.slice(index), ...TIERS.slice(0, index).reverse()];
  }

  private isDown(tier: Tier): boolean {
    return (this.downUntilMs[tier] ?? Number.NEGATIVE_INFINITY) > this.nowMs();
  }

  private noteFailure(tier: Tier, reason: SkipReason, message: string): void {
    const perTier = (this.counters.tierFailures[tier] ??= {});
    increment(perTier, reason);
    if (reason === 'connection' || reason === 'timeout') this.downUntilMs[tier] = this.nowMs() + this.retryAfterMs;
    if (reason !== 'tier-down' && reason !== 'not-configured') this.counters.lastErrors[tier] = message;
  }

  /** One write attempt; returns why it failed, or undefined on success. */
  private async tryPut(tier: Tier, key: string, frame: Buffer): Promise<AttemptFailure | undefined> {
    const store = this.stores[tier];
    let failure: AttemptFailure | undefined;
    if (store === undefined) {
      failure = { tier, reason: 'not-configured', message: 'no store configured' };
    } else if (this.isDown(tier)) {
      failure = { tier, reason: 'tier-down', message: `skipped: failed within the last ${this.retryAfterMs} ms (${this.counters.lastErrors[tier] ?? ''})` };
    } else {
      try {
        await store.put(key, frame);
        return undefined;
      } catch (err) {
        failure = { tier, reason: classifyStoreError(err), message: (err as Error).message ?? String(err) };
      }
    }
    this.noteFailure(failure.tier, failure.reason, failure.message);
    return failure;
  }

  /** Reads and decodes one copy; records the problem and returns undefined if it is missing or bad. */
  private async readCopy(tier: Tier, key: string, problems: string[]): Promise<Buffer | undefined> {
    const store = this.stores[tier]!;
    let frame: Buffer | undefined;
    try {
      frame = await store.get(key);
    } catch (err) {
      const reason = classifyStoreError(err);
      this.noteFailure(tier, reason, (err as Error).message);
      problems.push(`${tier}: ${reason} (${(err as Error).message})`);
      return undefined;
    }
    if (frame === undefined) {
      problems.push(`${tier}: block missing`);
      return undefined;
    }
    try {
      return decodeBlock(frame, key);
    } catch (err) {
      // A corrupt primary may still have a good backup; the caller throws if none is left.
      problems.push(`${tier}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private hasBackup(key: string, location: BlockLocation): boolean {
    return location.backupTier !== undefined || this.pendingBackups.has(key);
  }

  private startBackup(key: string, frame: Buffer, location: BlockLocation): void {
    const candidates = this.writeOrder(location.tier).filter((tier) => tier !== location.tier && this.stores[tier]?.volatile === false);
    const done = (async () => {
      for (const tier of candidates) {
        if (await this.tryPut(tier, key, frame)) continue;
        if (this.locations.get(key) === location) {
          location.backupTier = tier;
          this.keepFromGarbage(key, tier);
          this.counters.backupsWritten++;
        } else {
          // Deleted or overwritten while the backup was in flight: drop the orphan copy.
          await this.stores[tier]!.delete(key).catch(() => {
            this.counters.deleteFailures++;
            this.rememberGarbage(key, tier);
          });
        }
        return;
      }
      this.counters.backupsFailed++;
    })().finally(() => {
      if (this.pendingBackups.get(key)?.done === done) this.pendingBackups.delete(key);
    });
    this.pendingBackups.set(key, { frame, done });
  }

  private forgetPlacement(location: BlockLocation): void {
    increment(this.counters.blocksByTier, location.tier, -1);
    increment(this.counters.storedBytesByTier, location.tier, -location.storedBytes);
  }

  /** Best-effort removal of a block's copies; a failure is counted, never thrown (the data is garbage). */
  private async deleteCopies(key: string, tiers: Tier[]): Promise<void> {
    await Promise.all(
      tiers.map(async (tier) => {
        try {
          await this.stores[tier]!.delete(key);
        } catch {
          this.counters.deleteFailures++;
          this.rememberGarbage(key, tier);
        }
      }),
    );
  }

  /** A key written again on `tier` (keys are unique per batch in the engine, but the store does not rely on it). */
  private keepFromGarbage(key: string, tier: Tier): void {
    const tiers = this.garbage.get(key);
    if (tiers === undefined) return;
    tiers.delete(tier);
    if (tiers.size === 0) this.garbage.delete(key);
  }

  private rememberGarbage(key: string, tier: Tier): void {
    const tiers = this.garbage.get(key);
    if (tiers !== undefined) {
      tiers.add(tier);
      return;
    }
    if (this.garbage.size >= MAX_GARBAGE_COPIES) {
      // The oldest first: Map keeps insertion order.
      const [oldestKey, oldestTiers] = this.garbage.entries().next().value as [string, Set<Tier>];
      this.garbage.delete(oldestKey);
      this.counters.garbageAbandoned += oldestTiers.size;
    }
    this.garbage.set(key, new Set([tier]));
  }
}
