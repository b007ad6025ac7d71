// Project rule: every runtime dependency is imported in a test, because npm on Node 20 can silently pick a
// version that only fails at import time. These are the ones the live shuffle stores and codecs added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('shuffle runtime dependencies load on this Node and are the pinned versions', async () => {
  const redis = await import('redis');
  assert.equal(typeof redis.createClient, 'function');
  assert.ok(redis.RESP_TYPES.BLOB_STRING !== undefined);

  const s3 = await import('@aws-sdk/client-s3');
  assert.equal(typeof s3.S3Client, 'function');

  const s3rver = await import('s3rver');
  assert.equal(typeof s3rver.default, 'function');

  const lz4 = await import('lz4-napi');
  const packed = lz4.compressSync(Buffer.from('lz4 lz4 lz4 lz4'));
  assert.equal(lz4.uncompressSync(packed).toString(), 'lz4 lz4 lz4 lz4');

  const zstd = await import('zstd-napi');
  const zipped = zstd.compress(Buffer.from('zstd zstd zstd zstd'), { compressionLevel: 3 });
  assert.equal(zstd.decompress(zipped).toString(), 'zstd zstd zstd zstd');

  const pinned: Record<string, string> = { redis: '6.3.1', '@aws-sdk/client-s3': '3.1175.0', s3rver: '3.7.1', 'lz4-napi': '2.10.0', 'zstd-napi': '0.0.13' };
  for (const [name, version] of Object.entries(pinned)) {
    // Read the manifest from disk: some of these packages do not export ./package.json.
    const manifest = JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string };
    assert.equal(manifest.version, version, `${name} installed ${manifest.version}, package.json pins ${version}`);
  }
});
