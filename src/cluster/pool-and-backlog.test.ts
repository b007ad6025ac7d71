/**
 * Golden values of the cluster model (docs/SIMULATOR.md "Cluster"): the k-th cold-start request of an episode waits
 * draw k, the slowdown keeps growing past 2x oversubscription, the working set counts deserialized rows (x6), and
 * an overflowing backlog drops its oldest messages first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { Backlog } from './backlog.ts';
import { ColdStartDraws } from './cold-start.ts';
import { ExecutorPool } from './executors.ts';
import { LatencySample } from './latency.ts';
import { memorySlowdown, workingSetGb } from './memory.ts';

const config = loadConfig();

test('the k-th request of an episode cold-starts for draw k (fractional ready times serve their share)', () => {
  const ref = new ColdStartDraws(new Rng(7), config.cluster.coldStart);
  const d0 = ref.get(0);
  const d1 = ref.get(1);
  assert.notEqual(d0, d1, 'the seed gives two different draws');
  const pool = new ExecutorPool(config, new ColdStartDraws(new Rng(7), config.cluster.coldStart));
  pool.reset(new ColdStartDraws(new Rng(7), config.cluster.coldStart), 1, 4, 0);
  pool.setTarget(3, 4, 0, 5);
  assert.equal(pool.coldStartsUsed, 2);
  let serving = 0;
  for (let t = 0; t < 130; t++) serving += pool.advanceSecond(t, 1, 5);
  // One warm executor for 130 s, the two new ones from their ready times (draws are within [8, 120] s).
  assert.ok(Math.abs(serving - (130 + (130 - d0) + (130 - d1))) < 1e-9, `serving ${serving}`);
  pool.setTarget(4, 4, 130, 5);
  assert.equal(pool.coldStartsUsed, 3);
});

test('memory slowdown: 1 + 3(u - 1) up to u = 2, then + 10 per unit beyond (continuous at 2)', () => {
  const c = config.cluster;
  assert.equal(memorySlowdown(2, c), 4);
  assert.equal(memorySlowdown(2.5, c), 9);
  assert.equal(memorySlowdown(3, c), 14);
});

test('working set = 0.5 GB + load x bytes x 60 s x 6 (deserialized rows)', () => {
  assert.ok(Math.abs(workingSetGb(1000, 1000, config.cluster) - 0.86) < 1e-12);
  assert.ok(Math.abs(workingSetGb(0, 1000, config.cluster) - 0.5) < 1e-12);
});

test('an overflowing backlog drops the oldest messages first, splitting a bucket', () => {
  const b = new Backlog(120);
  b.clear(0);
  b.push(0, 100);
  b.push(1, 100);
  assert.equal(b.dropOverflow(150), 50);
  const s = new LatencySample();
  assert.equal(b.serve(1000, 1, 0, s), 150);
  // 50 left from second 0 (1 s old at t = 1), 100 from second 1.
  assert.ok(Math.abs(s.mean() - (50 * 1000) / 150) < 1e-9, `mean latency ${s.mean()}`);
});
