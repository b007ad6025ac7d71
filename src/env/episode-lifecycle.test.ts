/**
 * SparkIotEnv's episode contract: defaults and argument checks, what reset({seed}) and reset() seed, the per-episode
 * streams named in docs/SIMULATOR.md ('cold-starts', and the Dirichlet weights), setWeights, and what info.context
 * tells a policy (the time, the nominal capacity, the oracle's FutureView).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { ColdStartDraws } from '../cluster/cold-start.ts';
import type { Action } from '../core/types.ts';
import { DEFAULT_CONTROL_INTERVAL_S, SparkIotEnv, randomWeights, type FutureView } from './spark-iot-env.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';
import { close, flatConfig, flatEnv, flatTrace, recordOf, snapshotOf } from './test-flat-world.ts';

const infoOf = (info: unknown) => info as SparkIotInfo;

test('defaults: 500 steps of 10 s (docs/SIMULATOR.md "API"); step counts and intervals must be positive integers', () => {
  const env = new SparkIotEnv();
  assert.equal(env.maxSteps, 500);
  assert.equal(env.controlIntervalS, 10);
  assert.equal(DEFAULT_CONTROL_INTERVAL_S, 10);
  for (const maxSteps of [0, -3, 2.5]) assert.throws(() => new SparkIotEnv({ maxSteps }), new RegExp(`maxSteps must be a positive integer, got ${maxSteps}`));
  for (const controlIntervalS of [0, -10, 2.5]) assert.throws(() => new SparkIotEnv({ controlIntervalS }), new RegExp(`controlIntervalS must be a positive integer \\(seconds\\), got ${controlIntervalS}`));
  assert.equal(new SparkIotEnv({ maxSteps: 1, controlIntervalS: 1 }).controlIntervalS, 1);
});

test('reset() without a seed continues from the last seed + 1 (a fresh env starts at 0); non-finite seeds are refused', () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 2 });
  const reference = new SparkIotEnv({ scenario: 'balanced', maxSteps: 2 });
  const action = [5, 3, 1, 1];
  env.reset();
  assert.equal(recordOf(env.step(action).info).seed, 0);
  env.reset({ seed: 5 });
  for (const expected of [6, 7]) {
    env.reset();
    const r = recordOf(env.step(action).info);
    reference.reset({ seed: expected });
    assert.equal(r.seed, expected);
    assert.deepEqual(r, recordOf(reference.step(action).info), `unseeded reset after ${expected - 1} = reset({ seed: ${expected} })`);
  }
  for (const seed of [Number.NaN, Infinity, -Infinity]) assert.throws(() => env.reset({ seed }), /SparkIotEnv\.reset: seed must be a finite number/);
});

test('Dirichlet(1, 1, 1) weights are normalised unit exponentials -ln(1 - u), in the order alpha, beta, gamma', () => {
  // u = 3/4, 1/2, 7/8 give the exponentials 2 ln 2, ln 2, 3 ln 2: weights 2/6, 1/6, 3/6.
  const u = [0.75, 0.5, 0.875];
  const stub = { next: () => u.shift()! } as unknown as Rng;
  const w = randomWeights(stub);
  close(w.alpha, 2 / 6, 1e-15, 'alpha');
  close(w.beta, 1 / 6, 1e-15, 'beta');
  close(w.gamma, 3 / 6, 1e-15, 'gamma');
  // An episode's random weights come from the seed's own 'weights' stream, so weight-conditioned training runs
  // (and their checkpoints) reproduce from the seed alone.
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 2, weights: 'random' });
  for (const seed of [1, 2, 3]) assert.deepEqual(infoOf(env.reset({ seed }).info).weights, randomWeights(new Rng(seed).fork('weights')), `seed ${seed}`);
});

test("cold starts take draw k of the seed's 'cold-starts' stream for the k-th request of the episode", () => {
  // Default (log-normal) cold starts in a flat world.
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 12, trace: flatTrace(1000), rescaleTrace: false, exposeFuture: true, config: { cluster: { initial: { executors: 4 } } } });
  const seed = 3;
  const r0 = env.reset({ seed });
  const draws = new ColdStartDraws(new Rng(seed).fork('cold-starts'), env.config.cluster.coldStart);
  const future0 = infoOf(r0.info).context.future as FutureView;
  assert.equal(future0.coldStartsUsed, 0, 'the initial executors are warm');
  for (let k = 0; k < 4; k++) assert.equal(future0.coldStartS(k), draws.get(k), `draw ${k}`);
  const readyS = draws.get(0);
  assert.ok(readyS > 11 && readyS < 79, `draw 0 is ${readyS} s (the test needs a step boundary on each side)`);
  const five: Action = { executors: 5, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  for (let k = 1; k <= 8; k++) {
    const info = infoOf(env.stepAction(five).info);
    const future = info.context.future as FutureView;
    assert.equal(future.coldStartsUsed, 1, `step ${k}: one executor requested`);
    assert.equal(future.tSeconds, 10 * k, `step ${k}: the FutureView's clock`);
    const t = 10 * k;
    // Ready at readyS after the request at t = 0 (away from the boundary: fractional seconds do not matter here).
    if (t < readyS - 1) assert.equal(info.snapshot.executorsRunning, 4, `t = ${t} s, ready at ${readyS} s`);
    if (t > readyS + 1) assert.equal(info.snapshot.executorsRunning, 5, `t = ${t} s, ready at ${readyS} s`);
  }
});

test('setWeights takes effect in the next observation and reward; weights must be finite and >= 0 everywhere', () => {
  const env = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' }), { weights: { alpha: 1, beta: 0, gamma: 0 } });
  env.reset({ seed: 1 });
  const hold: Action = { executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' };
  assert.ok(env.stepAction(hold).reward < 0, 'cost only');
  env.setWeights({ alpha: 0, beta: 0, gamma: 1 });
  assert.deepEqual(env.currentWeights(), { alpha: 0, beta: 0, gamma: 1 });
  const out = env.stepAction(hold);
  // Every message served within its interval, no violation: throughput term 1.
  assert.equal(out.reward, 1);
  assert.deepEqual(Array.from(out.obs.slice(6, 9)), [0, 0, 1]);
  assert.deepEqual([recordOf(out.info).alpha, recordOf(out.info).beta, recordOf(out.info).gamma], [0, 0, 1]);
  const negative = { alpha: 1.1, beta: -0.1, gamma: 0 };
  assert.throws(() => env.setWeights(negative), /setWeights must be 'scenario', 'random' or \{alpha, beta, gamma\} of finite numbers >= 0/);
  assert.throws(() => new SparkIotEnv({ weights: negative }), /weights must be/);
  assert.throws(() => env.reset({ seed: 1, options: { weights: negative } }), /options\.weights must be/);
  assert.deepEqual(env.currentWeights(), { alpha: 0, beta: 0, gamma: 1 }, 'a refused change leaves the weights alone');
});

test('info.context: the snapshot time is the end of the interval; the nominal executor capacity is the nvme + lz4 one', () => {
  // Nominal capacity of a 1000 B message at nvme + lz4 (docs/SIMULATOR.md "Cluster", "Shuffle"):
  // 1 / (200 us + 1000 B / 362 MB/s + 2 x (1000 / 4.04) B / 1500 MB/s + 1000 B / 1470 MB/s) = 4,907.4 msgs/s,
  // whatever tier and codec are in force.
  const nominal = 1 / (200e-6 + 1000 / 362e6 + (2 * (1000 / 4.04)) / 1500e6 + 1000 / 1470e6);
  const env = flatEnv(1000, flatConfig({ executors: 4, memoryGb: 4, tier: 'redis', codec: 'none' }));
  const r0 = infoOf(env.reset({ seed: 1 }).info);
  assert.equal(r0.snapshot.tSeconds, 0);
  close(r0.context.executorCapacityMsgsPerS, nominal, 1e-6, 'nominal capacity after reset');
  for (let k = 1; k <= 3; k++) {
    const info = infoOf(env.step([3, 3, 0, 0]).info);
    assert.equal(info.snapshot.tSeconds, 10 * k);
    assert.equal(info.record!.tSeconds, 10 * k);
    close(info.context.executorCapacityMsgsPerS, nominal, 1e-6, `nominal capacity, step ${k}`);
  }
  assert.equal(snapshotOf(env.reset({ seed: 2 }).info).tSeconds, 0);
});

test("the exogenous series runs past the episode's end: the last forecast's target (40 s on) exists, as does the oracle's window", () => {
  const env = new SparkIotEnv({ scenario: 'industrial', maxSteps: 30, exposeFuture: true });
  env.reset({ seed: 2 });
  let future: FutureView | undefined;
  for (let k = 0; k < 30; k++) future = infoOf(env.step([9, 3, 1, 1]).info).context.future as FutureView;
  const endS = 30 * 10;
  const { lengthS, offsetS, arrivalsMsgs } = env.exogenous();
  assert.equal(future!.tSeconds, endS);
  // The final forecast predicts the cloud rate at endS + 40 s (docs/SIMULATOR.md "Edge gateways"); an oracle deciding
  // at endS - 10 looks two intervals ahead (plus its cold-start draw, clipped to the series).
  for (let t = endS - 10; t <= endS + 40; t++) assert.ok(Number.isFinite(arrivalsMsgs[offsetS + t]!) && offsetS + t < lengthS, `cloud second ${t}`);
});
