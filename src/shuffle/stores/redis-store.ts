/**
 * Shuffle store on Redis (node-redis 6): the hot tier of the live engine.
 *
 * Failure behaviour is what matters here, because the tiered store falls back on any failure:
 * - the connection is opened lazily on the first operation; a refused connection fails that operation
 *   at once (no retry loop on the first connect), and the next operation tries again;
 * - once connected, node-redis reconnects in the background; `disableOfflineQueue` makes commands fail
 *   immediately while it is disconnected instead of queueing without bound;
 * - every operation has a deadline (node-redis' own `timeout` only covers commands not yet written, so a
 *   server that stops answering, e.g. SIGSTOP, would otherwise hang the caller);
 * - Redis' "OOM command not allowed" reply (maxmemory reached) counts as a capacity failure.
 * Binary blocks need the BLOB_STRING -> Buffer type mapping (reference/infra.md §2.2).
 */
import { createClient, RESP_TYPES } from 'redis';
import { CapacityError, validateBlockData, validateBlockKey, withTimeout, type ShuffleStore, type Tier } from './types.ts';

export interface RedisStoreOptions {
  /** e.g. redis://127.0.0.1:6379 */
  url: string;
  /** Prefix of every key this store writes; default 'edgepilot:shuffle:'. */
  keyPrefix?: string;
  /** Deadline per operation; default 2000 ms. */
  opTimeoutMs?: number;
  /** Deadline to open the connection; default 1000 ms. */
  connectTimeoutMs?: number;
  /** Optional expiry of every block, in seconds: shuffle data lives 10-100 s (Pocket OSDI'18, anchors.md §3). */
  ttlSeconds?: number;
  tier?: Tier;
}

function makeClient(url: string, connectTimeoutMs: number, state: { connectedOnce: boolean }) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      // First connect: fail fast so the caller can fall back. After that: back off up to 1 s between tries.
      reconnectStrategy: (retries: number) => (state.connectedOnce ? Math.min(50 * 2 ** retries, 1000) : false),
    },
    commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } },
  });
}
type Client = ReturnType<typeof makeClient>;

/** destroy() throws on a client that already closed itself (e.g. after a refused first connect). */
function destroyQuietly(client: Client): void {
  try {
    client.destroy();
  } catch {
    // already closed
  }
}

export class RedisShuffleStore implements ShuffleStore {
  readonly tier: Tier;
  readonly volatile = true;
  readonly url: string;
  private readonly keyPrefix: string;
  private readonly opTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly ttlSeconds: number | undefined;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private readonly sizes = new Map<string, number>();
  private bytesUsed = 0;
  private closed = false;
  /** The last error the client emitted (node-redis emits 'error' on every failed reconnect). */
  lastClientError: Error | undefined;

  constructor(options: RedisStoreOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new Error(`redis store: url '${options.url}' is not a valid URL (expected redis://host:port)`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new Error(`redis store: url '${options.url}' must start with redis:// or rediss://`);
    }
    if (options.ttlSeconds !== undefined && !(Number.isInteger(options.ttlSeconds) && options.ttlSeconds > 0)) {
      throw new Error(`redis store: ttlSeconds must be a positive integer, got ${options.ttlSeconds}`);
    }
    this.url = options.url;
    this.keyPrefix = options.keyPrefix ?? 'edgepilot:shuffle:';
    this.opTimeoutMs = options.opTimeoutMs ?? 2000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    this.ttlSeconds = options.ttlSeconds;
    this.tier = options.tier ?? 'redis';
  }

  async put(key: string, data: Buffer): Promise<void> {
    validateBlockKey(key, 'redis store put');
    validateBlockData(data, 'redis store put');
    await this.run(`redis store put '${key}'`, async (client) => {
      try {
        if (this.ttlSeconds !== undefined) await client.set(this.keyPrefix + key, data, { EX: this.ttlSeconds });
        else await client.set(this.keyPrefix + key, data);
      } catch (err) {
        const message = (err as Error).message ?? '';
        if (message.startsWith('OOM ')) throw new CapacityError(`redis store ${this.url}: block '${key}' of ${data.length} bytes rejected: ${message}`);
        throw err;
      }
    });
    this.bytesUsed += data.length - (this.sizes.get(key) ?? 0);
    this.sizes.set(key, data.length);
  }

  async get(key: string): Promise<Buffer | undefined> {
    validateBlockKey(key, 'redis store get');
    const value = await this.run(`redis store get '${key}'`, (client) => client.get(this.keyPrefix + key));
    if (value === null || value === undefined) return undefined;
    if (!Buffer.isBuffer(value)) throw new Error(`redis store get '${key}': expected a Buffer reply, got ${typeof value}`);
    return value;
  }

  async delete(key: string): Promise<void> {
    validateBlockKey(key, 'redis store delete');
    await this.run(`redis store delete '${key}'`, (client) => client.del(this.keyPrefix + key));
    this.bytesUsed -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
  }

  usedBytes(): number {
    return this.bytesUsed;
  }

  /** True while the client holds a ready connection (for metrics; operations connect on demand). */
  isReady(): boolean {
    return this.client?.isReady ?? false;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.connecting = undefined;
    if (client === undefined || !client.isOpen) return;
    // A server that stopped answering would make close() wait for its replies forever: destroy instead.
    try {
      await withTimeout(this.opTimeoutMs, 'redis store close', () => client.close());
    } catch {
      destroyQuietly(client);
    }
  }

  private async run<T>(what: string, op: (client: Client) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`${what}: store used after close()`);
    return withTimeout(this.opTimeoutMs, what, async () => op(await this.connection()));
  }

  private connection(): Promise<Client> {
    if (this.client !== undefined && this.client.isOpen) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const state = { connectedOnce: false };
    const client = makeClient(this.url, this.connectTimeoutMs, state);
    client.on('error', (err: Error) => {
      this.lastClientError = err;
    });
    try {
      await client.connect();
    } catch (err) {
      destroyQuietly(client);
      throw err;
    }
    state.connectedOnce = true;
    if (this.closed) {
      destroyQuietly(client);
      throw new Error(`redis store ${this.url}: closed while connecting`);
    }
    this.client = client;
    return client;
  }
}
