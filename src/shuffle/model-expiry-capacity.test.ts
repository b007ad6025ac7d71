/**
 * Expiry and capacity of resident shuffle data (docs/SIMULATOR.md "Shuffle"): a tier's capacity holds compressed bytes,
 * so data written with a codec takes (and on expiry frees) raw / ratio of it; a full tier overflows to the next one.
 * lz4's ratio is 4.04 (codec table), redis holds 2 GB for the cluster.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import { ShuffleState } from './model.ts';

const REDIS = 0;
const NVME = 1;
const LZ4 = 1;
const LZ4_RATIO = 4.04;

const close = (actual: number, expected: number, absTol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= absTol, `${what}: ${actual} vs ${expected}`);
};

test('expiry frees the compressed bytes the data took on its tier (raw / ratio of the codec that wrote it)', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { residencyS: 5 } }));
  s.advanceSecond();
  s.write(LZ4_RATIO * 1e9, REDIS, LZ4, 4); // 4.04 GB raw -> 1 GB compressed on redis
  s.advanceSecond();
  s.write(LZ4_RATIO * 0.5e9, REDIS, LZ4, 4); // + 0.5 GB compressed
  close(s.residentCompressed(REDIS), 1.5e9, 1, 'both writes resident');
  // Four more seconds: the first write is 5 s old and expires, the second (4 s old) stays.
  for (let i = 0; i < 4; i++) s.advanceSecond();
  close(s.residentCompressed(REDIS), 0.5e9, 1, 'the second write is left');
  assert.equal(s.overflowFraction, 0);
  // The freed 1 GB takes 1.5 GB compressed more only up to the 2 GB capacity: 1.5 of 1.5 fits, nothing overflows.
  s.write(LZ4_RATIO * 1.5e9, REDIS, LZ4, 4);
  assert.equal(s.overflowFraction, 0);
  close(s.residentCompressed(REDIS), 2e9, 1, 'redis full');
  assert.equal(s.residentCompressed(NVME), 0);
});

test('an expired second is cleared from the ring: a later write to the same tier and codec lives its full residency', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { residencyS: 5 } }));
  s.advanceSecond(); // slot 1
  s.write(1e9, NVME, 0, 4);
  for (let i = 0; i < 5; i++) s.advanceSecond(); // slots 2, 3, 4, 0, 1: the first write expires
  assert.equal(s.residentCompressed(NVME), 0);
  s.advanceSecond(); // slot 2
  s.write(1e9, NVME, 0, 4);
  // Four seconds on (slot 1 again), the second write is 4 s old: still resident.
  for (let i = 0; i < 4; i++) s.advanceSecond();
  close(s.residentCompressed(NVME), 1e9, 1, 'the second write, 4 s old');
  s.advanceSecond(); // 5 s old: expired
  assert.equal(s.residentCompressed(NVME), 0);
});

test('drain time counts a tier only while it holds over 1 raw byte (float residue of expired data does not keep nvme\'s 60 s)', () => {
  // drainS: redis 5 s, nvme 60 s (tier table).
  const residue = new ShuffleState(loadConfig({}));
  residue.advanceSecond();
  residue.write(0.5, NVME, 0, 4);
  assert.equal(residue.drainS(REDIS), 5, 'half a byte on nvme is residue');
  const data = new ShuffleState(loadConfig({}));
  data.advanceSecond();
  data.write(2, NVME, 0, 4);
  assert.equal(data.drainS(REDIS), 60, 'two bytes on nvme keep the executor for nvme\'s drain');
});

test('a second\'s output written in two parts expires as a whole', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { residencyS: 5 } }));
  s.advanceSecond();
  s.write(0.4e9, NVME, 0, 4);
  s.write(0.6e9, NVME, 0, 4);
  close(s.residentCompressed(NVME), 1e9, 1, 'both parts resident');
  for (let i = 0; i < 5; i++) s.advanceSecond();
  assert.equal(s.residentCompressed(NVME), 0);
});

test('the overflowed share is written, and paid for, on the next tier: nvme (1 GB here) spills to S3', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { tiers: { nvme: { capacityGb: 1 } } } }));
  s.advanceSecond();
  // 1.5 GB raw, no codec, 1 executor: 1 GB on nvme, 0.5 GB on S3.
  const execS = s.write(1.5e9, NVME, 0, 1);
  close(s.overflowFraction, 1 / 3, 1e-12, 'a third overflowed');
  // Write + read once (2 x bytes / bandwidth): nvme 1500 MB/s, S3 80 MB/s; codec none at 1e9 MB/s both ways.
  const expectedS = (2 * 1e9) / 1500e6 + (2 * 0.5e9) / 80e6 + (2 * 1.5e9) / 1e15;
  close(execS, expectedS, 1e-9, 'executor-seconds');
  // S3 requests of 8 MiB: $0.005 per 1k PUT + $0.0004 per 1k GET; nvme has no request fees.
  close(s.takeCost(), ((0.5e9 / (8 * 1024 * 1024)) * (0.005 + 0.0004)) / 1000, 1e-15, 'S3 fees on the overflowed 0.5 GB');
  close(s.residentCompressed(2), 0.5e9, 1, 'on S3');
});

test('the overflow share is the last write\'s: a write that fits after one that overflowed reports none', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { residencyS: 5, tiers: { redis: { capacityGb: 1 } } } }));
  s.advanceSecond();
  s.write(1.5e9, REDIS, 0, 4);
  close(s.overflowFraction, 1 / 3, 1e-12, '0.5 of 1.5 GB overflowed');
  for (let i = 0; i < 5; i++) s.advanceSecond(); // all expired
  s.write(0.5e9, REDIS, 0, 4);
  assert.equal(s.overflowFraction, 0);
});

test('reset empties the tiers and forgets the last overflow (a new episode starts with free capacity)', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { tiers: { redis: { capacityGb: 1 } } } }));
  s.advanceSecond();
  s.write(1.5e9, REDIS, 0, 4);
  assert.ok(s.overflowFraction > 0);
  s.reset();
  assert.equal(s.overflowFraction, 0);
  assert.equal(s.residentCompressed(REDIS), 0);
  assert.equal(s.residentCompressed(NVME), 0);
  assert.equal(s.residentOpLatencyMs(), null);
  s.advanceSecond();
  s.write(1e9, REDIS, 0, 4);
  assert.equal(s.overflowFraction, 0, 'the whole 1 GB fits again');
  close(s.residentCompressed(REDIS), 1e9, 1, 'on redis');
});

test('rawWrittenBytes counts the raw bytes written, overflow included, until reset', () => {
  const s = new ShuffleState(loadConfig({ shuffle: { tiers: { redis: { capacityGb: 1 } } } }));
  s.advanceSecond();
  s.write(LZ4_RATIO * 1.5e9, REDIS, LZ4, 4); // 1.5 GB compressed: 1 GB on redis, 0.5 GB on nvme
  s.write(1e9, NVME, 0, 4);
  s.takeCost();
  close(s.rawWrittenBytes, LZ4_RATIO * 1.5e9 + 1e9, 1, 'raw bytes, not compressed ones');
  s.reset();
  assert.equal(s.rawWrittenBytes, 0);
});
