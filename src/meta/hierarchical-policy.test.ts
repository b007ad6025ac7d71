import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModeScheduleEnv } from './mode-env.ts';
import { loadConfig } from '../core/config.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_META_CHECKPOINT, HierarchicalPolicy, MAX_META_DECISIONS_KEPT, NO_EDGE_META_CHECKPOINT, averageMetaControllers, checkpointMetaContextFeatures, createFixedWeightsPolicy, loadMetaController } from './hierarchical-policy.ts';
import { runTraining } from '../rl/trainer.ts';
import { readCheckpoint } from '../rl/checkpoint.ts';
import { readEnsembleManifest, writeEnsembleManifest } from '../rl/ensemble.ts';
import { Rng } from '../core/rng.ts';
import { EDGE_META_FEATURES, META_OBS_SIZE } from './meta-observation.ts';
import { DEFAULT_LOWER_CHECKPOINT, NO_EDGE_LOWER_CHECKPOINT, SparkIotMetaEnv, loadLowerPolicy } from './meta-env.ts';
import { normalizeWeights } from './weights.ts';
import { WeightReadingStub, modeRuleMeta } from './test-stubs.ts';
import { createPolicy, defaultPolicyIds } from '../policies/registry.ts';

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

test('a controller that never resets keeps a bounded list of meta decisions, the latest ones', () => {
  const stub = new WeightReadingStub();
  const policy = new HierarchicalPolicy({ id: 'h', windowSteps: 1, lower: stub, meta: () => [1, 1, 1] });
  const steps = 2 * MAX_META_DECISIONS_KEPT + 5;
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: steps });
  let r = env.reset({ seed: 3 });
  policy.reset(3);
  for (let t = 0; t < steps; t++) {
    const s = env.stepAction(policy.act(r.obs, (r.info as unknown as SparkIotInfo).context));
    r = { obs: s.obs, info: s.info };
    stub.seen.length = 0;
    assert.ok(policy.decisions.length < 2 * MAX_META_DECISIONS_KEPT, `step ${t}: ${policy.decisions.length} decisions kept`);
  }
  assert.ok(policy.decisions.length >= MAX_META_DECISIONS_KEPT);
  assert.equal(policy.decisions.at(-1)!.step, steps - 1, 'the latest decision is kept');
  assert.equal(policy.decisions[0]!.step, steps - policy.decisions.length, 'a contiguous run of the latest');
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

test('the no-edge ablation: the meta observation loses exactly its edge features, in the policy and the meta-env alike', () => {
  const K = 5;
  const schedule = [{ startStep: 0, mode: 'normal' as const }, { startStep: K, mode: 'budget' as const, budgetLeftFraction: 0.2 }];
  const seen = (maskEdge: boolean): number[][] => {
    const out: number[][] = [];
    const policy = new HierarchicalPolicy({ id: 'h', windowSteps: K, maskEdge, lower: new WeightReadingStub(), meta: (x) => (out.push(Array.from(x)), [1, 1, 1]) });
    const world = new ModeScheduleEnv({ scenario: 'smart-city', maxSteps: 3 * K, schedule });
    let { obs, info } = world.reset({ seed: 4 });
    policy.reset(4);
    for (let t = 0; t < 3 * K; t++) {
      const r = world.stepAction(policy.act(obs, info.context));
      obs = r.obs;
      info = r.info;
    }
    return out;
  };
  const full = seen(false);
  const masked = seen(true);
  assert.equal(masked.length, full.length);
  // The edge forecast is live in this world: unmasked, the predicted rate is > 0 at every consultation.
  assert.ok(full.every((o) => o[EDGE_META_FEATURES[2]!]! > 0), 'predicted_rate is non-zero unmasked');
  for (let i = 0; i < full.length; i++) {
    for (let f = 0; f < META_OBS_SIZE; f++) assert.equal(masked[i]![f], EDGE_META_FEATURES.includes(f) ? 0 : full[i]![f], `decision ${i}, feature ${f}`);
  }
  // The meta-env with maskEdge builds the same masked observations for the same world.
  const env = new SparkIotMetaEnv({ windowSteps: K, episodeMetaSteps: 3, scenario: 'smart-city', maskEdge: true, lowerPolicy: new WeightReadingStub(), schedule });
  const fromEnv: number[][] = [];
  let o = env.reset({ seed: 11 }).obs;
  for (let m = 0; m < 3; m++) {
    fromEnv.push(Array.from(o));
    o = env.step([1, 1, 1]).obs;
  }
  assert.ok(fromEnv.every((x) => EDGE_META_FEATURES.every((f) => x[f] === 0)));
  assert.ok(fromEnv.some((x) => x[9]! > 0), 'the arrival rate (not an edge feature) stays');
  assert.throws(() => new SparkIotMetaEnv({ maskEdge: 'yes' as unknown as boolean, lowerPolicy: new WeightReadingStub() }), /option maskEdge must be a boolean, got "yes"/);
});

