import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { sample, checkMember } from '../core/spaces.ts';
import { SparkIotEnv } from './spark-iot-env.ts';
import type { SparkIotInfo, StepRecord } from './spark-iot-types.ts';

const recordOf = (info: unknown) => (info as SparkIotInfo).record!;

function runActions(env: SparkIotEnv, seed: number, actions: (k: number) => ArrayLike<number>, steps: number): StepRecord[] {
  env.reset({ seed });
  const out: StepRecord[] = [];
  for (let k = 0; k < steps; k++) out.push(recordOf(env.step(actions(k)).info));
  return out;
}

test('same seed -> identical StepRecords; another seed differs', () => {
  const rng = new Rng(9);
  const actions = Array.from({ length: 60 }, () => sample({ kind: 'multi-discrete', nvec: [20, 8, 4, 3] }, rng) as Int32Array);
  const a = runActions(new SparkIotEnv({ scenario: 'healthcare', maxSteps: 60 }), 7, (k) => actions[k]!, 60);
  const b = runActions(new SparkIotEnv({ scenario: 'healthcare', maxSteps: 60 }), 7, (k) => actions[k]!, 60);
  const c = runActions(new SparkIotEnv({ scenario: 'healthcare', maxSteps: 60 }), 8, (k) => actions[k]!, 60);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((r) => r.arrivalRateMsgsPerS), c.map((r) => r.arrivalRateMsgsPerS));
});

test('common random numbers: different policies see the same arrivals and temperature', () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 50 });
  const small = runActions(env, 3, () => [0, 0, 3, 0], 50);
  const big = runActions(env, 3, (k) => [19, (k % 8), k % 4, k % 3], 50);
  assert.deepEqual(small.map((r) => r.arrivalRateMsgsPerS), big.map((r) => r.arrivalRateMsgsPerS));
  assert.deepEqual(small.map((r) => r.reuseProbability), big.map((r) => r.reuseProbability));
  assert.deepEqual(small.map((r) => r.burstOnset), big.map((r) => r.burstOnset));
  assert.notDeepEqual(small.map((r) => r.costUsd), big.map((r) => r.costUsd));
});

test('every StepRecord field is filled; truncated at maxSteps (time limit is truncation)', () => {
  const env = new SparkIotEnv({ scenario: 'industrial', maxSteps: 5 });
  env.reset({ seed: 1 });
  let last;
  for (let k = 0; k < 5; k++) {
    last = env.step([4, 3, 1, 1]);
    assert.equal(last.terminated, false);
    assert.equal(last.truncated, k === 4);
  }
  const r = recordOf(last!.info);
  const keys = ['step', 'tSeconds', 'scenario', 'trace', 'seed', 'policy', 'arrivalRateMsgsPerS', 'processedRateMsgsPerS', 'backlogMsgs', 'droppedMsgs', 'p95LatencyMs', 'slaTargetMs', 'slaViolated', 'requestedExecutors', 'requestedMemoryGb', 'requestedTier', 'requestedCodec', 'executorsRunning', 'executorsStarting', 'memoryGb', 'tier', 'codec', 'scaled', 'costUsd', 'costRateUsdPerHour', 'predictedRateMsgsPerS', 'burstProbability', 'burstActive', 'burstOnset', 'reuseProbability', 'shuffleBytes', 'reward', 'alpha', 'beta', 'gamma'];
  for (const k of keys) assert.ok(k in r && (r as unknown as Record<string, unknown>)[k] !== undefined && !Number.isNaN((r as unknown as Record<string, unknown>)[k]), k);
  assert.equal(r.step, 4);
  assert.equal(r.tSeconds, 50);
  assert.equal(r.requestedExecutors, 5);
  assert.equal(r.requestedTier, 'nvme');
  assert.deepEqual([r.alpha, r.beta, r.gamma], [0.2, 0.3, 0.5]);
  assert.throws(() => env.step([0, 0, 0, 0]), /episode is over/);
});

