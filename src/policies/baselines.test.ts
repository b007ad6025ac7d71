import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OBS_SIZE } from '../control/observation.ts';
import { HpaBehavior, HPA_DEFAULTS } from './hpa-behavior.ts';
import { DexterHpaPolicy, hpaCpuDesiredReplicas } from './dexter-hpa.ts';
import { KedaLagPolicy, kedaDesiredReplicas } from './keda-lag.ts';
import { draMaxNeeded, draRampRounds, SparkDraPolicy } from './spark-dra.ts';
import { SparkStreamingDraPolicy, streamingDraDelta } from './spark-streaming-dra.ts';
import { KnativeKpaPolicy } from './knative-kpa.ts';
import { linearPredict, SeerLinearPolicy } from './seer-linear.ts';
import { FixedPolicy } from './fixed.ts';
import { thresholdForecastExecutors } from './threshold-forecast.ts';
import { SensibleResources } from './sensible-config.ts';
import { secondsToSteps } from './timing.ts';
import { createPolicy, policyIds } from './registry.ts';
import { ctx, obs } from './test-context.ts';

test('time constants convert to control steps', () => {
  assert.equal(secondsToSteps(15, 10), 2);
  assert.equal(secondsToSteps(300, 10), 30);
  assert.equal(secondsToSteps(6, 10), 1);
  assert.equal(secondsToSteps(60, 5), 12);
});

test('HPA: tolerance band, formula and not-ready pods at 0 % when scaling up', () => {
  // 10 pods at 75 % vs 70 %: ratio 1.071 is inside the 10 % band -> no change.
  assert.equal(hpaCpuDesiredReplicas(10, 10, 0, 0.75, 0.7, 0.1), 10);
  // at 80 %: ratio 1.143 -> ceil(10 x 1.143) = 12.
  assert.equal(hpaCpuDesiredReplicas(10, 10, 0, 0.8, 0.7, 0.1), 12);
  // Blog example: 50 pods at 90 % vs 75 % -> 60.
  assert.equal(hpaCpuDesiredReplicas(50, 50, 0, 0.9, 0.75, 0.1), 60);
  // scale down: 10 pods at 35 % -> 5.
  assert.equal(hpaCpuDesiredReplicas(10, 10, 0, 0.35, 0.7, 0.1), 5);
  // 4 ready at 100 % + 4 starting: recomputed ratio 4x1/(0.7x8) = 0.714 < 1 -> no scale-up.
  assert.equal(hpaCpuDesiredReplicas(8, 4, 4, 1.0, 0.7, 0.1), 8);
  // 6 ready at 100 % + 2 starting: 6/(0.7x8) = 1.071, inside tolerance -> no change.
  assert.equal(hpaCpuDesiredReplicas(8, 6, 2, 1.0, 0.7, 0.1), 8);
  // 8 ready at 100 % + 1 starting: 8/(0.7x9) = 1.27 -> ceil(1.27 x 9) = 12.
  assert.equal(hpaCpuDesiredReplicas(9, 8, 1, 1.0, 0.7, 0.1), 12);
});

test('HPA behaviour: scale-up limited to max(+100 %, +4) per 15 s', () => {
  const b = new HpaBehavior({ ...HPA_DEFAULTS, maxReplicas: 100 });
  assert.equal(b.decide(0, 1, 50), 5); // 1 -> max(2, 5) = 5
  const b2 = new HpaBehavior({ ...HPA_DEFAULTS, maxReplicas: 100 });
  assert.equal(b2.decide(0, 10, 50), 20); // 10 -> max(20, 14) = 20
  // within the same 15 s period, the base is still 10, so nothing more may be added
  assert.equal(b2.decide(10, 20, 50), 20);
  // a new period: 20 -> 40
  assert.equal(b2.decide(30, 20, 50), 40);
});

