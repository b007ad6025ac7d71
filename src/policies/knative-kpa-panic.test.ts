/**
 * Mutation-audit tests for the Knative KPA port (knative-kpa.ts): the panic threshold (>= 200 % of the ready pods),
 * what counts as ready, panic extended while over the threshold and its pod floor forgotten on exit, the 60 s stable
 * window, and queued requests counting as load (anchors.md section 1.6; knative/serving
 * pkg/autoscaler/scaling/autoscaler.go Scale()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KnativeKpaPolicy } from './knative-kpa.ts';
import { ctx, obs } from './test-context.ts';

// Per-pod target = 100 msgs/s x 0.7 = 70 msgs/s. `running` is the ready count, `current` the count in force.
function step(p: KnativeKpaPolicy, rate: number, running: number, current = running, backlogMsgs = 0): number {
  return p.act(obs, ctx({ arrivalRateMsgsPerS: rate, executorsRunning: running, backlogMsgs }, current)).executors;
}

test('KPA panics when the panic-window count is exactly 200 % of the ready pods, counted over ready (not starting) pods', () => {
  const p = new KnativeKpaPolicy();
  p.reset(0);
  for (let i = 0; i < 6; i++) assert.equal(step(p, 280, 4), 4); // 280 / 70 = 4 pods
  // 560 msgs/s -> 8 pods = 2.0 x 4 ready: panic, desired = max(stable ceil(326.7 / 70) = 5, panic 8) = 8.
  assert.equal(step(p, 560, 4), 8);
  assert.equal(p.inPanic, true);
  // The same with 4 more executors already starting: the threshold is relative to the 4 ready ones.
  const q = new KnativeKpaPolicy();
  q.reset(0);
  for (let i = 0; i < 6; i++) step(q, 280, 4);
  assert.equal(step(q, 560, 4, 8), 8);
  assert.equal(q.inPanic, true);
});

test('KPA extends panic while over the threshold, leaves it a stable window after the last such tick, and then forgets its pod floor', () => {
  const p = new KnativeKpaPolicy();
  p.reset(0);
  for (let i = 0; i < 6; i++) step(p, 280, 4); // t = 0..50
  for (let i = 0; i < 4; i++) assert.equal(step(p, 1400, 4), 20); // t = 60..90: 20 pods = 5 x 4 ready, every tick
  // Last over-threshold tick at t=90: still panicking until 90 + 60 < now, i.e. through t=150.
  for (let t = 100; t <= 150; t += 10) {
    assert.equal(step(p, 280, 20), 20, `t=${t}s: no scale-down in panic`);
    assert.equal(p.inPanic, true, `t=${t}s`);
  }
  assert.equal(step(p, 280, 20), 10, 't=160: out of panic, stable 4 pods, at most halving 20 -> 10');
  assert.equal(p.inPanic, false);
  for (let i = 0; i < 6; i++) step(p, 280, 4);
  // A new, smaller panic asks for 8 pods, not the 20 of the previous one.
  assert.equal(step(p, 560, 4), 8);
  assert.equal(p.inPanic, true);
});

test('KPA stable mode averages the last 60 s (6 steps), not the latest step', () => {
  const p = new KnativeKpaPolicy();
  p.reset(0);
  for (let i = 0; i < 6; i++) assert.equal(step(p, 700, 10), 10);
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) seen.push(step(p, 140, 10));
  // Means (700 x 5 + 140) / 6 = 606.7 -> 9, 513.3 -> 8, 420 -> 6, 326.7 -> 5, 233.3 -> 4, 140 -> 2; floored at 10 / 2 = 5.
  assert.deepEqual(seen, [9, 8, 6, 5, 5, 5]);
});

test('KPA counts queued messages as load (arrival rate + backlog / interval)', () => {
  const p = new KnativeKpaPolicy();
  p.reset(0);
  // 140 msgs/s arriving + 1400 queued over 10 s = 280 msgs/s -> 4 pods (the arrivals alone would give 2).
  assert.equal(step(p, 140, 4, 4, 1400), 4);
});

test('KPA compares the rounded-up panic pod count with the ready pods, as upstream (dppc = ceil(panic load / target))', () => {
  // 4 ready pods, 7.01 pods' worth of load in the panic window: ceil(7.01) = 8 = 2.0 x 4, so upstream panics; the raw
  // ratio 7.01 / 4 = 1.75 would not. Stable mean after six 280 msgs/s steps and one 490.7: (280 x 5 + 490.7) / 6 = 315.1
  // -> 5 pods, so only panic asks for 8.
  const p = new KnativeKpaPolicy();
  p.reset(0);
  for (let i = 0; i < 6; i++) step(p, 280, 4);
  assert.equal(step(p, 7.01 * 70, 4), 8);
  assert.equal(p.inPanic, true);
  // 7.0 pods' worth exactly: ceil = 7 < 8, no panic; stable (280 x 5 + 490) / 6 = 315 -> 5.
  const q = new KnativeKpaPolicy();
  q.reset(0);
  for (let i = 0; i < 6; i++) step(q, 280, 4);
  assert.equal(step(q, 7 * 70, 4), 5);
  assert.equal(q.inPanic, false);
});
