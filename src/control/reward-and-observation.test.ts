/**
 * Golden values of the reward's SLA flag at the boundary and of every observation feature (docs/SIMULATOR.md
 * "Observation"), computed by hand from the feature table and the normalizers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../core/config.ts';
import type { SystemSnapshot } from '../core/types.ts';
import { ObservationBuilder, observationScales } from './observation.ts';
import { computeReward, slaViolated } from './reward.ts';

test('the SLA is violated only when p95 exceeds the target: exactly at the target is no violation', () => {
  assert.equal(slaViolated(4000, 4000, 0), false);
  const r = computeReward({ costRateUsdPerHour: 0, budgetUsdPerHour: 1, p95LatencyMs: 4000, slaP95LatencyMs: 4000, processedMsgs: 1, availableMsgs: 1, droppedMsgs: 0 }, { alpha: 0, beta: 1, gamma: 0 }, { slaPenalty: 1, latencyCap: 4 });
  assert.equal(r.reward, -1, 'latency term 1, no penalty');
});

test('every observation feature: value and normalizer of the documented table', () => {
  const snapshot: SystemSnapshot = {
    tSeconds: 10, arrivalRateMsgsPerS: 50_000, processedRateMsgsPerS: 30_000, backlogMsgs: 100_000, p95LatencyMs: 3000,
    cpuUtilization: 0.45, memoryUtilization: 1.2, executorsRunning: 10, executorsStarting: 4, executorsDraining: 2,
    memoryPerExecutorGb: 6, tier: 'nvme', codec: 'lz4', shuffleBytes: 400e6, observedReuse: 0.35, costRateUsdPerHour: 1.5,
    costUsd: 1.5 / 360, droppedMsgs: 5000, meanMessageBytes: 1600,
  };
  const forecast = { predictedRateMsgsPerS: 60_000, burstProbability: 0.7, horizonS: 40, gatewayId: 'g' };
  const obs = new ObservationBuilder(observationScales(DEFAULT_CONFIG)).build(snapshot, forecast, { alpha: 0.2, beta: 0.3, gamma: 0.5 }, { slaP95LatencyMs: 4000, controlIntervalS: 10 });
  const expected = [
    50_000 / 100_000, // 0 workload_rate
    (50_000 * 1600) / (100_000 * 2000), // 1 data_volume (B = R x 2000 bytes/s)
    0.45, // 2 cpu_util
    1.2 / 2, // 3 mem_util
    3000 / (4 * 4000), // 4 latency
    1.5 / 6, // 5 cost
    0.2, 0.3, 0.5, // 6-8 weights
    400e6 / 10 / (100_000 * 2000), // 9 shuffle_size: bytes per second
    0.35, // 10 data_temperature
    0.6, 0.7, // 11-12 edge
    10 / 20, 4 / 20, 2 / 20, // 13-15 executors running, starting, draining
    6 / 8, // 16 memory_per_executor
    Math.log1p(100_000) / Math.log1p(5_000_000), // 17 backlog
    5000 / (50_000 * 10), // 18 drop_fraction
    30_000 / 100_000, // 19 processed_rate
    0, 1, 0, 0, // 20-23 tier nvme
    0, 1, 0, // 24-26 codec lz4
  ];
  assert.equal(obs.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(obs[i]! - expected[i]!) < 1e-6, `feature ${i}: ${obs[i]} vs ${expected[i]}`);
});
