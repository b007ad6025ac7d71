/**
 * The baselines' VPA-like memory sizing (sensible-config.ts): ceil(P90 of the per-executor working sets x 1.15) in
 * [1, 8] GB, raised at once, lowered only when it saves at least 2 GB; Spark's nvme/lz4 shuffle defaults.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SensibleResources, SENSIBLE_DEFAULTS } from './sensible-config.ts';
import { ctx } from './test-context.ts';

const snap = (memoryUtilization: number, memoryPerExecutorGb: number, executorsRunning = 4) => ctx({ memoryUtilization, memoryPerExecutorGb, executorsRunning }).snapshot;

test('the defaults are VPA P90 + 15 %, a 2 GB down band, and Spark nvme/lz4', () => {
  assert.deepEqual(SENSIBLE_DEFAULTS, { memoryPercentile: 0.9, memoryMargin: 0.15, memoryDownBandGb: 2, tier: 'nvme', codec: 'lz4' });
});

test('memory is ceil(working set x 1.15): 2 GB -> 3 GB, 3.5 GB -> 5 GB; raised at once', () => {
  const r = new SensibleResources();
  assert.equal(r.memoryGb(4), 4, 'nothing observed: what is in force');
  r.observe(snap(0.5, 4)); // 2 GB working set
  assert.equal(r.memoryGb(2), 3);
  const r2 = new SensibleResources();
  r2.observe(snap(0.875, 4)); // 3.5 GB
  assert.equal(r2.memoryGb(4), 5);
});

test('lowered only when it saves at least 2 GB', () => {
  const r = new SensibleResources();
  r.observe(snap(0.5, 4)); // recommends 3 GB
  assert.equal(r.memoryGb(4), 4, 'saves 1 GB: kept');
  assert.equal(r.memoryGb(5), 3, 'saves exactly 2 GB: lowered');
  assert.equal(r.memoryGb(6), 3);
});

test('the 90th percentile of the history, not the 80th: working sets 0.1..1.0 GB size for 0.9 GB', () => {
  const r = new SensibleResources();
  for (let i = 1; i <= 10; i++) r.observe(snap(i / 10, 1));
  assert.equal(r.memoryGb(1), 2); // ceil(0.9 x 1.15 = 1.035); P80 would give ceil(0.92) = 1
});

test('the recommendation is clamped to [1, 8] GB', () => {
  const big = new SensibleResources();
  big.observe(snap(2.5, 4)); // 10 GB working set
  assert.equal(big.memoryGb(4), 8);
  const tiny = new SensibleResources();
  tiny.observe(snap(0.025, 4)); // 0.1 GB
  assert.equal(tiny.memoryGb(4), 1);
});

test('snapshots with nothing serving or no memory use are skipped; reset forgets the history', () => {
  const r = new SensibleResources();
  r.observe(snap(0.5, 4, 0));
  r.observe(snap(0, 4));
  assert.equal(r.memoryGb(6), 6);
  r.observe(snap(0.5, 4));
  assert.equal(r.memoryGb(6), 3);
  r.reset();
  assert.equal(r.memoryGb(6), 6);
});

test('action keeps the chosen executor count and sets Spark shuffle defaults', () => {
  const r = new SensibleResources();
  r.observe(snap(0.5, 4));
  assert.deepEqual(r.action(7, { executors: 4, memoryGb: 2, tier: 's3', codec: 'zstd' }), { executors: 7, memoryGb: 3, tier: 'nvme', codec: 'lz4' });
});
