import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModeScheduleEnv } from './mode-env.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { HierarchicalPolicy, createFixedWeightsPolicy } from './hierarchical-policy.ts';
import { META_OBS_SIZE } from './meta-observation.ts';
import { SparkIotMetaEnv } from './meta-env.ts';
import { normalizeWeights } from './weights.ts';
import { WeightReadingStub, modeRuleMeta } from './test-stubs.ts';
import { createPolicy } from '../policies/registry.ts';

test('the meta-controller is consulted every K steps (and only then) on a fixed mode', () => {
  const calls: number[] = [];
  let step = 0;
  const stub = new WeightReadingStub();
  const policy = new HierarchicalPolicy({ id: 'h', windowSteps: 4, lower: stub, meta: (o) => (calls.push(step), assert.equal(o.length, META_OBS_SIZE), [step, 1, 1]) });
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 20 });
  let r = env.reset({ seed: 3 });
  policy.reset(3);
  for (step = 0; step < 13; step++) {
    const s = env.stepAction(policy.act(r.obs, (r.info as unknown as SparkIotInfo).context));
    r = { obs: s.obs, info: s.info };
  }
  assert.deepEqual(calls, [0, 4, 8, 12]);
  assert.deepEqual(policy.decisions.map((d) => d.step), [0, 4, 8, 12]);
  // Between consultations the lower policy sees the last decision's normalized weights.
  const w4 = normalizeWeights([4, 1, 1]);
  for (let t = 4; t < 8; t++) assert.ok(Math.abs(stub.seen[t]!.alpha - Math.fround(w4.alpha)) < 1e-7, `step ${t}`);
});

test('a mode change triggers a consultation at once; the mode rule is applied per phase', () => {
  const stub = new WeightReadingStub();
  const policy = new HierarchicalPolicy({ id: 'h', windowSteps: 100, lower: stub, meta: modeRuleMeta });
  const env = new ModeScheduleEnv({ maxSteps: 12 });
  let { obs, info } = env.reset({ seed: 1 });
  policy.reset(1);
  for (let t = 0; t < 12; t++) {
    const r = env.stepAction(policy.act(obs, info.context));
    obs = r.obs;
    info = r.info;
  }
  assert.deepEqual(policy.decisions.map((d) => [d.step, d.mode]), [[0, 'normal'], [3, 'budget'], [6, 'critical'], [9, 'normal']]);
  assert.ok(stub.seen[4]!.alpha > 0.85, 'budget phase: cost weight up');
  assert.ok(stub.seen[7]!.beta > 0.85, 'critical phase: latency weight up');
});

test('the policy and the meta-env build the same meta observations (one tracker, one schedule)', () => {
  const K = 5;
  const fromEnv: number[][] = [];
  const env = new SparkIotMetaEnv({ windowSteps: K, episodeMetaSteps: 3, scenario: 'industrial', lowerPolicy: new WeightReadingStub(), schedule: [{ startStep: 0, mode: 'normal' }, { startStep: K, mode: 'critical' }] });
  let o = env.reset({ seed: 9 }).obs;
  const worldSeed = env.episode!.worldSeed;
  for (let m = 0; m < 3; m++) {
    fromEnv.push(Array.from(o));
    o = env.step(modeRuleMeta(o)).obs;
  }
  const fromPolicy: number[][] = [];
  const policy = new HierarchicalPolicy({ id: 'h', windowSteps: K, lower: new WeightReadingStub(), meta: (x) => (fromPolicy.push(Array.from(x)), modeRuleMeta(x)) });
  const world = new ModeScheduleEnv({ scenario: 'industrial', maxSteps: 3 * K, schedule: [{ startStep: 0, mode: 'normal' }, { startStep: K, mode: 'critical' }] });
  let { obs, info } = world.reset({ seed: worldSeed });
  policy.reset(worldSeed);
  for (let t = 0; t < 3 * K; t++) {
    const r = world.stepAction(policy.act(obs, info.context));
    obs = r.obs;
    info = r.info;
  }
  assert.deepEqual(fromPolicy, fromEnv);
});

test('fixed-weight policies and a missing checkpoint', () => {
  const stub = new WeightReadingStub();
  const p = createFixedWeightsPolicy([0.2, 0.8, 0], { lower: stub });
  assert.equal(p.id, 'fixed w(0.20,0.80,0.00)'.replace('fixed ', 'fixed-'));
  const env = new SparkIotEnv({ scenario: 'smart-city', maxSteps: 5 });
  const r = env.reset({ seed: 0 });
  p.reset(0);
  p.act(r.obs, (r.info as unknown as SparkIotInfo).context);
  assert.ok(Math.abs(stub.seen[0]!.beta - Math.fround(normalizeWeights([0.2, 0.8, 0]).beta)) < 1e-7);
  const missing = new HierarchicalPolicy({ id: 'edge-rl', metaCheckpointPath: '/nonexistent/meta.json', lower: stub });
  assert.throws(() => missing.reset(0), /meta-controller checkpoint '\/nonexistent\/meta.json' not found; produce it with: edgepilot train --env SparkIotMeta --algo td3 --config configs\/meta-td3.json/);
  assert.throws(() => new HierarchicalPolicy({ id: 'h', windowSteps: 0 }), /windowSteps must be a positive integer/);
  assert.throws(() => p.act(r.obs, { ...(r.info as unknown as SparkIotInfo).context, scenario: 'mars' }), /scenario 'mars' has no budget/);
  // The registry entry exists and creates the hierarchical policy.
  assert.equal(createPolicy('edge-rl').id, 'edge-rl');
});