test('HPA behaviour: scale-down waits for the 300 s stabilization window (rolling max)', () => {
  const b = new HpaBehavior(HPA_DEFAULTS);
  assert.equal(b.decide(0, 10, 10), 10);
  assert.equal(b.decide(20, 10, 4), 10); // the max of recent recommendations is still 10
  assert.equal(b.decide(290, 10, 4), 10); // 10 recommended at t=0 is still within 300 s
  assert.equal(b.decide(310, 10, 4), 4); // t=0 left the window; max(4, 4) = 4
});

test('dexter-hpa policy: syncs every 2 steps (15 s -> 20 s) and holds a scale-down for 300 s', () => {
  const p = new DexterHpaPolicy();
  p.reset(0);
  assert.equal(p.act(obs, ctx({ cpuUtilization: 1.0 }, 4)).executors, 6); // t=0: ceil(4 x 1/0.7) = 6
  assert.equal(p.act(obs, ctx({ cpuUtilization: 1.0 }, 6)).executors, 6); // t=10: no sync
  assert.equal(p.act(obs, ctx({ cpuUtilization: 1.0 }, 6)).executors, 9); // t=20: ceil(6/0.7) = 9
  for (let t = 30; t < 300; t += 10) {
    assert.equal(p.act(obs, ctx({ cpuUtilization: 0.1 }, 9)).executors, 9, `t=${t}s: still stabilized`);
  }
  // 300 s after the last recommendation of 9 (t=20), the low recommendations win.
  let last = 9;
  for (let t = 300; t <= 340; t += 10) last = p.act(obs, ctx({ cpuUtilization: 0.1 }, 9)).executors;
  assert.equal(last, 2); // ceil(9 x 0.1/0.7) = 2
});

test('KEDA: replicas = ceil(lag / lagThreshold), capped at partitions and max', () => {
  assert.equal(kedaDesiredReplicas(0, 700, 20, 20), 0);
  assert.equal(kedaDesiredReplicas(1, 700, 20, 20), 1);
  assert.equal(kedaDesiredReplicas(2100, 700, 20, 20), 3);
  assert.equal(kedaDesiredReplicas(2101, 700, 20, 20), 4);
  assert.equal(kedaDesiredReplicas(1e9, 700, 6, 20), 6); // partitions cap
  assert.equal(kedaDesiredReplicas(1e9, 700, 64, 20), 20); // maxReplicaCount cap
  assert.throws(() => kedaDesiredReplicas(10, 0, 20, 20), /lagThreshold/);
});

test('keda-lag policy: lagThreshold = 7 s of one executor; activation floors at 1 after the 300 s cooldown', () => {
  const p = new KedaLagPolicy();
  p.reset(0);
  // lag = backlog 3000 + 10 s x 200 msgs/s = 5000; threshold 700 -> ceil(7.14) = 8 (limit max(2x4, 4+4) = 8)
  assert.equal(p.act(obs, ctx({ backlogMsgs: 3000, arrivalRateMsgsPerS: 200 }, 4)).executors, 8);
  const q = new KedaLagPolicy({ ...p.settings, activationLagThreshold: 1000 });
  q.reset(0);
  assert.equal(q.act(obs, ctx({ backlogMsgs: 0, arrivalRateMsgsPerS: 350 }, 5)).executors, 5); // lag 3500 = 5 x 700: active, in tolerance
  const quiet = ctx({ backlogMsgs: 0, arrivalRateMsgsPerS: 50 }, 5); // lag 500 <= activation 1000: inactive
  // The HPA part wants ceil(500/700) = 1 but its 300 s scale-down window holds 5; the cooldown also runs 300 s.
  for (let t = 10; t < 300; t += 10) assert.equal(q.act(obs, quiet).executors, 5, `t=${t}s`);
  const last = q.act(obs, quiet).executors;
  assert.equal(last, 1); // ...after cooldown KEDA scales to 0, floored at 1 executor
});