test('observations stay within the declared bounds for random actions over many steps', () => {
  for (const scenario of ['smart-city', 'healthcare', 'industrial', 'balanced'] as const) {
    const env = new SparkIotEnv({ scenario, maxSteps: 300, weights: 'random' });
    const rng = new Rng(2);
    let { obs } = env.reset({ seed: 5 });
    assert.equal(checkMember(env.observationSpace, obs), null);
    for (let k = 0; k < 300; k++) {
      const out = env.step(sample(env.actionSpace, rng) as Int32Array);
      obs = out.obs;
      assert.equal(checkMember(env.observationSpace, obs), null, `${scenario} step ${k}`);
      assert.ok(Number.isFinite(out.reward));
    }
  }
});

test('cold starts delay capacity: new executors serve only after their cold start', () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 10, config: { cluster: { coldStart: { medianS: 30, sigma: 0, minS: 30, maxS: 30 }, initial: { executors: 2 } } } });
  env.reset({ seed: 1 });
  const r1 = recordOf(env.stepAction({ executors: 12, memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info);
  assert.equal(r1.executorsRunning, 2);
  assert.equal(r1.executorsStarting, 10);
  assert.equal(r1.scaled, true);
  const r2 = recordOf(env.stepAction({ executors: 12, memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info);
  assert.equal(r2.executorsRunning, 2);
  assert.equal(r2.scaled, false);
  assert.ok(r2.backlogMsgs > r1.backlogMsgs, 'two executors cannot keep up: the backlog carries over and grows');
  const r3 = recordOf(env.stepAction({ executors: 12, memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info);
  assert.equal(r3.executorsRunning, 12);
  assert.ok(r3.costUsd > r1.costUsd * 0.99, 'starting executors were billed from the request');
});

test('a memory change replaces executors and bills both sets during the transition', () => {
  const cfg = { cluster: { coldStart: { medianS: 30, sigma: 0, minS: 30, maxS: 30 }, initial: { executors: 6, memoryGb: 4 } } };
  const stay = new SparkIotEnv({ scenario: 'balanced', maxSteps: 10, config: cfg });
  const swap = new SparkIotEnv({ scenario: 'balanced', maxSteps: 10, config: cfg });
  stay.reset({ seed: 4 });
  swap.reset({ seed: 4 });
  const keep = { executors: 6, memoryGb: 4, tier: 'redis', codec: 'none' } as const;
  const a = recordOf(stay.stepAction(keep).info);
  const b = recordOf(swap.stepAction({ ...keep, memoryGb: 5 }).info);
  assert.equal(b.executorsRunning, 6, 'old executors keep serving');
  assert.equal(b.executorsStarting, 6);
  assert.equal(b.memoryGb, 4);
  assert.ok(b.costUsd > 1.9 * a.costUsd, `double billing: ${b.costUsd} vs ${a.costUsd}`);
  for (let k = 0; k < 4; k++) swap.stepAction({ ...keep, memoryGb: 5 });
  const after = recordOf(swap.stepAction({ ...keep, memoryGb: 5 }).info);
  assert.equal(after.memoryGb, 5);
  assert.equal(after.executorsStarting, 0);
});

test('an overloaded cluster builds a backlog, then drops messages past retention and violates the SLA', () => {
  const env = new SparkIotEnv({ scenario: 'industrial', maxSteps: 30, config: { sim: { retentionAgeS: 30 } } });
  const recs = runActions(env, 2, () => [0, 0, 1, 1], 30);
  assert.ok(recs[2]!.backlogMsgs > 0);
  const dropped = recs.reduce((s, r) => s + r.droppedMsgs, 0);
  assert.ok(dropped > 0, 'drops are counted');
  assert.ok(recs.filter((r) => r.droppedMsgs > 0).every((r) => r.slaViolated));
  assert.ok(recs.at(-1)!.p95LatencyMs > recs.at(-1)!.slaTargetMs);
});

test('bad inputs give clear errors', () => {
  assert.throws(() => new SparkIotEnv({ scenario: 'mars' as never }), /unknown scenario "mars"/);
  const env = new SparkIotEnv({ maxSteps: 3 });
  assert.throws(() => env.step([0, 0, 0, 0]), /call reset\(\) before step/);
  env.reset({ seed: 1 });
  assert.throws(() => env.step([20, 0, 0, 0]), /index 0 \(executors\) must be an integer in \[0, 19\], got 20/);
  assert.throws(() => env.step([0, Number.NaN, 0, 0]), /index 1 \(memory\).*NaN/);
  assert.throws(() => env.step([0, 0, 0]), /must have 4 indices/);
  assert.throws(() => env.reset({ seed: 1, options: { scenario: 'nope' } }), /unknown scenario "nope"/);
  assert.throws(() => new SparkIotEnv({ config: { cluster: { maxExecutors: -1 } } }), /cluster\.maxExecutors/);
  assert.throws(() => new SparkIotEnv({ weights: { alpha: 1, beta: Number.NaN, gamma: 0 } }), /weights must be/);
});

test('reset options switch scenario and weights; the future is exposed only on request; edge features can be masked', () => {
  const env = new SparkIotEnv({ maxSteps: 3 });
  const { info } = env.reset({ seed: 1, options: { scenario: 'healthcare', weights: { alpha: 0.5, beta: 0.25, gamma: 0.25 } } });
  const i = info as unknown as SparkIotInfo;
  assert.equal(i.context.scenario, 'healthcare');
  assert.equal(i.context.slaP95LatencyMs, 2000);
  assert.deepEqual(i.weights, { alpha: 0.5, beta: 0.25, gamma: 0.25 });
  assert.equal(i.context.future, undefined);
  const oracleEnv = new SparkIotEnv({ maxSteps: 3, exposeFuture: true });
  const o = oracleEnv.reset({ seed: 1 }).info as unknown as SparkIotInfo;
  assert.ok(o.context.future);
  const masked = new SparkIotEnv({ maxSteps: 3, maskEdgeFeatures: true });
  const m = masked.reset({ seed: 1 });
  const plain = new SparkIotEnv({ maxSteps: 3 }).reset({ seed: 1 });
  assert.equal(m.obs[11], 0);
  assert.equal(m.obs[12], 0);
  assert.ok(plain.obs[11]! > 0);
  assert.deepEqual(Array.from(m.obs.slice(0, 11)), Array.from(plain.obs.slice(0, 11)));
});

test('a CSV trace replays through the env and is named in the records', () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 20, trace: '/work/shared/traces/twitter-stream-2021/rate_60s.csv', traceStepS: 60 });
  const recs = runActions(env, 1, () => [9, 3, 1, 1], 20);
  assert.equal(recs[0]!.trace, 'rate_60s.csv');
  assert.ok(recs.every((r) => r.arrivalRateMsgsPerS > 0 && r.arrivalRateMsgsPerS <= 55_000));
});

test('tier and codec drive cost and latency: archive is expensive and slow for hot shuffle data', () => {
  const env = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 10 });
  const hot = runActions(env, 1, () => [9, 3, 0, 0], 10);
  const archive = runActions(env, 1, () => [9, 3, 3, 2], 10);
  const sum = (rs: StepRecord[], f: (r: StepRecord) => number) => rs.reduce((s, r) => s + f(r), 0);
  assert.ok(sum(archive, (r) => r.costUsd) > sum(hot, (r) => r.costUsd));
  assert.ok(sum(archive, (r) => r.p95LatencyMs) > sum(hot, (r) => r.p95LatencyMs) + 10 * 5000);
});

