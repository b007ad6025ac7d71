import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/rng.ts';
import { decodeBlock, readFrameHeader } from '../codecs.ts';
import { makeIotBlock } from '../iot-blocks.ts';
import { DirectoryShuffleStore } from './directory-store.ts';
import { MemoryShuffleStore } from './memory-store.ts';
import { RedisShuffleStore } from './redis-store.ts';
import { redisServerAvailable, startLocalRedis, type LocalRedis } from './redis-server.ts';
import { S3ShuffleStore } from './s3-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from './s3-server.ts';
import { BlockLostError, MAX_GARBAGE_COPIES, ShuffleWriteError, TieredShuffleStore } from './tiered-store.ts';
import { StoreTimeoutError, type ShuffleStore, type Tier } from './types.ts';

const root = await mkdtemp(join(tmpdir(), 'edgepilot-tiered-test-'));
const ownRedis: LocalRedis[] = [];
let s3: EmbeddedS3 | undefined;
/** Closed again after all tests, so a failing test cannot leave a reconnecting Redis client behind. */
const opened: ShuffleStore[] = [];
function track<T extends ShuffleStore>(store: T): T {
  opened.push(store);
  return store;
}
/** Opened again after all tests, so a test that fails while an operation is held cannot hang the closes below. */
const gates: { open(): void }[] = [];
after(async () => {
  for (const gate of gates) gate.open();
  for (const store of opened) await store.close().catch(() => undefined);
  for (const server of ownRedis) await server.stop();
  await s3?.stop();
  await rm(root, { recursive: true, force: true });
});
let dirCount = 0;
const warmStore = (): DirectoryShuffleStore => new DirectoryShuffleStore({ directory: join(root, `warm-${dirCount++}`) });
const SKIP_OWN_REDIS = redisServerAvailable() ? false : 'redis-server is not installed (apt-get install -y redis-server; `npm test` installs it)';

/** A store whose next operations fail with a chosen error: the failure injection for the unit tests. */
class FlakyStore implements ShuffleStore {
  failWith: Error | undefined;
  readonly volatile: boolean;
  constructor(
    readonly inner: ShuffleStore,
    readonly tier: Tier = inner.tier,
  ) {
    this.volatile = inner.volatile;
  }
  private check(): void {
    if (this.failWith) throw this.failWith;
  }
  async put(key: string, data: Buffer): Promise<void> {
    this.check();
    await this.inner.put(key, data);
  }
  gets = 0;
  async get(key: string): Promise<Buffer | undefined> {
    this.gets++;
    this.check();
    return this.inner.get(key);
  }
  async delete(key: string): Promise<void> {
    this.check();
    await this.inner.delete(key);
  }
  async close(): Promise<void> {
    await this.inner.close();
  }
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
}

test('tiered store: writes to the selected tier with the selected codec; a codec change keeps old blocks readable', async () => {
  const hot = new MemoryShuffleStore({ capacityBytes: 10_000_000 });
  const warm = warmStore();
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis', codec: 'lz4' }));
  const rng = new Rng(1);
  const a = makeIotBlock(rng.fork('a'), 64 * 1024);
  const b = makeIotBlock(rng.fork('b'), 64 * 1024);
  await tiered.put('a', a);
  tiered.select({ tier: 'nvme', codec: 'zstd' });
  await tiered.put('b', b);
  await tiered.flush();
  // The hot (volatile) block also got a backup copy on the warm tier.
  assert.deepEqual(tiered.locate('a'), { tier: 'redis', codec: 'lz4', rawBytes: a.length, storedBytes: (await hot.get('a'))!.length, backupTier: 'nvme' });
  assert.ok((await warm.get('a'))!.equals((await hot.get('a'))!));
  assert.equal(tiered.locate('b')!.tier, 'nvme');
  assert.equal(readFrameHeader((await warm.get('b'))!).codec, 'zstd');
  assert.equal(readFrameHeader((await hot.get('a'))!).codec, 'lz4');
  assert.ok((await tiered.get('a'))!.equals(a));
  assert.ok((await tiered.get('b'))!.equals(b));
  assert.equal(await tiered.get('unknown'), undefined);
  const stats = tiered.stats();
  assert.equal(stats.fallbacks, 0);
  assert.equal(stats.rawBytesWritten, a.length + b.length);
  assert.ok(stats.storedBytesWritten < stats.rawBytesWritten / 2, 'IoT JSON compresses');
  await tiered.close();
});

