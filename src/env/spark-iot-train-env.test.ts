import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envIds, makeEnv } from './registry.ts';
import { SparkIotTrainEnv, TRAIN_SEED_BASE } from './spark-iot-train-env.ts';
import { SCENARIOS } from './spark-iot-types.ts';
import type { SparkIotInfo } from './spark-iot-types.ts';

test('registry: SparkIot, SparkIot-v1 and SeedCompat-v0 are registered without other imports', () => {
  for (const id of ['SparkIot', 'SparkIot-v1', 'SeedCompat-v0', 'CartPole-v1']) assert.ok(envIds().includes(id), id);
  const env = makeEnv('SparkIot', { maxSteps: 3 });
  assert.deepEqual(env.actionSpace.kind === 'multi-discrete' ? [...env.actionSpace.nvec] : null, [20, 8, 4, 3]);
  let r = env.reset({ seed: 1 });
  assert.equal(r.obs.length, 27);
  let steps = 0;
  for (;;) {
    const s = env.step([3, 3, 1, 1]);
    steps++;
    if (s.truncated) {
      assert.deepEqual((s.info['episode'] as { l: number }).l, 3, 'RecordEpisodeStatistics wraps it');
      break;
    }
  }
  assert.equal(steps, 3);
  r = makeEnv('SeedCompat-v0').reset({ seed: 1 });
  assert.equal(r.obs.length, 13);
  assert.throws(() => makeEnv('SparkIot', { scenarioo: 'x' }), /SparkIot: unknown option 'scenarioo'/);
  assert.throws(() => makeEnv('SparkIot', { scenario: 'mars' }), /option scenario must be 'mixed' or one of/);
  assert.throws(() => makeEnv('SparkIot', { scenarioWeightsShare: 2 }), /scenarioWeightsShare/);
  // Training on another world: its config overrides, checked like a --config file.
  assert.equal(new SparkIotTrainEnv({ maxSteps: 2, config: { pricing: { vcpuUsdPerHour: 1 } } }).inner.config.pricing.vcpuUsdPerHour, 1);
  assert.throws(() => makeEnv('SparkIot', { config: { pricing: { vcpuUsdPerHr: 1 } } }), /SparkIot: option config: invalid config at "pricing\.vcpuUsdPerHr"/);
  assert.throws(() => makeEnv('SparkIot', { config: 3 }), /SparkIot: option config must be an object of config overrides, got 3/);
});

test('mixed scenarios: every scenario appears, world seeds are far from tournament seeds, same seed -> same episodes', () => {
  const a = new SparkIotTrainEnv({ maxSteps: 2 });
  const b = new SparkIotTrainEnv({ maxSteps: 2 });
  const seen = new Set<string>();
  const episodesA: string[] = [];
  const episodesB: string[] = [];
  for (let k = 0; k < 40; k++) {
    const ra = k === 0 ? a.reset({ seed: 7 }) : a.reset();
    const rb = k === 0 ? b.reset({ seed: 7 }) : b.reset();
    seen.add(a.episode!.scenario);
    assert.ok(a.episode!.worldSeed >= TRAIN_SEED_BASE);
    assert.equal((ra.info as unknown as SparkIotInfo).context.scenario, a.episode!.scenario);
    episodesA.push(`${a.episode!.scenario}/${a.episode!.worldSeed}/${Array.from(ra.obs).join(',')}`);
    episodesB.push(`${b.episode!.scenario}/${b.episode!.worldSeed}/${Array.from(rb.obs).join(',')}`);
  }
  assert.deepEqual([...seen].sort(), [...SCENARIOS].sort());
  assert.deepEqual(episodesA, episodesB);
  const c = new SparkIotTrainEnv({ maxSteps: 2 });
  c.reset({ seed: 8 });
  assert.notEqual(c.episode!.worldSeed, a.episode!.worldSeed);
});

test('weights: random by default, scenario defaults in the requested share, fixed scenario and edge masking honoured', () => {
  const env = new SparkIotTrainEnv({ scenario: 'healthcare', scenarioWeightsShare: 0.5, maskEdgeFeatures: true, maxSteps: 2 });
  let defaults = 0;
  const n = 200;
  for (let k = 0; k < n; k++) {
    const r = k === 0 ? env.reset({ seed: 3 }) : env.reset();
    const info = r.info as unknown as SparkIotInfo;
    assert.equal(info.context.scenario, 'healthcare');
    assert.equal(r.obs[11], 0);
    assert.equal(r.obs[12], 0);
    if (info.weights.alpha === 0.1 && info.weights.beta === 0.8 && info.weights.gamma === 0.1) defaults++;
  }
  assert.ok(defaults > 0.35 * n && defaults < 0.65 * n, `share of default-weight episodes ${defaults}/${n}`);
  const allRandom = new SparkIotTrainEnv({ scenario: 'healthcare', maxSteps: 2 });
  const w = (allRandom.reset({ seed: 3 }).info as unknown as SparkIotInfo).weights;
  assert.notDeepEqual(w, { alpha: 0.1, beta: 0.8, gamma: 0.1 });
});

