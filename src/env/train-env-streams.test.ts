/**
 * SparkIotTrainEnv's episode streams and training reward against docs/AGENT.md: world seeds 1,000,000 + U[0, 1e9)
 * (or seedBase + ...), one scenario/seed stream that no weights mode or workload variation moves, the
 * scenarioWeightsShare applying to 'random' weights only, the episode record describing the world actually run, each
 * trainingReward constant on its own, and the option checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv } from './spark-iot-env.ts';
import { SparkIotTrainEnv, TRAIN_SEED_BASE, parseSparkIotTrainOptions, type SparkIotTrainEnvOptions } from './spark-iot-train-env.ts';
import type { SparkIotInfo, StepRecord } from './spark-iot-types.ts';

const infoOf = (info: unknown) => info as SparkIotInfo;

function episodes(options: SparkIotTrainEnvOptions, seed: number, n: number): { scenario: string; worldSeed: number; weights: unknown; workload: unknown }[] {
  const env = new SparkIotTrainEnv({ maxSteps: 1, ...options });
  const out = [];
  for (let k = 0; k < n; k++) {
    const r = k === 0 ? env.reset({ seed }) : env.reset();
    out.push({ scenario: env.episode!.scenario, worldSeed: env.episode!.worldSeed, weights: infoOf(r.info).weights, workload: env.episode!.workload });
  }
  return out;
}

test('world seeds are seedBase + U[0, 1e9), seedBase 1,000,000 by default', () => {
  assert.equal(TRAIN_SEED_BASE, 1_000_000);
  const plain = episodes({}, 21, 40);
  const based = episodes({ seedBase: 5 }, 21, 40);
  for (let k = 0; k < 40; k++) {
    assert.equal(plain[k]!.worldSeed - 1_000_000, based[k]!.worldSeed - 5, `episode ${k}: same draw, another base`);
    assert.ok(plain[k]!.worldSeed >= 1_000_000 && plain[k]!.worldSeed < 1_000_000 + 1e9, `episode ${k}: ${plain[k]!.worldSeed}`);
    assert.ok(Number.isInteger(plain[k]!.worldSeed));
  }
});

test('the scenario / world-seed stream is the same whatever the weights mode or share', () => {
  const key = (e: { scenario: string; worldSeed: number }) => `${e.scenario}/${e.worldSeed}`;
  const reference = episodes({}, 8, 30).map(key);
  for (const options of [{ weights: 'scenario' }, { weights: { alpha: 0.2, beta: 0.3, gamma: 0.5 } }, { scenarioWeightsShare: 0.7 }] as SparkIotTrainEnvOptions[]) {
    assert.deepEqual(episodes(options, 8, 30).map(key), reference, JSON.stringify(options));
  }
});

test("scenarioWeightsShare applies to 'random' weights only: fixed weights stay fixed", () => {
  const fixed = { alpha: 0.2, beta: 0.3, gamma: 0.5 };
  for (const e of episodes({ scenario: 'healthcare', weights: fixed, scenarioWeightsShare: 1 }, 4, 10)) assert.deepEqual(e.weights, fixed);
  for (const e of episodes({ scenario: 'healthcare', scenarioWeightsShare: 1 }, 4, 10)) assert.deepEqual(e.weights, { alpha: 0.1, beta: 0.8, gamma: 0.1 });
});

test('reset({seed}) restarts the workload-variation stream too: the same seed gives the same varied episodes', () => {
  const env = new SparkIotTrainEnv({ maxSteps: 1, workloadVariationShare: 0.5 });
  const run = () => {
    const out: string[] = [];
    for (let k = 0; k < 12; k++) {
      if (k === 0) env.reset({ seed: 13 });
      else env.reset();
      out.push(JSON.stringify(env.episode));
    }
    return out;
  };
  const first = run();
  assert.ok(first.some((e) => e.includes('workload')) && first.some((e) => !e.includes('workload')), 'both kinds of episode');
  assert.deepEqual(run(), first);
});

test('the episode record describes the world run: its scenario and workload variation reach the simulator', () => {
  const env = new SparkIotTrainEnv({ maxSteps: 1, workloadVariationShare: 1 });
  let differs = 0;
  for (let k = 0; k < 6; k++) {
    // Reset options cannot override the episode's scenario or weights mode.
    const r = env.reset(k === 0 ? { seed: 2, options: { scenario: 'healthcare', weights: 'scenario' } } : { options: { scenario: 'healthcare', weights: 'scenario' } });
    const { scenario, worldSeed, workload } = env.episode!;
    assert.ok(workload);
    assert.equal(infoOf(r.info).context.scenario, scenario);
    assert.notDeepEqual(infoOf(r.info).weights, env.inner.config.scenarios[scenario].defaultWeights, 'random weights');
    if (scenario !== 'healthcare') differs++;
    const sim = new SparkIotEnv({ scenario, maxSteps: 1 });
    sim.reset({ seed: worldSeed, options: { workload } });
    assert.deepEqual(Array.from(env.inner.exogenous().arrivalsMsgs), Array.from(sim.exogenous().arrivalsMsgs), `episode ${k}: the varied world`);
    sim.reset({ seed: worldSeed });
    assert.notDeepEqual(Array.from(env.inner.exogenous().arrivalsMsgs), Array.from(sim.exogenous().arrivalsMsgs), `episode ${k}: not the plain world`);
  }
  assert.ok(differs > 0, 'some episodes drew another scenario than the one the options asked for');
});

/** Steps a starved-then-served healthcare episode and returns (training reward, record) pairs. */
function rewards(options: SparkIotTrainEnvOptions): { reward: number; rec: StepRecord }[] {
  const env = new SparkIotTrainEnv({ scenario: 'healthcare', maxSteps: 30, ...options });
  env.reset({ seed: 4 });
  const out = [];
  for (let t = 0; t < 30; t++) {
    const s = env.step(t < 15 ? [0, 0, 0, 0] : [12, 3, 1, 1]);
    out.push({ reward: s.reward, rec: infoOf(s.info).record! });
  }
  return out;
}

