/**
 * Mutation-audit tests for the Kubernetes HPA port (dexter-hpa.ts, hpa-behavior.ts): the tolerance band's edges,
 * the scale-down stabilization window's cutoff and how not-ready (starting) executors enter the replica calculation.
 * Expected values follow upstream semantics (anchors.md section 1.1; replica_calculator.go GetResourceReplicas,
 * horizontal.go stabilizeRecommendationWithBehaviors).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpaBehavior, HPA_DEFAULTS } from './hpa-behavior.ts';
import { DexterHpaPolicy, hpaCpuDesiredReplicas } from './dexter-hpa.ts';
import { ctx, obs } from './test-context.ts';

// Binary-exact numbers (0.5625 / 0.5 = 1.125, tolerance 0.125) so that the band's edges are hit exactly.
test('HPA tolerance band is inclusive at both edges: |ratio - 1| <= tolerance means no change', () => {
  assert.equal(hpaCpuDesiredReplicas(8, 8, 0, 0.5625, 0.5, 0.125), 8, 'ratio 1.125 on the upper edge');
  assert.equal(hpaCpuDesiredReplicas(8, 8, 0, 0.4375, 0.5, 0.125), 8, 'ratio 0.875 on the lower edge');
  assert.equal(hpaCpuDesiredReplicas(8, 8, 0, 0.5703125, 0.5, 0.125), 10, 'ratio 1.140625 just outside: ceil(9.125) = 10');
  const b = new HpaBehavior({ ...HPA_DEFAULTS, tolerance: 0.125 });
  assert.equal(b.withinTolerance(1.125), true);
  assert.equal(b.withinTolerance(0.875), true);
  assert.equal(b.withinTolerance(1.140625), false);
  assert.equal(b.withinTolerance(0.859375), false);
});

test('HPA scale-down stabilization: a recommendation exactly 300 s old has left the window (timestamp.After(cutoff))', () => {
  const atEdge = new HpaBehavior(HPA_DEFAULTS);
  assert.equal(atEdge.decide(0, 10, 10), 10);
  assert.equal(atEdge.decide(300, 10, 4), 4);
  const inside = new HpaBehavior(HPA_DEFAULTS);
  assert.equal(inside.decide(0, 10, 10), 10);
  assert.equal(inside.decide(299, 10, 4), 10);
});

test('HPA: starting executors are left out of the count when scaling down, and count at 0 % when scaling up', () => {
  // 4 ready at 35 % vs 70 % (4 more starting): desired = ceil(0.5 x 4 ready) = 2, not ceil(0.5 x 8) = 4.
  assert.equal(hpaCpuDesiredReplicas(8, 4, 4, 0.35, 0.7, 0.1), 2);
  const down = new DexterHpaPolicy();
  down.reset(0);
  // First sync, no earlier recommendation to stabilize on, scale-down limit 100 %: straight to 2.
  assert.equal(down.act(obs, ctx({ cpuUtilization: 0.35, executorsRunning: 4, executorsStarting: 4 }, 8)).executors, 2);
  // 4 ready at 100 % + 4 starting counted at 0 %: 4 / (0.7 x 8) = 0.71 flips the direction -> no change.
  const up = new DexterHpaPolicy();
  up.reset(0);
  assert.equal(up.act(obs, ctx({ cpuUtilization: 1.0, executorsRunning: 4, executorsStarting: 4 }, 8)).executors, 8);
});
