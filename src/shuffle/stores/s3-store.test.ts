import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3RVER_CREDENTIALS, S3ShuffleStore } from './s3-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from './s3-server.ts';
import { runStoreContract } from './store-contract.ts';
import { StoreTimeoutError, classifyStoreError } from './types.ts';

let s3: EmbeddedS3;
before(async () => {
  s3 = await startEmbeddedS3();
});
after(async () => {
  await s3?.stop();
});
let storeCount = 0;

runStoreContract('s3 store (embedded s3rver)', {
  makeStore: async () => new S3ShuffleStore({ endpoint: s3.endpoint, bucket: 'edgepilot-shuffle', prefix: `contract-${storeCount++}/` }),
});

test('s3 store: cold and archive tiers are separate buckets on the same server; the full S3 API works (legacy OpenSSL in the child)', async () => {
  const cold = new S3ShuffleStore({ endpoint: s3.endpoint, bucket: 'edgepilot-shuffle', prefix: 'cold-test/' });
  const archive = new S3ShuffleStore({ endpoint: s3.endpoint, bucket: 'edgepilot-archive', prefix: 'archive-test/', tier: 'archive' });
  try {
    assert.equal(cold.tier, 's3');
    assert.equal(archive.tier, 'archive');
    await cold.put('job-1/block', Buffer.from('cold'));
    await archive.put('job-1/block', Buffer.from('archived'));
    assert.equal((await cold.get('job-1/block'))!.toString(), 'cold');
    assert.equal((await archive.get('job-1/block'))!.toString(), 'archived');
    // ListObjectsV2 needs DES in s3rver 3.7.1, i.e. the child's --openssl-legacy-provider.
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'edgepilot-archive', Prefix: 'archive-test/' }));
    client.destroy();
    assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Size]), [['archive-test/job-1/block', 8]]);
  } finally {
    await cold.close();
    await archive.close();
  }
});

test('s3 store: the in-process embedded server also serves put/get/delete', async () => {
  const inProcess = await startEmbeddedS3({ mode: 'in-process' });
  const store = new S3ShuffleStore({ endpoint: inProcess.endpoint, bucket: 'edgepilot-shuffle' });
  try {
    assert.equal(inProcess.pid, undefined);
    await store.put('k', Buffer.from([0, 255, 1]));
    assert.deepEqual([...(await store.get('k'))!], [0, 255, 1]);
    await store.delete('k');
    assert.equal(await store.get('k'), undefined);
  } finally {
    await store.close();
    await inProcess.stop();
  }
});

test('s3 store: a stopped server gives connection errors; a silent one gives timeouts', async () => {
  const stopped = await startEmbeddedS3();
  const endpoint = stopped.endpoint;
  await stopped.stop();
  const dead = new S3ShuffleStore({ endpoint, bucket: 'edgepilot-shuffle' });
  await assert.rejects(dead.put('k', Buffer.from('x')), (e: unknown) => classifyStoreError(e) === 'connection');
  await dead.close();

  // Accepts TCP connections and never answers.
  const sockets: Socket[] = [];
  const silent: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const hung = new S3ShuffleStore({ endpoint: `http://127.0.0.1:${port}`, bucket: 'edgepilot-shuffle', opTimeoutMs: 300, createBucket: false });
  try {
    const err = await hung.get('k').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StoreTimeoutError, `expected StoreTimeoutError, got ${String(err)}`);
    assert.equal(classifyStoreError(err), 'timeout');
  } finally {
    await hung.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('s3 store: bad options are rejected', () => {
  assert.throws(() => new S3ShuffleStore({ endpoint: 'nope', bucket: 'b-ok' }), /endpoint 'nope' is not a valid URL/);
  assert.throws(() => new S3ShuffleStore({ endpoint: 'http://127.0.0.1:1', bucket: 'Bad_Bucket' }), /bucket 'Bad_Bucket' is not a valid bucket name/);
});

test('s3 store: deleting from a bucket that was never created is not an error (nothing to delete)', async () => {
  const store = new S3ShuffleStore({ endpoint: s3.endpoint, bucket: `edgepilot-never-${process.pid}` });
  try {
    await store.delete('k');
    assert.equal(await store.get('k'), undefined);
    assert.equal(store.usedBytes(), 0);
  } finally {
    await store.close();
  }
});

test('s3 store: a bucket creation that failed (server unreachable) is tried again by the next put', async () => {
  // A TCP proxy in front of the embedded server that drops every connection while `down`.
  let down = true;
  const sockets: Socket[] = [];
  const target = new URL(s3.endpoint);
  const proxy: Server = createServer((client) => {
    sockets.push(client);
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as { port: number }).port;
  const store = new S3ShuffleStore({ endpoint: `http://127.0.0.1:${port}`, bucket: `edgepilot-retry-${process.pid}` });
  try {
    await assert.rejects(store.put('k', Buffer.from('x')), (e: unknown) => classifyStoreError(e) === 'connection');
    down = false;
    await store.put('k', Buffer.from('x'));
    assert.equal((await store.get('k'))!.toString(), 'x');
  } finally {
    await store.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  }
});