test('Spark DRA: exponential ramp 1, 2, 4, 8 capped by maxNeeded', () => {
  assert.deepEqual(draRampRounds(1, 1, 100, 100, 1), { target: 2, numToAdd: 2 });
  assert.deepEqual(draRampRounds(1, 1, 100, 100, 4), { target: 16, numToAdd: 16 }); // 1+1+2+4+8
  assert.deepEqual(draRampRounds(1, 1, 10, 100, 10), { target: 10, numToAdd: 1 }); // capped, ramp resets
  assert.equal(draMaxNeeded(0, 250, 100, 10), 3);
  assert.equal(draMaxNeeded(1000, 250, 100, 10), 4);
});

test('spark-dra policy: jumps to maxNeeded under backlog, removes idle executors only after 60 s', () => {
  const p = new SparkDraPolicy();
  p.reset(0);
  // demand 1500 msgs/s with 2 running -> maxNeeded 15, 10 rounds in a 10 s step reach it
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 1500 }, 2)).executors, 15);
  // demand drops to 300 msgs/s (3 needed): 12 executors idle; kept for 60 s (6 steps), removed at the 6th
  const quiet = ctx({ arrivalRateMsgsPerS: 300 }, 15);
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) seen.push(p.act(obs, quiet).executors);
  assert.deepEqual(seen, [15, 15, 15, 15, 15, 3]);
});

test('Spark streaming allocator: up at ratio >= 0.9 by max(round(ratio), 1), down at <= 0.3 by one, every 60 s', () => {
  assert.equal(streamingDraDelta(0.9), 1);
  assert.equal(streamingDraDelta(2.6), 3);
  assert.equal(streamingDraDelta(0.5), 0);
  assert.equal(streamingDraDelta(0.3), -1);
  const p = new SparkStreamingDraPolicy();
  p.reset(0);
  const overloaded = ctx({ arrivalRateMsgsPerS: 1000 }, 4); // ratio 1000/(4 x 100) = 2.5 -> round = 3 (Math.round(2.5) = 3)
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) seen.push(p.act(obs, overloaded).executors);
  assert.deepEqual(seen, [4, 4, 4, 4, 4, 7]);
  const idle = ctx({ arrivalRateMsgsPerS: 10 }, 7);
  for (let i = 0; i < 5; i++) assert.equal(p.act(obs, idle).executors, 7);
  assert.equal(p.act(obs, idle).executors, 6); // one executor removed at the end of the interval
});

test('Knative KPA: panic on a 200 % spike, never scales down in panic, leaves panic after a stable window', () => {
  const p = new KnativeKpaPolicy();
  p.reset(0);
  // steady 280 msgs/s, target 70 msgs/s per pod -> 4 pods
  for (let i = 0; i < 6; i++) assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 280 }, 4)).executors, 4);
  assert.equal(p.inPanic, false);
  // spike to 1400 msgs/s: panic desired = 20 >= 2 x 4 ready -> panic, scale to 20
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 1400 }, 4)).executors, 20);
  assert.equal(p.inPanic, true);
  // load falls back: still in panic, never below 20
  for (let t = 0; t < 6; t++) assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 280 }, 20)).executors, 20, `panic step ${t}`);
  // after the stable window without panic, it scales down (at most halving per tick)
  const after = p.act(obs, ctx({ arrivalRateMsgsPerS: 280 }, 20)).executors;
  assert.equal(p.inPanic, false);
  assert.ok(after < 20 && after >= 10, `expected a bounded scale-down, got ${after}`);
});

