import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { ColdStartDraws } from './cold-start.ts';
import { ExecutorPool } from './executors.ts';
import { executorUsdPerS, memorySlowdown } from './memory.ts';

// Deterministic 20 s cold starts.
const config = loadConfig({ cluster: { coldStart: { medianS: 20, sigma: 0, minS: 0, maxS: 120 } } });
const draws = () => new ColdStartDraws(new Rng(1), config.cluster.coldStart);
const RATE_4GB = (4 * 0.052624 + 4 * 0.0057785) / 3600; // USD/s of a 4 vCPU, 4 GB executor

test('golden executor price: 4 vCPU x $0.052624 + 4 GB x $0.0057785 per hour', () => {
  assert.ok(Math.abs(executorUsdPerS(4, config) - RATE_4GB) < 1e-15);
  assert.ok(Math.abs(executorUsdPerS(4, config) * 3600 - 0.23361) < 1e-5);
});

test('a scale-up serves only after its cold start and is billed from the request', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 2, 4, 0);
  pool.setTarget(3, 4, 0, 5);
  assert.equal(pool.starting, 1);
  for (let t = 0; t < 20; t++) assert.equal(pool.advanceSecond(t, 1, 5), 2, `t=${t}: the new executor is still cold`);
  assert.ok(Math.abs(pool.takeCost() - 3 * 20 * RATE_4GB) < 1e-12, 'the starting executor is billed too');
  assert.equal(pool.advanceSecond(20, 1, 5), 3);
  assert.equal(pool.running, 3);
});

test('one-minute minimum: an executor cancelled after 15 s is billed 60 s (golden)', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 1, 4, 0);
  pool.takeCost();
  pool.setTarget(2, 4, 0, 5);
  for (let t = 0; t < 15; t++) pool.advanceSecond(t, 1, 5);
  pool.setTarget(1, 4, 15, 5); // cancel the starting one at t = 15
  assert.equal(pool.starting, 0);
  const cost = pool.takeCost();
  // 15 s of the warm executor + 60 s (minimum) of the cancelled one.
  assert.ok(Math.abs(cost - (15 + 60) * RATE_4GB) < 1e-12, `cost ${cost}`);
  assert.ok(Math.abs(60 * RATE_4GB - 0.0038935) < 1e-7);
});

test('scale-down drains: billed until drained, then released', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 3, 4, 0);
  pool.setTarget(1, 4, 0, 5);
  assert.equal(pool.running, 1);
  assert.equal(pool.draining, 2);
  for (let t = 0; t < 5; t++) assert.equal(pool.advanceSecond(t, 1, 5), 1, 'draining executors do not serve');
  assert.equal(pool.draining, 0);
  assert.ok(Math.abs(pool.takeCost() - (5 * 1 + 5 * 2) * RATE_4GB) < 1e-12);
});

test('changing memory replaces executors: old ones serve until replacements are ready, both billed meanwhile', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 2, 4, 0);
  pool.setTarget(2, 8, 0, 5);
  assert.equal(pool.starting, 2);
  assert.equal(pool.running, 2);
  for (let t = 0; t < 20; t++) assert.equal(pool.advanceSecond(t, 1, 5), 2, 'old executors keep serving');
  const rate8 = executorUsdPerS(8, config);
  assert.ok(Math.abs(pool.takeCost() - 20 * (2 * RATE_4GB + 2 * rate8)) < 1e-12, 'double billing during the transition');
  pool.advanceSecond(20, 1, 5);
  assert.equal(pool.running, 2);
  assert.equal(pool.draining, 2, 'the old ones drain once the new ones are ready');
  for (let t = 21; t < 27; t++) pool.advanceSecond(t, 1, 5);
  assert.equal(pool.draining, 0);
  assert.equal(pool.meanRunningMemoryGb(), 8);
});

test('memory pressure slows executors: spill, then failures and retries', () => {
  const c = config.cluster;
  assert.equal(memorySlowdown(0.9, c), 1);
  assert.equal(memorySlowdown(1.5, c), 1 + c.spillSlope * 0.5);
  assert.ok(memorySlowdown(3, c) > memorySlowdown(2, c) + 5);
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 2, 2, 0);
  pool.advanceSecond(0, 3, 5); // working set 3 GB on 2 GB executors
  assert.ok(Math.abs(pool.effectiveExecS - 2 / memorySlowdown(1.5, c)) < 1e-12);
});

test('cold-start draws do not depend on when they are consumed', () => {
  const a = draws();
  const b = draws();
  const late = b.get(5);
  assert.equal(a.get(0) === a.get(0), true);
  assert.equal(a.get(5), late);
  const c = new ColdStartDraws(new Rng(3), loadConfig().cluster.coldStart);
  for (let k = 0; k < 200; k++) {
    const d = c.get(k);
    assert.ok(d >= 8 && d <= 120);
  }
});
