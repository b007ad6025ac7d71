/**
 * What a step reports about its interval (snapshot, StepRecord, observation) against hand-derived values of
 * docs/SIMULATOR.md: rates and the cost rate per second of the actual interval length, the byte-weighted message size,
 * the ground-truth burst flags, the re-read share of batch latency, the memory of the executors actually serving, and
 * the overflow of a bounded s3 to the archive tier.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../core/types.ts';
import { SparkIotEnv } from './spark-iot-env.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';
import { close, flatConfig, flatEnv, recordOf, snapshotOf } from './test-flat-world.ts';

// EMR Serverless us-east-1: 4 vCPU x $0.052624 + memory x $0.0057785 per hour.
const usdPerHour = (memoryGb: number): number => 4 * 0.052624 + memoryGb * 0.0057785;
// Normalizers of the observation (docs/SIMULATOR.md "Observation"): R = 100,000 msgs/s, B = R x 2,000 B/s.
const R = 100_000;
const B = R * 2000;

test('a 5 s control interval: rates, the cost rate, the reuse and the per-second observation features use 5 s', () => {
  const cfg = flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none', reuseMean: 0.4, shuffle: { tiers: { redis: { storageUsdPerGbHour: 0 } } } });
  const env = flatEnv(1000, cfg, { controlIntervalS: 5 });
  env.reset({ seed: 1 });
  const hold: Action = { executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' };
  for (let k = 1; k <= 3; k++) {
    const out = env.stepAction(hold);
    const r = recordOf(out.info);
    assert.equal(r.tSeconds, 5 * k);
    assert.equal(r.arrivalRateMsgsPerS, 1000);
    assert.equal(r.processedRateMsgsPerS, 1000);
    close(r.costUsd, (4 * 5 * usdPerHour(4)) / 3600, 1e-15, `step ${k} cost: four executors for 5 s`);
    close(r.costRateUsdPerHour, 4 * usdPerHour(4), 1e-12, `step ${k} cost rate`);
    close(r.reuseProbability, 0.4, 1e-12, `step ${k} mean reuse probability`);
    assert.equal(r.shuffleBytes, 5 * 1000 * 1000, '1000 msgs/s x 1000 B x 1.0 shuffle bytes per input byte for 5 s');
    close(out.obs[0]!, 1000 / R, 1e-9, 'workload_rate');
    close(out.obs[5]!, (4 * usdPerHour(4)) / 6, 1e-6, 'cost feature ($6/h)');
    close(out.obs[9]!, (1000 * 1000) / B, 1e-9, 'shuffle_size: bytes per second / B');
    close(out.obs[10]!, 0.4, 1e-6, 'data_temperature');
  }
});

test('data volume weights each second\'s message size by its arrivals; an idle interval reports the scenario\'s size', () => {
  // Seconds alternate 1000 msgs/s of 1000 B and 3000 msgs/s of 2000 B (before the trace's size rescaling).
  const n = 100;
  const trace = { name: 'alternating.csv', stepS: 1, tS: Float64Array.from({ length: n }, (_, i) => i), rate: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 3000 : 1000)), size: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 2000 : 1000)) };
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 3, trace, rescaleTrace: false });
  env.reset({ seed: 1 });
  const { arrivalsMsgs, messageBytes, offsetS } = env.exogenous();
  for (let k = 0; k < 3; k++) {
    const out = env.step([9, 3, 1, 1]);
    let msgs = 0;
    let bytes = 0;
    let unweighted = 0;
    for (let t = 10 * k; t < 10 * k + 10; t++) {
      msgs += arrivalsMsgs[offsetS + t]!;
      bytes += arrivalsMsgs[offsetS + t]! * messageBytes[offsetS + t]!;
      unweighted += messageBytes[offsetS + t]! / 10;
    }
    const s = snapshotOf(out.info);
    close(s.meanMessageBytes, bytes / msgs, 1e-9, `step ${k} mean message bytes`);
    assert.ok(Math.abs(s.meanMessageBytes - unweighted) > 10, 'weighting by arrivals matters here');
    close(out.obs[1]!, (s.arrivalRateMsgsPerS * (bytes / msgs)) / B, 1e-7, `step ${k} data_volume = rate x mean bytes / B`);
  }
  // The working set of a second is for that second's message size: ten executors (4 GB) serve every message in its
  // second, so the load EWMA (20 s) follows the arrivals from the first warm-up second (t = -10).
  const tenExecutors = new SparkIotEnv({ scenario: 'balanced', maxSteps: 3, trace, rescaleTrace: false, config: { cluster: { initial: { executors: 10 } } } });
  tenExecutors.reset({ seed: 1 });
  const world = tenExecutors.exogenous();
  let ewma = world.arrivalsMsgs[world.offsetS - 10]!;
  let workingSetGb = 0;
  for (let k = 0; k < 2; k++) {
    for (let t = 10 * k - 10; t < 10 * k; t++) {
      workingSetGb = 0.5 + ((ewma / 10) * world.messageBytes[world.offsetS + t]! * 60 * 6) / 1e9;
      ewma += (world.arrivalsMsgs[world.offsetS + t]! - ewma) / 20;
    }
    if (k > 0) close(snapshotOf(tenExecutors.step([9, 3, 1, 1]).info).memoryUtilization, workingSetGb / 4, 1e-12, `step ${k}: working set of the last second / 4 GB`);
  }
  // Nothing arrives: no size to average; the snapshot falls back to the scenario's mean (here set to 1500 B).
  const idle = new SparkIotEnv({ scenario: 'balanced', maxSteps: 3, trace: { name: 'idle.csv', stepS: 1, tS: Float64Array.of(0, 1, 2), rate: new Float64Array(3), size: new Float64Array(3).fill(1000) }, rescaleTrace: false, config: { scenarios: { balanced: { messageBytes: 1500 } } } });
  idle.reset({ seed: 1 });
  const s = snapshotOf(idle.step([0, 3, 1, 1]).info);
  assert.equal(s.arrivalRateMsgsPerS, 0);
  assert.equal(s.meanMessageBytes, 1500);
});

test('burstActive / burstOnset of a record = any second of its interval in a burst / at an onset (ground truth)', () => {
  const env = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 300 });
  let active = 0;
  let onsets = 0;
  for (const seed of [1, 2]) {
    env.reset({ seed });
    const { burstActive, burstOnset, offsetS } = env.exogenous();
    for (let k = 0; k < 300; k++) {
      const r = recordOf(env.step([12, 3, 1, 1]).info);
      let anyActive = false;
      let anyOnset = false;
      for (let t = 10 * k; t < 10 * k + 10; t++) {
        anyActive ||= burstActive[offsetS + t] === 1;
        anyOnset ||= burstOnset[offsetS + t] === 1;
      }
      assert.equal(r.burstActive, anyActive, `seed ${seed} step ${k} burstActive`);
      assert.equal(r.burstOnset, anyOnset, `seed ${seed} step ${k} burstOnset`);
      if (anyActive) active++;
      if (anyOnset) onsets++;
    }
  }
  assert.ok(onsets >= 2 && active > onsets, `bursts seen: ${onsets} onsets, ${active} active steps`);
});

test('re-reads lengthen the batch: processing share = (messages x time per message + re-read time) / serving executors', () => {
  // Four executors, 1000 msgs/s of 1000 B on s3 without a codec, reuse 0.5 and 60 re-reads per reuse. Per message
  // 200 us of compute + 2 x 1000 B / 80 MB/s = 225 us. From t = 49 on, each second finds the 59 previous seconds'
  // output resident (1 MB each, 60 s residency) and re-reads 0.5 x 60 / 60 of it at 80 MB/s: 0.36875 s.
  // p95 = 500 + 150 ms + 1000 x (1000 x 225 us + 0.36875 s) / 4 + 30 ms x (2 + 0.5 x 60) = 650 + 148.4375 + 960 ms.
  const perMsgS = 225e-6 + 2e-12;
  const rereadS = 59e6 * 0.5 * (1 / 80e6 + 1 / 1e15);
  const env = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 's3', codec: 'none', reuseMean: 0.5, rereadsPerReuse: 60 }));
  env.reset({ seed: 1 });
  const hold: Action = { executors: 4, memoryGb: 4, tier: 's3', codec: 'none' };
  for (let k = 0; k < 8; k++) {
    const out = env.stepAction(hold);
    if (k < 5) continue; // t = 50.. : the resident data is in steady state
    const r = recordOf(out.info);
    assert.equal(r.processedRateMsgsPerS, 1000);
    close(r.p95LatencyMs, 650 + (1000 * (1000 * perMsgS + rereadS)) / 4 + 960, 1e-6, `step ${k} p95`);
    close(snapshotOf(out.info).cpuUtilization, (1000 * perMsgS + rereadS) / 4, 1e-9, `step ${k} cpu`);
  }
});

test('memory utilization during a memory change is the working set over the memory of the executors still serving', () => {
  // 4 x 4 GB -> 5 GB: the old executors serve until their replacements (20 s cold start) are ready. Working set per
  // executor 0.5 + 250 msgs/s x 1000 B x 60 s x 6 / 1e9 = 0.59 GB, on the old 4 GB.
  const env = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' }));
  env.reset({ seed: 1 });
  const out = env.stepAction({ executors: 4, memoryGb: 5, tier: 'redis', codec: 'none' });
  const s = snapshotOf(out.info);
  assert.equal(s.memoryPerExecutorGb, 4);
  assert.deepEqual([recordOf(out.info).requestedMemoryGb, recordOf(out.info).memoryGb], [5, 4], 'requested vs in force');
  close(s.memoryUtilization, 0.59 / 4, 1e-12, 'working set / old memory');
  const r2 = recordOf(env.stepAction({ executors: 4, memoryGb: 5, tier: 'nvme', codec: 'zstd' }).info);
  assert.deepEqual([r2.requestedTier, r2.requestedCodec, r2.tier, r2.codec], ['nvme', 'zstd', 'nvme', 'zstd']);
  close(out.obs[3]!, 0.59 / 4 / 2, 1e-6, 'mem_util feature');
});

test('a bounded s3 overflows to the archive tier: archive executor time and latency, plus the 5 ms overflow penalty', () => {
  // As the redis -> nvme test in interval-accounting.test.ts, one tier down: the same world writing to the archive
  // directly, and to an s3 of 1 byte that overflows everything to the archive.
  const direct = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'archive', codec: 'none' }));
  const overflow = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 's3', codec: 'none', shuffle: { tiers: { s3: { capacityGb: 1e-9 } } } }));
  direct.reset({ seed: 1 });
  overflow.reset({ seed: 1 });
  for (let k = 0; k < 3; k++) {
    const a = direct.stepAction({ executors: 4, memoryGb: 4, tier: 'archive', codec: 'none' }).info as unknown as SparkIotInfo;
    const b = overflow.stepAction({ executors: 4, memoryGb: 4, tier: 's3', codec: 'none' }).info as unknown as SparkIotInfo;
    assert.ok(Math.abs(b.record!.p95LatencyMs - a.record!.p95LatencyMs - 5) < 1e-6, `step ${k}: ${b.record!.p95LatencyMs} vs ${a.record!.p95LatencyMs} ms`);
    close(b.snapshot.cpuUtilization, a.snapshot.cpuUtilization, 1e-12, `step ${k}: executor time of the archive`);
  }
});

test('a trace is rescaled by default: its 99th percentile becomes the scenario\'s peak rate', () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 2, trace: { name: 'flat.csv', stepS: 1, tS: Float64Array.from({ length: 100 }, (_, i) => i), rate: new Float64Array(100).fill(1000), size: new Float64Array(100).fill(1000) } });
  env.reset({ seed: 1 });
  assert.equal(recordOf(env.step([19, 3, 1, 1]).info).arrivalRateMsgsPerS, env.config.scenarios.balanced.peakRateMsgsPerS);
});
