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

test('takeCost returns the cost since the last call: a second call at once is 0', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 2, 4, 0);
  pool.advanceSecond(0, 1, 5);
  assert.ok(Math.abs(pool.takeCost() - 2 * RATE_4GB) < 1e-15);
  assert.equal(pool.takeCost(), 0);
});

test('a scale-down with a drain of 0 s releases at once; a fractional drain is billed its fraction', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 3, 4, 0);
  pool.setTarget(1, 4, 0, 0);
  assert.deepEqual([pool.running, pool.draining], [1, 0], 'no drain to wait for');
  const frac = new ExecutorPool(config, draws());
  frac.reset(draws(), 3, 4, 0);
  frac.takeCost();
  frac.setTarget(1, 4, 0, 2.5);
  for (let t = 0; t < 3; t++) frac.advanceSecond(t, 1, 2.5);
  assert.equal(frac.draining, 0);
  const cost = frac.takeCost();
  assert.ok(Math.abs(cost - (3 * 1 + 2 * 2.5) * RATE_4GB) < 1e-12, `3 s of the kept one + 2 x 2.5 s of drains, got ${cost / RATE_4GB} executor-s`);
});

test('a cold start ending exactly on a second boundary counts the executor as running after that second', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 2, 4, 0);
  pool.setTarget(3, 4, 0, 5); // ready at 20 s exactly
  for (let t = 0; t < 19; t++) pool.advanceSecond(t, 1, 5);
  assert.deepEqual([pool.running, pool.starting], [2, 1]);
  assert.equal(pool.advanceSecond(19, 1, 5), 2, 'it serves nothing of [19, 20)');
  assert.deepEqual([pool.running, pool.starting], [3, 0], 'but is running from 20 s on');
});

test('old-memory executors are billed until drainS after their replacements are ready', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 2, 4, 0);
  pool.takeCost();
  pool.setTarget(2, 8, 0, 5); // replacements ready at 20 s; the old ones drain [20, 25)
  for (let t = 0; t < 30; t++) pool.advanceSecond(t, 1, 5);
  const rate8 = executorUsdPerS(8, config);
  const cost = pool.takeCost();
  assert.ok(Math.abs(cost - (2 * 25 * RATE_4GB + 2 * 30 * rate8)) < 1e-12, `cost ${cost}`);
});

test('a memory change back before the replacements are ready cancels them', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 2, 4, 0);
  pool.setTarget(2, 8, 0, 5);
  assert.equal(pool.starting, 2);
  pool.advanceSecond(0, 1, 5);
  pool.setTarget(2, 4, 1, 5);
  assert.deepEqual([pool.running, pool.starting, pool.draining], [2, 0, 0], 'the 8 GB requests are cancelled, the 4 GB ones keep serving');
});

test('a scale-down cancels the latest requests first', () => {
  const c = loadConfig();
  const cold = () => new ColdStartDraws(new Rng(7), c.cluster.coldStart);
  const d0 = cold().get(0);
  const pool = new ExecutorPool(c, cold());
  pool.reset(cold(), 1, 4, 0);
  pool.setTarget(2, 4, 0, 5); // draw 0, ready at d0
  pool.setTarget(3, 4, 1, 5); // draw 1, requested at 1 s
  pool.setTarget(2, 4, 2, 5); // cancels the one requested at 1 s
  assert.equal(pool.starting, 1);
  let serving = 0;
  for (let t = 0; t < 130; t++) serving += pool.advanceSecond(t, 1, 5);
  assert.ok(Math.abs(serving - (130 + (130 - d0))) < 1e-9, `the kept request is the first one (ready at ${d0} s): serving ${serving}`);
});

test('the pool holds 20 old-memory executors and their 20 replacements at once', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 20, 4, 0);
  pool.setTarget(20, 8, 0, 5);
  pool.setTarget(20, 2, 0, 5);
  assert.deepEqual([pool.running, pool.starting], [20, 20]);
});

test('the mean running memory is the target memory while nothing runs', () => {
  const pool = new ExecutorPool(config, draws());
  pool.reset(draws(), 0, 6, 0);
  assert.equal(pool.meanRunningMemoryGb(), 6);
});
