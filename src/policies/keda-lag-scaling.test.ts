/**
 * Mutation-audit tests for the KEDA Kafka-lag port (keda-lag.ts): the generated HPA's tolerance on the AverageValue
 * ratio (over the replicas that exist, starting ones included), its 15 s sync, and KEDA's own activation at the 30 s
 * polls, strictly above activationLagThreshold (anchors.md section 1.2; replica_calculator.go
 * GetExternalPerPodMetricReplicas, KEDA scale_handler).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KedaLagPolicy, KEDA_SETTINGS } from './keda-lag.ts';
import { ctx, obs } from './test-context.ts';

// lagThreshold = 7 s x 100 msgs/s = 700 messages; lag = backlog + 10 s of arrivals.

test('keda-lag: the generated HPA keeps its 10 % tolerance on lag / (threshold x replicas)', () => {
  const p = new KedaLagPolicy();
  p.reset(0);
  // lag 7350 over 10 replicas x 700 = ratio 1.05: inside the band, no change (ceil(7350 / 700) = 11 would be a change).
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 735 }, 10)).executors, 10);
  // The ratio is over the HPA's current replicas (status.replicas: starting pods included), not the running ones:
  // 5 running + 5 starting is still ratio 1.05.
  const q = new KedaLagPolicy();
  q.reset(0);
  assert.equal(q.act(obs, ctx({ arrivalRateMsgsPerS: 735, executorsRunning: 5, executorsStarting: 5 }, 10)).executors, 10);
});

test('keda-lag: the HPA syncs every 15 s (-> 2 steps), not every step', () => {
  const p = new KedaLagPolicy();
  p.reset(0);
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 350 }, 5)).executors, 5); // t=0: lag 3500 = 5 x 700
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 700 }, 5)).executors, 5); // t=10: no sync
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 700 }, 5)).executors, 10); // t=20: ceil(7000 / 700) = 10
});

test('keda-lag: activation iff lag > activationLagThreshold (strictly), decided at the 30 s polls only', () => {
  const p = new KedaLagPolicy({ ...KEDA_SETTINGS, activationLagThreshold: 1000 });
  p.reset(0);
  // lag 1000, equal to the activation threshold: inactive. Each step starts from the count the last one set.
  let current = 5;
  const atThreshold = () => (current = p.act(obs, ctx({ arrivalRateMsgsPerS: 100 }, current)).executors);
  // Until the 300 s cooldown runs out the generated HPA sets ceil(1000 / 700) = 2 (first sync, nothing to stabilize on).
  // Upstream scales to zero once lastActive + cooldown is strictly before now: not at the 300 s poll, at the 330 s one.
  for (let t = 0; t < 330; t += 10) assert.equal(atThreshold(), 2, `t=${t}s`);
  assert.equal(atThreshold(), 1, 't=330 s: a lag equal to the threshold does not activate');
  // Lag returns at t=340; the next poll is at t=360, also an HPA sync.
  const busy = ctx({ arrivalRateMsgsPerS: 700 }, 1);
  const seen: number[] = [];
  for (let t = 340; t <= 360; t += 10) seen.push(p.act(obs, busy).executors);
  assert.deepEqual(seen, [1, 1, 5]); // t=360: ceil(7000 / 700) = 10, limited to max(2 x 1, 1 + 4) = 5
});
