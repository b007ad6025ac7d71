import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { RedisShuffleStore } from './redis-store.ts';
import { redisServerAvailable, startLocalRedis, type LocalRedis } from './redis-server.ts';
import { runStoreContract } from './store-contract.ts';
import { CapacityError, StoreTimeoutError, classifyStoreError } from './types.ts';

const SHARED_REDIS_URL = process.env.EDGEPILOT_TEST_REDIS_URL;
const SKIP_SHARED = SHARED_REDIS_URL
  ? false
  : 'EDGEPILOT_TEST_REDIS_URL is not set: run `npm test` (scripts/test-services.sh starts redis-server) to run the Redis tests';
const SKIP_OWN = redisServerAvailable() ? false : 'redis-server is not installed (apt-get install -y redis-server; `npm test` installs it)';

// Unique per process: test files run in parallel against the same shared server.
let storeCount = 0;
const prefix = (): string => `edgepilot:test:${process.pid}:${storeCount++}:`;

runStoreContract('redis store', { skip: SKIP_SHARED, makeStore: async () => new RedisShuffleStore({ url: SHARED_REDIS_URL!, keyPrefix: prefix() }) });

const ownServers: LocalRedis[] = [];
/** Closed again after all tests, so a failing test cannot leave a reconnecting client behind. */
const opened: RedisShuffleStore[] = [];
function track(store: RedisShuffleStore): RedisShuffleStore {
  opened.push(store);
  return store;
}
after(async () => {
  for (const store of opened) await store.close();
  for (const server of ownServers) await server.stop();
});

test('redis store: a refused connection fails the operation at once with a connection error', async () => {
  // Port 1 on loopback: nothing listens there.
  const store = track(new RedisShuffleStore({ url: 'redis://127.0.0.1:1', keyPrefix: prefix() }));
  const started = performance.now();
  const err = await store.put('k', Buffer.from('x')).then(() => undefined, (e: unknown) => e);
  assert.ok(err !== undefined, 'put to a closed port must fail');
  assert.equal(classifyStoreError(err), 'connection', String(err));
  await assert.rejects(store.get('k'), (e: unknown) => classifyStoreError(e) === 'connection');
  assert.ok(performance.now() - started < 2000, 'no retry loop on a refused first connection');
  await store.close();
});

test('redis store: stop -> connection errors, restart on the same port -> works again', { skip: SKIP_OWN }, async () => {
  const server = await startLocalRedis();
  ownServers.push(server);
  const store = track(new RedisShuffleStore({ url: server.url, keyPrefix: prefix() }));
  try {
    await store.put('before', Buffer.from('1'));
    assert.equal((await store.get('before'))!.toString(), '1');
    await server.stop();
    await assert.rejects(store.put('during', Buffer.from('2')), (e: unknown) => classifyStoreError(e) === 'connection');
    const restarted = await startLocalRedis({ port: server.port });
    ownServers.push(restarted);
    // The client reconnects in the background (back-off <= 1 s); a fresh server has lost 'before'.
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      recovered = await store.put('after', Buffer.from('3')).then(() => true, () => false);
      if (!recovered) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(recovered, 'put succeeds again after Redis is back');
    assert.equal((await store.get('after'))!.toString(), '3');
    assert.equal(await store.get('before'), undefined);
  } finally {
    await store.close();
  }
});

/**
 * A store holding 'k' = 'v' on its own Redis, then frozen (SIGSTOP). The timeout is long enough that the healthy put
 * before the freeze never hits it on a loaded machine (a 250 ms one did in the tiered store's test).
 */
const FROZEN_OP_TIMEOUT_MS = 2000;
async function storeOnFrozenServer(): Promise<{ server: LocalRedis; store: RedisShuffleStore }> {
  const server = await startLocalRedis();
  ownServers.push(server);
  const store = track(new RedisShuffleStore({ url: server.url, keyPrefix: prefix(), opTimeoutMs: FROZEN_OP_TIMEOUT_MS }));
  await store.put('k', Buffer.from('v'));
  server.freeze();
  return { server, store };
}

