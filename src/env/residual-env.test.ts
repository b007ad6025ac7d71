import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from './registry.ts';
import { SparkIotResidualEnv } from './residual-env.ts';
import { residualBasePolicy } from '../policies/forecast-sizing.ts';
import { SparkIotTrainEnv } from './spark-iot-train-env.ts';
import { IDENTITY_RESIDUAL, RESIDUAL_NVEC, applyResidual } from '../core/residual-action.ts';
import { encodeAction } from '../core/action.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';
import type { Action } from '../core/types.ts';

const options = { scenario: 'industrial' as const, maxSteps: 40, residualBase: 'forecast-sizing' as const };

test('SparkIot with residualBase has the residual action space and the same observation as without', () => {
  const env = makeEnv('SparkIot', options);
  const { residualBase: _, ...absoluteOptions } = options;
  assert.deepEqual(env.actionSpace, { kind: 'multi-discrete', nvec: [...RESIDUAL_NVEC] });
  assert.deepEqual(makeEnv('SparkIot', absoluteOptions).actionSpace, { kind: 'multi-discrete', nvec: [20, 8, 4, 3] });
  assert.deepEqual(env.observationSpace, makeEnv('SparkIot', absoluteOptions).observationSpace);
  assert.throws(() => makeEnv('SparkIot', { residualBase: 'oracle' }), /SparkIot: option residualBase must be one of forecast-sizing, got "oracle"/);
});

test('the identity residual runs exactly the forecast-sizing rule, step for step', () => {
  const residual = new SparkIotResidualEnv(options);
  const absolute = new SparkIotTrainEnv({ scenario: 'industrial', maxSteps: 40 });
  const rule = residualBasePolicy();
  residual.reset({ seed: 5 });
  let a = absolute.reset({ seed: 5 });
  let truncated = false;
  rule.reset(0);
  for (let t = 0; t < 40; t++) {
    const ctx = (a.info as unknown as SparkIotInfo).context;
    const ruleAction = rule.act(a.obs, { ...ctx, future: undefined });
    const rs = residual.step(IDENTITY_RESIDUAL);
    const as = absolute.step(encodeAction(ruleAction));
    assert.deepEqual((rs.info as { baseAction: Action }).baseAction, ruleAction);
    assert.deepEqual(Array.from(rs.obs), Array.from(as.obs), `step ${t}`);
    assert.equal(rs.reward, as.reward);
    a = as;
    truncated = rs.truncated;
    if (rs.truncated || rs.terminated) break;
  }
  assert.ok(truncated);
});

test('a residual changes the action the simulator runs by exactly its offsets', () => {
  const env = new SparkIotResidualEnv(options);
  env.reset({ seed: 9 });
  env.step(IDENTITY_RESIDUAL);
  const s = env.step([9, 2, 3, 0]); // +6 executors, +1 GB, s3, the base's codec
  const base = (s.info as { baseAction: Action }).baseAction;
  const ran = (s.info as unknown as SparkIotInfo).action;
  assert.deepEqual(ran, applyResidual(base, [9, 2, 3, 0]));
  assert.equal(ran.tier, 's3');
});

test('without the edge, the base ignores the forecast (the no-edge twin)', () => {
  const env = new SparkIotResidualEnv({ ...options, maskEdgeFeatures: true });
  const r = env.reset({ seed: 3 });
  const ctx = (r.info as unknown as SparkIotInfo).context;
  const high = { ...ctx, future: undefined, forecast: { ...ctx.forecast, predictedRateMsgsPerS: 50 * (ctx.snapshot.arrivalRateMsgsPerS + 1) } };
  const withEdge = residualBasePolicy();
  const noEdge = residualBasePolicy({ maskEdge: true });
  withEdge.reset(0);
  noEdge.reset(0);
  assert.ok(withEdge.act(r.obs, high).executors > noEdge.act(r.obs, high).executors);
  assert.throws(() => new SparkIotResidualEnv(options).step(IDENTITY_RESIDUAL), /call reset\(\) first/);
});

test('residualBaseCalm false trains over the base rule without its calm-load sizing (how the shipped PPO was trained)', () => {
  // A flat world (no daily cycle, noise or bursts) is calm in every window, so the calm sizing acts at once.
  const flat = { scenarios: { industrial: { diurnalAmplitude: 0, noiseSigma: 0, bursts: { ratePerHour: 0 } } } };
  const calmSteps = (extra: Record<string, unknown>): number => {
    const env = new SparkIotResidualEnv({ ...options, config: flat, ...extra });
    env.reset({ seed: 5 });
    for (let k = 0; k < 39; k++) env.step(IDENTITY_RESIDUAL);
    return (env.base as unknown as { calmSteps: number }).calmSteps;
  };
  assert.ok(calmSteps({}) > 0, 'the deployed base sizes calm load with less headroom');
  assert.equal(calmSteps({ residualBaseCalm: false }), 0);
  assert.throws(() => makeEnv('SparkIot', { residualBaseCalm: 'no' }), /option residualBaseCalm must be a boolean, got "no"/);
  assert.throws(() => makeEnv('SparkIot', { residualBaseCalm: false }), /option residualBaseCalm applies only with residualBase/);
});

test("the base rule is built for the env's world: its config and, with maskEdgeFeatures, blind to the forecast", () => {
  // Compute three times as slow per message (300 us): the base sizes for it, so it asks for more executors than the
  // same rule built for the default world.
  const config = { cluster: { computeUsPerMsg: 300 } };
  const env = new SparkIotResidualEnv({ ...options, config });
  const forWorld = residualBasePolicy({ config: env.inner.inner.config });
  const forDefault = residualBasePolicy();
  let r = env.reset({ seed: 5 });
  forWorld.reset(0);
  forDefault.reset(0);
  let larger = 0;
  for (let t = 0; t < 10; t++) {
    const ctx = { ...(r.info as unknown as SparkIotInfo).context, future: undefined };
    const expected = forWorld.act(r.obs, ctx);
    if (expected.executors > forDefault.act(r.obs, ctx).executors) larger++;
    r = env.step(IDENTITY_RESIDUAL);
    assert.deepEqual((r.info as { baseAction: Action }).baseAction, expected, `step ${t}`);
  }
  assert.ok(larger > 0, 'the slower world needs more executors');
  // maskEdgeFeatures: the env's own base ignores a forecast of a 50-fold load.
  for (const [maskEdgeFeatures, ignores] of [[true, true], [false, false]] as const) {
    const e = new SparkIotResidualEnv({ ...options, maskEdgeFeatures });
    const r0 = e.reset({ seed: 3 });
    const ctx = { ...(r0.info as unknown as SparkIotInfo).context, future: undefined };
    const high = { ...ctx, forecast: { ...ctx.forecast, predictedRateMsgsPerS: 50 * (ctx.snapshot.arrivalRateMsgsPerS + 1) } };
    assert.equal(e.base.act(r0.obs, high).executors === e.base.act(r0.obs, ctx).executors, ignores, `maskEdgeFeatures ${maskEdgeFeatures}`);
  }
});

test('SparkIotResidualEnv needs residualBase; a bare number is not a residual action', () => {
  assert.throws(() => new SparkIotResidualEnv({ scenario: 'industrial' }), /option residualBase must be 'forecast-sizing', got undefined/);
  const env = new SparkIotResidualEnv(options);
  env.reset({ seed: 1 });
  assert.throws(() => env.step(5), /residual action must have 4 indices .*got \[5\]/);
});
