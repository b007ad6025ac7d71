import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMember } from '../core/spaces.ts';
import { loadConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { makeEnv } from '../env/registry.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';
import { SparkIotMetaEnv, randomSchedule, type MetaStepInfo } from './meta-env.ts';
import { META_OBS_SIZE } from './meta-observation.ts';
import { modeObjective, windowStats } from './modes.ts';
import { WeightReadingStub } from './test-stubs.ts';

const K = 5;
const M = 4;
const make = (extra: Record<string, unknown> = {}): SparkIotMetaEnv => new SparkIotMetaEnv({ windowSteps: K, episodeMetaSteps: M, lowerPolicy: new WeightReadingStub(), ...extra });

test('a meta step runs K lower steps with the normalized weights; the reward is the mode objective of that window', () => {
  const env = make({ scenario: 'healthcare', schedule: [{ startStep: 0, mode: 'budget', budgetLeftFraction: 0.2 }, { startStep: 2 * K, mode: 'critical' }] });
  const r0 = env.reset({ seed: 7 });
  assert.equal(r0.obs.length, META_OBS_SIZE);
  checkMember(env.observationSpace, r0.obs);
  assert.deepEqual(Array.from(r0.obs.slice(0, 4)), [0, 1, 0, Math.fround(0.2)], 'budget one-hot and the budget left');
  const modes = loadConfig().modes;
  const budget = loadConfig().scenarios.healthcare.budgetUsdPerHour;
  const seenModes: string[] = [];
  let previous: MetaStepInfo['records'] = [];
  for (let m = 0; m < M; m++) {
    const r = env.step(Float32Array.from([0, 1, 0]));
    const info = r.info as unknown as MetaStepInfo;
    assert.equal(info.records.length, K);
    assert.deepEqual(info.records.map((x) => x.step), Array.from({ length: K }, (_, i) => m * K + i));
    // The weights were in force for the whole window (the env's record columns).
    for (const rec of info.records) assert.ok(Math.abs(rec.beta - info.weights.beta) < 1e-12 && info.weights.beta > 0.99);
    // Golden: the reward recomputed from the records: the change of n * J of the phase, over K.
    const stats = windowStats(info.records, budget, modes[info.mode]);
    assert.equal(info.violationRate, stats.violationRate);
    const phaseStart = m % 2 === 0; // phases start at windows 0 and 2
    const expected = phaseStart
      ? modeObjective(modes[info.mode], stats)
      : (2 * K * modeObjective(modes[info.mode], windowStats([...previous, ...info.records], budget, modes[info.mode])) - K * modeObjective(modes[info.mode], windowStats(previous, budget, modes[info.mode]))) / K;
    assert.ok(Math.abs(r.reward - expected) < 1e-12, `meta step ${m}: ${r.reward} vs ${expected}`);
    previous = info.records;
    seenModes.push(info.mode);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, m === M - 1, 'episodes end after episodeMetaSteps meta steps');
    checkMember(env.observationSpace, r.obs);
  }
  assert.deepEqual(seenModes, ['budget', 'budget', 'critical', 'critical']);
  assert.throws(() => env.step([0.3, 0.3, 0.3]), /SparkIotMeta\.step: call reset\(\) first \(the episode is over\)/);
});

test('the lower policy sees the meta weights in its observation features', () => {
  const stub = new WeightReadingStub();
  const env = make({ lowerPolicy: stub });
  env.reset({ seed: 1 });
  env.step([1, 0, 0]);
  assert.equal(stub.seen.length, K);
  for (const w of stub.seen) assert.ok(w.alpha > 0.99 && w.beta < 0.01, JSON.stringify(w));
});

