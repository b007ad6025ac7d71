import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { makeEnv } from './registry.ts';
import { SEED_OBS, SEED_SCENARIO_NAMES, SEED_SCENARIOS, SeedCompatEnv, seedReward, seedStepModel } from './seed-compat-env.ts';

const O = SEED_OBS;
const close = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected} ± ${tol}, got ${actual}`);

// ---- Golden values, computed by hand from original-system.md §1.4-1.6.

test('golden: 15 x 4 GB, NVMe, light, W=500, shuffle 100 MB, balanced', () => {
  const out = seedStepModel({ executors: 15, memoryGb: 4, tierIndex: 1, codecIndex: 1, workloadMsgsPerS: 500, shuffleMb: 100, temperature: 0.5 });
  // cost = 15·0.1 + 15·4·0.05 + (100·0.6/1024)·0.05 = 1.5 + 3.0 + 0.0029296875
  close(out.costUsdPerHour, 4.5029296875, 1e-12, 'cost');
  // latency = 100·500/60 + 20·60/100 + 10·100/100 = 833.333 + 12 + 10
  close(out.latencyMs, 855.3333333333334, 1e-9, 'latency');
  // throughput = 60·1000 / 855.333 = 180000 / 2566
  close(out.throughput, 180000 / 2566, 1e-9, 'throughput');
  assert.equal(out.penalty, 0);
  // reward = 0.33·(-0.45029296875 - 0.8553333 + 0.0701481)
  close(seedReward(SEED_SCENARIOS.balanced, out), -0.40770780985117894, 1e-12, 'reward');
});

test('golden: latency floor of 10 ms and the 0.5 penalty (hot data on S3), healthcare weights', () => {
  const out = seedStepModel({ executors: 20, memoryGb: 8, tierIndex: 2, codecIndex: 0, workloadMsgsPerS: 10, shuffleMb: 1, temperature: 0.9 });
  // 100·10/160 + 100·1/100 + 0 = 7.25 ms -> floored to 10 ms
  assert.equal(out.latencyMs, 10);
  assert.equal(out.throughput, 16000);
  close(out.costUsdPerHour, 10 + 0.02 / 1024, 1e-12, 'cost');
  assert.equal(out.penalty, 0.5);
  // -0.1·1.0000019531 - 0.8·0.01 + 0.1·16 - 0.5
  close(seedReward(SEED_SCENARIOS.healthcare_critical, out), 0.9919998046875, 1e-12, 'reward');
  // Glacier too; Redis / NVMe never; and the threshold is strict (> 0.7).
  for (const [tierIndex, temperature, penalty] of [[3, 0.71, 0.5], [0, 0.99, 0], [1, 0.99, 0], [2, 0.7, 0], [2, 0.69, 0]] as const) {
    const o = seedStepModel({ executors: 1, memoryGb: 1, tierIndex, codecIndex: 0, workloadMsgsPerS: 10, shuffleMb: 1, temperature });
    assert.equal(o.penalty, penalty, `tier ${tierIndex}, temperature ${temperature}`);
  }
});

test('golden: 1 x 1 GB, Glacier, heavy compression, W=900, shuffle 250 MB, smart-city weights', () => {
  const out = seedStepModel({ executors: 1, memoryGb: 1, tierIndex: 3, codecIndex: 2, workloadMsgsPerS: 900, shuffleMb: 250, temperature: 0.7 });
  close(out.costUsdPerHour, 0.15 + (75 / 1024) * 0.005, 1e-12, 'cost');
  // 100·900/1 + 5000·75/100 + 50·250/100 = 90000 + 3750 + 125
  assert.equal(out.latencyMs, 93875);
  close(out.throughput, 1000 / 93875, 1e-15, 'throughput');
  close(seedReward(SEED_SCENARIOS.smart_city_budget, out), -4.707282426361206, 1e-12, 'reward');
});

// ---- The env: draws, step order, staleness.

test('reset and step draw from the one Rng in the original order', () => {
  const seed = 4242;
  const env = new SeedCompatEnv();
  const { obs: obs0, info } = env.reset({ seed });
  const r = new Rng(seed);
  const scenario = SEED_SCENARIO_NAMES[r.int(4)]!;
  const workload = r.uniform(10, 200);
  const volume = r.uniform(10, 500);
  const shuffle = volume * r.uniform(0.1, 0.5);
  const temperature = r.next();
  assert.equal(info.scenario, scenario);
  assert.equal(obs0[O.workload], Math.fround(workload));
  assert.equal(obs0[O.nextWorkload], Math.fround(workload));
  assert.equal(obs0[O.dataVolume], Math.fround(volume));
  assert.equal(obs0[O.shuffleSize], Math.fround(shuffle));
  assert.equal(obs0[O.dataTemperature], Math.fround(temperature));
  assert.deepEqual([obs0[O.cpuUtil], obs0[O.memUtil], obs0[O.latency], obs0[O.cost], obs0[O.burstSignal]], [50, 50, 500, 5, 0]);
  const w = SEED_SCENARIOS[scenario];
  assert.deepEqual([obs0[O.alpha], obs0[O.beta], obs0[O.gamma]], [Math.fround(w.alpha), Math.fround(w.beta), Math.fround(w.gamma)]);

  // Step: burst uniform, then the factor, then volume, shuffle factor, temperature.
  const s1 = env.step([0, 0, 0, 0]);
  const burst = r.next() < 0.2;
  const factor = burst ? r.uniform(2, 4) : r.uniform(0.8, 1.2);
  const next = burst ? Math.min(900, workload * factor) : Math.min(900, Math.max(10, workload * factor));
  assert.equal(s1.obs[O.nextWorkload], Math.fround(next));
  assert.equal(s1.obs[O.burstSignal], burst ? 1 : 0);
  assert.equal(s1.info.predicted_load, next);
  const volume2 = r.uniform(10, 500);
  const shuffle2 = volume2 * r.uniform(0.1, 0.5);
  const temperature2 = r.next();
  // Step 1's observation still shows the reset's data state; step 2's shows the resample.
  assert.equal(s1.obs[O.dataVolume], Math.fround(volume));
  const s2 = env.step([0, 0, 0, 0]);
  assert.equal(s2.obs[O.dataVolume], Math.fround(volume2));
  assert.equal(s2.obs[O.shuffleSize], Math.fround(shuffle2));
  assert.equal(s2.obs[O.dataTemperature], Math.fround(temperature2));
});

test('the first step is computed from the reset state, before the next workload is drawn', () => {
  const env = new SeedCompatEnv();
  for (let seed = 0; seed < 20; seed++) {
    const { obs: o0 } = env.reset({ seed });
    const { obs, reward, info } = env.step([14, 3, 1, 1]);
    const expected = seedStepModel({
      executors: 15, memoryGb: 4, tierIndex: 1, codecIndex: 1,
      workloadMsgsPerS: o0[O.workload]!, shuffleMb: o0[O.shuffleSize]!, temperature: o0[O.dataTemperature]!,
    });
    close(info.latency as number, expected.latencyMs, 1e-3, `seed ${seed} latency`);
    close(info.cost as number, expected.costUsdPerHour, 1e-6, `seed ${seed} cost`);
    close(info.throughput as number, expected.throughput, 1e-4, `seed ${seed} throughput`);
    close(reward, seedReward(SEED_SCENARIOS[env.currentScenario], expected), 1e-5, `seed ${seed} reward`);
    assert.equal(obs[O.workload], o0[O.nextWorkload], 'this step used the announced workload');
    assert.equal(obs[O.latency], Math.fround(info.latency as number));
    assert.equal(obs[O.cost], Math.fround(info.cost as number));
    close(obs[O.cpuUtil]!, Math.min(100, (100 * o0[O.workload]!) / 60), 1e-3, `seed ${seed} cpu util`);
    assert.equal(info.tier, 1);
  }
});

test('obs 11 is exactly the next step\'s workload and obs 12 labels the burst branch', () => {
  const env = new SeedCompatEnv();
  let { obs: prev } = env.reset({ seed: 7 });
  let bursts = 0;
  for (let t = 0; t < 400; t++) {
    const { obs } = env.step([19, 7, 0, 0]);
    assert.equal(obs[O.workload], prev[O.nextWorkload], `step ${t}`);
    const w = obs[O.workload]!;
    const next = obs[O.nextWorkload]!;
    if (obs[O.burstSignal] === 1) {
      bursts++;
      assert.ok(next >= Math.min(900, 2 * w) - 1e-3 && next <= Math.min(900, 4 * w) + 1e-3, `burst ${w} -> ${next}`);
    } else {
      assert.equal(obs[O.burstSignal], 0);
      assert.ok(next >= Math.max(10, 0.8 * w) - 1e-3 && next <= Math.min(900, 1.2 * w) + 1e-3, `drift ${w} -> ${next}`);
    }
    assert.ok(next >= 10 && next <= 900);
    prev = obs;
  }
  // 20 % burst probability: 80 expected in 400 steps (sd 8).
  assert.ok(bursts > 50 && bursts < 110, `bursts ${bursts}`);
});

test('obs 1, 9 and 10 describe the step just computed, so they are stale for the next decision', () => {
  const env = new SeedCompatEnv();
  let { obs: prev } = env.reset({ seed: 11 });
  let shuffleChanged = 0;
  let penalised = 0;
  const steps = 300;
  for (let t = 0; t < steps; t++) {
    // 1 executor x 1 GB, Glacier, no compression: latency = 100·W + 50·shuffle, so the shuffle used is recoverable.
    const { obs, reward, info } = env.step([0, 0, 3, 0]);
    const usedShuffleMb = ((info.latency as number) - 100 * obs[O.workload]!) / 50;
    close(usedShuffleMb, obs[O.shuffleSize]!, 0.01, `step ${t}: shuffle used vs obs 9 of the same step`);
    if (Math.abs(usedShuffleMb - prev[O.shuffleSize]!) > 0.01) shuffleChanged++;
    // The penalty follows the temperature shown in the *same* step's obs 10 (the hidden current one).
    const noPenalty = seedReward(
      SEED_SCENARIOS[env.currentScenario],
      { costUsdPerHour: info.cost as number, latencyMs: info.latency as number, throughput: info.throughput as number, penalty: 0 },
    );
    const penalty = noPenalty - reward;
    close(penalty, obs[O.dataTemperature]! > 0.7 ? 0.5 : 0, 1e-6, `step ${t}: penalty vs temperature ${obs[O.dataTemperature]}`);
    if (penalty > 0.25) penalised++;
    // mem util uses the same step's volume (obs 1).
    close(obs[O.memUtil]!, Math.min(100, 100 * obs[O.dataVolume]!), 1e-3, `step ${t}: mem util`);
    prev = obs;
  }
  assert.ok(shuffleChanged > steps * 0.95, `the shuffle used differs from the one shown before the decision (${shuffleChanged}/${steps})`);
  assert.ok(penalised > steps * 0.2 && penalised < steps * 0.4, `penalised ${penalised}/${steps} (expected ~30 %)`);
});

test('same seed, same run; different seed, different run; reset({seed}) restarts the stream', () => {
  const run = (env: SeedCompatEnv, seed: number): number[] => {
    const out = Array.from(env.reset({ seed }).obs);
    for (let t = 0; t < 50; t++) {
      const r = env.step([t % 20, t % 8, t % 4, t % 3]);
      out.push(...r.obs, r.reward);
    }
    return out;
  };
  const a = new SeedCompatEnv();
  const b = new SeedCompatEnv({ seed: 999 });
  const first = run(a, 5);
  b.step([3, 3, 3, 2]);
  assert.deepEqual(run(b, 5), first);
  assert.deepEqual(run(a, 5), first);
  assert.notDeepEqual(run(a, 6), first);
});

test('a scenario is drawn at every reset unless options.scenario is given', () => {
  const env = new SeedCompatEnv({ seed: 1 });
  const seen = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const { obs, info } = env.reset();
    const name = info.scenario as keyof typeof SEED_SCENARIOS;
    seen.add(name);
    assert.equal(env.currentScenario, name);
    assert.equal(obs[O.alpha], Math.fround(SEED_SCENARIOS[name].alpha));
    assert.equal(obs[O.beta], Math.fround(SEED_SCENARIOS[name].beta));
  }
  assert.deepEqual([...seen].sort(), [...SEED_SCENARIO_NAMES].sort());

  for (let i = 0; i < 10; i++) assert.equal(env.reset({ options: { scenario: 'smart_city_budget' } }).info.scenario, 'smart_city_budget');
  // A given scenario skips the scenario draw: the first draw is then the workload.
  const { obs } = env.reset({ seed: 3, options: { scenario: 'healthcare_critical' } });
  assert.equal(obs[O.workload], Math.fround(new Rng(3).uniform(10, 200)));
  assert.throws(() => env.reset({ options: { scenario: 'smart-city' } }), /options\.scenario must be one of healthcare_critical, .*got "smart-city"/);
});

test('the time limit is reported as terminated (original quirk) or, with fixTimeLimit, as truncated', () => {
  const quirky = new SeedCompatEnv({ maxSteps: 3 });
  const fixed = new SeedCompatEnv({ maxSteps: 3, fixTimeLimit: true });
  for (const env of [quirky, fixed]) env.reset({ seed: 1 });
  for (let t = 1; t <= 3; t++) {
    const q = quirky.step([0, 0, 0, 0]);
    const f = fixed.step([0, 0, 0, 0]);
    assert.deepEqual([q.terminated, q.truncated], [t === 3, false], `quirky step ${t}`);
    assert.deepEqual([f.terminated, f.truncated], [false, t === 3], `fixed step ${t}`);
  }
  assert.equal(new SeedCompatEnv().maxSteps, 1000);
  assert.throws(() => new SeedCompatEnv({ maxSteps: 0 }), /maxSteps must be a positive integer, got 0/);
});

test('spaces and info match the original', () => {
  const env = new SeedCompatEnv();
  assert.deepEqual(env.actionSpace.nvec, [20, 8, 4, 3]);
  assert.equal(env.observationSpace.kind, 'box');
  assert.deepEqual(Array.from(env.observationSpace.high), [1000, 1000, 100, 100, 10000, 100, 1, 1, 1, 10000, 1, 1000, 1]);
  const { obs, info } = env.step([19, 7, 0, 0]);
  assert.ok(obs instanceof Float32Array && obs.length === 13);
  assert.deepEqual(Object.keys(info).sort(), ['burst_signal', 'cost', 'latency', 'predicted_load', 'throughput', 'tier']);
});

test('invalid actions give the clear errors of src/core/action.ts', () => {
  const env = new SeedCompatEnv();
  assert.throws(() => env.step([20, 0, 0, 0]), /action index 0 \(executors\) must be an integer in \[0, 19\], got 20/);
  assert.throws(() => env.step([0, 8, 0, 0]), /action index 1 \(memory\) must be an integer in \[0, 7\], got 8/);
  assert.throws(() => env.step([0, 0, 4, 0]), /index 2 \(tier\)/);
  assert.throws(() => env.step([0, 0, 0, 1.5]), /index 3 \(codec\) .* got 1\.5/);
  assert.throws(() => env.step([0, 0, 0]), /action must have 4 indices/);
  assert.throws(() => env.step(7), /action must have 4 indices/);
  // A rejected action leaves the env untouched: the next valid step still uses the announced workload.
  const { obs: o0 } = env.reset({ seed: 2 });
  assert.throws(() => env.step([-1, 0, 0, 0]), /got -1/);
  assert.equal(env.step([0, 0, 0, 0]).obs[O.workload], o0[O.nextWorkload]);
});

test('registered as SeedCompat-v0, options passed through and checked', () => {
  const env = makeEnv('SeedCompat-v0', { maxSteps: 2, fixTimeLimit: true });
  env.reset({ seed: 1 });
  assert.equal(env.step([0, 0, 0, 0]).truncated, false);
  const last = env.step([0, 0, 0, 0]);
  assert.deepEqual([last.terminated, last.truncated], [false, true]);
  assert.throws(() => makeEnv('SeedCompat-v0', { maxStep: 2 }), /unknown option 'maxStep'/);
  assert.throws(() => makeEnv('SeedCompat-v0', { fixTimeLimit: 'yes' }), /fixTimeLimit must be a boolean/);
});

test('burst draws: a burst is u < 0.2 for the first uniform of each step, and the info labels it like obs 12', () => {
  // Replays the stream: reset draws (scenario given, so none for it) workload, volume, shuffle factor, temperature;
  // each step draws u, then one factor, then volume, shuffle factor and temperature.
  const env = new SeedCompatEnv();
  env.reset({ seed: 31, options: { scenario: 'balanced' } });
  const r = new Rng(31);
  for (let k = 0; k < 4; k++) r.next();
  let bursts = 0;
  for (let t = 0; t < 200; t++) {
    const s = env.step([5, 3, 1, 1]);
    const burst = r.next() < 0.2;
    for (let k = 0; k < 4; k++) r.next();
    assert.equal(s.obs[O.burstSignal], burst ? 1 : 0, `step ${t}`);
    assert.equal(s.info.burst_signal, burst ? 1 : 0, `step ${t}: info`);
    if (burst) bursts++;
  }
  assert.ok(bursts > 20 && bursts < 60, `bursts ${bursts}`);
});

test('a drift never takes the workload below 10 msgs/s: it is floored there', () => {
  let floored = 0;
  for (let seed = 0; seed < 1000; seed++) {
    const env = new SeedCompatEnv();
    env.reset({ seed });
    const { obs } = env.step([0, 0, 0, 0]);
    assert.ok(obs[O.nextWorkload]! >= 10, `seed ${seed}: ${obs[O.nextWorkload]}`);
    if (obs[O.nextWorkload] === 10) floored++;
  }
  assert.ok(floored > 0, 'some low workloads drifted to the floor');
});

test('every episode runs maxSteps steps; the constructor seed is the first episode\'s; obs 6-8 are the scenario weights', () => {
  const env = new SeedCompatEnv({ maxSteps: 3, fixTimeLimit: true });
  for (let episode = 0; episode < 2; episode++) {
    env.reset({ seed: episode });
    const truncated = [0, 1, 2].map(() => env.step([0, 0, 0, 0]).truncated);
    assert.deepEqual(truncated, [false, false, true], `episode ${episode}`);
  }
  const seeded = new SeedCompatEnv({ seed: 5 });
  const reference = new SeedCompatEnv();
  reference.reset({ seed: 5 });
  assert.deepEqual(Array.from(seeded.step([3, 2, 1, 0]).obs), Array.from(reference.step([3, 2, 1, 0]).obs));
  const { obs } = env.reset({ options: { scenario: 'industrial_high_throughput' } });
  assert.deepEqual([obs[O.alpha], obs[O.beta], obs[O.gamma]], [Math.fround(0.2), Math.fround(0.3), Math.fround(0.5)]);
  assert.throws(() => makeEnv('SeedCompat-v0', { maxSteps: '3' }), /SeedCompat-v0: option maxSteps must be a number, got "3"/);
  assert.throws(() => makeEnv('SeedCompat-v0', { seed: 'x' }), /SeedCompat-v0: option seed must be a number, got "x"/);
});
