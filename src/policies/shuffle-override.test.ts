import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action, Codec, Tier } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';
import { ShuffleOverridePolicy, fixedShuffleChooser } from './shuffle-override.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import { runEpisode } from '../bench/tournament.ts';
import { createPolicy } from './registry.ts';

/** A stand-in that records what it was asked and proposes a fixed action. */
class Recorder implements Policy {
  readonly id = 'recorder';
  resets: number[] = [];
  calls = 0;
  constructor(private readonly proposal: Action, readonly clairvoyant?: boolean) {}
  reset(seed: number): void {
    this.resets.push(seed);
  }
  act(_obs: Float32Array, _ctx: PolicyContext): Action {
    this.calls++;
    return { ...this.proposal };
  }
}

const ctx = {} as PolicyContext;

test('the override keeps executors and memory and replaces only tier and codec', () => {
  const inner = new Recorder({ executors: 7, memoryGb: 3, tier: 'nvme', codec: 'lz4' });
  const p = new ShuffleOverridePolicy(inner, fixedShuffleChooser('s3', 'zstd'), 'x+s3/zstd');
  p.reset(42);
  assert.deepEqual(inner.resets, [42]);
  assert.deepEqual(p.act(new Float32Array(27), ctx), { executors: 7, memoryGb: 3, tier: 's3', codec: 'zstd' });
  assert.equal(inner.calls, 1);
  assert.equal(p.id, 'x+s3/zstd');
});

test('the chooser sees the context and the proposal', () => {
  const inner = new Recorder({ executors: 2, memoryGb: 1, tier: 'redis', codec: 'none' });
  const seen: Action[] = [];
  const p = new ShuffleOverridePolicy(inner, (_c, proposed) => {
    seen.push(proposed);
    return { tier: proposed.executors > 1 ? 'archive' : 'redis', codec: 'lz4' };
  }, 'cond');
  assert.deepEqual(p.act(new Float32Array(27), ctx), { executors: 2, memoryGb: 1, tier: 'archive', codec: 'lz4' });
  assert.deepEqual(seen, [{ executors: 2, memoryGb: 1, tier: 'redis', codec: 'none' }]);
});

test('clairvoyance passes through only from an oracle inner policy', () => {
  assert.equal(new ShuffleOverridePolicy(new Recorder({ executors: 1, memoryGb: 1, tier: 'nvme', codec: 'lz4' }, true), fixedShuffleChooser('redis', 'lz4'), 'o').clairvoyant, true);
  assert.notEqual(new ShuffleOverridePolicy(new Recorder({ executors: 1, memoryGb: 1, tier: 'nvme', codec: 'lz4' }), fixedShuffleChooser('redis', 'lz4'), 'p').clairvoyant, true);
});

test('fixedShuffleChooser rejects a tier or codec outside the action space, naming it', () => {
  assert.throws(() => fixedShuffleChooser('tape' as Tier, 'lz4'), /tier must be one of redis, nvme, s3, archive, got "tape"/);
  assert.throws(() => fixedShuffleChooser('s3', 'gzip' as Codec), /codec must be one of none, lz4, zstd, got "gzip"/);
});

test('on the simulator, overriding with the tier/codec the policy already picks changes nothing; another pair changes only the shuffle', () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 40 });
  const base = runEpisode(env, createPolicy('threshold-forecast'), 'p', 10000, 40);
  const same = runEpisode(env, new ShuffleOverridePolicy(createPolicy('threshold-forecast'), fixedShuffleChooser('nvme', 'lz4'), 'p'), 'p', 10000, 40);
  assert.deepEqual(same, base);
  const s3 = runEpisode(env, new ShuffleOverridePolicy(createPolicy('threshold-forecast'), fixedShuffleChooser('s3', 'zstd'), 'p'), 'p', 10000, 40);
  assert.ok(s3.every((r) => r.requestedTier === 's3' && r.requestedCodec === 'zstd'));
  assert.deepEqual(s3.map((r) => r.arrivalRateMsgsPerS), base.map((r) => r.arrivalRateMsgsPerS), 'same world');
  assert.notDeepEqual(s3.map((r) => r.costUsd), base.map((r) => r.costUsd), 'the shuffle tier changes the cost');
});