test('each trainingReward constant acts on its own (the record keeps the simulator reward)', () => {
  const ratio = (rec: StepRecord) => rec.p95LatencyMs / rec.slaTargetMs;
  let violated = 0;
  let latencyDiffers = 0;
  // slaPenalty alone: 3 instead of 1 on violated steps.
  for (const { reward, rec } of rewards({ trainingReward: { slaPenalty: 3 } })) {
    assert.ok(Math.abs(reward - (rec.reward - (rec.slaViolated ? 2 : 0))) < 1e-12, `slaPenalty: step ${rec.step}`);
    if (rec.slaViolated) violated++;
  }
  // latencyFreeFraction alone: only the latency term, min(4, max(0, p95/SLA - f) / (1 - f)) instead of min(4, p95/SLA).
  for (const { reward, rec } of rewards({ trainingReward: { latencyFreeFraction: 0.5 } })) {
    const sim = Math.min(4, ratio(rec));
    const train = Math.min(4, Math.max(0, ratio(rec) - 0.5) / 0.5);
    assert.ok(Math.abs(reward - (rec.reward + rec.beta * (sim - train))) < 1e-12, `latencyFreeFraction: step ${rec.step}`);
    if (sim !== train) latencyDiffers++;
  }
  // slaPenaltyScaling alone: the penalty 1 scaled by beta + gamma (0.6 here).
  const weights = { alpha: 0.4, beta: 0.5, gamma: 0.1 };
  for (const { reward, rec } of rewards({ weights, trainingReward: { slaPenaltyScaling: 'service-weights' } })) {
    assert.ok(Math.abs(reward - (rec.reward + (rec.slaViolated ? 1 - 0.6 : 0))) < 1e-12, `slaPenaltyScaling: step ${rec.step}`);
  }
  // Unnormalised weights: the scale is beta + gamma as given (1.5), not 1 - alpha.
  for (const { reward, rec } of rewards({ weights: { alpha: 0.5, beta: 1, gamma: 0.5 }, trainingReward: { slaPenalty: 2, slaPenaltyScaling: 'service-weights' } })) {
    assert.ok(Math.abs(reward - (rec.reward - (rec.slaViolated ? 2 * 1.5 - 1 : 0))) < 1e-12, `unnormalised weights: step ${rec.step}`);
  }
  assert.ok(violated > 0 && violated < 30, `violated steps ${violated}`);
  assert.ok(latencyDiffers > 0, 'the latency-free fraction changed some steps');
});

test('defaults (500 steps, embedded) and the spark-k8s target reach the simulator; bad options and seeds are refused with their name', () => {
  assert.equal(new SparkIotTrainEnv().inner.maxSteps, 500);
  assert.equal(new SparkIotTrainEnv().inner.target, 'embedded');
  assert.equal(new SparkIotTrainEnv({ target: 'spark-k8s' }).inner.target, 'spark-k8s');
  assert.doesNotThrow(() => parseSparkIotTrainOptions({ scenarioWeightsShare: 1, workloadVariationShare: 0, seedBase: 0 }));
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ scenarioWeightsShare: 1.01 }, /option scenarioWeightsShare must be a number in \[0, 1\], got 1\.01/],
    [{ maxSteps: 2.5 }, /option maxSteps must be a positive integer, got 2\.5/],
    [{ seedBase: -1 }, /option seedBase must be a non-negative integer, got -1/],
    [{ seedBase: 1.5 }, /option seedBase must be a non-negative integer, got 1\.5/],
    [{ target: 'k8s' }, /option target must be one of embedded, spark-k8s, got "k8s"/],
    [{ maskEdgeFeatures: 'yes' }, /option maskEdgeFeatures must be a boolean, got "yes"/],
    [{ weights: { alpha: -1, beta: 1, gamma: 1 } }, /option weights must be 'random', 'scenario' or \{alpha, beta, gamma\} >= 0/],
    [{ weights: 'uniform' }, /option weights must be 'random', 'scenario'/],
    [{ trainingReward: 3 }, /option trainingReward must be an object, got 3/],
    [{ trainingReward: null }, /option trainingReward must be an object, got null/],
    [{ trainingReward: { slaPenalti: 1 } }, /unknown option 'trainingReward\.slaPenalti'; known: slaPenalty, latencyFreeFraction, slaPenaltyScaling/],
    [{ trainingReward: { slaPenalty: -1 } }, /option trainingReward\.slaPenalty must be a number >= 0, got -1/],
  ];
  for (const [options, message] of bad) assert.throws(() => parseSparkIotTrainOptions(options), message, JSON.stringify(options));
  for (const seed of [Number.NaN, Infinity]) assert.throws(() => new SparkIotTrainEnv({ maxSteps: 1 }).reset({ seed }), /SparkIot\.reset: seed must be a finite number/);
});
