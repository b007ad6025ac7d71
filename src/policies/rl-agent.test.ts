import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEnv } from '../env/registry.ts';
import { SyncVecEnv } from '../env/vector.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import { saveCheckpoint } from '../rl/checkpoint.ts';
import { PPO, ppoCheckpoint } from '../rl/ppo/ppo.ts';
import { OBSERVATION_FEATURES, ObservationBuilder, observationScales } from '../control/observation.ts';
import { validateAction } from '../core/action.ts';
import { createPolicy, policyIds } from './registry.ts';
import { PpoAgentPolicy, withWeights, EDGE_RL_CHECKPOINT, RL_NO_EDGE_CHECKPOINT } from './rl-agent.ts';
import type { PolicyContext } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgepilot-rl-agent-'));

/** A few hundred steps of PPO on SparkIot: enough to have a real checkpoint, not a trained one. */
function tinySparkIotCheckpoint(): string {
  const vec = new SyncVecEnv([makeEnv('SparkIot', { maxSteps: 20 }), makeEnv('SparkIot', { maxSteps: 20 })]);
  const ppo = new PPO(vec, { nEnvs: 2, nSteps: 32, batchSize: 32, nEpochs: 1, piLayers: [16], vfLayers: [16], normalizeObs: true }, 3);
  ppo.learn(64);
  const path = join(dir, 'tiny-sparkiot.json');
  saveCheckpoint(path, ppoCheckpoint(ppo, 'SparkIot'));
  return path;
}

test('PpoAgentPolicy loads a SparkIot checkpoint and acts deterministically with valid actions', () => {
  const path = tinySparkIotCheckpoint();
  const env = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 30 });
  const a = new PpoAgentPolicy({ id: 'a', checkpointPath: path });
  const b = new PpoAgentPolicy({ id: 'b', checkpointPath: path });
  a.reset(0);
  b.reset(0);
  let { obs, info } = env.reset({ seed: 5 });
  for (let t = 0; t < 30; t++) {
    const ctx = (info as { context: PolicyContext }).context;
    const act = a.act(obs, ctx);
    validateAction(act);
    assert.deepEqual(a.act(obs, ctx), act, 'same obs -> same action');
    assert.deepEqual(b.act(obs, ctx), act, 'same checkpoint -> same action');
    const r = env.stepAction(act);
    obs = r.obs;
    info = r.info;
  }
});

test('a checkpoint for another observation space fails with a clear error naming the file', () => {
  const vec = new SyncVecEnv([makeEnv('SeedCompat-v0')]);
  const ppo = new PPO(vec, { nEnvs: 1, nSteps: 16, batchSize: 16, nEpochs: 1, piLayers: [8], vfLayers: [8] }, 1);
  ppo.learn(16);
  const path = join(dir, 'seed-compat.json');
  saveCheckpoint(path, ppoCheckpoint(ppo, 'SeedCompat-v0'));
  const p = new PpoAgentPolicy({ id: 'x', checkpointPath: path });
  assert.throws(() => p.reset(0), (err: Error) => err.message.includes(path) && /observation space mismatch/.test(err.message));
  const missing = new PpoAgentPolicy({ id: 'y', checkpointPath: join(dir, 'nope.json') });
  assert.throws(() => missing.act(new Float32Array(27)), /nope\.json.*cannot be read/);
});

test('maskEdge makes the action independent of the edge features', () => {
  const path = tinySparkIotCheckpoint();
  const masked = new PpoAgentPolicy({ id: 'm', checkpointPath: path, maskEdge: true });
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 5 });
  const { obs } = env.reset({ seed: 2 });
  const zeroed = Float32Array.from(obs);
  zeroed[11] = 0;
  zeroed[12] = 0;
  const loud = Float32Array.from(obs);
  loud[11] = 1;
  loud[12] = 1;
  assert.deepEqual(masked.act(loud), masked.act(zeroed));
  const plain = new PpoAgentPolicy({ id: 'p', checkpointPath: path });
  assert.deepEqual(masked.act(loud), plain.act(zeroed));
});

