/**
 * Shuffle store on a local folder: the warm (NVMe) tier of the live engine.
 *
 * One file per block, named by the URL-encoded key (so keys with '/' stay one flat file). A put writes a
 * temporary file and renames it over the final name: rename is atomic within a file system, so a reader
 * sees either the old block or the new one, never a half-written file. No fsync: shuffle data is ephemeral
 * (it lives 10-100 s, Pocket OSDI'18, anchors.md §3) and is recomputed if the machine dies.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CapacityError, validateBlockData, validateBlockKey, withTimeout, type ShuffleStore, type Tier } from './types.ts';

export interface DirectoryStoreOptions {
  /** Folder for the block files; created if missing. */
  directory: string;
  /** Optional byte budget for this store's blocks; a put beyond it throws CapacityError. */
  capacityBytes?: number;
  /** Deadline per operation (a hung disk or network mount counts as a failure); default 5000 ms. */
  opTimeoutMs?: number;
  tier?: Tier;
}

const TEMP_PREFIX = '.tmp-';

export class DirectoryShuffleStore implements ShuffleStore {
  readonly tier: Tier;
  readonly volatile = false;
  readonly directory: string;
  private readonly capacityBytes: number;
  private readonly opTimeoutMs: number;
  /** Sizes of the blocks this instance wrote, for usedBytes and capacity accounting. */
  private readonly sizes = new Map<string, number>();
  private bytesUsed = 0;
  private tempCounter = 0;
  private ready: Promise<void> | undefined;

  constructor(options: DirectoryStoreOptions) {
    if (typeof options.directory !== 'string' || options.directory.length === 0) {
      throw new Error(`directory store: directory must be a non-empty path, got ${JSON.stringify(options.directory)}`);
    }
    const capacityBytes = options.capacityBytes ?? Number.POSITIVE_INFINITY;
    if (!(capacityBytes >= 0)) throw new Error(`directory store: capacityBytes must be >= 0, got ${options.capacityBytes}`);
    this.directory = resolve(options.directory);
    this.capacityBytes = capacityBytes;
    this.opTimeoutMs = options.opTimeoutMs ?? 5000;
    this.tier = options.tier ?? 'nvme';
  }

  async put(key: string, data: Buffer): Promise<void> {
    validateBlockKey(key, 'directory store put');
    validateBlockData(data, 'directory store put');
    const previousBytes = this.sizes.get(key) ?? 0;
    const nextUsedBytes = this.bytesUsed - previousBytes + data.length;
    if (nextUsedBytes > this.capacityBytes) {
      throw new CapacityError(`directory store ${this.directory}: block '${key}' of ${data.length} bytes does not fit (${this.bytesUsed} of ${this.capacityBytes} bytes used)`);
    }
    await this.ensureDirectory();
    const finalPath = this.pathFor(key);
    const tempPath = join(this.directory, `${TEMP_PREFIX}${process.pid}-${this.tempCounter++}`);
    await withTimeout(this.opTimeoutMs, `directory store put '${key}'`, async () => {
      try {
        await writeFile(tempPath, data);
        await rename(tempPath, finalPath);
      } catch (err) {
        await rm(tempPath, { force: true }).catch(() => undefined);
        throw err;
      }
    });
    this.sizes.set(key, data.length);
    this.bytesUsed = nextUsedBytes;
  }

  async get(key: string): Promise<Buffer | undefined> {
    validateBlockKey(key, 'directory store get');
    return withTimeout(this.opTimeoutMs, `directory store get '${key}'`, async () => {
      try {
        return await readFile(this.pathFor(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    });
  }

  async delete(key: string): Promise<void> {
    validateBlockKey(key, 'directory store delete');
    await withTimeout(this.opTimeoutMs, `directory store delete '${key}'`, () => rm(this.pathFor(key), { force: true }));
    this.bytesUsed -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
  }

  usedBytes(): number {
    return this.bytesUsed;
  }

  /** Leaves the files in place: the folder's owner decides when to remove it. */
  async close(): Promise<void> {}

  private pathFor(key: string): string {
    // encodeURIComponent leaves '.', so a key can never collide with a temp file (they start with '.tmp-'
    // and keys may start with '.' only as '.x'; guard that case by encoding a leading dot).
    const encoded = encodeURIComponent(key).replace(/^\./, '%2E');
    return join(this.directory, encoded);
  }

  private ensureDirectory(): Promise<void> {
    this.ready ??= mkdir(this.directory, { recursive: true }).then(
      () => undefined,
      (err: unknown) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }
}
