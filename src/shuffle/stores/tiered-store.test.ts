import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/rng.ts';
import { readFrameHeader } from '../codecs.ts';
import { makeIotBlock } from '../iot-blocks.ts';
import { DirectoryShuffleStore } from './directory-store.ts';
import { MemoryShuffleStore } from './memory-store.ts';
import { RedisShuffleStore } from './redis-store.ts';
import { redisServerAvailable, startLocalRedis, type LocalRedis } from './redis-server.ts';
import { S3ShuffleStore } from './s3-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from './s3-server.ts';
import { BlockLostError, MAX_GARBAGE_COPIES, ShuffleWriteError, TieredShuffleStore } from './tiered-store.ts';
import type { ShuffleStore, Tier } from './types.ts';

const root = await mkdtemp(join(tmpdir(), 'edgepilot-tiered-test-'));
const ownRedis: LocalRedis[] = [];
let s3: EmbeddedS3 | undefined;
/** Closed again after all tests, so a failing test cannot leave a reconnecting Redis client behind. */
const opened: ShuffleStore[] = [];
function track<T extends ShuffleStore>(store: T): T {
  opened.push(store);
  return store;
}
after(async () => {
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
  async get(key: string): Promise<Buffer | undefined> {
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
  const redis = new RedisShuffleStore({ url: server.url, opTimeoutMs: 250 });
  const tiered = track(new TieredShuffleStore({ stores: { redis, nvme: warmStore() }, tier: 'redis' }));
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
