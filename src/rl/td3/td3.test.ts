import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box } from '../../core/spaces.ts';
import type { Env, EnvAction, ResetResult, StepResult } from '../../env/types.ts';
import { RecordEpisodeStatistics, TimeLimit } from '../../env/wrappers.ts';
import { TD3, td3Checkpoint } from './td3.ts';
import { CounterEnv } from '../test-envs.ts';

/** One-step episodes with a 3-d Box action (the meta-controller's shape): reward peaks at `target`. */
class Bandit3 implements Env {
  readonly id = 'Bandit3';
  readonly observationSpace = box(-1, 1, [2]);
  readonly actionSpace = box([0, -2, 10], [1, 2, 20]);
  static readonly target = [0.8, -1, 12];
  reset(): ResetResult {
    return { obs: Float32Array.of(0.2, -0.3), info: {} };
  }
  step(a: EnvAction): StepResult {
    const x = a as Float32Array;
    const t = Bandit3.target;
    const reward = -(((x[0]! - t[0]!) / 1) ** 2 + ((x[1]! - t[1]!) / 4) ** 2 + ((x[2]! - t[2]!) / 10) ** 2);
    return { obs: Float32Array.of(0.2, -0.3), reward, terminated: true, truncated: false, info: {} };
  }
}

test('TD3 learns a 3-d Box bandit and rescales its tanh actor to the bounds', () => {
  const td3 = new TD3(new RecordEpisodeStatistics(new Bandit3() as Env), { netArch: [32, 32], learningStarts: 100, batchSize: 64, actionNoiseSigma: 0.1 }, 1);
  td3.learn(1500);
  const a = td3.predict([0.2, -0.3]);
  assert.ok(Math.abs(a[0]! - 0.8) < 0.1 && Math.abs(a[1]! - -1) < 0.4 && Math.abs(a[2]! - 12) < 1, `action ${Array.from(a)}`);
  for (let i = 0; i < 3; i++) assert.ok(a[i]! >= [0, -2, 10][i]! && a[i]! <= [1, 2, 20][i]!);
});

test('TD3 scale/unscale are inverse and map [-1, 1] onto the Box', () => {
  const td3 = new TD3(new Bandit3() as Env, { netArch: [4], bufferSize: 10 }, 0);
  assert.deepEqual(Array.from(td3.unscaleAction([-1, 0, 1])), [0, 0, 20]);
  const back = td3.scaleAction(Float32Array.of(0.25, 1, 15), new Float64Array(3));
  assert.deepEqual(Array.from(back), [-0.5, 0.5, 0]);
});


test('TD3 replay stores truncation as not-done with the true final observation', () => {
  const td3 = new TD3(new TimeLimit(new CounterEnv({ id: 'Clock', obsDivisor: 1, reward: () => 1, actionSpace: box(-1, 1, [1]) }) as Env, 3), { netArch: [4], learningStarts: 1000, bufferSize: 10 }, 0);
  td3.learn(4);
  const rb = td3.replay;
  assert.deepEqual(Array.from(rb.obs.subarray(0, 4)), [0, 1, 2, 0]);
  assert.deepEqual(Array.from(rb.nextObs.subarray(0, 4)), [1, 2, 3, 1], 'next obs of the cut step is the final obs, not the reset obs');
  assert.deepEqual(Array.from(rb.dones.subarray(0, 4)), [0, 0, 0, 0]);
});

test('TD3 delays the actor and Polyak-updates the targets only on policy-delay steps', () => {
  const td3 = new TD3(new Bandit3() as Env, { netArch: [8], learningStarts: 10, batchSize: 8, policyDelay: 2, bufferSize: 100 }, 2);
  td3.learn(10); // fills the buffer, no training yet (learning starts after 10 steps)
  const actor0 = td3.actor.params.slice();
  const target0 = td3.criticTargets[0].params.slice();
  td3.train(1);
  assert.deepEqual(td3.actor.params, actor0, 'no actor update on update 1');
  assert.deepEqual(td3.criticTargets[0].params, target0, 'no target update on update 1');
  td3.train(1);
  assert.notDeepEqual(td3.actor.params, actor0);
  // target = 0.995 * target0 + 0.005 * critic (rounded to the default float32)
  assert.ok(td3.criticTargets[0].params instanceof Float32Array);
  const c = td3.critics[0].params;
  for (let i = 0; i < c.length; i += 7) assert.equal(td3.criticTargets[0].params[i]!, Math.fround(0.995 * target0[i]! + 0.005 * c[i]!));
});

test('TD3 rejects non-Box action spaces with a clear error', () => {
  const env = { ...new CounterEnv({ id: 'Clock', obsDivisor: 1, reward: () => 1, actionSpace: box(-1, 1, [1]) }), id: 'D', actionSpace: { kind: 'discrete', n: 2 } } as unknown as Env;
  assert.throws(() => new TD3(env, {}, 0), /TD3: needs a Box action space, got discrete/);
});

