import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, loadConfig } from '../core/config.ts';
import { residencyUsdPerS, shuffleExecS, shuffleOpLatencyMs, ShuffleState, writeReadUsd } from './model.ts';

const { tiers, codecs } = DEFAULT_CONFIG.shuffle;
const MB = 1e6;

test('golden: compress + write + read + decompress time (anchors.md section 4 formula)', () => {
  // 100 MB on S3 (80 MB/s) with zstd (7.15x, 379 / 702 MB/s): 100/379 + 2*100/(7.15*80) + 100/702.
  const expected = 100 / 379 + (2 * 100) / (7.15 * 80) + 100 / 702;
  assert.ok(Math.abs(shuffleExecS(100 * MB, tiers.s3, codecs.zstd) - expected) < 1e-9);
  // Plain on redis: 2 * 100 / 1000 s (codec 'none' costs ~0).
  assert.ok(Math.abs(shuffleExecS(100 * MB, tiers.redis, codecs.none) - 0.2) < 1e-6);
  // Round trips: write + read + reuse re-reads.
  assert.equal(shuffleOpLatencyMs(tiers.s3, 0.5, 1), 30 * 2.5);
  assert.equal(shuffleOpLatencyMs(tiers.archive, 0, 1), 10_000);
});

test('compression pays on S3 (slow bandwidth), not on redis or nvme', () => {
  const S = 64 * MB;
  assert.ok(shuffleExecS(S, tiers.s3, codecs.zstd) < shuffleExecS(S, tiers.s3, codecs.lz4));
  assert.ok(shuffleExecS(S, tiers.s3, codecs.lz4) < shuffleExecS(S, tiers.s3, codecs.none));
  for (const fast of [tiers.redis, tiers.nvme]) {
    assert.ok(shuffleExecS(S, fast, codecs.none) < shuffleExecS(S, fast, codecs.lz4));
    assert.ok(shuffleExecS(S, fast, codecs.none) < shuffleExecS(S, fast, codecs.zstd));
  }
});

test('storage is charged per GB-second; archive charges its 90-day minimum and retrieval at write', () => {
  // 1 GB resident on redis for one second at $0.125 / GB-h.
  assert.ok(Math.abs(residencyUsdPerS(1e9, tiers.redis, 60) - 0.125 / 3600) < 1e-15);
  assert.equal(residencyUsdPerS(1e9, tiers.archive, 60), 0, 'archive is billed by its minimum at write');
  const archive = writeReadUsd(1e9, tiers.archive, codecs.none, 60);
  const expected = (1e9 / tiers.archive.requestBytes) * (0.02 + 0.01) / 1000 + 0.03 + (0.004 / 730 / 3600) * 90 * 86_400;
  assert.ok(Math.abs(archive - expected) < 1e-12, `${archive} vs ${expected}`);
  assert.ok(archive > 20 * writeReadUsd(1e9, tiers.s3, codecs.none, 60), 'archive is a bad idea for hot shuffle data');
});

test('redis overflows to nvme when full; data expires after its residency', () => {
  const config = loadConfig({ shuffle: { residencyS: 5, tiers: { redis: { capacityGb: 1 } } } });
  const s = new ShuffleState(config);
  s.advanceSecond();
  s.write(0.6e9, 0, 0, 4);
  assert.equal(s.overflowFraction, 0);
  s.advanceSecond();
  s.write(0.6e9, 0, 0, 4);
  assert.ok(Math.abs(s.overflowFraction - 0.2 / 0.6) < 1e-12);
  assert.ok(Math.abs(s.residentCompressed(0) - 1e9) < 1);
  assert.ok(Math.abs(s.residentCompressed(1) - 0.2e9) < 1);
  for (let i = 0; i < 5; i++) s.advanceSecond();
  assert.equal(s.residentCompressed(0), 0);
  assert.equal(s.residentCompressed(1), 0);
});

test('re-reads grow with the data temperature', () => {
  const s = new ShuffleState(DEFAULT_CONFIG);
  s.advanceSecond();
  s.write(1e9, 2, 0, 4); // S3, no codec
  s.takeCost();
  const cold = s.rereads(0.1);
  const coldUsd = s.takeCost();
  const hot = s.rereads(0.9);
  const hotUsd = s.takeCost();
  assert.ok(Math.abs(hot / cold - 9) < 1e-9);
  assert.ok(hotUsd > coldUsd);
});