test('redis store: a frozen server (SIGSTOP) makes operations time out instead of hanging', { skip: SKIP_OWN }, async () => {
  const { server, store } = await storeOnFrozenServer();
  try {
    const err = await store.get('k').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StoreTimeoutError, `expected StoreTimeoutError, got ${String(err)}`);
    assert.match((err as Error).message, new RegExp(`redis store get 'k': no answer within ${FROZEN_OP_TIMEOUT_MS} ms`));
    assert.equal(classifyStoreError(err), 'timeout');
  } finally {
    server.thaw();
  }
  assert.equal((await store.get('k'))!.toString(), 'v');
  await store.close();
});

test('redis store: maxmemory reached -> CapacityError', { skip: SKIP_OWN }, async () => {
  const server = await startLocalRedis({ extraArgs: ['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction'] });
  ownServers.push(server);
  const store = track(new RedisShuffleStore({ url: server.url, keyPrefix: prefix() }));
  const block = Buffer.alloc(1024 * 1024, 1);
  let err: unknown;
  for (let i = 0; i < 8 && err === undefined; i++) err = await store.put(`b${i}`, block).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof CapacityError, `expected CapacityError, got ${String(err)}`);
  assert.match((err as Error).message, /OOM command not allowed/);
  await store.close();
});

test('redis store: bad options are rejected', () => {
  assert.throws(() => new RedisShuffleStore({ url: 'not a url' }), /url 'not a url' is not a valid URL/);
  assert.throws(() => new RedisShuffleStore({ url: 'http://127.0.0.1:6379' }), /must start with redis:\/\//);
  assert.throws(() => new RedisShuffleStore({ url: 'redis://127.0.0.1:6379', ttlSeconds: 0 }), /ttlSeconds must be a positive integer/);
});

test('redis store: ttlSeconds makes every block expire on the server', { skip: SKIP_SHARED }, async () => {
  const keyPrefix = prefix();
  const store = track(new RedisShuffleStore({ url: SHARED_REDIS_URL!, keyPrefix, ttlSeconds: 600 }));
  const plain = track(new RedisShuffleStore({ url: SHARED_REDIS_URL!, keyPrefix }));
  const client = createClient({ url: SHARED_REDIS_URL! });
  await client.connect();
  try {
    await store.put('expiring', Buffer.from('v'));
    const ttl = await client.ttl(`${keyPrefix}expiring`);
    assert.ok(ttl > 0 && ttl <= 600, `TTL ${ttl}`);
    await plain.put('kept', Buffer.from('v'));
    assert.equal(await client.ttl(`${keyPrefix}kept`), -1, 'without ttlSeconds a block does not expire');
    await plain.delete('kept');
    await store.delete('expiring');
  } finally {
    await client.close();
    await store.close();
    await plain.close();
  }
});

test('redis store: after close() every operation fails at once and opens no new connection', { skip: SKIP_SHARED }, async () => {
  const store = track(new RedisShuffleStore({ url: SHARED_REDIS_URL!, keyPrefix: prefix() }));
  await store.put('k', Buffer.from('v'));
  await store.close();
  await assert.rejects(store.put('k', Buffer.from('v')), /redis store put 'k': store used after close\(\)/);
  await assert.rejects(store.get('k'), /store used after close\(\)/);
  await assert.rejects(store.delete('k'), /store used after close\(\)/);
  assert.equal(store.isReady(), false);
});

test('redis store: close() on a frozen server (SIGSTOP) returns after the deadline instead of waiting for replies', { skip: SKIP_OWN, timeout: 30_000 }, async () => {
  const { server, store } = await storeOnFrozenServer();
  try {
    // The command that timed out is still waiting for its reply: a plain close would wait for it forever.
    await assert.rejects(store.get('k'), StoreTimeoutError);
    await store.close();
    assert.equal(store.isReady(), false);
  } finally {
    server.thaw();
  }
});