for (const dtype of ['f32', 'f64'] as const) {
  test(`threads: 2 (critic 1 on a worker) gives bit-identical results to threads: 1 (${dtype})`, () => {
    const run = (threads: 1 | 2): TD3 => {
      const td3 = new TD3(new RecordEpisodeStatistics(new Bandit3() as Env), { netArch: [16, 16], learningStarts: 50, batchSize: 32, actionNoiseSigma: 0.1, threads, dtype }, 3);
      td3.learn(120);
      td3.syncFromWorker();
      td3.close();
      return td3;
    };
    const a = run(1);
    const b = run(2);
    assert.equal(b.numUpdates, 70);
    assert.ok(a.actor.params instanceof (dtype === 'f32' ? Float32Array : Float64Array));
    assert.deepEqual(b.actor.params, a.actor.params);
    assert.deepEqual(b.critics[0].params, a.critics[0].params);
    assert.deepEqual(b.critics[1].params, a.critics[1].params);
    assert.deepEqual(b.criticTargets[0].params, a.criticTargets[0].params);
    assert.deepEqual(b.criticTargets[1].params, a.criticTargets[1].params);
    assert.deepEqual(b.actorTarget.params, a.actorTarget.params);
  });
}

test('TD3 float32 and float64 runs from the same seed start equal and stay close', () => {
  const run = (dtype: 'f32' | 'f64'): TD3 => {
    const td3 = new TD3(new RecordEpisodeStatistics(new Bandit3() as Env), { netArch: [16, 16], learningStarts: 50, batchSize: 32, dtype }, 4);
    td3.learn(60); // 10 updates
    return td3;
  };
  const a = run('f32');
  const b = run('f64');
  let maxDiff = 0;
  for (let i = 0; i < a.actor.params.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.actor.params[i]! - b.actor.params[i]!));
  assert.ok(maxDiff > 0 && maxDiff < 1e-3, `max actor parameter difference ${maxDiff}`);
});

test('TD3 rejects an unknown dtype with a clear error', () => {
  assert.throws(() => new TD3(new Bandit3() as Env, { dtype: 'f16' as 'f32' }, 0), /dtype/);
});

test('criticEnsemble: extra critics are fitted, the actor climbs their mean, and the bandit is still learned', () => {
  const make = (criticEnsemble: number): TD3 =>
    new TD3(new RecordEpisodeStatistics(new Bandit3() as Env), { netArch: [32, 32], learningStarts: 100, batchSize: 64, actionNoiseSigma: 0.1, criticEnsemble }, 1);
  const ens = make(5);
  assert.equal(ens.extraCritics.length, 3);
  const before = ens.extraCritics.map((c) => Float64Array.from(c.params));
  ens.learn(1500);
  // Every extra critic moved (it is trained), and they started apart (own initialization streams).
  ens.extraCritics.forEach((c, k) => assert.ok(c.params.some((v, i) => v !== before[k]![i]), `critic ${k + 2} was not trained`));
  assert.ok(before[0]!.some((v, i) => v !== before[1]![i]), 'extra critics share an initialization');
  const a = ens.predict([0.2, -0.3]);
  assert.ok(Math.abs(a[0]! - 0.8) < 0.1 && Math.abs(a[1]! - -1) < 0.4 && Math.abs(a[2]! - 12) < 1, `action ${Array.from(a)}`);
  const saved = td3Checkpoint(ens, 'Bandit3').weights;
  assert.deepEqual(Object.keys(saved).filter((k) => /^critic\d$/.test(k)), ['critic0', 'critic1', 'critic2', 'critic3', 'critic4']);
  // criticEnsemble 2 is plain TD3: the same run as leaving the option out, and a different one from the ensemble's.
  const twin = make(2);
  const plain = new TD3(new RecordEpisodeStatistics(new Bandit3() as Env), { netArch: [32, 32], learningStarts: 100, batchSize: 64, actionNoiseSigma: 0.1 }, 1);
  twin.learn(300);
  plain.learn(300);
  assert.deepEqual(Array.from(twin.actor.params), Array.from(plain.actor.params));
  const ens300 = make(5);
  ens300.learn(300);
  assert.notDeepEqual(Array.from(ens300.actor.params), Array.from(plain.actor.params));
  assert.throws(() => new TD3(new Bandit3() as Env, { netArch: [4], criticEnsemble: 3, threads: 2 }, 0), /criticEnsemble 3 needs threads: 1/);
  assert.throws(() => new TD3(new Bandit3() as Env, { netArch: [4], criticEnsemble: 1 }, 0), /criticEnsemble/);
});
