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
