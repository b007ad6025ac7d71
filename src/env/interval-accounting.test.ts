/**
 * The simulator's accounting against hand-derived values of the model in docs/SIMULATOR.md: cost rate and the reward's
 * cost term, billing of cancelled cold starts at a switch, the throughput term's denominator, drop conservation,
 * p95 of messages still waiting, the per-batch latency formula, memory slowdown, capacity lost to re-reads, the 'auto'
 * initial size, Dirichlet weights, the overflow penalty and the edge forecaster's information set (no oracle leak).
 *
 * Most tests run a flat world: a constant 1 s trace (arrivals = the rate exactly, 1000 B messages = the balanced
 * scenario's size, so no rescaling), the reuse probability constant (reuseSigma 0) and, unless a test needs them, no
 * re-reads (rereadsPerReuse 0). Every number below is computed from the documented constants, not read off the code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv } from './spark-iot-env.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';
import { close, flatConfig, flatEnv, recordOf, snapshotOf } from './test-flat-world.ts';
import { Forecaster } from '../edge/forecaster.ts';
import type { Action } from '../core/types.ts';

const rec = recordOf;
const snap = snapshotOf;

// Documented prices (EMR Serverless us-east-1): 4 vCPU x $0.052624 + memory x $0.0057785 per hour, billed per second.
const usdPerHour = (memoryGb: number): number => 4 * 0.052624 + memoryGb * 0.0057785;
const usdPerS = (memoryGb: number): number => usdPerHour(memoryGb) / 3600;

test('cost of a steady step = executors x 10 s x the per-second price; its rate is per hour and the reward divides it by the budget', () => {
  // Redis storage priced 0 (redis has no request or retrieval fees): the executors are the whole bill.
  const cfg = flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none', shuffle: { tiers: { redis: { storageUsdPerGbHour: 0 } } } });
  const env = flatEnv(1000, cfg, { weights: { alpha: 1, beta: 0, gamma: 0 } });
  env.reset({ seed: 1 });
  const hold: Action = { executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' };
  for (let k = 0; k < 3; k++) {
    const out = env.stepAction(hold);
    const r = rec(out.info);
    close(r.costUsd, 4 * 10 * usdPerS(4), 1e-12, `step ${k} cost (warm-up interval discarded)`);
    close(r.costRateUsdPerHour, 4 * 0.23361, 1e-4, `step ${k} cost rate, USD/h`);
    assert.equal(r.slaViolated, false);
    // reward = -alpha x cost rate / budget, the balanced budget being $3/h.
    close(out.reward, -(4 * usdPerHour(4)) / 3, 1e-9, `step ${k} reward`);
  }
});

test('cancelling cold-starting executors at a switch bills their one-minute minimum to that step', () => {
  const cfg = flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none', shuffle: { tiers: { redis: { storageUsdPerGbHour: 0 } } } });
  const env = flatEnv(1000, cfg);
  env.reset({ seed: 1 });
  const up = rec(env.stepAction({ executors: 6, memoryGb: 4, tier: 'redis', codec: 'none' }).info);
  close(up.costUsd, 6 * 10 * usdPerS(4), 1e-12, 'two more requested: billed from the request');
  assert.equal(up.executorsStarting, 2);
  // At t = 10 the two requests (20 s cold starts) are cancelled after 10 s: 50 s of minimum each, plus 4 x 10 s.
  const down = rec(env.stepAction({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' }).info);
  assert.equal(down.executorsStarting, 0);
  close(down.costUsd, (2 * 50 + 4 * 10) * usdPerS(4), 1e-12, 'cancellation remainder billed to the switching step');
});

test('throughput term = processed / (backlog at the start + arrivals); drops close the message balance and violate the SLA', () => {
  // One executor against the synthetic balanced load (~12,000 msgs/s): the backlog carries over and overflows 50,000.
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 15, weights: { alpha: 0, beta: 0, gamma: 1 }, config: { sim: { maxBacklogMsgs: 50_000 } } });
  let backlog = snap(env.reset({ seed: 2 }).info).backlogMsgs;
  let dropsSeen = 0;
  let carried = 0;
  for (let k = 0; k < 15; k++) {
    const out = env.stepAction({ executors: 1, memoryGb: 8, tier: 'nvme', codec: 'lz4' });
    const r = rec(out.info);
    const processed = r.processedRateMsgsPerS * 10;
    const arrivals = r.arrivalRateMsgsPerS * 10;
    if (backlog > 0) carried++;
    close(out.reward, processed / (backlog + arrivals) - (r.slaViolated ? 1 : 0), 1e-9, `step ${k} reward (gamma only)`);
    close(r.droppedMsgs, backlog + arrivals - processed - r.backlogMsgs, 1e-6 * (backlog + arrivals), `step ${k}: dropped = start + arrived - processed - end`);
    if (r.droppedMsgs > 0) {
      dropsSeen++;
      assert.equal(r.slaViolated, true);
    }
    backlog = r.backlogMsgs;
  }
  assert.ok(carried >= 10, 'the backlog carried over between steps');
  assert.ok(dropsSeen >= 10, `the 50,000-message bound dropped messages (${dropsSeen} steps)`);
});

test('while nothing is served (a spark-k8s restart) the p95 is the age of the oldest waiting message', () => {
  const cfg = flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' });
  const env = flatEnv(1000, cfg, { target: 'spark-k8s' });
  const r0 = env.reset({ seed: 1 });
  assert.equal(snap(r0.info).backlogMsgs, 0, '4 executors serve 1000 msgs/s within their second');
  // A memory change restarts the application: 30 s driver + 10 s checkpoint recovery, nothing processed before t = 40.
  const a = rec(env.stepAction({ executors: 4, memoryGb: 5, tier: 'redis', codec: 'none' }).info);
  assert.equal(a.processedRateMsgsPerS, 0);
  assert.equal(a.backlogMsgs, 10_000);
  assert.equal(a.p95LatencyMs, 10_000, 'messages of second 0 have waited 10 s at t = 10');
  assert.equal(a.slaViolated, true);
  const b = rec(env.stepAction({ executors: 4, memoryGb: 5, tier: 'redis', codec: 'none' }).info);
  assert.equal(b.p95LatencyMs, 20_000);
});

test('latency of a batch = 500 ms trigger wait + 150 ms overhead + processing share + 2 shuffle round trips', () => {
  // 4 executors, 1000 msgs/s of 1000 B on redis without a codec: per message 100 us + 0.1 us/B x 1000 B = 200 us of
  // compute + 2 x 1000 B / 1000 MB/s = 2 us of shuffle (codec none: 1e9 MB/s, ~0). Working set per executor
  // 0.5 + 250 msgs/s x 1000 B x 60 s x 6 / 1e9 = 0.59 GB on 4 GB: no slowdown.
  const perMsgS = 200e-6 + 2e-6 + 2e-12;
  const env = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' }));
  env.reset({ seed: 1 });
  for (let k = 0; k < 3; k++) {
    const out = env.stepAction({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' });
    const r = rec(out.info);
    const s = snap(out.info);
    assert.equal(r.processedRateMsgsPerS, 1000);
    assert.equal(r.backlogMsgs, 0);
    close(r.p95LatencyMs, 500 + 150 + (1000 * 1000 * perMsgS) / 4 + 0.4 * 2, 1e-6, `step ${k} p95`);
    close(s.cpuUtilization, (1000 * perMsgS) / 4, 1e-9, 'cpu = busy / serving executor time');
    close(s.memoryUtilization, 0.59 / 4, 1e-9, 'working set / memory');
    close(out.obs[2]!, (1000 * perMsgS) / 4, 1e-6, 'obs cpu_util');
    close(out.obs[3]!, 0.59 / 4 / 2, 1e-6, 'obs mem_util');
  }
});

test('memory pressure: compute slows by 1 + 3(u - 1) when the working set exceeds executor memory', () => {
  // 1 executor of 1 GB at 2000 msgs/s: working set 0.5 + 2000 x 1000 x 60 x 6 / 1e9 = 1.22 GB, u = 1.22, slowdown
  // 1.66: 332 us of compute + 2 us of shuffle (+ 2e-12 s: codec none's 1e9 MB/s) per message; 2000 take 668 ms.
  const perMsgS = 332e-6 + 2e-6 + 2e-12;
  const env = flatEnv(2000, flatConfig({ executors: 1, memoryGb: 1, tier: 'redis', codec: 'none' }));
  env.reset({ seed: 1 });
  const out = env.stepAction({ executors: 1, memoryGb: 1, tier: 'redis', codec: 'none' });
  const r = rec(out.info);
  assert.equal(r.processedRateMsgsPerS, 2000);
  close(snap(out.info).memoryUtilization, 1.22, 1e-9, 'u');
  close(snap(out.info).cpuUtilization, 2000 * perMsgS, 1e-9, 'cpu');
  close(r.p95LatencyMs, 650 + 2000 * perMsgS * 1000 + 0.8, 1e-6, 'p95');
  close(out.obs[3]!, 0.61, 1e-6, 'obs mem_util = u / 2');
});

test('re-reads of resident shuffle data take executor time away from new messages', () => {
  // Overloaded: 1 executor (8 GB: no slowdown) against 10,000 msgs/s, shuffle on S3 without a codec. Reuse 0.5 and 60
  // re-reads per reuse: each resident byte is re-read 0.5 x 60 / 60 = 0.5 times a second at 80 MB/s.
  // Per message: 200 us compute + 2 x 1000 B / 80 MB/s = 25 us. Reference model of the doc, second by second from the
  // warm-up interval (t = -10), nothing expiring within the 60 s residency:
  //   capacity = (1 - rereadS) / perMsg, rereadS = resident x 0.5 / 80e6, resident += capacity x 1000 B.
  const perMsgS = 225e-6;
  let resident = 0;
  let processed = 0;
  for (let t = -10; t < 10; t++) {
    const rereadS = resident * 0.5 * (1 / 80e6 + 1 / 1e15);
    const capacity = Math.max(0, 1 - rereadS) / perMsgS;
    if (t >= 0) processed += capacity;
    resident += capacity * 1000;
  }
  const cfg = flatConfig({ executors: 1, memoryGb: 8, tier: 's3', codec: 'none', reuseMean: 0.5, rereadsPerReuse: 60 });
  const env = flatEnv(10_000, cfg);
  env.reset({ seed: 1 });
  const out = env.stepAction({ executors: 1, memoryGb: 8, tier: 's3', codec: 'none' });
  const r = rec(out.info);
  close(r.processedRateMsgsPerS, processed / 10, 1e-6 * processed, 'processed rate');
  assert.ok(processed / 10 < 0.8 / perMsgS, 'the re-reads cost more than a fifth of the executor');
  close(snap(out.info).cpuUtilization, 1, 1e-9, 'an overloaded executor is busy all the time, re-reads included');
});

test("'auto' initial executors = ceil(1.3 x the rate of the minute before / nominal capacity at nvme + lz4)", () => {
  // Nominal capacity of a 1000 B message: 1 / (200 us + 1000/362e6 + 2 x (1000/4.04)/1500e6 + 1000/1470e6 s)
  // = 4,907.4 msgs/s; 1.3 x 8000 / 4907.4 = 2.12 -> 3 executors (without the headroom 1.63 -> 2).
  const nominal = 1 / (200e-6 + 1000 / 362e6 + (2 * (1000 / 4.04)) / 1500e6 + 1000 / 1470e6);
  close(nominal, 4907.4, 0.1, 'nominal capacity');
  const env = flatEnv(8000, flatConfig({ executors: 'auto', memoryGb: 4, tier: 'nvme', codec: 'lz4' }));
  const { info } = env.reset({ seed: 1 });
  assert.equal((info as unknown as SparkIotInfo).action.executors, 3);
  assert.equal(snap(info).executorsRunning, 3);
});

test("weights 'random' are Dirichlet(1, 1, 1): on the simplex, and they differ per seed", () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 2, weights: 'random' });
  const seen = new Set<number>();
  for (let seed = 1; seed <= 6; seed++) {
    const w = (env.reset({ seed }).info as unknown as SparkIotInfo).weights;
    close(w.alpha + w.beta + w.gamma, 1, 1e-12, `seed ${seed}: weights sum`);
    for (const v of [w.alpha, w.beta, w.gamma]) assert.ok(v > 0 && v < 1);
    seen.add(w.alpha);
  }
  assert.equal(seen.size, 6);
});

test('a full tier overflows to the next one with the overflow latency penalty (5 ms per batch)', () => {
  // Same world twice: writing to nvme directly, and to a redis of 1 byte that overflows everything to nvme. The
  // executor time is then the same; the latency differs by the +5 ms overflow penalty.
  const direct = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'none' }));
  const overflow = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'none', shuffle: { tiers: { redis: { capacityGb: 1e-9 } } } }));
  direct.reset({ seed: 1 });
  overflow.reset({ seed: 1 });
  for (let k = 0; k < 3; k++) {
    const a = rec(direct.stepAction({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'none' }).info);
    const b = rec(overflow.stepAction({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' }).info);
    const extra = b.p95LatencyMs - a.p95LatencyMs;
    // All of the batch overflowed: +5 ms once (docs/SIMULATOR.md "Shuffle"; per batch, not per operation).
    assert.ok(Math.abs(extra - 5) < 1e-6, `step ${k}: overflow adds ${extra} ms`);
  }
});

test('the edge forecast uses only device-side data up to cloud time + lead (no look-ahead beyond the 25 s lead)', () => {
  const env = new SparkIotEnv({ scenario: 'smart-city', maxSteps: 8 });
  let { info } = env.reset({ seed: 4 });
  const series = env.exogenous();
  const arrivals = Float64Array.from(series.arrivalsMsgs);
  const check = (i: unknown, tSeconds: number) => {
    // After cloud second t - 1 the gateways have seen the device side of seconds up to t - 1 + 25.
    const f = new Forecaster({ leadTimeS: 25, horizonS: 40 });
    for (let k = 0; k < series.offsetS + tSeconds + 25; k++) f.observe(k, arrivals[k]!);
    const expected = f.forecast();
    const got = (i as SparkIotInfo).forecast;
    assert.equal(got.predictedRateMsgsPerS, expected.predictedRateMsgsPerS, `t=${tSeconds}: predicted rate`);
    assert.equal(got.burstProbability, expected.burstProbability, `t=${tSeconds}: burst probability`);
  };
  check(info, 0);
  for (let k = 1; k <= 8; k++) {
    info = env.step([5, 3, 1, 1]).info;
    check(info, 10 * k);
  }
});