test('same seed, same episode; different seeds, different worlds; seeds far from the tournament', () => {
  const run = (seed: number): number[] => {
    const env = make();
    env.reset({ seed });
    const out: number[] = [env.episode!.worldSeed];
    for (let m = 0; m < M; m++) out.push(env.step([0.5, 0.5, 0.5]).reward);
    return out;
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
  assert.ok(run(3)[0]! >= 2_000_000_000);
});

test('random schedules switch only at window boundaries, and entering budget leaves 5-30 % of the budget', () => {
  const rng = new Rng(5);
  for (let i = 0; i < 50; i++) {
    const s = randomSchedule(rng, 30, K, 0.3);
    for (const p of s) {
      assert.equal(p.startStep % K, 0);
      if (p.mode === 'budget') assert.ok(p.budgetLeftFraction! >= 0.05 && p.budgetLeftFraction! <= 0.3);
    }
    for (let k = 1; k < s.length; k++) assert.notEqual(s[k]!.mode, s[k - 1]!.mode);
  }
});

test('bad input: actions, options and a missing lower checkpoint give clear errors', () => {
  const env = make();
  assert.throws(() => env.step([1, 0, 0]), /call reset\(\) first/);
  env.reset({ seed: 0 });
  assert.throws(() => env.step([1, 0]), /action must be 3 raw weights/);
  assert.throws(() => env.step([1, Number.NaN, 0]), /weight component 1 is not a finite number/);
  assert.throws(() => new SparkIotMetaEnv({ windowSteps: 0, lowerPolicy: new WeightReadingStub() }), /windowSteps must be a positive integer/);
  assert.throws(() => makeEnv('SparkIotMeta', { bogus: 1 }), /SparkIotMeta: unknown option 'bogus'/);
  assert.throws(() => new SparkIotMetaEnv({ lowerCheckpoint: '/nonexistent/ppo.json' }), /lower-level PPO checkpoint '\/nonexistent\/ppo.json' not found; produce it with: edgepilot train --env SparkIot --algo ppo/);
  assert.throws(() => makeEnv('SparkIotMeta', { lowerBaseCalm: 0 }), /option lowerBaseCalm must be a boolean, got 0/);
});

test('config overrides reach the story env, its reward-baseline twin and the lower policy; a bad one is named', () => {
  type Inner = { env: { inner: { config: { shuffle: { drainTimeFrom: string } } } }; twin: { env: { inner: { config: { shuffle: { drainTimeFrom: string } } } } } };
  const pinned = make({ config: { shuffle: { drainTimeFrom: 'write-tier' } }, rewardBaseline: 'mode-default' }) as unknown as Inner;
  assert.equal(pinned.env.inner.config.shuffle.drainTimeFrom, 'write-tier');
  assert.equal(pinned.twin.env.inner.config.shuffle.drainTimeFrom, 'write-tier');
  assert.equal((make() as unknown as Inner).env.inner.config.shuffle.drainTimeFrom, 'resident-tiers', 'the default world');
  const lower = new SparkIotMetaEnv({ lowerBaseCalm: false, config: { shuffle: { drainTimeFrom: 'write-tier' } } }) as unknown as { lower: { config: { shuffle: { drainTimeFrom: string } } } };
  assert.equal(lower.lower.config.shuffle.drainTimeFrom, 'write-tier');
  assert.throws(() => makeEnv('SparkIotMeta', { config: { shuffle: { drainTimeFrom: 'nowhere' } } }), /SparkIotMeta: option config: .*drainTimeFrom/);
  assert.throws(() => makeEnv('SparkIotMeta', { config: [1] }), /option config must be an object of config overrides/);
});

test('lowerBaseCalm false runs the lower PPO over its base rule without the calm-load sizing (how the shipped meta-controllers were trained)', () => {
  const baseCalmOf = (env: SparkIotMetaEnv): unknown => (env as unknown as { lower: { baseCalm: unknown } }).lower.baseCalm;
  assert.equal(baseCalmOf(new SparkIotMetaEnv({ lowerBaseCalm: false })), null);
  assert.equal(baseCalmOf(new SparkIotMetaEnv({})), undefined, 'the default: the base rule as deployed');
});

test('budgetResetShare sets the budget left of a share of normal/critical phases and leaves share 0 schedules as before', () => {
  const plain = randomSchedule(new Rng(9), 30, K, 0.3);
  assert.deepEqual(randomSchedule(new Rng(9), 30, K, 0.3, 0), plain);
  let reset = 0;
  let other = 0;
  for (let i = 0; i < 40; i++) {
    const s = randomSchedule(new Rng(100 + i), 30, K, 0.3, 0.5);
    const base = randomSchedule(new Rng(100 + i), 30, K, 0.3);
    assert.deepEqual(s.map((p) => [p.startStep, p.mode]), base.map((p) => [p.startStep, p.mode]), 'the same modes at the same steps');
    for (const p of s.slice(1)) {
      if (p.mode === 'budget') continue;
      other++;
      if (p.budgetLeftFraction !== undefined) {
        reset++;
        assert.ok(p.budgetLeftFraction >= 0 && p.budgetLeftFraction <= 1);
      }
    }
  }
  assert.ok(reset > 0.3 * other && reset < 0.7 * other, `about half of ${other} normal/critical switches reset the budget, got ${reset}`);
  assert.throws(() => make({ budgetResetShare: 2 }), /budgetResetShare must be a number in \[0, 1\]/);
});

test("rewardBaseline 'mode-default' subtracts the same window of a twin world run with the mode's default weights", () => {
  const schedule = [{ startStep: 0, mode: 'normal' as const }, { startStep: 2 * K, mode: 'critical' as const }];
  const modes = loadConfig().modes;
  const run = (extra: Record<string, unknown>, raw: (m: number) => number[]): number[] => {
    const env = make({ scenario: 'industrial', schedule, ...extra });
    env.reset({ seed: 3 });
    return Array.from({ length: M }, (_, m) => env.step(Float32Array.from(raw(m))).reward);
  };
  const defaults = (m: number): number[] => {
    const w = modes[m < 2 ? 'normal' : 'critical'].defaultWeights;
    return [w.alpha, w.beta, w.gamma];
  };
  const agent = (m: number): number[] => (m % 2 === 0 ? [1, 0, 0] : [0, 1, 0]);
  const plainAgent = run({}, agent);
  const plainDefault = run({}, defaults);
  const withBaseline = run({ rewardBaseline: 'mode-default' }, agent);
  // The twin ran the default weights on the same world: the baseline is exactly the default run's reward.
  withBaseline.forEach((r, m) => assert.ok(Math.abs(r - (plainAgent[m]! - plainDefault[m]!)) < 1e-9, `meta step ${m}: ${r} vs ${plainAgent[m]! - plainDefault[m]!}`));
  assert.ok(plainAgent.some((r, m) => Math.abs(r - plainDefault[m]!) > 1e-6), 'the agent and the default weights acted differently');
  // The agent acting with the default weights scores 0 against its twin (up to the weight normalization's floor).
  run({ rewardBaseline: 'mode-default' }, defaults).forEach((r) => assert.ok(Math.abs(r) < 1e-9, `${r}`));
  assert.throws(() => make({ rewardBaseline: 'twin' }), /rewardBaseline must be 'none' or 'mode-default'/);
});

test('workloadVariationShare varies the arrivals of a share of episodes, twin included, without moving the other draws', () => {
  const episodes = (extra: Record<string, unknown>, n: number) => {
    const env = make(extra);
    env.reset({ seed: 11 });
    const out = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) env.reset();
      const records = env.step([0.3, 0.3, 0.4]).info['records'] as StepRecord[];
      out.push({ ...env.episode!, arrivals: records.map((r) => r.arrivalRateMsgsPerS).join(',') });
    }
    return out;
  };
  const plain = episodes({}, 30);
  const varied = episodes({ workloadVariationShare: 0.5 }, 30);
  const withWorkload = varied.filter((e) => e.workload !== undefined).length;
  assert.ok(withWorkload > 5 && withWorkload < 25, `about half of 30 episodes are varied, got ${withWorkload}`);
  plain.forEach((e, i) => {
    assert.equal(e.workload, undefined);
    const v = varied[i]!;
    assert.deepEqual([v.scenario, v.worldSeed, v.schedule], [e.scenario, e.worldSeed, e.schedule], `episode ${i}: the same scenario, world seed and schedule`);
    if (v.workload === undefined) assert.equal(v.arrivals, e.arrivals, `episode ${i}: an unvaried episode is the plain one`);
  });
  assert.ok(varied.some((v, i) => v.workload !== undefined && v.arrivals !== plain[i]!.arrivals), 'a varied episode has other arrivals');
  // The twin world runs the same varied arrivals: with the default weights the baseline cancels the reward.
  const env = make({ workloadVariationShare: 1, rewardBaseline: 'mode-default', scenario: 'balanced', schedule: [{ startStep: 0, mode: 'normal' as const }] });
  env.reset({ seed: 5 });
  assert.ok(env.episode!.workload);
  const w = loadConfig().modes.normal.defaultWeights;
  for (let m = 0; m < M; m++) assert.ok(Math.abs(env.step([w.alpha, w.beta, w.gamma]).reward) < 1e-9);
  assert.throws(() => make({ workloadVariationShare: -0.1 }), /workloadVariationShare must be a number in \[0, 1\]/);
});