test('tiered store: a full hot tier falls back to warm, counted as a capacity fallback; reads find the block', async () => {
  const hot = new MemoryShuffleStore({ capacityBytes: 1000 });
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warmStore() }, tier: 'redis', codec: 'none' }));
  await tiered.put('small', Buffer.alloc(500, 1));
  await tiered.put('big', Buffer.alloc(600, 2)); // 500+20 + 600+20 > 1000
  assert.equal(tiered.locate('small')!.tier, 'redis');
  assert.equal(tiered.locate('big')!.tier, 'nvme');
  assert.ok((await tiered.get('big'))!.equals(Buffer.alloc(600, 2)));
  const stats = tiered.stats();
  assert.equal(stats.fallbacks, 1);
  assert.deepEqual(stats.fallbacksByReason, { capacity: 1 });
  assert.deepEqual(stats.fallbackRoutes, { 'redis->nvme': 1 });
  assert.deepEqual(stats.blocksByTier, { redis: 1, nvme: 1 });
  // Capacity does not take the tier out of service: the next small block goes hot again.
  await tiered.put('small2', Buffer.alloc(100, 3));
  assert.equal(tiered.locate('small2')!.tier, 'redis');
  await tiered.close();
});

test('tiered store: hot tier = Redis URL on a closed port -> every block goes warm, none lost', async () => {
  const redis = new RedisShuffleStore({ url: 'redis://127.0.0.1:1', keyPrefix: `edgepilot:test:${process.pid}:` });
  const tiered = track(new TieredShuffleStore({ stores: { redis, nvme: warmStore() }, tier: 'redis', codec: 'zstd', retryAfterMs: 60_000 }));
  const rng = new Rng(2);
  const blocks = Array.from({ length: 10 }, (_, i) => makeIotBlock(rng.fork(`b${i}`), 4096 + i));
  for (const [i, block] of blocks.entries()) await tiered.put(`map-${i}`, block);
  for (const [i, block] of blocks.entries()) {
    assert.equal(tiered.locate(`map-${i}`)!.tier, 'nvme');
    assert.ok((await tiered.get(`map-${i}`))!.equals(block), `map-${i}`);
  }
  const stats = tiered.stats();
  assert.equal(stats.fallbacks, 10);
  // The first put found the connection refused; the tier is then skipped for retryAfterMs.
  assert.deepEqual(stats.fallbacksByReason, { connection: 1, 'tier-down': 9 });
  assert.match(stats.lastErrors.redis!, /ECONNREFUSED|closed|offline/i);
  await tiered.close();
});

test('tiered store: a tier is retried after retryAfterMs (injected clock)', async () => {
  let nowMs = 0;
  const flaky = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const tiered = track(new TieredShuffleStore({ stores: { redis: flaky, nvme: warmStore() }, tier: 'redis', retryAfterMs: 1000, nowMs: () => nowMs }));
  flaky.failWith = refused();
  await tiered.put('a', Buffer.from('a'));
  flaky.failWith = undefined; // back, but still within the back-off window
  nowMs = 999;
  await tiered.put('b', Buffer.from('b'));
  nowMs = 1001;
  await tiered.put('c', Buffer.from('c'));
  assert.deepEqual(['a', 'b', 'c'].map((k) => tiered.locate(k)!.tier), ['nvme', 'nvme', 'redis']);
  assert.deepEqual(tiered.stats().tierFailures, { redis: { connection: 1, 'tier-down': 1 } });
  await tiered.close();
});

test('tiered store: own redis-server stopped mid-run -> later blocks go warm, earlier ones are read from their backups; none lost', { skip: SKIP_OWN_REDIS }, async () => {
  const server = await startLocalRedis();
  ownRedis.push(server);
  const redis = new RedisShuffleStore({ url: server.url, opTimeoutMs: 1000 });
  const tiered = track(new TieredShuffleStore({ stores: { redis, nvme: warmStore() }, tier: 'redis', codec: 'lz4' }));
  const rng = new Rng(3);
  const acknowledged = new Map<string, Buffer>();
  for (let i = 0; i < 40; i++) {
    if (i === 20) await server.stop(); // Redis dies between two map outputs
    const block = makeIotBlock(rng.fork(`block-${i}`), 1000 + 97 * i);
    await tiered.put(`shuffle-0/map-${i}`, block);
    acknowledged.set(`shuffle-0/map-${i}`, block);
  }
  await tiered.flush();
  for (const [key, block] of acknowledged) assert.ok((await tiered.get(key))!.equals(block), `${key} lost`);
  const stats = tiered.stats();
  assert.equal(stats.blocksByTier.redis, 20);
  assert.equal(stats.blocksByTier.nvme, 20);
  assert.equal(stats.fallbacks, 20);
  assert.equal(stats.fallbackRoutes['redis->nvme'], 20);
  assert.equal((stats.fallbacksByReason.connection ?? 0) + (stats.fallbacksByReason['tier-down'] ?? 0), 20);
  assert.equal(stats.backupsWritten, 20);
  assert.equal(stats.readsFromBackup, 20);
  await tiered.close();
});

