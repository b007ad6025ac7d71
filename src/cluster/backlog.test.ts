import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backlog } from './backlog.ts';
import { LatencySample } from './latency.ts';

test('FIFO: older buckets are served first and their latency includes their age', () => {
  const b = new Backlog(120);
  const s = new LatencySample();
  b.clear(0);
  b.push(0, 100);
  assert.equal(b.serve(60, 0, 500, s), 60);
  b.push(1, 100);
  s.clear();
  assert.equal(b.serve(100, 1, 500, s), 100);
  // 40 left from second 0 (1 s old) and 60 from second 1.
  assert.equal(s.totalWeight, 100);
  assert.equal(s.quantile(0.95), 1500, 'the 40 older messages waited a second longer');
  assert.equal(s.quantile(0.3), 500);
  assert.equal(b.totalMsgs, 40);
  assert.equal(b.oldestAgeS(2), 1);
});

test('messages beyond the retention age or count are dropped and counted', () => {
  const b = new Backlog(10);
  b.clear(0);
  for (let t = 0; t < 15; t++) b.push(t, 10);
  assert.equal(b.dropExpired(14, 10), 40, 'seconds 0-3 are older than 10 s');
  assert.equal(b.totalMsgs, 110);
  assert.equal(b.dropOverflow(100), 10);
  assert.equal(b.totalMsgs, 100);
  assert.equal(b.oldestAgeS(14), 9);
});

test('weighted p95 of a latency sample', () => {
  const s = new LatencySample();
  s.add(1000, 94);
  s.add(3000, 6);
  assert.equal(s.quantile(0.95), 3000);
  s.clear();
  s.add(1000, 96);
  s.add(3000, 4);
  assert.equal(s.quantile(0.95), 1000);
  assert.equal(s.mean(), 1080);
});

test('the backlog ring holds the whole retention window: 11 seconds at a 10 s retention', () => {
  const b = new Backlog(10);
  const s = new LatencySample();
  b.clear(0);
  for (let t = 0; t <= 10; t++) b.push(t, 10);
  assert.equal(b.dropExpired(10, 10), 0);
  assert.equal(b.serve(1000, 10, 0, s), 110);
  assert.ok(Math.abs(s.mean() - 5000) < 1e-9, `mean latency ${s.mean()}: each second's 10 messages waited their own age`);
});

test('after a long gap the first push starts the backlog at its own second', () => {
  const b = new Backlog(10);
  const s = new LatencySample();
  b.clear(0);
  b.push(100, 10);
  assert.equal(b.serve(1000, 100, 7, s), 10);
  assert.equal(s.quantile(1), 7, 'waited 0 s, not since the clear');
});

test('every bucket expires after a long quiet spell, the newest too', () => {
  const b = new Backlog(10);
  b.clear(0);
  for (let t = 0; t < 15; t++) b.push(t, 10);
  assert.equal(b.dropExpired(30, 10), 150);
  assert.equal(b.totalMsgs, 0);
  assert.equal(b.oldestAgeS(30), 0);
});

test('the oldest age skips seconds without messages', () => {
  const b = new Backlog(10);
  b.clear(0);
  b.push(0, 0);
  b.push(1, 0);
  b.push(2, 5);
  assert.equal(b.oldestAgeS(3), 1);
});

test('fractional message counts leave no rounding residue in the total', () => {
  const b = new Backlog(10);
  b.clear(0);
  b.push(0, 0.1);
  b.push(1, 0.2);
  b.push(2, 0.3);
  assert.ok(Math.abs(b.serve(0.1, 2, 0, new LatencySample()) - 0.1) < 1e-15);
  assert.equal(b.dropExpired(20, 10), 0.2 + 0.3);
  assert.equal(b.totalMsgs, 0, 'exactly 0, not 1e-16');
});

test('latency quantile: the smallest latency whose cumulative weight reaches q, exactly at the boundary too', () => {
  const s = new LatencySample();
  s.add(1000, 95);
  s.add(3000, 5);
  assert.equal(s.quantile(0.95), 1000);
  // Weights summed in another order than inserted can fall short of the total by a rounding error: q = 1 is still the
  // largest latency.
  s.clear();
  s.add(3, 0.1);
  s.add(1, 0.2);
  s.add(2, 0.3);
  assert.equal(s.quantile(1), 3);
});

test('a latency sample with no weight has quantile and mean 0', () => {
  const s = new LatencySample();
  s.add(1000, 0);
  assert.equal(s.quantile(0.95), 0);
  assert.equal(s.mean(), 0);
});

test('a latency sample keeps every entry when it grows past its first 256', () => {
  const s = new LatencySample();
  for (let i = 0; i < 600; i++) s.add(600 - i, 1);
  assert.equal(s.n, 600);
  assert.equal(s.quantile(0.5), 300);
  assert.equal(s.quantile(1), 600);
  assert.ok(Math.abs(s.mean() - 300.5) < 1e-9);
});