test('withWeights replaces exactly the alpha/beta/gamma features, as the ObservationBuilder would', () => {
  const env = new SparkIotEnv({ scenario: 'industrial', maxSteps: 5 });
  const { obs, info } = env.reset({ seed: 1 });
  const ctx = (info as { context: PolicyContext }).context;
  const w = { alpha: 0.6, beta: 0.3, gamma: 0.1 };
  const out = withWeights(obs, w);
  assert.notEqual(out, obs);
  const rebuilt = new ObservationBuilder(observationScales(env.config)).build(ctx.snapshot, ctx.forecast, w, { slaP95LatencyMs: ctx.slaP95LatencyMs, controlIntervalS: ctx.controlIntervalS });
  assert.deepEqual(Array.from(out), Array.from(rebuilt));
  for (let i = 0; i < obs.length; i++) {
    if (!['alpha', 'beta', 'gamma'].includes(OBSERVATION_FEATURES[i]!)) assert.equal(out[i], obs[i]);
  }
  assert.equal(withWeights(obs, { alpha: 2, beta: -1, gamma: 0.5 })[6], 1, 'clipped to [0, 1] like the builder');
  assert.throws(() => withWeights(new Float32Array(13), w), /13 features, expected 27/);
  assert.throws(() => withWeights(obs, { alpha: Number.NaN, beta: 0, gamma: 0 }), /weights\.alpha/);
});

test('the registry has edge-rl-fixed and rl-no-edge backed by the shipped checkpoints', () => {
  assert.ok(policyIds().includes('edge-rl-fixed'));
  assert.ok(policyIds().includes('rl-no-edge'));
  assert.ok(existsSync(EDGE_RL_CHECKPOINT), `shipped checkpoint missing: ${EDGE_RL_CHECKPOINT}`);
  assert.ok(existsSync(RL_NO_EDGE_CHECKPOINT), `shipped checkpoint missing: ${RL_NO_EDGE_CHECKPOINT}`);
  const env = new SparkIotEnv({ scenario: 'smart-city', maxSteps: 3 });
  const { obs, info } = env.reset({ seed: 0 });
  for (const id of ['edge-rl-fixed', 'rl-no-edge']) {
    const p = createPolicy(id);
    assert.equal(p.id, id);
    p.reset(0);
    validateAction(p.act(obs, (info as { context: PolicyContext }).context));
  }
});

test('scaleDownHoldS: the executor count is the max of the last ceil(hold / interval) recommendations; the registered agents hold', () => {
  const env = new SparkIotEnv({ scenario: 'smart-city', maxSteps: 120 });
  const raw = new PpoAgentPolicy({ id: 'raw', checkpointPath: EDGE_RL_CHECKPOINT });
  const held = new PpoAgentPolicy({ id: 'held', checkpointPath: EDGE_RL_CHECKPOINT, scaleDownHoldS: 25 });
  const registered = createPolicy('edge-rl-fixed');
  for (const p of [raw, held, registered]) p.reset(0);
  let { obs, info } = env.reset({ seed: 3 });
  const recommended: number[] = [];
  let differs = 0;
  for (let t = 0; t < 120; t++) {
    const ctx = (info as { context: PolicyContext }).context;
    const a = raw.act(obs, ctx);
    const h = held.act(obs, ctx);
    recommended.push(a.executors);
    assert.equal(h.executors, Math.max(...recommended.slice(-3)), `step ${t}`);
    assert.deepEqual({ ...h, executors: 0 }, { ...a, executors: 0 }, 'only the executor count is held');
    assert.deepEqual(registered.act(obs, ctx), h);
    if (h.executors !== a.executors) {
      differs++;
      assert.deepEqual(held.explain(), [`scale-down hold: the network recommended ${a.executors} executors; ${h.executors} kept (its highest of the last 25 s)`]);
    } else assert.deepEqual(held.explain(), []);
    const r = env.stepAction(h);
    obs = r.obs;
    info = r.info;
  }
  assert.ok(differs > 0, 'the agent scaled down at least once in 120 steps, and the hold delayed it');
  assert.throws(() => held.act(obs), /needs the policy context/);
});

