import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SystemSnapshot } from '../core/types.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { OBS_SIZE, OBSERVATION_FEATURES, ObservationBuilder, observationScales } from './observation.ts';

const snapshot: SystemSnapshot = {
  tSeconds: 10, arrivalRateMsgsPerS: 50_000, processedRateMsgsPerS: 40_000, backlogMsgs: 100_000, p95LatencyMs: 2000,
  cpuUtilization: 0.8, memoryUtilization: 1.5, executorsRunning: 10, executorsStarting: 4, executorsDraining: 2,
  memoryPerExecutorGb: 4, tier: 's3', codec: 'zstd', shuffleBytes: 500e6, observedReuse: 0.3, costRateUsdPerHour: 3,
  costUsd: 3 / 360, droppedMsgs: 5000, meanMessageBytes: 1000,
};
const forecast = { predictedRateMsgsPerS: 60_000, burstProbability: 0.7, horizonS: 40, gatewayId: 'g' };
const weights = { alpha: 0.2, beta: 0.3, gamma: 0.5 };
const scenario = { slaP95LatencyMs: 4000, controlIntervalS: 10 };

test('the original 13 features keep their order, then the appended Markov-state features', () => {
  assert.deepEqual(OBSERVATION_FEATURES.slice(0, 13), ['workload_rate', 'data_volume', 'cpu_util', 'mem_util', 'latency', 'cost', 'alpha', 'beta', 'gamma', 'shuffle_size', 'data_temperature', 'edge_predicted_workload', 'edge_burst_signal']);
  const obs = new ObservationBuilder(observationScales(DEFAULT_CONFIG)).build(snapshot, forecast, weights, scenario);
  assert.equal(obs.length, OBS_SIZE);
  const f = (name: string) => obs[OBSERVATION_FEATURES.indexOf(name as never)]!;
  assert.ok(Math.abs(f('workload_rate') - 0.5) < 1e-6);
  assert.ok(Math.abs(f('mem_util') - 0.75) < 1e-6);
  assert.ok(Math.abs(f('latency') - 2000 / 16000) < 1e-6);
  assert.ok(Math.abs(f('cost') - 0.5) < 1e-6);
  assert.ok(Math.abs(f('alpha') - 0.2) < 1e-6 && Math.abs(f('gamma') - 0.5) < 1e-6);
  assert.ok(Math.abs(f('data_temperature') - 0.3) < 1e-6);
  assert.ok(Math.abs(f('edge_predicted_workload') - 0.6) < 1e-6);
  assert.ok(Math.abs(f('edge_burst_signal') - 0.7) < 1e-6);
  assert.ok(Math.abs(f('executors_starting') - 0.2) < 1e-6);
  assert.ok(Math.abs(f('drop_fraction') - 0.01) < 1e-6);
  assert.equal(f('tier_s3'), 1);
  assert.equal(f('tier_redis'), 0);
  assert.equal(f('codec_zstd'), 1);
});

test('extreme inputs are clipped to [0, 1]; maskEdgeFeatures zeroes features 11-12', () => {
  const wild: SystemSnapshot = { ...snapshot, arrivalRateMsgsPerS: 1e9, p95LatencyMs: 1e9, memoryUtilization: 50, backlogMsgs: 1e12, costRateUsdPerHour: 1e6, droppedMsgs: 1e12 };
  const obs = new ObservationBuilder(observationScales(DEFAULT_CONFIG), true).build(wild, { ...forecast, predictedRateMsgsPerS: 1e9 }, { alpha: 3, beta: 0, gamma: 0 }, scenario);
  for (let i = 0; i < obs.length; i++) assert.ok(obs[i]! >= 0 && obs[i]! <= 1, `feature ${i} = ${obs[i]}`);
  assert.equal(obs[11], 0);
  assert.equal(obs[12], 0);
});
