/**
 * Golden values of the shuffle cost / latency model (docs/SIMULATOR.md "Shuffle"), computed by hand from the tier and
 * codec tables: re-read time and fees on the compressed bytes, residency billed per GB-second of compressed bytes,
 * the archive's 90-day minimum on compressed bytes, re-reads at rate reuse / residency, per-executor nvme capacity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { rereadExecS, rereadUsd, residencyUsdPerS, shuffleOpLatencyMs, ShuffleState, writeReadUsd } from './model.ts';

const { tiers, codecs } = DEFAULT_CONFIG.shuffle;
const MiB8 = 8 * 1024 * 1024;

const close = (actual: number, expected: number, relTol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= relTol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
};

test('re-read time: compressed bytes over the tier bandwidth + raw bytes over the decompress speed', () => {
  // 100 MB raw on S3 with zstd: 100 / (7.15 x 80) s of transfer + 100 / 702 s of decompression.
  close(rereadExecS(100e6, tiers.s3, codecs.zstd), 100 / (7.15 * 80) + 100 / 702, 1e-12, 's3 zstd');
  close(rereadExecS(100e6, tiers.redis, codecs.lz4), 100 / (4.04 * 1000) + 100 / 1470, 1e-12, 'redis lz4');
});

test('re-read fees: GETs per 8 MiB of compressed data, retrieval per compressed GB', () => {
  close(rereadUsd(1e9, tiers.s3, codecs.zstd), ((1e9 / 7.15 / MiB8) * 0.0004) / 1000, 1e-12, 's3 zstd: $0.0004 per 1k GET');
  close(rereadUsd(1e9, tiers.archive, codecs.none), ((1e9 / MiB8) * 0.01) / 1000 + 0.03, 1e-12, 'archive: $0.01 per 1k GET + $0.03/GB');
});

test('write + read once on S3: $0.005 per 1k PUT + $0.0004 per 1k GET per 8 MiB request; archive minimum on compressed bytes', () => {
  close(writeReadUsd(1e9, tiers.s3, codecs.none, 60), ((1e9 / MiB8) * (0.005 + 0.0004)) / 1000, 1e-12, 's3 none');
  const c = 1e9 / 7.15;
  const archive = ((c / MiB8) * (0.02 + 0.01)) / 1000 + (c / 1e9) * 0.03 + (c / 1e9) * (0.004 / 730 / 3600) * 90 * 86_400;
  close(writeReadUsd(1e9, tiers.archive, codecs.zstd, 60), archive, 1e-12, 'archive zstd');
});

test('residency: S3 at $0.023 per GB-month (730 h) is charged per GB-second', () => {
  close(residencyUsdPerS(1e9, tiers.s3, 60), 0.023 / 730 / 3600, 1e-12, 's3');
  close(residencyUsdPerS(1e9, tiers.nvme, 60), 0.000111 / 3600, 1e-12, 'nvme');
});

test('round trips: redis 0.4 ms and nvme 0.1 ms per operation, write + read + reuse x re-reads', () => {
  close(shuffleOpLatencyMs(tiers.redis, 0, 1), 0.8, 1e-12, 'redis');
  close(shuffleOpLatencyMs(tiers.nvme, 1, 1), 0.3, 1e-12, 'nvme');
});

test('resident data is billed per second on its compressed size, by its own codec', () => {
  const s = new ShuffleState(DEFAULT_CONFIG);
  s.advanceSecond();
  s.write(1e9, 0, 1, 4); // 1 GB raw to redis with lz4 (0.2475 GB compressed: fits the 2 GB)
  assert.equal(s.takeCost(), 0, 'redis has no request or retrieval fees');
  s.advanceSecond();
  close(s.takeCost(), (1 / 4.04) * (0.125 / 3600), 1e-12, 'one second of 1/4.04 GB at $0.125/GB-h');
});

test('re-reads: each resident byte is re-read reuse x rereadsPerReuse / 60 times per second', () => {
  const s = new ShuffleState(DEFAULT_CONFIG);
  s.advanceSecond();
  s.write(1e9, 2, 0, 4); // 1 GB raw to S3, no codec
  s.takeCost();
  // reuse 0.6: 1e9 x 0.6 / 60 = 1e7 bytes this second, at 80 MB/s (decompression 'none' ~0).
  close(s.rereads(0.6), 1e7 / 80e6 + 1e7 / 1e15, 1e-12, 'executor-seconds');
  close(s.takeCost(), ((1e7 / MiB8) * 0.0004) / 1000, 1e-12, 'GET fees');
});

test('nvme capacity is 20 GB per serving executor; redis is 2 GB for the cluster', () => {
  const s = new ShuffleState(DEFAULT_CONFIG);
  assert.equal(s.tierCapacityBytes(1, 4), 80e9);
  assert.equal(s.tierCapacityBytes(1, 0), 20e9);
  assert.equal(s.tierCapacityBytes(0, 4), 2e9);
});