test('rl-no-edge-meta is registered, in the default set, and names its own checkpoints when they are missing', () => {
  const p = createPolicy('rl-no-edge-meta');
  assert.equal(p.id, 'rl-no-edge-meta');
  assert.ok(defaultPolicyIds().includes('rl-no-edge-meta'));
  const missing = new HierarchicalPolicy({ id: 'x', maskEdge: true, metaCheckpointPath: '/nonexistent/m.json', lower: new WeightReadingStub() });
  assert.throws(() => missing.reset(0), /not found; produce it with: edgepilot train --env SparkIotMeta --algo td3 --config configs\/meta-td3-no-edge.json/);
  const noLower = new HierarchicalPolicy({ id: 'y', maskEdge: true, meta: () => [1, 1, 1], lowerCheckpointPath: '/nonexistent/ppo.json' });
  assert.throws(() => noLower.reset(0), /lower-level PPO checkpoint '\/nonexistent\/ppo.json' not found; produce it with: .*configs\/rl-no-edge-ppo.json/);
});

test('the no-edge lower level is the masked PPO', () => {
  const lower = loadLowerPolicy(NO_EDGE_LOWER_CHECKPOINT, 'lower', 0, true);
  assert.equal(lower.maskEdge, true);
  assert.equal(loadLowerPolicy().maskEdge, false);
  // Without a path, the masked lower level is the PPO trained without the edge, not the edge-aware one.
  assert.equal(loadLowerPolicy(undefined, 'lower', 0, true).checkpointPath, NO_EDGE_LOWER_CHECKPOINT);
  assert.equal(loadLowerPolicy().checkpointPath, DEFAULT_LOWER_CHECKPOINT);
});

/** One member of each shipped ensemble (models/meta-td3.json and models/meta-td3-no-edge.json are manifests). */
const SHIPPED_MEMBER = 'models/meta-td3-s1.json';
const NO_EDGE_MEMBER = 'models/meta-td3-no-edge-s1.json';

test('the shipped meta-controllers are ensemble manifests whose members all load', () => {
  for (const path of [DEFAULT_META_CHECKPOINT, NO_EDGE_META_CHECKPOINT]) {
    const manifest = readEnsembleManifest(path);
    assert.equal(manifest.memberPaths.length, 24, path);
    assert.deepEqual(manifest.seeds, Array.from({ length: 24 }, (_, i) => i + 1));
    assert.equal(manifest.pooling, 'arithmetic', `${path}: pooled as docs/META.md "Pooling the seeds" says`);
    const meta = loadMetaController(path);
    const w = Array.from(meta(new Float32Array(META_OBS_SIZE).fill(0.5)));
    assert.ok(Math.abs(w[0]! + w[1]! + w[2]! - 1) < 1e-9, `${path}: the pooled weights sum to 1`);
  }
});

/** A two-member ensemble (members of the shipped edge-aware and no-edge ensembles: different TD3 actors) in a temp folder. */
function twoMemberEnsemble(pooling: 'arithmetic' | 'geometric' | 'absent'): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-meta-ensemble-pool-'));
  const manifestPath = join(dir, 'meta.json');
  writeEnsembleManifest(manifestPath, [1, 2], undefined, pooling === 'absent' ? undefined : pooling);
  if (pooling === 'absent') {
    // A manifest written before session 24 has no pooling field.
    const { pooling: _written, ...old } = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(manifestPath, JSON.stringify(old));
  }
  copyFileSync(SHIPPED_MEMBER, join(dir, 'meta-s1.json'));
  copyFileSync(NO_EDGE_MEMBER, join(dir, 'meta-s2.json'));
  return manifestPath;
}