test('singleModeShare runs a share of episodes in one mode from start to end and leaves share 0 episodes as before', () => {
  const episodes = (env: SparkIotMetaEnv, n: number) => {
    env.reset({ seed: 5 });
    const out = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) env.reset();
      out.push(structuredClone(env.episode!));
    }
    return out;
  };
  // A switch at every window boundary: every random schedule has several phases, a single-mode one has one.
  const before = episodes(make({ modeSwitchProb: 1 }), 30);
  assert.ok(before.every((e) => e.schedule.length > 1));
  assert.deepEqual(episodes(make({ modeSwitchProb: 1, singleModeShare: 0 }), 30), before, 'share 0 draws nothing');
  const mixed = episodes(make({ modeSwitchProb: 1, singleModeShare: 0.5 }), 30);
  const single = mixed.filter((e) => e.schedule.length === 1);
  assert.ok(single.length >= 8 && single.length <= 22, `about half of 30 episodes in one mode, got ${single.length}`);
  assert.deepEqual(new Set(single.map((e) => e.schedule[0]!.mode)), new Set(['normal', 'budget', 'critical']));
  for (const e of single) {
    const f = e.schedule[0]!.budgetLeftFraction!;
    assert.ok(e.schedule[0]!.mode === 'budget' ? f >= 0.05 && f <= 0.3 : f >= 0.5 && f <= 1, JSON.stringify(e.schedule));
  }
  // The scenario and world seed do not depend on the share: each episode keeps its world, only its schedule changes.
  assert.deepEqual(mixed.map((e) => [e.scenario, e.worldSeed]), before.map((e) => [e.scenario, e.worldSeed]));
  assert.throws(() => make({ singleModeShare: -0.1 }), /singleModeShare must be a number in \[0, 1\]/);
});

