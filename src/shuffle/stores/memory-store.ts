/** In-process shuffle store with a byte capacity: the hot tier when no Redis runs, and the reference in tests. */
import { CapacityError, validateBlockData, validateBlockKey, type ShuffleStore, type Tier } from './types.ts';

export interface MemoryStoreOptions {
  /** Total bytes of block data this store may hold; a put beyond it throws CapacityError. */
  capacityBytes: number;
  /** Tier it stands in for; default 'redis' (hot). */
  tier?: Tier;
}

export class MemoryShuffleStore implements ShuffleStore {
  readonly tier: Tier;
  readonly volatile = true;
  readonly capacityBytes: number;
  private readonly blocks = new Map<string, Buffer>();
  private bytesUsed = 0;
  private closed = false;

  constructor(options: MemoryStoreOptions) {
    if (!(options.capacityBytes >= 0) || !Number.isFinite(options.capacityBytes)) {
      throw new Error(`memory store: capacityBytes must be a finite number >= 0, got ${options.capacityBytes}`);
    }
    this.capacityBytes = options.capacityBytes;
    this.tier = options.tier ?? 'redis';
  }

  async put(key: string, data: Buffer): Promise<void> {
    this.checkOpen();
    validateBlockKey(key, 'memory store put');
    validateBlockData(data, 'memory store put');
    const previousBytes = this.blocks.get(key)?.length ?? 0;
    const nextUsedBytes = this.bytesUsed - previousBytes + data.length;
    if (nextUsedBytes > this.capacityBytes) {
      throw new CapacityError(
        `memory store: block '${key}' of ${data.length} bytes does not fit (${this.bytesUsed} of ${this.capacityBytes} bytes used)`,
      );
    }
    // Copy: the caller may reuse its buffer after put resolves.
    this.blocks.set(key, Buffer.from(data));
    this.bytesUsed = nextUsedBytes;
  }

  async get(key: string): Promise<Buffer | undefined> {
    this.checkOpen();
    validateBlockKey(key, 'memory store get');
    const block = this.blocks.get(key);
    return block === undefined ? undefined : Buffer.from(block);
  }

  async delete(key: string): Promise<void> {
    this.checkOpen();
    validateBlockKey(key, 'memory store delete');
    const block = this.blocks.get(key);
    if (block === undefined) return;
    this.blocks.delete(key);
    this.bytesUsed -= block.length;
  }

  usedBytes(): number {
    return this.bytesUsed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.blocks.clear();
    this.bytesUsed = 0;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('memory store: used after close()');
  }
}