test("an ensemble manifest pools its members' normalized weights as it says: arithmetic (also when it says nothing) or closed geometric", () => {
  const members = [loadMetaController(SHIPPED_MEMBER), loadMetaController(NO_EDGE_MEMBER)];
  const arithmetic = loadMetaController(twoMemberEnsemble('arithmetic'));
  const old = loadMetaController(twoMemberEnsemble('absent'));
  const geometric = loadMetaController(twoMemberEnsemble('geometric'));
  const rng = new Rng(11);
  let differ = 0;
  for (let k = 0; k < 20; k++) {
    const obs = Float32Array.from({ length: META_OBS_SIZE }, () => rng.next());
    const ws = members.map((m) => normalizeWeights(m(obs))).map((w) => [w.alpha, w.beta, w.gamma]);
    const mean = [0, 1, 2].map((i) => (ws[0]![i]! + ws[1]![i]!) / 2);
    const geo = [0, 1, 2].map((i) => Math.sqrt(ws[0]![i]! * ws[1]![i]!));
    const geoClosed = geo.map((x) => x / (geo[0]! + geo[1]! + geo[2]!));
    for (const [name, got, want] of [['arithmetic', arithmetic(obs), mean], ['absent', old(obs), mean], ['geometric', geometric(obs), geoClosed]] as const) {
      Array.from(got).forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-12, `${name}, obs ${k} component ${i}: ${g} vs ${want[i]}`));
    }
    if (Math.abs(ws[0]![0]! - ws[1]![0]!) > 1e-3) differ++;
  }
  // The members disagree somewhere, so neither mean is just one of them.
  assert.ok(differ > 0);
  assert.throws(() => averageMetaControllers([]), /no members/);
});

test('the geometric pooling keeps a component most members set near 0 near 0; the arithmetic one pulls it toward the centre', () => {
  const corner = () => [1, 0, 0];
  const off = () => [0.5, 0.5, 0];
  const members = [corner, corner, corner, off];
  const arithmetic = Array.from(averageMetaControllers(members, 'test', 'arithmetic')(new Float32Array(1)));
  const geometric = Array.from(averageMetaControllers(members, 'test', 'geometric')(new Float32Array(1)));
  assert.ok(Math.abs(arithmetic[1]! - 0.125) < 0.01, `arithmetic beta ${arithmetic[1]}`);
  assert.ok(geometric[1]! < 0.01, `geometric beta ${geometric[1]}`);
  assert.ok(Math.abs(geometric[0]! + geometric[1]! + geometric[2]! - 1) < 1e-12);
  // Every member the same: both poolings give that member's normalized weights.
  const same = averageMetaControllers([off, off], 'test', 'geometric')(new Float32Array(1));
  const w = normalizeWeights(off());
  Array.from(same).forEach((x, i) => assert.ok(Math.abs(x - [w.alpha, w.beta, w.gamma][i]!) < 1e-12));
});

test('an ensemble with a missing member names it and the command that makes it; other loaders refuse a manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-meta-ensemble-'));
  const manifestPath = join(dir, 'meta.json');
  writeEnsembleManifest(manifestPath, [1, 2], 'edgepilot train --seeds 1-2 --out meta.json');
  copyFileSync(SHIPPED_MEMBER, join(dir, 'meta-s1.json'));
  assert.throws(() => loadMetaController(manifestPath), /ensemble '.*meta\.json': member checkpoint '.*meta-s2\.json' not found; produce it with: edgepilot train --seeds 1-2 --out meta\.json/);
  assert.throws(() => loadLowerPolicy(manifestPath).reset(0), /is an ensemble manifest/);
});