test('nothing stale: features describe the just-finished interval; the forecast shown is the one recorded next step', () => {
  const env = new SparkIotEnv({ scenario: 'smart-city', maxSteps: 20 });
  let { info } = env.reset({ seed: 6 });
  for (let k = 0; k < 20; k++) {
    const shown = (info as unknown as SparkIotInfo).forecast;
    const out = env.step([7, 2, 2, 2]);
    const r = recordOf(out.info);
    assert.ok(Math.abs(out.obs[0]! - r.arrivalRateMsgsPerS / 100_000) < 1e-6);
    assert.ok(Math.abs(out.obs[10]! - r.reuseProbability) < 1e-6);
    assert.equal(r.predictedRateMsgsPerS, shown.predictedRateMsgsPerS);
    assert.equal(r.burstProbability, shown.burstProbability);
    info = out.info;
  }
});

test("re-read latency: 'resident-tier' prices re-reads on the tier the data lives on, 'write-tier' on the tier written to", () => {
  const writeTier = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 12 });
  const residentTier = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 12, config: { shuffle: { rereadLatencyAt: 'resident-tier' } } });
  assert.equal(writeTier.config.shuffle.rereadLatencyAt, 'write-tier', 'the default is the model the shipped figures were measured with');
  // Eight intervals writing to the archive tier (the warm-up's nvme data expires after its 60 s residency), then redis:
  // the archive data is still resident and re-read.
  const switched = (k: number) => (k < 8 ? [9, 3, 3, 0] : [9, 3, 0, 0]);
  const a = runActions(writeTier, 3, switched, 10);
  const b = runActions(residentTier, 3, switched, 10);
  assert.ok(a[8]!.reuseProbability > 0, 'the world re-reads shuffle data');
  // Once all resident data lives on the tier written to, the two models agree (up to rounding).
  for (const k of [6, 7]) assert.ok(Math.abs(b[k]!.p95LatencyMs - a[k]!.p95LatencyMs) < 1e-6 * a[k]!.p95LatencyMs, `step ${k}: ${b[k]!.p95LatencyMs} vs ${a[k]!.p95LatencyMs}`);
  // Right after the switch most resident bytes are on the archive (5 s per op): waiting on them is slower.
  assert.ok(b[8]!.p95LatencyMs > a[8]!.p95LatencyMs + 1000, `resident ${b[8]!.p95LatencyMs} ms vs write-tier ${a[8]!.p95LatencyMs} ms`);
  // The initial tier (nvme) all along, no overflow: identical records.
  const stay = () => [9, 3, 1, 1];
  assert.deepEqual(runActions(residentTier, 4, stay, 8), runActions(writeTier, 4, stay, 8));
});

