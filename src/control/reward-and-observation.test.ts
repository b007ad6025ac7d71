/**
 * Golden values of the reward's SLA flag at the boundary and of every observation feature (docs/SIMULATOR.md
 * "Observation"), computed by hand from the feature table and the normalizers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../core/config.ts';
import type { SystemSnapshot } from '../core/types.ts';
import { ObservationBuilder, OBSERVATION_FEATURES, observationScales } from './observation.ts';
import { computeReward, latencyTerm, slaViolated } from './reward.ts';

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

// Mutation audit (src/edge, src/control): behaviours the tests above left unchecked.

const base: SystemSnapshot = {
  tSeconds: 10, arrivalRateMsgsPerS: 1000, processedRateMsgsPerS: 1000, backlogMsgs: 0, p95LatencyMs: 500, cpuUtilization: 0.5,
  memoryUtilization: 0.5, executorsRunning: 2, executorsStarting: 0, executorsDraining: 0, memoryPerExecutorGb: 4, tier: 'nvme',
  codec: 'lz4', shuffleBytes: 1e6, observedReuse: 0.2, costRateUsdPerHour: 0.5, costUsd: 0.001, droppedMsgs: 0, meanMessageBytes: 500,
};
const forecast = { predictedRateMsgsPerS: 1200, burstProbability: 0.1, horizonS: 40, gatewayId: 'gw' };
const weights = { alpha: 0.3, beta: 0.3, gamma: 0.4 };
const scenario = { slaP95LatencyMs: 2000, controlIntervalS: 10 };
const build = (s: SystemSnapshot) => new ObservationBuilder(observationScales(DEFAULT_CONFIG)).build(s, forecast, weights, scenario);
const feature = (obs: Float32Array, name: (typeof OBSERVATION_FEATURES)[number]) => obs[OBSERVATION_FEATURES.indexOf(name)]!;

test('drop_fraction: messages dropped in an interval with no arrivals read as a full drop, not as none', () => {
  assert.equal(feature(build({ ...base, arrivalRateMsgsPerS: 0, droppedMsgs: 50 }), 'drop_fraction'), 1);
  assert.equal(feature(build({ ...base, arrivalRateMsgsPerS: 0, droppedMsgs: 0 }), 'drop_fraction'), 0);
});

test('every feature stays in [0, 1] on a live snapshot with NaN or negative fields (a metrics source that lost a sub-source)', () => {
  const broken: SystemSnapshot = { ...base, cpuUtilization: Number.NaN, memoryUtilization: Number.NaN, p95LatencyMs: Number.NaN, backlogMsgs: -5, observedReuse: -0.2, costRateUsdPerHour: Number.NaN };
  const obs = build(broken);
  for (let i = 0; i < obs.length; i++) assert.ok(obs[i]! >= 0 && obs[i]! <= 1, `feature ${i} (${OBSERVATION_FEATURES[i]}) = ${obs[i]}`);
  assert.equal(feature(obs, 'backlog'), 0);
  assert.equal(feature(obs, 'cpu_util'), 0);
});

const zero = { costRateUsdPerHour: 0, budgetUsdPerHour: 1, p95LatencyMs: 0, slaP95LatencyMs: 1000, processedMsgs: 1, availableMsgs: 1, droppedMsgs: 0 };

test('throughput term is demand-capped at 1 even if more was processed than counted as available', () => {
  const r = computeReward({ ...zero, processedMsgs: 1500, availableMsgs: 1000 }, { alpha: 0, beta: 0, gamma: 1 }, { slaPenalty: 1, latencyCap: 4 });
  assert.equal(r.throughputTerm, 1);
  assert.equal(r.reward, 1);
});

test('the SLA penalty is the configured one (the training env uses a larger one)', () => {
  const r = computeReward({ ...zero, droppedMsgs: 1 }, { alpha: 0, beta: 0, gamma: 0 }, { slaPenalty: 3, latencyCap: 4 });
  assert.equal(r.slaViolated, true);
  assert.equal(r.reward, -3);
});

test('latencyFreeFraction f: latency up to f x SLA is free, the term is 1 at the target and capped', () => {
  const f = 0.5;
  assert.equal(latencyTerm(200, 1000, 4, f), 0, 'well below the free fraction: 0, never a bonus');
  assert.equal(latencyTerm(500, 1000, 4, f), 0);
  assert.equal(latencyTerm(750, 1000, 4, f), 0.5);
  assert.equal(latencyTerm(1000, 1000, 4, f), 1);
  assert.equal(latencyTerm(2000, 1000, 4, f), 3);
  assert.equal(latencyTerm(100_000, 1000, 4, f), 4);
  assert.equal(latencyTerm(750, 1000, 4), 0.75, 'f = 0 is the plain ratio');
  const r = computeReward({ ...zero, p95LatencyMs: 750 }, { alpha: 0, beta: 1, gamma: 0 }, { slaPenalty: 1, latencyCap: 4, latencyFreeFraction: f });
  assert.equal(r.latencyTerm, 0.5);
  assert.throws(() => latencyTerm(100, 1000, 4, 1), /latencyFreeFraction must be in \[0, 1\)/);
  assert.throws(() => latencyTerm(100, 1000, 4, -0.1), /latencyFreeFraction must be in \[0, 1\)/);
});
