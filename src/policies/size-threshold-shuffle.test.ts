import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIZE_THRESHOLD_SHUFFLE_SETTINGS, createSizeThresholdShufflePolicy, flushBytesPerExecutor, sizeThresholdChoice } from './size-threshold-shuffle.ts';
import { createPolicy, defaultPolicyIds, getPolicyEntry } from './registry.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import { runEpisode } from '../bench/tournament.ts';
import { thresholdForecastExecutors } from './threshold-forecast.ts';
import type { PolicyContext } from './types.ts';

const MiB = 1024 * 1024;

test('the threshold is Uniffle\'s 64 MB default; large flushes go to s3/zstd, small (and equal) ones to redis/lz4', () => {
  assert.equal(SIZE_THRESHOLD_SHUFFLE_SETTINGS.flushThresholdBytes, 64 * MiB);
  assert.deepEqual(sizeThresholdChoice({ shuffleBytes: 64 * MiB + 1, executorsRunning: 1 }), { tier: 's3', codec: 'zstd' });
  assert.deepEqual(sizeThresholdChoice({ shuffleBytes: 64 * MiB, executorsRunning: 1 }), { tier: 'redis', codec: 'lz4' });
  assert.deepEqual(sizeThresholdChoice({ shuffleBytes: 0, executorsRunning: 5 }), { tier: 'redis', codec: 'lz4' });
});

test('the flush is per executor: the same cluster output is small when spread over more executors', () => {
  assert.equal(flushBytesPerExecutor({ shuffleBytes: 300 * MiB, executorsRunning: 4 }), 75 * MiB);
  assert.equal(sizeThresholdChoice({ shuffleBytes: 300 * MiB, executorsRunning: 4 }).tier, 's3');
  assert.equal(sizeThresholdChoice({ shuffleBytes: 300 * MiB, executorsRunning: 5 }).tier, 'redis');
  // Nothing running (all cold-starting): the whole output counts as one executor's flush.
  assert.equal(flushBytesPerExecutor({ shuffleBytes: 10, executorsRunning: 0 }), 10);
});

test('custom settings are honoured and bad inputs are named', () => {
  const s = { flushThresholdBytes: 100, hot: { tier: 'nvme', codec: 'none' }, cold: { tier: 'archive', codec: 'zstd' } } as const;
  assert.deepEqual(sizeThresholdChoice({ shuffleBytes: 101, executorsRunning: 1 }, s), { tier: 'archive', codec: 'zstd' });
  assert.deepEqual(sizeThresholdChoice({ shuffleBytes: 100, executorsRunning: 1 }, s), { tier: 'nvme', codec: 'none' });
  assert.throws(() => sizeThresholdChoice({ shuffleBytes: Number.NaN, executorsRunning: 1 }), /shuffleBytes must be a number >= 0, got NaN/);
  assert.throws(() => sizeThresholdChoice({ shuffleBytes: 1, executorsRunning: 1 }, { ...s, flushThresholdBytes: 0 }), /flushThresholdBytes must be > 0, got 0/);
});

test('registered as size-threshold-shuffle outside the default set; on the simulator it follows the rule every step', () => {
  assert.equal(getPolicyEntry('size-threshold-shuffle').settings.flushThresholdBytes, 64 * MiB);
  assert.ok(!defaultPolicyIds().includes('size-threshold-shuffle'));
  const env = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 40 });
  const policy = createSizeThresholdShufflePolicy({ ...SIZE_THRESHOLD_SHUFFLE_SETTINGS, flushThresholdBytes: 30 * MiB });
  // Check each decision against the rule applied to the context the policy saw.
  const seen: Array<{ ctx: PolicyContext; tier: string }> = [];
  const spy = { id: 'spy', reset: (s: number) => policy.reset(s), act: (o: Float32Array, c: PolicyContext) => { const a = policy.act(o, c); seen.push({ ctx: c, tier: a.tier }); return a; } };
  const records = runEpisode(env, spy, 'size-threshold-shuffle', 10000, 40);
  assert.equal(records.length, 40);
  for (const { ctx, tier } of seen) {
    assert.equal(tier, ctx.snapshot.shuffleBytes / Math.max(1, ctx.snapshot.executorsRunning) > 30 * MiB ? 's3' : 'redis');
  }
  assert.ok(new Set(seen.map((s) => s.tier)).size === 2, 'with a 30 MiB threshold healthcare uses both tiers');
  // The executors are threshold-forecast's.
  assert.deepEqual(records.map((r) => r.requestedExecutors), seen.map((s) => thresholdForecastExecutors(s.ctx)));
  assert.equal(createPolicy('size-threshold-shuffle').id, 'size-threshold-shuffle');
});