test("drain time: 'resident-tiers' keeps executors removed off nvme draining while nvme data is resident; 'write-tier' let a tier switch skip it", () => {
  const writeTier = new SparkIotEnv({ scenario: 'balanced', maxSteps: 20, config: { shuffle: { drainTimeFrom: 'write-tier' } } });
  const resident = new SparkIotEnv({ scenario: 'balanced', maxSteps: 20 });
  assert.equal(resident.config.shuffle.drainTimeFrom, 'resident-tiers', 'the default is the faithful model (since session 23)');
  // Ten executors writing to nvme (drain 60 s), then two writing to redis (drain 5 s): the eight removed executors
  // hold the last 60 s of nvme shuffle data, so shuffle tracking keeps them (billed) for nvme's 60 s.
  const switchDown = (k: number) => (k < 6 ? [9, 3, 1, 1] : [1, 3, 0, 1]);
  const a = runActions(writeTier, 1, switchDown, 14);
  const b = runActions(resident, 1, switchDown, 14);
  assert.deepEqual(b.slice(0, 6), a.slice(0, 6), 'identical before the switch');
  // Steps 6-11 (the 60 s after the switch): ten executors billed against two once the 5 s drain is over.
  for (let k = 7; k <= 11; k++) assert.ok(b[k]!.costUsd > 4 * a[k]!.costUsd, `step ${k}: ${b[k]!.costUsd} vs ${a[k]!.costUsd} USD`);
  assert.ok(b[6]!.costUsd > a[6]!.costUsd, 'the switch step itself');
  // The drains end 60 s after the switch: from step 12 on the same two executors.
  for (const k of [12, 13]) assert.ok(Math.abs(b[k]!.costUsd - a[k]!.costUsd) < 1e-9, `step ${k}: ${b[k]!.costUsd} vs ${a[k]!.costUsd} USD`);
  // Staying on nvme: both models drain 60 s, identical records.
  const stayDown = (k: number) => (k < 6 ? [9, 3, 1, 1] : [1, 3, 1, 1]);
  assert.deepEqual(runActions(resident, 1, stayDown, 12), runActions(writeTier, 1, stayDown, 12));
});