test('tiered store: without backups a stopped Redis loses its blocks, and get says so (what the backup buys)', { skip: SKIP_OWN_REDIS }, async () => {
  const server = await startLocalRedis();
  ownRedis.push(server);
  const redis = new RedisShuffleStore({ url: server.url, opTimeoutMs: 1000 });
  const tiered = track(new TieredShuffleStore({ stores: { redis, nvme: warmStore() }, tier: 'redis', backupVolatile: false }));
  await tiered.put('k', Buffer.from('hot only'));
  await server.stop();
  await assert.rejects(tiered.get('k'), (err: unknown) => err instanceof BlockLostError && /block 'k' was written to redis but no copy is readable: redis: connection/.test(err.message));
  await tiered.close();
});

test('tiered store: a frozen Redis (timeouts) -> fallback counted as timeout', { skip: SKIP_OWN_REDIS }, async () => {
  const server = await startLocalRedis();
  ownRedis.push(server);
  // A timeout long enough that a healthy Redis on a loaded machine never hits it (250 ms did, twice, under load), and a
  // back-off long enough that the tier is still down when the read below runs, however slow the machine.
  const redis = new RedisShuffleStore({ url: server.url, opTimeoutMs: 2000 });
  const tiered = track(new TieredShuffleStore({ stores: { redis, nvme: warmStore() }, tier: 'redis', retryAfterMs: 600_000 }));
  await tiered.put('before', Buffer.from('1'));
  await tiered.flush();
  server.freeze();
  try {
    await tiered.put('during', Buffer.from('2'));
    assert.equal(tiered.locate('during')!.tier, 'nvme');
    assert.deepEqual(tiered.stats().fallbacksByReason, { timeout: 1 });
    // The hot tier is now marked down, so this read goes to the backup instead of waiting for a timeout.
    assert.equal((await tiered.get('before'))!.toString(), '1');
    assert.equal(tiered.stats().readsFromBackup, 1);
  } finally {
    server.thaw();
  }
  await tiered.close();
});

test('tiered store: warm full and hot down -> the cold tier (embedded S3) takes the block', async () => {
  s3 ??= await startEmbeddedS3();
  const hot = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  hot.failWith = refused();
  const warm = new DirectoryShuffleStore({ directory: join(root, 'small-warm'), capacityBytes: 100 });
  const cold = new S3ShuffleStore({ endpoint: s3.endpoint, bucket: 'edgepilot-shuffle', prefix: `tiered-${process.pid}/` });
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm, s3: cold }, tier: 'redis', codec: 'none' }));
  const block = Buffer.alloc(1000, 7);
  await tiered.put('x', block);
  assert.equal(tiered.locate('x')!.tier, 's3');
  assert.ok((await tiered.get('x'))!.equals(block));
  assert.deepEqual(tiered.stats().tierFailures, { redis: { connection: 1 }, nvme: { capacity: 1 } });
  await tiered.close();
});

test('tiered store: when no tier accepts a block the error lists every tier and reason', async () => {
  const hot = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  hot.failWith = refused();
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: new DirectoryShuffleStore({ directory: join(root, 'tiny'), capacityBytes: 10 }) }, tier: 'nvme' }));
  const err = await tiered.put('k', Buffer.alloc(100)).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ShuffleWriteError);
  assert.match(err.message, /no tier accepted block 'k' of 100 bytes: nvme: capacity .*; s3: not-configured .*; archive: not-configured .*; redis: connection/);
  assert.deepEqual(err.attempts.map((a) => a.tier), ['nvme', 's3', 'archive', 'redis']);
  assert.equal(tiered.locate('k'), undefined);
  await tiered.close();
});

test('tiered store: a corrupt or vanished primary copy is served from the backup; without one get throws', async () => {
  const hotInner = new MemoryShuffleStore({ capacityBytes: 1e6 });
  const warm = warmStore();
  const tiered = track(new TieredShuffleStore({ stores: { redis: hotInner, nvme: warm }, tier: 'redis' }));
  await tiered.put('corrupt', Buffer.from('payload one'));
  await tiered.put('vanished', Buffer.from('payload two'));
  await tiered.flush();
  const frame = (await hotInner.get('corrupt'))!;
  frame[frame.length - 1]! ^= 0xff;
  await hotInner.put('corrupt', frame);
  await hotInner.delete('vanished'); // e.g. Redis restarted empty
  assert.equal((await tiered.get('corrupt'))!.toString(), 'payload one');
  assert.equal((await tiered.get('vanished'))!.toString(), 'payload two');
  await warm.delete('corrupt');
  await assert.rejects(tiered.get('corrupt'), /no copy is readable: redis: shuffle block 'corrupt': frame CRC32 mismatch.*; nvme: block missing/);
  await tiered.close();
});