test('random schedules: the first phase starts with 50-100 % of the budget left (5-30 % in the budget mode), and with switch probability 1 every boundary switches', () => {
  const rng = new Rng(21);
  const firsts = { budget: 0, other: 0 };
  for (let i = 0; i < 60; i++) {
    const s = randomSchedule(rng, 8, K, 0.15);
    const f = s[0]!.budgetLeftFraction!;
    if (s[0]!.mode === 'budget') {
      firsts.budget++;
      assert.ok(f >= 0.05 && f <= 0.3, `budget first phase ${f}`);
    } else {
      firsts.other++;
      assert.ok(f >= 0.5 && f <= 1, `${s[0]!.mode} first phase ${f}`);
    }
  }
  assert.ok(firsts.budget > 0 && firsts.other > 0);
  const always = randomSchedule(new Rng(4), 8, K, 1);
  assert.deepEqual(always.map((p) => p.startStep), Array.from({ length: 8 }, (_, m) => m * K), 'a switch at each of the 7 boundaries');
});

test('world seeds are drawn in [2e9, 3e9) and mixed episodes visit all four scenarios', () => {
  const env = make({ episodeMetaSteps: 1 });
  const scenarios = new Set<string>();
  for (let e = 0; e < 40; e++) {
    env.reset(e === 0 ? { seed: 1 } : {});
    const seed = env.episode!.worldSeed;
    assert.ok(seed >= 2_000_000_000 && seed < 3_000_000_000, `world seed ${seed}`);
    scenarios.add(env.episode!.scenario);
  }
  assert.equal(scenarios.size, 4, [...scenarios].join(', '));
});

test('singleModeShare 0.2 runs about a fifth of the episodes in one mode', () => {
  const env = make({ modeSwitchProb: 1, singleModeShare: 0.2, episodeMetaSteps: 3 });
  let single = 0;
  for (let e = 0; e < 100; e++) {
    env.reset(e === 0 ? { seed: 2 } : {});
    if (env.episode!.schedule.length === 1) single++;
  }
  assert.ok(single >= 8 && single <= 35, `${single} of 100 single-mode episodes`);
});

test('every episode starts a new phase objective: a second episode on the same world and schedule earns the first one\'s rewards', () => {
  const env = make({ scenario: 'balanced', schedule: [{ startStep: 0, mode: 'budget', budgetLeftFraction: 0.2 }] });
  const episode = (): number[] => {
    env.reset({ seed: 8 });
    return Array.from({ length: M }, () => env.step([0.1, 0.8, 0.1]).reward);
  };
  const first = episode();
  assert.deepEqual(episode(), first);
});