test('a residual checkpoint (SparkIot with residualBase) acts as the forecast-sizing rule corrected by the network, never reading the future', async () => {
  const { residualBasePolicy } = await import('./forecast-sizing.ts');
  const { applyResidual } = await import('../core/residual-action.ts');
  const { loadModel } = await import('../rl/model.ts');
  const residualEnv = () => makeEnv('SparkIot', { maxSteps: 20, residualBase: 'forecast-sizing' });
  const vec = new SyncVecEnv([residualEnv(), residualEnv()]);
  const ppo = new PPO(vec, { nEnvs: 2, nSteps: 32, batchSize: 32, nEpochs: 1, piLayers: [16], vfLayers: [16], normalizeObs: true }, 4);
  ppo.learn(64);
  const path = join(dir, 'tiny-residual.json');
  saveCheckpoint(path, ppoCheckpoint(ppo, 'SparkIot'));
  const agent = new PpoAgentPolicy({ id: 'r', checkpointPath: path });
  assert.equal(agent.isResidual, true);
  assert.equal(new PpoAgentPolicy({ id: 'abs', checkpointPath: tinySparkIotCheckpoint() }).isResidual, false);
  const net = loadModel(path);
  const rule = residualBasePolicy();
  const env = new SparkIotEnv({ scenario: 'smart-city', maxSteps: 25, exposeFuture: true });
  agent.reset(2);
  rule.reset(2);
  let { obs, info } = env.reset({ seed: 8 });
  for (let t = 0; t < 25; t++) {
    const ctx = (info as { context: PolicyContext }).context;
    assert.ok(ctx.future, 'the env exposes the future here; the agent must ignore it');
    const act = agent.act(obs, ctx);
    const expected = applyResidual(rule.act(obs, { ...ctx, future: undefined }), Array.from(net.predict(obs) as ArrayLike<number>));
    assert.deepEqual(act, expected, `step ${t}`);
    ({ obs, info } = env.stepAction(act));
  }
  assert.throws(() => agent.act(obs), /residual checkpoint needs the policy context/);
});

test('networkAction is pure: probing other weights in a state changes neither the next action nor the base rule', () => {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 40 });
  const probed = new PpoAgentPolicy({ id: 'probed', checkpointPath: EDGE_RL_CHECKPOINT });
  const plain = new PpoAgentPolicy({ id: 'plain', checkpointPath: EDGE_RL_CHECKPOINT });
  probed.reset(0);
  plain.reset(0);
  assert.equal(probed.lastBaseAction, null);
  let { obs, info } = env.reset({ seed: 11 });
  let changed = 0;
  for (let t = 0; t < 40; t++) {
    const ctx = (info as { context: PolicyContext }).context;
    const a = probed.act(obs, ctx);
    assert.deepEqual(plain.act(obs, ctx), a, `step ${t}`);
    assert.deepEqual(probed.networkAction(obs, probed.lastBaseAction), a, 'no hold here, so the probe at the same weights is the action');
    for (const w of [{ alpha: 1, beta: 0, gamma: 0 }, { alpha: 0, beta: 1, gamma: 0 }]) {
      const p = probed.networkAction(withWeights(obs, w), probed.lastBaseAction);
      validateAction(p);
      if (JSON.stringify(p) !== JSON.stringify(a)) changed++;
    }
    ({ obs, info } = env.stepAction(a));
  }
  assert.ok(changed > 0, 'some weight vector changes the action in some state');
  assert.throws(() => probed.networkAction(obs, null), /needs the base rule's action/);
});

test('baseCalm: a residual agent corrects forecast-sizing with its calm-load sizing by default, without it when null', () => {
  const env = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 10 });
  let out = env.reset({ seed: 3 });
  for (let i = 0; i < 5; i++) out = env.stepAction({ executors: 8, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  const ctx = { ...(out.info as { context: PolicyContext }).context, future: undefined };
  const run = (agent: PpoAgentPolicy) => {
    agent.reset(1);
    let executors = 0;
    // Thirty intervals of the same rate: calm load (src/policies/forecast-sizing.ts FORECAST_SIZING_CALM).
    for (let i = 0; i < 30; i++) executors = agent.act(out.obs, ctx).executors;
    return { executors, base: agent.lastBaseAction!.executors };
  };
  const calm = run(new PpoAgentPolicy({ id: 'calm', checkpointPath: EDGE_RL_CHECKPOINT }));
  const off = run(new PpoAgentPolicy({ id: 'off', checkpointPath: EDGE_RL_CHECKPOINT, baseCalm: null }));
  assert.ok(calm.base < off.base, `base rule: ${calm.base} executors with the calm sizing, ${off.base} without`);
  assert.ok(calm.executors < off.executors, `agent: ${calm.executors} vs ${off.executors}`);
});