test('tiered store: overwrite on another tier and delete remove every copy', async () => {
  const hot = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const warm = warmStore();
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis', retryAfterMs: 0 }));
  await tiered.put('k', Buffer.from('v1'));
  await tiered.flush();
  assert.equal(tiered.locate('k')!.backupTier, 'nvme');
  tiered.select({ tier: 'nvme' });
  await tiered.put('k', Buffer.from('v2'));
  assert.equal(await hot.inner.get('k'), undefined, 'old hot copy removed');
  assert.equal((await tiered.get('k'))!.toString(), 'v2');
  tiered.select({ tier: 'redis' });
  await tiered.put('j', Buffer.from('w'));
  await tiered.delete('j'); // waits for the in-flight backup, then removes both copies
  assert.equal(await hot.inner.get('j'), undefined);
  assert.equal(await warm.get('j'), undefined);
  assert.equal(await tiered.get('j'), undefined);
  assert.deepEqual(tiered.stats().blocksByTier, { redis: 0, nvme: 1 });
  await tiered.close();
});

test('tiered store: bad configuration is rejected with clear errors', () => {
  assert.throws(() => new TieredShuffleStore({ stores: {} }), /configure at least one of redis, nvme, s3, archive/);
  assert.throws(
    () => new TieredShuffleStore({ stores: { s3: new MemoryShuffleStore({ capacityBytes: 1 }) } }),
    /the store given for tier 's3' serves tier 'redis'/,
  );
  const tiered = track(new TieredShuffleStore({ stores: { nvme: warmStore() } }));
  assert.equal(tiered.tier, 'nvme');
  assert.throws(() => tiered.select({ tier: 'ssd' as Tier }), /unknown tier 'ssd'/);
  assert.throws(() => tiered.select({ codec: 'gzip' as 'lz4' }), /unknown shuffle codec 'gzip'/);
});

test('tiered store: a copy whose delete failed is deleted again by a later sweep, so nothing is left in the store for good', async () => {
  const cold = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }), 's3');
  const tiered = track(new TieredShuffleStore({ stores: { s3: cold }, tier: 's3', retryAfterMs: 0 }));
  await tiered.put('a', Buffer.from('1'));
  await tiered.put('b', Buffer.from('2'));
  cold.failWith = new Error('s3 store delete: no answer within 5000 ms');
  await tiered.delete('a');
  assert.equal(tiered.locate('a'), undefined, 'the block is forgotten at once');
  assert.ok(await cold.inner.get('a'), 'its copy is still in the store');
  // Still failing: the sweep the delete started stops at the first copy that fails again and keeps it.
  await tiered.collectGarbage();
  assert.ok(tiered.stats().deleteFailures >= 2, 'the delete and the sweep both failed');
  assert.equal(tiered.stats().garbagePending, 1);
  cold.failWith = undefined;
  await tiered.delete('b'); // a later delete starts a sweep
  await tiered.collectGarbage();
  assert.equal(await cold.inner.get('a'), undefined, 'the failed copy was deleted by the sweep');
  assert.equal(await cold.inner.get('b'), undefined);
  const stats = tiered.stats();
  assert.equal(stats.garbagePending, 0);
  assert.equal(stats.garbageCollected, 1);
  // A key written again on the same tier is not swept away.
  await tiered.put('c', Buffer.from('3'));
  cold.failWith = new Error('down');
  await tiered.delete('c');
  cold.failWith = undefined;
  await tiered.put('c', Buffer.from('4'));
  await tiered.collectGarbage();
  assert.equal((await tiered.get('c'))!.toString(), '4');
  assert.equal(tiered.stats().garbagePending, 0);
  await tiered.close();
});

test('tiered store: at most MAX_GARBAGE_COPIES failed deletes are remembered; the oldest are given up and counted', async () => {
  const cold = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e9 }), 's3');
  const tiered = track(new TieredShuffleStore({ stores: { s3: cold }, tier: 's3', retryAfterMs: 0 }));
  const keys = MAX_GARBAGE_COPIES + 3;
  for (let i = 0; i < keys; i++) await tiered.put(`k${i}`, Buffer.from('x'));
  cold.failWith = new Error('down');
  for (let i = 0; i < keys; i++) await tiered.delete(`k${i}`);
  await tiered.collectGarbage();
  const stats = tiered.stats();
  assert.equal(stats.garbagePending, MAX_GARBAGE_COPIES);
  assert.equal(stats.garbageAbandoned, 3);
  cold.failWith = undefined;
  await tiered.close();
});

/** A store whose next put or delete waits until the test opens its gate: an operation kept in flight, with no timing. */
class GatedStore implements ShuffleStore {
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  private holds: 'put' | 'delete' | undefined;
  readonly volatile: boolean;
  readonly tier: Tier;
  constructor(readonly inner: ShuffleStore) {
    this.volatile = inner.volatile;
    this.tier = inner.tier;
    gates.push(this);
  }
  /** The next put (or delete) waits for open(). */
  holdNext(op: 'put' | 'delete'): void {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
    this.holds = op;
  }
  open(): void {
    this.gate?.open();
  }
  private async pass(op: 'put' | 'delete'): Promise<void> {
    if (this.holds !== op || this.gate === undefined) return;
    const { promise } = this.gate;
    this.holds = undefined;
    await promise;
  }
  async put(key: string, data: Buffer): Promise<void> {
    await this.pass('put');
    await this.inner.put(key, data);
  }
  async get(key: string): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }
  async delete(key: string): Promise<void> {
    await this.pass('delete');
    await this.inner.delete(key);
  }
  async close(): Promise<void> {
    await this.inner.close();
  }
}