test('trainingReward swaps in the SLA penalty and latency-free fraction and equals computeReward with those constants', async () => {
  const { computeReward } = await import('../control/reward.ts');
  const plain = new SparkIotTrainEnv({ scenario: 'healthcare', maxSteps: 40 });
  const shaped = new SparkIotTrainEnv({ scenario: 'healthcare', maxSteps: 40, trainingReward: { slaPenalty: 3, latencyFreeFraction: 0.5 } });
  plain.reset({ seed: 4 });
  shaped.reset({ seed: 4 });
  let differs = 0;
  for (let t = 0; t < 40; t++) {
    const action = t < 20 ? [0, 0, 0, 0] : [12, 3, 1, 1]; // starve it first, so some steps violate the SLA
    const a = plain.step(action);
    const b = shaped.step(action);
    const rec = (a.info as unknown as SparkIotInfo).record!;
    assert.equal(a.reward, rec.reward, 'no trainingReward: the simulator reward');
    assert.deepEqual((b.info as unknown as SparkIotInfo).record, rec, 'records are the simulator\'s');
    const terms = computeReward(
      { costRateUsdPerHour: rec.costRateUsdPerHour, budgetUsdPerHour: 5, p95LatencyMs: rec.p95LatencyMs, slaP95LatencyMs: rec.slaTargetMs, processedMsgs: 0, availableMsgs: 0, droppedMsgs: rec.droppedMsgs },
      { alpha: rec.alpha, beta: rec.beta, gamma: rec.gamma },
      { slaPenalty: 3, latencyCap: 4, latencyFreeFraction: 0.5 },
    );
    const simTerms = computeReward(
      { costRateUsdPerHour: rec.costRateUsdPerHour, budgetUsdPerHour: 5, p95LatencyMs: rec.p95LatencyMs, slaP95LatencyMs: rec.slaTargetMs, processedMsgs: 0, availableMsgs: 0, droppedMsgs: rec.droppedMsgs },
      { alpha: rec.alpha, beta: rec.beta, gamma: rec.gamma },
      { slaPenalty: 1, latencyCap: 4 },
    );
    // Same cost and throughput terms, so the difference of the two rewards is the difference of the reference terms.
    assert.ok(Math.abs(b.reward - a.reward - (terms.reward - simTerms.reward)) < 1e-9, `step ${t}`);
    if (b.reward !== a.reward) differs++;
  }
  assert.ok(differs > 0);
  assert.throws(() => new SparkIotTrainEnv({ trainingReward: { latencyFreeFraction: 1 } }), /latencyFreeFraction must be a number in \[0, 1\)/);
});

test('slaPenaltyScaling service-weights scales the SLA penalty by beta + gamma, so a cost-only agent pays none', () => {
  const weights = { alpha: 0.4, beta: 0.5, gamma: 0.1 };
  const make = (scaling: 'none' | 'service-weights', w = weights) =>
    new SparkIotTrainEnv({ scenario: 'healthcare', maxSteps: 30, weights: w, trainingReward: { slaPenalty: 4.5, latencyFreeFraction: 0.5, slaPenaltyScaling: scaling } });
  const flat = make('none');
  const scaled = make('service-weights');
  const costOnlyFlat = make('none', { alpha: 1, beta: 0, gamma: 0 });
  const costOnlyScaled = make('service-weights', { alpha: 1, beta: 0, gamma: 0 });
  for (const env of [flat, scaled, costOnlyFlat, costOnlyScaled]) env.reset({ seed: 9 });
  let violated = 0;
  for (let t = 0; t < 30; t++) {
    const action = [0, 0, 0, 0]; // one executor: the SLA breaks
    const a = flat.step(action);
    const b = scaled.step(action);
    const c = costOnlyFlat.step(action);
    const d = costOnlyScaled.step(action);
    const rec = (a.info as unknown as SparkIotInfo).record!;
    assert.deepEqual((b.info as unknown as SparkIotInfo).record, rec, 'same world, same action, same record');
    // Only the penalty differs: 4.5 against 4.5 x (beta + gamma) = 2.7 on a violated step.
    assert.ok(Math.abs(b.reward - a.reward - (rec.slaViolated ? 4.5 - 2.7 : 0)) < 1e-9, `step ${t}`);
    assert.ok(Math.abs(d.reward - c.reward - (rec.slaViolated ? 4.5 : 0)) < 1e-9, `cost-only step ${t}`);
    if (rec.slaViolated) violated++;
  }
  assert.ok(violated > 0, 'the starved run violates the SLA');
  assert.throws(() => new SparkIotTrainEnv({ trainingReward: { slaPenaltyScaling: 'beta' as never } }), /slaPenaltyScaling must be one of none, service-weights, got "beta"/);
});

test('workloadVariationShare varies the arrival process in that share of episodes without moving the scenario/seed stream', () => {
  const plain = new SparkIotTrainEnv({ maxSteps: 2 });
  const varied = new SparkIotTrainEnv({ maxSteps: 2, workloadVariationShare: 0.5 });
  let variedEpisodes = 0;
  for (let k = 0; k < 60; k++) {
    if (k === 0) {
      plain.reset({ seed: 11 });
      varied.reset({ seed: 11 });
    } else {
      plain.reset();
      varied.reset();
    }
    assert.equal(varied.episode!.scenario, plain.episode!.scenario);
    assert.equal(varied.episode!.worldSeed, plain.episode!.worldSeed);
    assert.equal(plain.episode!.workload, undefined);
    if (varied.episode!.workload) variedEpisodes++;
  }
  assert.ok(variedEpisodes > 15 && variedEpisodes < 45, `about half the episodes are varied, got ${variedEpisodes} of 60`);
  assert.throws(() => makeEnv('SparkIot', { workloadVariationShare: -0.1 }), /workloadVariationShare must be a number in \[0, 1\]/);
});
