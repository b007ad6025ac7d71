/**
 * Re-reads, residency and drain of resident data priced by the tier and codec it was written with (docs/SIMULATOR.md
 * "Shuffle"), archive included. Tables: S3 80 MB/s, $0.0004 per 1k GET of 8 MiB; archive 40 MB/s, $0.01 per 1k GET,
 * $0.03/GB retrieval, 90-day minimum billed at write; lz4 4.04x, decompress 1470 MB/s; zstd 7.15x, 702 MB/s.
 * Each resident byte is re-read reuse x rereadsPerReuse / residencyS (60 s) times a second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, loadConfig } from '../core/config.ts';
import { ShuffleState } from './model.ts';

const MiB8 = 8 * 1024 * 1024;
const S3 = 2;
const ARCHIVE = 3;
const LZ4 = 1;
const ZSTD = 2;

const close = (actual: number, expected: number, relTol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= relTol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
};

test('re-reads of lz4 data on S3: transfer and GETs on the compressed bytes, decompression on the raw bytes', () => {
  const s = new ShuffleState(DEFAULT_CONFIG);
  s.advanceSecond();
  s.write(1e9, S3, LZ4, 4);
  s.takeCost();
  // reuse 0.6: 1e9 x 0.6 / 60 = 1e7 raw bytes re-read this second, 1e7 / 4.04 of them compressed.
  close(s.rereads(0.6), 1e7 / 4.04 / 80e6 + 1e7 / 1470e6, 1e-12, 'executor-seconds');
  close(s.takeCost(), ((1e7 / 4.04 / MiB8) * 0.0004) / 1000, 1e-12, 'GET fees');
});

test('re-reads of zstd data on archive: GETs and the $0.03/GB retrieval on the compressed bytes', () => {
  const s = new ShuffleState(DEFAULT_CONFIG);
  s.advanceSecond();
  s.write(1e9, ARCHIVE, ZSTD, 4);
  s.takeCost();
  const compressed = 1e7 / 7.15; // of the 1e7 raw bytes re-read at reuse 0.6
  close(s.rereads(0.6), compressed / 40e6 + 1e7 / 702e6, 1e-12, 'executor-seconds');
  close(s.takeCost(), ((compressed / MiB8) * 0.01) / 1000 + (compressed / 1e9) * 0.03, 1e-12, 'GET + retrieval fees');
});

test('archive data, billed its 90-day minimum at write, costs nothing per second and expires after the residency', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { residencyS: 5 } }));
  s.advanceSecond();
  s.write(1e9, ARCHIVE, 0, 4);
  s.takeCost();
  s.advanceSecond();
  assert.equal(s.takeCost(), 0, 'no per-second storage on top of the minimum');
  for (let i = 0; i < 4; i++) s.advanceSecond();
  assert.equal(s.residentCompressed(ARCHIVE), 0, 'expired after 5 s');
  assert.equal(s.residentOpLatencyMs(), null);
});

test('data on archive keeps a removed executor for archive\'s drain time when it is the longest', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { tiers: { archive: { drainS: 100 } } } }));
  s.advanceSecond();
  s.write(1e6, ARCHIVE, 0, 4);
  assert.equal(s.drainS(0), 100, 'writing to redis (5 s) with data on archive (100 s)');
});

test('the re-read op latency where the data lives is weighted by resident bytes', () => {
  const s = new ShuffleState(DEFAULT_CONFIG);
  s.advanceSecond();
  s.write(1e9, 0, 0, 4); // 1 GB on redis, 0.4 ms
  s.write(3e9, S3, 0, 4); // 3 GB on S3, 30 ms
  close(s.residentOpLatencyMs()!, (1 * 0.4 + 3 * 30) / 4, 1e-12, 'ms');
});
