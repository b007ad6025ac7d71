import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeReward, slaViolated } from './reward.ts';

const settings = { slaPenalty: 1, latencyCap: 4 };

test('golden reward terms', () => {
  const r = computeReward(
    { costRateUsdPerHour: 1.5, budgetUsdPerHour: 3, p95LatencyMs: 1000, slaP95LatencyMs: 4000, processedMsgs: 900, availableMsgs: 1000, droppedMsgs: 0 },
    { alpha: 0.2, beta: 0.3, gamma: 0.5 },
    settings,
  );
  assert.equal(r.costTerm, 0.5);
  assert.equal(r.latencyTerm, 0.25);
  assert.equal(r.throughputTerm, 0.9);
  assert.equal(r.slaViolated, false);
  assert.ok(Math.abs(r.reward - (-0.1 - 0.075 + 0.45)) < 1e-12);
});

test('SLA violation: p95 over target or any drop; penalty subtracted; latency capped', () => {
  const w = { alpha: 0, beta: 1, gamma: 0 };
  const late = computeReward({ costRateUsdPerHour: 0, budgetUsdPerHour: 1, p95LatencyMs: 100_000, slaP95LatencyMs: 1000, processedMsgs: 1, availableMsgs: 1, droppedMsgs: 0 }, w, settings);
  assert.equal(late.latencyTerm, 4);
  assert.equal(late.reward, -5);
  assert.equal(slaViolated(900, 1000, 1), true);
  assert.equal(slaViolated(900, 1000, 0), false);
  assert.equal(slaViolated(1001, 1000, 0), true);
});

test('throughput is demand-capped: processed / available, 1 when nothing was available', () => {
  const r = computeReward({ costRateUsdPerHour: 0, budgetUsdPerHour: 1, p95LatencyMs: 0, slaP95LatencyMs: 1, processedMsgs: 0, availableMsgs: 0, droppedMsgs: 0 }, { alpha: 0, beta: 0, gamma: 1 }, settings);
  assert.equal(r.throughputTerm, 1);
});
