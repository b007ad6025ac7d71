/**
 * The defaults every benchmark figure was measured with, as docs/SIMULATOR.md lists them (scenario table, cluster,
 * billing, tier and codec tables, reward, normalizers), and the validation of weights and the executor bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, loadConfig } from './config.ts';

const c = DEFAULT_CONFIG;

test('scenario table: SLA, budget, base / peak rate, diurnal amplitude, bursts, message bytes, reuse mean', () => {
  const table = {
    'smart-city': [8000, 2.0, 14_000, 60_000, 0.5, 6, 2.5, 90, 15, 600, 0.25],
    healthcare: [2000, 5.0, 9_000, 40_000, 0.3, 8, 3, 60, 5, 1_200, 0.7],
    industrial: [4000, 4.5, 14_000, 45_000, 0.2, 5, 2.2, 120, 20, 2_000, 0.5],
    balanced: [4000, 3.0, 12_000, 55_000, 0.4, 6, 2.5, 90, 10, 1_000, 0.45],
  } as const;
  for (const [name, row] of Object.entries(table)) {
    const s = c.scenarios[name as keyof typeof table];
    const got = [s.slaP95LatencyMs, s.budgetUsdPerHour, s.baseRateMsgsPerS, s.peakRateMsgsPerS, s.diurnalAmplitude, s.bursts.ratePerHour, s.bursts.magnitudeMedian, s.bursts.durationMedianS, s.bursts.rampS, s.messageBytes, s.reuseMean];
    assert.deepEqual(got, [...row], name);
  }
  assert.deepEqual(c.scenarios.balanced.defaultWeights, { alpha: 1 / 3, beta: 1 / 3, gamma: 1 / 3 });
});

test('cluster, time and billing constants', () => {
  assert.equal(c.sim.retentionAgeS, 120);
  assert.equal(c.sim.maxBacklogMsgs, 5_000_000);
  assert.equal(c.sim.edgeLeadTimeS, 25);
  assert.equal(c.sim.forecastHorizonS, 40);
  assert.equal(c.sim.warmupS, 300);
  assert.equal(c.cluster.maxExecutors, 20);
  assert.equal(c.cluster.coresPerExecutor, 4);
  assert.deepEqual(c.cluster.coldStart, { medianS: 25, sigma: 0.4, minS: 8, maxS: 120 });
  assert.equal(c.cluster.triggerWaitMs, 500);
  assert.equal(c.cluster.batchOverheadMs, 150);
  assert.deepEqual([c.cluster.overheadGb, c.cluster.stateWindowS, c.cluster.stateExpansion, c.cluster.stateLoadTauS], [0.5, 60, 6, 20]);
  assert.deepEqual([c.cluster.spillSlope, c.cluster.oomRatio, c.cluster.retrySlope], [3, 2, 10]);
  assert.deepEqual(c.pricing, { vcpuUsdPerHour: 0.052624, memoryUsdPerGbHour: 0.0057785, minimumBilledS: 60 });
  assert.deepEqual(c.reward, { slaPenalty: 1, latencyCap: 4 });
});

test('tier table: op latency, bandwidth, capacity, storage and request prices, drain', () => {
  const t = c.shuffle.tiers;
  const rows = {
    redis: [0.4, 1000, 2, false, 0.125, 0, 0, 0, 5],
    nvme: [0.1, 1500, 20, true, 0.000111, 0, 0, 0, 60],
    s3: [30, 80, 1_000_000, false, 0.023 / 730, 0.005, 0.0004, 0, 5],
    archive: [5000, 40, 1_000_000, false, 0.004 / 730, 0.02, 0.01, 0.03, 5],
  } as const;
  for (const [name, row] of Object.entries(rows)) {
    const x = t[name as keyof typeof rows];
    assert.deepEqual([x.opLatencyMs, x.bandwidthMBps, x.capacityGb, x.capacityPerExecutor, x.storageUsdPerGbHour, x.putUsdPer1k, x.getUsdPer1k, x.retrievalUsdPerGb, x.drainS], [...row], name);
  }
  assert.equal(t.archive.minStorageS, 90 * 86_400);
  assert.deepEqual([c.shuffle.residencyS, c.shuffle.bytesPerInputByte, c.shuffle.rereadsPerReuse, c.shuffle.overflowPenaltyMs], [60, 1, 1, 5]);
  assert.deepEqual([c.shuffle.initialTier, c.shuffle.initialCodec, c.shuffle.rereadLatencyAt], ['nvme', 'lz4', 'write-tier']);
  assert.deepEqual(c.shuffle.codecs.lz4, { ratio: 4.04, compressMBps: 362, decompressMBps: 1470 });
  assert.deepEqual(c.shuffle.codecs.zstd, { ratio: 7.15, compressMBps: 379, decompressMBps: 702 });
  assert.equal(c.shuffle.codecs.none.ratio, 1);
});

test('observation normalizers: R = 100,000 msgs/s, B = R x 2,000 bytes/s, $6/h, 4 x SLA, 2 x memory', () => {
  assert.deepEqual(c.observation, { rateScaleMsgsPerS: 100_000, byteRateScale: 200_000_000, costRateScaleUsdPerHour: 6, latencyScaleOverSla: 4, memoryUtilCap: 2 });
});

test('validation: negative reward weights and more executors than the action space are refused', () => {
  assert.throws(() => loadConfig({ scenarios: { balanced: { defaultWeights: { alpha: -0.1, beta: 0.5, gamma: 0.6 } } } }), /scenarios\.balanced\.defaultWeights\.alpha/);
  assert.throws(() => loadConfig({ modes: { normal: { defaultWeights: { alpha: 1, beta: -1, gamma: 1 } } } }), /modes\.normal\.defaultWeights\.beta/);
  assert.throws(() => loadConfig({ cluster: { maxExecutors: 21 } }), /cluster\.maxExecutors/);
  assert.equal(loadConfig({ cluster: { maxExecutors: 20 } }).cluster.maxExecutors, 20);
});
