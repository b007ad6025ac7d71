/**
 * The 'spark-k8s' target of SparkIotEnv (docs/SPARK.md): a memory, tier or codec change restarts the application, so
 * processing stops for driverRestartS (30 s) + checkpointRecoveryS (10 s), every executor is replaced and cold-starts,
 * and the query then resumes from its checkpoint with the backlog that built up. Expected values come from the flat
 * world (test-flat-world.ts) and the documented constants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../core/types.ts';
import type { SparkK8sStepInfo } from './spark-iot-env.ts';
import { close, flatConfig, flatEnv, recordOf, snapshotOf } from './test-flat-world.ts';

const k8sOf = (info: unknown): SparkK8sStepInfo => (info as { sparkK8s: SparkK8sStepInfo }).sparkK8s;

// Redis without a codec, 1000 B messages: 100 us + 0.1 us/B x 1000 B of compute + 2 x 1000 B / 1000 MB/s of shuffle
// (+ 2 x 1000 B / 1e9 MB/s for codec none's compress and decompress) per message.
const PER_MSG_S = 200e-6 + 2e-6 + 2e-12;

test('a restart stops processing for 30 s + 10 s, then the query resumes with the backlog that built up', () => {
  // Two executors against 4000 msgs/s: 9,901 msgs/s of capacity, so nothing waits before the restart.
  const env = flatEnv(4000, flatConfig({ executors: 2, memoryGb: 4, tier: 'redis', codec: 'none' }), { target: 'spark-k8s' });
  assert.equal(snapshotOf(env.reset({ seed: 1 }).info).backlogMsgs, 0);
  const resized: Action = { executors: 2, memoryGb: 5, tier: 'redis', codec: 'none' };

  const s1 = env.stepAction(resized);
  const r1 = recordOf(s1.info);
  assert.deepEqual(k8sOf(s1.info), { restarted: true, restarts: 1, pausedUntilS: 40 });
  assert.deepEqual([r1.requestedMemoryGb, r1.memoryGb], [5, 5], 'requested 5 GB; none running: the target memory');
  assert.equal(env.restartCount, 1);
  assert.equal(r1.processedRateMsgsPerS, 0);
  assert.equal(r1.shuffleBytes, 0, 'nothing processed, so no shuffle output');
  assert.equal(r1.executorsRunning, 0, 'the operator deleted every executor');
  assert.equal(r1.executorsStarting, 2);
  // The working set follows the processed load, an EWMA with a 20 s time constant: 4000 msgs/s before the restart,
  // nothing since, so after the interval's last second (t = 9, nine decays) 4000 x 0.95^9 msgs/s over the two
  // executors that last served; none runs, so the memory is the new 5 GB.
  const loadPerExecutor = (4000 * 0.95 ** 9) / 2;
  close(snapshotOf(s1.info).memoryUtilization, (0.5 + (loadPerExecutor * 1000 * 60 * 6) / 1e9) / 5, 1e-12, 'memory utilization while restarting');

  for (let k = 2; k <= 4; k++) {
    const s = env.stepAction(resized);
    const r = recordOf(s.info);
    assert.deepEqual(k8sOf(s.info), { restarted: false, restarts: 1, pausedUntilS: 40 }, `step ${k}`);
    assert.equal(r.processedRateMsgsPerS, 0, `step ${k}: still paused (t = ${r.tSeconds - 10}..${r.tSeconds})`);
    assert.equal(r.backlogMsgs, 4000 * 10 * k, `step ${k}: every arrival waits (120 s retention: nothing dropped)`);
    if (k >= 3) assert.equal(r.executorsRunning, 2, `step ${k}: the replacements are ready (20 s cold start) but idle`);
  }
  // t = 40..49: both executors serve all ten seconds; 160,000 + 40,000 waiting is more than they can take.
  const r5 = recordOf(env.stepAction(resized).info);
  close(r5.processedRateMsgsPerS, 2 / PER_MSG_S, 1e-9 * (2 / PER_MSG_S), 'processed rate once resumed');
  close(r5.backlogMsgs, 200_000 - (10 * 2) / PER_MSG_S, 1e-6, 'backlog once resumed');
  // p95 over the messages completed in the step, weighted by count: served oldest first, second t serving its capacity
  // from the 4000-message buckets of arrival seconds 0, 1, ..., each at (t - arrival second) x 1000 ms + 500 ms
  // trigger wait + 150 ms overhead + 1000 ms of processing (a full second) + 2 x 0.4 ms redis round trips.
  let arrival = 0;
  let leftInBucket = 4000;
  const p95Of = (fromS: number): number => {
    const served: [latencyMs: number, msgs: number][] = [];
    for (let t = fromS; t < fromS + 10; t++) {
      let capacity = 2 / PER_MSG_S;
      while (capacity > 0) {
        const take = Math.min(capacity, leftInBucket);
        served.push([(t - arrival) * 1000 + 500 + 150 + 1000 + 0.8, take]);
        capacity -= take;
        leftInBucket -= take;
        if (leftInBucket <= 0) {
          arrival++;
          leftInBucket = 4000;
        }
      }
    }
    served.sort((a, b) => a[0] - b[0]);
    const total = served.reduce((sum, [, n]) => sum + n, 0);
    let cumulative = 0;
    return served.find(([, n]) => (cumulative += n) >= 0.95 * total)![0];
  };
  close(r5.p95LatencyMs, p95Of(40), 1e-6, 'p95 of the resumed step');
  const r6 = recordOf(env.stepAction(resized).info);
  close(r6.p95LatencyMs, p95Of(50), 1e-6, 'p95 of the next step');
  // Both above the age of the oldest message still waiting (arrived at t = 24 and 49).
  assert.ok(r5.p95LatencyMs > 26_000 && r6.p95LatencyMs > 11_000);
  assert.equal(env.restartCount, 1);
});

test('while the application restarts its executors do no work, re-reads of resident shuffle data included', () => {
  // Same world with re-reads: shuffle data written before the restart stays resident (60 s) and is re-read by the
  // running executors in ordinary operation, but not while the application is down.
  const env = flatEnv(4000, flatConfig({ executors: 2, memoryGb: 4, tier: 'redis', codec: 'none', rereadsPerReuse: 60 }), { target: 'spark-k8s' });
  const before = snapshotOf(env.reset({ seed: 1 }).info);
  assert.ok(before.cpuUtilization > (4000 * PER_MSG_S) / 2 + 1e-3, `re-reads add to the busy time in operation (cpu ${before.cpuUtilization})`);
  const resized: Action = { executors: 2, memoryGb: 5, tier: 'redis', codec: 'none' };
  for (let k = 1; k <= 4; k++) {
    const s = snapshotOf(env.stepAction(resized).info);
    if (k >= 3) assert.equal(s.executorsRunning, 2);
    assert.equal(s.cpuUtilization, 0, `step ${k}: paused`);
  }
});

test('tier-only and codec-only changes restart the application too; an executor-count change does not', () => {
  const cfg = flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' });
  for (const change of [{ tier: 'nvme' }, { codec: 'lz4' }] as const) {
    const env = flatEnv(1000, cfg, { target: 'spark-k8s' });
    env.reset({ seed: 1 });
    const s = env.stepAction({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none', ...change });
    const r = recordOf(s.info);
    assert.deepEqual(k8sOf(s.info), { restarted: true, restarts: 1, pausedUntilS: 40 }, JSON.stringify(change));
    // Same memory, yet all four executors were deleted and requested again (20 s cold starts).
    assert.equal(r.executorsRunning, 0, JSON.stringify(change));
    assert.equal(r.executorsStarting, 4, JSON.stringify(change));
    assert.equal(r.processedRateMsgsPerS, 0, JSON.stringify(change));
  }
  const env = flatEnv(1000, cfg, { target: 'spark-k8s' });
  env.reset({ seed: 1 });
  const s = env.stepAction({ executors: 6, memoryGb: 4, tier: 'redis', codec: 'none' });
  assert.deepEqual(k8sOf(s.info), { restarted: false, restarts: 0, pausedUntilS: -Infinity });
  assert.equal(recordOf(s.info).processedRateMsgsPerS, 1000, 'the executor count changes live');
  assert.equal(env.restartCount, 0);
});

test('reset ends a restart in progress: the next episode starts running, with no restarts counted', () => {
  const env = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' }), { target: 'spark-k8s', maxSteps: 2 });
  const initial: Action = { executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' };
  env.reset({ seed: 1 });
  env.stepAction({ ...initial, memoryGb: 5 });
  assert.equal(env.stepAction({ ...initial, memoryGb: 5 }).truncated, true);
  assert.equal(env.restartCount, 1);
  // The old episode was paused until t = 40; the new one's warm-up interval (t = -10..0) must run normally.
  const r0 = env.reset({ seed: 1 });
  assert.equal(env.restartCount, 0);
  assert.equal(snapshotOf(r0.info).backlogMsgs, 0);
  assert.equal(snapshotOf(r0.info).processedRateMsgsPerS, 1000);
  const s = env.stepAction(initial);
  assert.deepEqual(k8sOf(s.info), { restarted: false, restarts: 0, pausedUntilS: -Infinity });
  assert.equal(recordOf(s.info).processedRateMsgsPerS, 1000);
});

test('re-read time counts as busy only up to the serving executor time (executors cold-starting after a restart serve none)', () => {
  // A restart without driver or checkpoint time: the four replacements (5 GB) cold-start for 15 s while the shuffle
  // data of the warm-up (1 MB a second from t = -10 to -1, resident 60 s) is still re-read 0.5 x 60 / 60 times a
  // second on redis (1000 MB/s). In seconds 10..14 no executor serves, so no executor time goes to re-reads; at t = 15 the four executors
  // take the 16,000 waiting messages, then 1000 a second, each second's output becoming resident the next.
  const config = { ...flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none', rereadsPerReuse: 60, cluster: { coldStart: { medianS: 15, sigma: 0, minS: 0, maxS: 120 } } }), sparkK8s: { driverRestartS: 0, checkpointRecoveryS: 0 } };
  const env = flatEnv(1000, config, { target: 'spark-k8s' });
  env.reset({ seed: 1 });
  const resized: Action = { executors: 4, memoryGb: 5, tier: 'redis', codec: 'none' };
  assert.equal(snapshotOf(env.stepAction(resized).info).cpuUtilization, 0, 'no executor served in t = 0..9');
  const rereadSPerByte = 0.5 * (1 / 1000e6 + 1 / 1e15);
  const residentBytes = [10e6, 26e6, 27e6, 28e6, 29e6]; // t = 15..19
  const busyS = 20_000 * PER_MSG_S + rereadSPerByte * residentBytes.reduce((a, b) => a + b, 0);
  const s2 = snapshotOf(env.stepAction(resized).info);
  assert.equal(s2.backlogMsgs, 0);
  close(s2.cpuUtilization, busyS / 20, 1e-12, 'busy / serving executor-seconds in t = 10..19');
});