test("a meta checkpoint records the observation variant it was trained on, and the policy builds that observation", () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-meta-variant-'));
  const train = (seed: number, metaContextFeatures?: string) => {
    const out = join(dir, `meta-s${seed}.json`);
    const envOptions = { scenario: 'balanced', windowSteps: 2, episodeMetaSteps: 3, lowerPolicy: new WeightReadingStub(), ...(metaContextFeatures ? { metaContextFeatures } : {}) };
    runTraining({ envId: 'SparkIotMeta', algo: 'td3', timesteps: 24, seed, envOptions, hyperparameters: { learningStarts: 8, batchSize: 4, netArch: [8, 8], threads: 1, dtype: 'f64' }, out });
    return out;
  };
  const both = train(1, 'scenario+volatility');
  const ckpt = readCheckpoint(both);
  // The JSON-safe options are recorded; the injected lower policy is not.
  assert.deepEqual(ckpt.envOptions, { scenario: 'balanced', windowSteps: 2, episodeMetaSteps: 3, metaContextFeatures: 'scenario+volatility' });
  assert.deepEqual(ckpt.observationSpace.kind === 'box' && ckpt.observationSpace.shape, [16]);
  assert.equal(checkpointMetaContextFeatures(both), 'scenario+volatility');
  // Checkpoints without the record (all shipped ones) are 'scenario'.
  assert.equal(checkpointMetaContextFeatures(SHIPPED_MEMBER), 'scenario');

  const sizes: number[] = [];
  const lower = new WeightReadingStub();
  const policy = new HierarchicalPolicy({ id: 'h16', lower, metaCheckpointPath: both });
  const recording = new HierarchicalPolicy({ id: 'h16b', lower, meta: (o) => (sizes.push(o.length), [1, 1, 1]), metaContextFeatures: 'scenario+volatility' });
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 12 });
  let r = env.reset({ seed: 5 });
  policy.reset(5);
  recording.reset(5);
  assert.equal(policy.metaContextFeatures, 'scenario+volatility');
  for (let i = 0; i < 11; i++) {
    const ctx = (r.info as unknown as SparkIotInfo).context;
    recording.act(r.obs, ctx);
    const s = env.stepAction(policy.act(r.obs, ctx));
    r = { obs: s.obs, info: s.info };
  }
  assert.deepEqual(sizes, [16, 16]);
  assert.equal(policy.decisions.length, 2);

  // Asking for another variant than the checkpoint's, or mixing variants in one ensemble, is refused with the reason.
  assert.throws(() => new HierarchicalPolicy({ id: 'x', lower, metaCheckpointPath: both, metaContextFeatures: 'scenario' }).reset(0), /'scenario' was asked for, but the meta-controller checkpoint was trained on 'scenario\+volatility'/);
  train(2);
  const manifestPath = join(dir, 'meta.json');
  writeEnsembleManifest(manifestPath, [1, 2]);
  assert.throws(() => loadMetaController(manifestPath), /members were trained on different meta observations \(.*meta-s1\.json: scenario\+volatility, .*meta-s2\.json: scenario\)/);
});

test('the meta-env validates its observation and variation options, and varies only the scenarios it is given', () => {
  assert.throws(() => new SparkIotMetaEnv({ lowerPolicy: new WeightReadingStub(), metaContextFeatures: 'volatile' as never }), /SparkIotMeta: option: metaContextFeatures must be one of/);
  assert.throws(() => new SparkIotMetaEnv({ lowerPolicy: new WeightReadingStub(), workloadVariationScenarios: ['mars' as never] }), /option workloadVariationScenarios must be a non-empty list of smart-city, healthcare, industrial, balanced, got \["mars"\]/);
  assert.throws(() => new SparkIotMetaEnv({ lowerPolicy: new WeightReadingStub(), workloadVariationScenarios: [] }), /non-empty list/);
  const env = new SparkIotMetaEnv({ lowerPolicy: new WeightReadingStub(), windowSteps: 2, episodeMetaSteps: 1, workloadVariationShare: 1, workloadVariationScenarios: ['smart-city', 'industrial'], metaContextFeatures: 'scenario+volatility' });
  assert.equal(env.observationSpace.shape[0], 16);
  const seen = new Set<string>();
  for (let e = 0; e < 24; e++) {
    const r = env.reset(e === 0 ? { seed: 9 } : {});
    assert.equal(r.obs.length, 16);
    const ep = env.episode!;
    seen.add(`${ep.scenario}:${ep.workload ? 'varied' : 'plain'}`);
    assert.equal(ep.workload !== undefined, ep.scenario === 'smart-city' || ep.scenario === 'industrial', `${ep.scenario}`);
  }
  assert.ok(seen.has('healthcare:plain') && seen.has('smart-city:varied'), [...seen].join(', '));
});

test('without a mode schedule the policy assumes the normal mode, the full budget and the scenario\'s budget rate', () => {
  const config = loadConfig();
  const seen: number[][] = [];
  const policy = new HierarchicalPolicy({ id: 'h', windowSteps: 5, lower: new WeightReadingStub(), meta: (o) => (seen.push(Array.from(o)), [1, 1, 1]) });
  const env = new SparkIotEnv({ scenario: 'healthcare', maxSteps: 6 });
  let r = env.reset({ seed: 2 });
  policy.reset(2);
  for (let t = 0; t < 6; t++) {
    const s = env.stepAction(policy.act(r.obs, (r.info as unknown as SparkIotInfo).context));
    r = { obs: s.obs, info: s.info };
  }
  assert.equal(seen.length, 2);
  for (const o of seen) {
    assert.deepEqual(o.slice(0, 4), [1, 0, 0, 1], 'normal one-hot, full budget');
    assert.ok(Math.abs(o[13]! - config.scenarios.healthcare.budgetUsdPerHour / 10) < 1e-6, `budget rate feature ${o[13]}`);
  }
});