/** Lets every pending callback and I/O event run, so a promise that is still pending is waiting on something real. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('tiered store: an overwrite waits for the old version\'s backup before it writes, so the old frame cannot land over the new block', async () => {
  const hot = new MemoryShuffleStore({ capacityBytes: 1e6 });
  const warm = new GatedStore(warmStore());
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis' }));
  warm.holdNext('put'); // the backup of v1 stays in flight
  await tiered.put('k', Buffer.from('v1'));
  tiered.select({ tier: 'nvme' });
  const overwrite = tiered.put('k', Buffer.from('v2'));
  await settle();
  warm.open(); // the old backup lands now, after the overwrite was asked for
  await overwrite;
  await tiered.flush();
  assert.equal((await tiered.get('k'))!.toString(), 'v2');
  assert.equal(decodeBlock((await warm.inner.get('k'))!, 'k').toString(), 'v2', 'the copy on nvme is the new block');
  assert.equal(await hot.get('k'), undefined, 'the old hot copy is removed');
  assert.deepEqual(tiered.locate('k'), { tier: 'nvme', codec: 'lz4', rawBytes: 2, storedBytes: (await warm.inner.get('k'))!.length });
  await tiered.close();
});

test('tiered store: overwriting a block on the same tier keeps the new block (only the old copies elsewhere are deleted)', async () => {
  const hot = new MemoryShuffleStore({ capacityBytes: 1e6 });
  const warm = warmStore();
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis' }));
  await tiered.put('k', Buffer.from('v1'));
  await tiered.flush();
  await tiered.put('k', Buffer.from('v2'));
  await tiered.flush();
  assert.ok(await hot.get('k'), 'the new hot copy is still there');
  assert.equal((await tiered.get('k'))!.toString(), 'v2');
  assert.equal(tiered.stats().readsFromBackup, 0);
  assert.deepEqual(tiered.stats().blocksByTier, { redis: 1 });
  await tiered.close();
});

test('tiered store: a read while the backup is still in flight is served from its bytes when the primary fails', async () => {
  const hot = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const warm = new GatedStore(warmStore());
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis' }));
  warm.holdNext('put');
  await tiered.put('k', Buffer.from('payload'));
  hot.failWith = refused(); // Redis died before the backup landed
  assert.equal((await tiered.get('k'))!.toString(), 'payload');
  assert.equal(tiered.stats().readsFromBackup, 1);
  warm.open();
  await tiered.flush();
  assert.equal(tiered.locate('k')!.backupTier, 'nvme');
  await tiered.close();
});

test('tiered store: a read that finds the primary tier down marks it down; later reads go to the backup without trying it (injected clock)', async () => {
  let nowMs = 0;
  const hot = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warmStore() }, tier: 'redis', retryAfterMs: 1000, nowMs: () => nowMs }));
  await tiered.put('k', Buffer.from('v'));
  await tiered.flush();
  hot.failWith = refused();
  assert.equal((await tiered.get('k'))!.toString(), 'v');
  assert.equal(hot.gets, 1);
  assert.deepEqual(tiered.stats().tierFailures, { redis: { connection: 1 } });
  nowMs = 500;
  assert.equal((await tiered.get('k'))!.toString(), 'v');
  assert.equal(hot.gets, 1, 'the tier is down: the read goes straight to the backup');
  assert.equal(tiered.stats().readsFromBackup, 2);
  hot.failWith = undefined;
  nowMs = 1000; // retryAfterMs has passed: the primary is used again
  assert.equal((await tiered.get('k'))!.toString(), 'v');
  assert.equal(hot.gets, 2);
  assert.equal(tiered.stats().readsFromBackup, 2);
  await tiered.close();
});

test('tiered store: a timeout takes the tier out of service like a refused connection (injected clock)', async () => {
  const nowMs = 0;
  const flaky = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const tiered = track(new TieredShuffleStore({ stores: { redis: flaky, nvme: warmStore() }, tier: 'redis', retryAfterMs: 1000, nowMs: () => nowMs }));
  flaky.failWith = new StoreTimeoutError('redis store put: no answer within 500 ms');
  await tiered.put('a', Buffer.from('a'));
  await tiered.put('b', Buffer.from('b'));
  assert.deepEqual(tiered.stats().tierFailures, { redis: { timeout: 1, 'tier-down': 1 } });
  assert.deepEqual(tiered.stats().fallbacksByReason, { timeout: 1, 'tier-down': 1 });
  await tiered.close();
});

test('tiered store: the fallback is counted by the reason the selected tier failed, not the last tier tried', async () => {
  const hot = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  hot.failWith = refused();
  const warm = new DirectoryShuffleStore({ directory: join(root, 'reason-warm'), capacityBytes: 10 });
  const cold = new DirectoryShuffleStore({ directory: join(root, 'reason-cold'), tier: 's3' });
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm, s3: cold }, tier: 'redis', codec: 'none' }));
  await tiered.put('x', Buffer.alloc(100));
  assert.equal(tiered.locate('x')!.tier, 's3');
  assert.deepEqual(tiered.stats().fallbacksByReason, { connection: 1 });
  assert.deepEqual(tiered.stats().fallbackRoutes, { 'redis->s3': 1 });
  await tiered.close();
});

test('tiered store: a backup that fails on the nearest durable tier goes to the next one; with none left it is counted as failed', async () => {
  const warm = new FlakyStore(warmStore());
  warm.failWith = refused();
  const cold = new DirectoryShuffleStore({ directory: join(root, 'backup-cold'), tier: 's3' });
  const tiered = track(new TieredShuffleStore({ stores: { redis: new MemoryShuffleStore({ capacityBytes: 1e6 }), nvme: warm, s3: cold }, tier: 'redis' }));
  await tiered.put('k', Buffer.from('v'));
  await tiered.flush();
  assert.equal(tiered.locate('k')!.backupTier, 's3');
  assert.ok(await cold.get('k'));
  assert.equal(tiered.stats().backupsWritten, 1);

  const onlyWarm = track(new TieredShuffleStore({ stores: { redis: new MemoryShuffleStore({ capacityBytes: 1e6 }), nvme: warm }, tier: 'redis' }));
  await onlyWarm.put('k', Buffer.from('v'));
  await onlyWarm.flush();
  assert.equal(onlyWarm.locate('k')!.backupTier, undefined);
  assert.equal(onlyWarm.stats().backupsFailed, 1);
  assert.equal(onlyWarm.stats().backupsWritten, 0);
  await tiered.close();
  await onlyWarm.close();
});

test('tiered store: blocks on a durable tier get no backup copy', async () => {
  const warm = warmStore();
  const cold = new DirectoryShuffleStore({ directory: join(root, 'no-backup-cold'), tier: 's3' });
  const tiered = track(new TieredShuffleStore({ stores: { nvme: warm, s3: cold }, tier: 'nvme' }));
  await tiered.put('k', Buffer.from('v'));
  await tiered.flush();
  assert.equal(tiered.locate('k')!.backupTier, undefined);
  assert.equal(await cold.get('k'), undefined);
  await tiered.close();
});

test('tiered store: a delete starts the sweep of earlier failed deletes by itself (close waits for it)', async () => {
  const cold = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }), 's3');
  const tiered = track(new TieredShuffleStore({ stores: { s3: cold }, tier: 's3' }));
  await tiered.put('a', Buffer.from('1'));
  await tiered.put('b', Buffer.from('2'));
  cold.failWith = new Error('down');
  await tiered.delete('a');
  await tiered.collectGarbage(); // lets the sweep that delete started fail too
  cold.failWith = undefined;
  await tiered.delete('b'); // no explicit collectGarbage: the delete starts the sweep
  await tiered.close();
  assert.equal(tiered.stats().garbageCollected, 1);
  assert.equal(tiered.stats().garbagePending, 0);
});

test('tiered store: one sweep deletes at most 64 copies, and stops at the first copy that fails again', async () => {
  const cold = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }), 's3');
  const tiered = track(new TieredShuffleStore({ stores: { s3: cold }, tier: 's3' }));
  for (let i = 0; i < 100; i++) await tiered.put(`k${i}`, Buffer.from('x'));
  cold.failWith = new Error('down');
  for (let i = 0; i < 100; i++) await tiered.delete(`k${i}`);
  await tiered.collectGarbage();
  assert.equal(tiered.stats().garbagePending, 100);
  const failuresBefore = tiered.stats().deleteFailures;
  await tiered.collectGarbage();
  assert.equal(tiered.stats().deleteFailures, failuresBefore + 1, 'a sweep tries one copy of a store still failing');
  cold.failWith = undefined;
  await tiered.collectGarbage();
  assert.equal(tiered.stats().garbageCollected, 64);
  assert.equal(tiered.stats().garbagePending, 36);
  await tiered.collectGarbage();
  assert.equal(tiered.stats().garbagePending, 0);
  assert.equal(tiered.stats().garbageCollected, 100);
  // Nothing is left behind for the swept keys, not even an empty entry.
  assert.equal((tiered as unknown as { garbage: Map<string, unknown> }).garbage.size, 0);
  for (let i = 0; i < 100; i++) assert.equal(await cold.inner.get(`k${i}`), undefined);
  await tiered.close();
});

test('tiered store: failed deletes of both copies of a block (primary and backup) are both remembered and swept', async () => {
  const hot = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const warm = new FlakyStore(warmStore());
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis' }));
  await tiered.put('k', Buffer.from('v'));
  await tiered.flush();
  hot.failWith = new Error('down');
  warm.failWith = new Error('down');
  await tiered.delete('k');
  await tiered.collectGarbage();
  assert.equal(tiered.stats().garbagePending, 2);
  hot.failWith = undefined;
  warm.failWith = undefined;
  await tiered.collectGarbage();
  assert.equal(tiered.stats().garbagePending, 0);
  assert.equal(tiered.stats().garbageCollected, 2);
  assert.equal(await hot.inner.get('k'), undefined);
  assert.equal(await warm.inner.get('k'), undefined);
  await tiered.close();
});

test('tiered store: a backup written where an old copy of the key waits to be swept is kept from the sweep', async () => {
  const hot = new MemoryShuffleStore({ capacityBytes: 1e6 });
  const warm = new FlakyStore(warmStore());
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis' }));
  await tiered.put('k', Buffer.from('v1'));
  await tiered.flush();
  warm.failWith = new Error('down');
  await tiered.delete('k'); // the backup copy on nvme could not be deleted
  await tiered.collectGarbage();
  assert.equal(tiered.stats().garbagePending, 1);
  warm.failWith = undefined;
  await tiered.put('k', Buffer.from('v2')); // its new backup lands on nvme again
  await tiered.flush();
  assert.equal(tiered.stats().garbagePending, 0);
  await tiered.put('other', Buffer.from('x'));
  await tiered.delete('other'); // starts a sweep: it must not delete k's backup
  await tiered.collectGarbage();
  await hot.delete('k'); // the primary is lost: the backup serves the read
  assert.equal((await tiered.get('k'))!.toString(), 'v2');
  await tiered.close();
});

test('tiered store: close waits for the backups and the sweep in flight before closing the stores', async () => {
  const warm = new GatedStore(warmStore());
  const tiered = new TieredShuffleStore({ stores: { redis: new MemoryShuffleStore({ capacityBytes: 1e6 }), nvme: warm }, tier: 'redis' });
  warm.holdNext('put');
  await tiered.put('k', Buffer.from('v'));
  let closed = false;
  const closing = tiered.close().then(() => (closed = true));
  await settle();
  assert.equal(closed, false, 'close waits for the backup in flight');
  warm.open();
  await closing;
  assert.equal(tiered.stats().backupsWritten, 1);

  const cold = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }), 's3');
  const gated = new GatedStore(cold);
  const swept = new TieredShuffleStore({ stores: { s3: gated }, tier: 's3' });
  await swept.put('a', Buffer.from('1'));
  cold.failWith = new Error('down');
  await swept.delete('a');
  await swept.collectGarbage();
  cold.failWith = undefined;
  gated.holdNext('delete');
  const sweep = swept.collectGarbage();
  let sweptClosed = false;
  const sweptClosing = swept.close().then(() => (sweptClosed = true));
  await settle();
  assert.equal(sweptClosed, false, 'close waits for the sweep in flight');
  gated.open();
  await sweep;
  await sweptClosing;
  assert.equal(swept.stats().garbageCollected, 1);
});

test('tiered store: a key written again while a sweep is deleting its other old copies is not swept away', async () => {
  const hotFlaky = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const warmFlaky = new FlakyStore(warmStore());
  const hot = new GatedStore(hotFlaky);
  const warm = new GatedStore(warmFlaky);
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis' }));
  await tiered.put('k', Buffer.from('v1'));
  await tiered.flush();
  hotFlaky.failWith = new Error('down');
  warmFlaky.failWith = new Error('down');
  await tiered.delete('k'); // both copies (redis, then its nvme backup) wait to be swept
  await tiered.collectGarbage();
  assert.equal(tiered.stats().garbagePending, 2);
  hotFlaky.failWith = undefined;
  warmFlaky.failWith = undefined;
  hot.holdNext('delete');
  const sweep = tiered.collectGarbage(); // deleting the redis copy, nvme next
  tiered.select({ tier: 'nvme' });
  await tiered.put('k', Buffer.from('v2')); // written on nvme meanwhile
  hot.open();
  await sweep;
  assert.equal((await tiered.get('k'))!.toString(), 'v2');
  assert.equal(tiered.stats().garbagePending, 0);
  await tiered.close();
});

test('tiered store: a copy whose delete fails while a sweep works on the same key is kept for the next sweep, not forgotten', async () => {
  const hotFlaky = new FlakyStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const hot = new GatedStore(hotFlaky);
  const warm = new FlakyStore(warmStore());
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis', backupVolatile: false }));
  await tiered.put('k', Buffer.from('v1'));
  hotFlaky.failWith = new Error('down');
  await tiered.delete('k');
  await tiered.collectGarbage();
  hotFlaky.failWith = undefined;
  hot.holdNext('delete');
  const sweep = tiered.collectGarbage(); // deleting k's old redis copy
  tiered.select({ tier: 'nvme' });
  await tiered.put('k', Buffer.from('v2'));
  warm.failWith = new Error('down');
  await tiered.delete('k'); // k's nvme copy now waits too
  warm.failWith = undefined;
  hot.open();
  await sweep;
  assert.equal(tiered.stats().garbagePending, 1, 'the nvme copy is still remembered');
  await tiered.collectGarbage();
  assert.equal(await warm.inner.get('k'), undefined);
  assert.equal(tiered.stats().garbagePending, 0);
  assert.equal(tiered.stats().garbageCollected, 2);
  await tiered.close();
});

test('tiered store: a delete first waits for the backup in flight, then removes both copies', async () => {
  const warm = new GatedStore(warmStore());
  const hot = new MemoryShuffleStore({ capacityBytes: 1e6 });
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot, nvme: warm }, tier: 'redis' }));
  warm.holdNext('put');
  await tiered.put('k', Buffer.from('v'));
  let deleted = false;
  const deleting = tiered.delete('k').then(() => (deleted = true));
  await settle();
  assert.equal(deleted, false, 'the delete waits for the backup');
  warm.open();
  await deleting;
  assert.equal(await hot.get('k'), undefined);
  assert.equal(await warm.inner.get('k'), undefined);
  assert.equal(tiered.stats().backupsWritten, 1);
  await tiered.close();
});

test('tiered store: two overlapping writes of one key end with the later one, in the store and in locate()', async () => {
  const warm = new GatedStore(warmStore());
  const tiered = track(new TieredShuffleStore({ stores: { nvme: warm }, tier: 'nvme' }));
  warm.holdNext('put'); // the first write reaches the store last unless the second waits for it
  const first = tiered.put('k', Buffer.from('first'));
  const second = tiered.put('k', Buffer.from('second!'));
  await settle();
  warm.open();
  await Promise.all([first, second]);
  assert.equal((await tiered.get('k'))!.toString(), 'second!');
  assert.equal(decodeBlock((await warm.inner.get('k'))!, 'k').toString(), 'second!', 'the stored copy is the later write');
  assert.equal(tiered.locate('k')!.rawBytes, 7);
  await tiered.close();
});

test('tiered store: a delete called while a write of the key is in flight removes the block once written', async () => {
  const warm = new GatedStore(warmStore());
  const tiered = track(new TieredShuffleStore({ stores: { nvme: warm }, tier: 'nvme' }));
  warm.holdNext('put');
  const write = tiered.put('k', Buffer.from('v1'));
  const removal = tiered.delete('k');
  await settle();
  warm.open();
  await Promise.all([write, removal]);
  assert.equal(await tiered.get('k'), undefined);
  assert.equal(await warm.inner.get('k'), undefined, 'no copy is left in the store');
  assert.deepEqual(tiered.stats().blocksByTier, { nvme: 0 });
  await tiered.close();
});

test('tiered store: a write called while a delete of the key is in flight is kept (the delete cannot remove the new copy)', async () => {
  // In memory, so the write is complete before the held delete goes on (a file write could still be in flight).
  const hot = new GatedStore(new MemoryShuffleStore({ capacityBytes: 1e6 }));
  const tiered = track(new TieredShuffleStore({ stores: { redis: hot }, tier: 'redis' }));
  await tiered.put('k', Buffer.from('v1'));
  hot.holdNext('delete');
  const removal = tiered.delete('k');
  const write = tiered.put('k', Buffer.from('v2'));
  await settle();
  hot.open();
  await Promise.all([removal, write]);
  assert.equal((await tiered.get('k'))!.toString(), 'v2');
  assert.equal(decodeBlock((await hot.inner.get('k'))!, 'k').toString(), 'v2');
  await tiered.close();
});

test('tiered store: a failed write does not stop the write queued behind it on the key', async () => {
  const warm = new GatedStore(new FlakyStore(warmStore()));
  const flaky = warm.inner as FlakyStore;
  const tiered = track(new TieredShuffleStore({ stores: { nvme: warm }, tier: 'nvme' }));
  const put = flaky.put.bind(flaky);
  flaky.put = async (key, data) => {
    try {
      await put(key, data);
    } finally {
      flaky.failWith = undefined; // only the first write fails
    }
  };
  warm.holdNext('put');
  flaky.failWith = new Error('disk full');
  const failing = tiered.put('k', Buffer.from('v1'));
  const queued = tiered.put('k', Buffer.from('v2'));
  await settle(); // the second write now waits behind the first, which is held in the store
  const failed = assert.rejects(failing, ShuffleWriteError);
  warm.open();
  await failed;
  await queued;
  assert.equal((await tiered.get('k'))!.toString(), 'v2');
  await tiered.close();
});