test('seer-linear: OLS extrapolation and sizing to 70 % utilization', () => {
  assert.equal(linearPredict([0, 10, 20], [100, 200, 300], 50), 600);
  assert.equal(linearPredict([0, 10], [5, 5], 100), 5);
  assert.equal(linearPredict([], [], 1), 0);
  const p = new SeerLinearPolicy();
  p.reset(0);
  p.act(obs, ctx({ arrivalRateMsgsPerS: 100 }, 4));
  p.act(obs, ctx({ arrivalRateMsgsPerS: 200 }, 4));
  // slope 10 msgs/s per s; at t=20 + 30 s prior delay -> 600 msgs/s -> ceil(600 / 70) = 9
  assert.equal(p.provisioningDelayS(), 30); // nothing started yet: the prior
  assert.equal(p.act(obs, ctx({ arrivalRateMsgsPerS: 300 }, 4)).executors, 9);
  // Falling load: the pure predictor extrapolates to 0 (1 executor); the AHPA-style floor keeps the current rate + backlog.
  const falling = [900, 600, 300];
  const pure = new SeerLinearPolicy({ ...p.settings, reactiveFloor: false });
  const floored = new SeerLinearPolicy();
  pure.reset(0);
  floored.reset(0);
  let a = 0;
  let b = 0;
  for (const r of falling) {
    a = pure.act(obs, ctx({ arrivalRateMsgsPerS: r, backlogMsgs: 700 }, 4)).executors;
    b = floored.act(obs, ctx({ arrivalRateMsgsPerS: r, backlogMsgs: 700 }, 4)).executors;
  }
  assert.equal(a, 1);
  assert.equal(b, Math.ceil((300 + 70) / 70)); // (current 300 + backlog 700 / 10 s) / 70 = 6
});

test('fixed and threshold-forecast', () => {
  const f = new FixedPolicy();
  f.reset(0);
  assert.equal(f.act(obs, ctx({}, 3)).executors, 15);
  // max(200, 400) x 1.25 = 500 -> 5 executors; with burst probability 0.9: 750 -> 8
  const c = ctx({ arrivalRateMsgsPerS: 200 }, 3);
  c.forecast = { ...c.forecast, predictedRateMsgsPerS: 400 };
  assert.equal(thresholdForecastExecutors(c), 5);
  c.forecast = { ...c.forecast, burstProbability: 0.9 };
  assert.equal(thresholdForecastExecutors(c), 8);
});

test('sensible config: VPA-like memory (P90 x 1.15), raised at once, lowered only by >= 2 GB; nvme + lz4', () => {
  const r = new SensibleResources();
  assert.equal(r.memoryGb(4), 4); // no history: keep
  for (let i = 0; i < 10; i++) r.observe(ctx({ memoryUtilization: 1.2, memoryPerExecutorGb: 4 }).snapshot); // 4.8 GB working set
  assert.equal(r.memoryGb(4), 6); // ceil(4.8 x 1.15) = 6
  const low = new SensibleResources();
  for (let i = 0; i < 10; i++) low.observe(ctx({ memoryUtilization: 0.25, memoryPerExecutorGb: 8 }).snapshot); // 2 GB
  assert.equal(low.memoryGb(8), 3); // ceil(2.3) = 3, saves 5 GB
  assert.equal(low.memoryGb(4), 4); // would save only 1 GB: keep
  const a = low.action(5, { executors: 1, memoryGb: 8, tier: 's3', codec: 'none' });
  assert.deepEqual([a.tier, a.codec], ['nvme', 'lz4']);
});

test('registry: every id creates its policy; every policy returns valid actions on a busy context', () => {
  for (const id of policyIds()) {
    const p = createPolicy(id);
    if (p.clairvoyant) continue; // needs the env's FutureView (tested in src/bench/tournament-real.test.ts)
    assert.equal(p.id, id);
    p.reset(1);
    // The RL agents read the observation vector (27 features in [0, 1]); the baselines ignore it.
    const fullObs = new Float32Array(OBS_SIZE).fill(0.5);
    for (let i = 0; i < 40; i++) {
      const a = p.act(fullObs, ctx({ arrivalRateMsgsPerS: 50 * i, backlogMsgs: i * 100, cpuUtilization: Math.min(1, i / 20) }, 5));
      assert.ok(Number.isInteger(a.executors) && a.executors >= 1 && a.executors <= 20, `${id}: executors ${a.executors}`);
      assert.ok(Number.isInteger(a.memoryGb) && a.memoryGb >= 1 && a.memoryGb <= 8, `${id}: memory ${a.memoryGb}`);
    }
  }
  assert.throws(() => createPolicy('nope'), /unknown policy 'nope'; valid policies: fixed, dexter-hpa/);
});
