import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServerAvailable, startLocalRedis, type LocalRedis } from '../../shuffle/stores/redis-server.ts';
import { StreamEngine } from './engine.ts';
import { MessageFactory } from './test-messages.ts';

const SHARED_REDIS_URL = process.env.EDGEPILOT_TEST_REDIS_URL;
const SKIP_SHARED = SHARED_REDIS_URL ? false : 'EDGEPILOT_TEST_REDIS_URL is not set: run `npm test` (scripts/test-services.sh starts redis-server) to run this Redis test';
const SKIP_OWN = redisServerAvailable() ? false : 'redis-server is not installed (apt-get install -y redis-server; `npm test` installs it)';

const dirs: string[] = [];
const servers: LocalRedis[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const T0 = 1_800_000_000_000;

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'edgepilot-engine-redis-'));
  dirs.push(d);
  return d;
}

test('redis outage: Redis stopped mid-batch and between batches -> blocks fall back to nvme, no message lost', { skip: SKIP_OWN, timeout: 60_000 }, async () => {
  const redis = await startLocalRedis();
  servers.push(redis);
  const clock = { t: T0 };
  let stopRedisAfterWriteOf: number | undefined;
  const engine = new StreamEngine(
    {
      outputDir: tempDir(),
      executorMode: 'inline',
      initialExecutors: 2,
      executorCapacityMsgsPerS: 10_000,
      initialTier: 'redis',
      initialCodec: 'lz4',
      runId: `outage-${process.pid}`,
      stores: { hot: { type: 'redis', url: redis.url, opTimeoutMs: 2000 }, s3: 'none', retryAfterMs: 200 },
    },
    {
      nowMs: () => clock.t,
      // Blocks of this batch are on Redis (and their backups in flight to nvme) when Redis dies.
      afterShuffleWrite: async (batchId) => {
        if (batchId === stopRedisAfterWriteOf) await redis.stop();
      },
    },
  );
  await engine.start({ timer: false });
  try {
    const f = new MessageFactory({ devices: 10 });
    const batch = async () => {
      for (const m of f.batch(100, clock.t - 1000, 5)) engine.ingest(m);
      clock.t += 1000;
      return engine.runBatch();
    };
    // 1. Redis up: blocks land on Redis.
    assert.equal((await batch()).processed, 100);
    const onRedis = engine.shuffle.blocksWrittenByTier.redis ?? 0;
    assert.ok(onRedis > 0, `blocks were written to Redis: ${JSON.stringify(engine.shuffle.stats())}`);
    // 2. Redis stops between the shuffle write and the reduce: reads come from the backup copies.
    stopRedisAfterWriteOf = 1;
    const second = await batch();
    assert.equal(second.processed, 100, `every block written to Redis before the outage is still read: ${JSON.stringify(second)} ${engine.getCounters().lastError}`);
    assert.equal(second.shuffleLost, 0);
    assert.ok((engine.shuffle.blocksWrittenByTier.redis ?? 0) > onRedis, 'batch 2 was written to Redis before it stopped');
    assert.ok(engine.shuffle.stats().readsFromBackup > 0, `served by the backup copies: ${JSON.stringify(engine.shuffle.stats())}`);
    // 3. Redis down: new blocks fall back to the next tier (nvme).
    const third = await batch();
    assert.equal(third.processed, 100);
    const stats = engine.shuffle.stats();
    assert.ok(stats.fallbacks > 0);
    assert.ok((stats.fallbackRoutes['redis->nvme'] ?? 0) > 0, JSON.stringify(stats.fallbackRoutes));
    assert.ok((engine.shuffle.blocksWrittenByTier.nvme ?? 0) > 0);
  } finally {
    await engine.stop();
  }
  const c = engine.getCounters();
  assert.equal(c.processed, 300);
  assert.equal(c.dropped['shuffle-lost'], 0);
  assert.ok(engine.accounting().balanced);
});

test('redis: the shared test Redis serves as the hot tier', { skip: SKIP_SHARED, timeout: 30_000 }, async () => {
  const clock = { t: T0 };
  const engine = new StreamEngine(
    {
      outputDir: tempDir(),
      executorMode: 'inline',
      initialTier: 'redis',
      runId: `shared-${process.pid}`,
      // A generous op timeout: this test is about where blocks go, and on a loaded machine (CI beside a training run)
      // a put could outlast the default 500 ms and fall back to nvme.
      stores: { hot: { type: 'redis', url: SHARED_REDIS_URL!, opTimeoutMs: 10_000 }, s3: 'none' },
    },
    { nowMs: () => clock.t },
  );
  await engine.start({ timer: false });
  try {
    for (const m of new MessageFactory({ devices: 5 }).batch(50, T0 - 1000, 5)) engine.ingest(m);
    clock.t += 1000;
    assert.equal((await engine.runBatch()).processed, 50);
    assert.ok((engine.shuffle.blocksWrittenByTier.redis ?? 0) > 0);
    assert.equal(engine.shuffle.stats().fallbacks, 0);
  } finally {
    await engine.stop();
  }
});
