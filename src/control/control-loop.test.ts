/**
 * The ControlLoop closed around worlds we control: the simulator itself (the loop must make exactly the decisions the
 * policy makes inside SparkIotEnv: same observation, same context), and a scripted fake world whose sources fail on
 * purpose. Ticks are driven by hand; nothing depends on timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, EdgeForecast, SystemSnapshot } from '../core/types.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { createPolicy } from '../policies/registry.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import { ControlLoop, encodeDecision, nominalExecutorCapacityMsgsPerS, type ControlClock, type ControlDecision } from './control-loop.ts';
import { DryRunActuator } from './dry-run-actuator.ts';
import type { Actuator, AppliedAction, ForecastSource, MetricsSource } from './types.ts';

/** The simulator as the world: snapshot = the env's latest, apply = one env step. */
class EnvWorld implements MetricsSource, ForecastSource, Actuator {
  readonly id = 'sim';
  info: SparkIotInfo;
  obs: Float32Array;
  constructor(readonly env: SparkIotEnv, seed: number) {
    const r = env.reset({ seed });
    this.obs = r.obs;
    this.info = r.info as unknown as SparkIotInfo;
  }
  async snapshot(): Promise<SystemSnapshot> {
    return this.info.snapshot;
  }
  latest(): EdgeForecast {
    return this.info.forecast;
  }
  async apply(action: Action): Promise<AppliedAction> {
    const r = this.env.stepAction(action);
    this.obs = r.obs;
    this.info = r.info as unknown as SparkIotInfo;
    return { action: this.info.action, path: 'live', notes: [] };
  }
}

/** Wraps a policy and keeps what it was shown. */
class Recording implements Policy {
  readonly seen: Array<{ obs: number[]; ctx: PolicyContext; action: Action }> = [];
  constructor(readonly inner: Policy) {}
  get id(): string {
    return this.inner.id;
  }
  reset(seed: number): void {
    this.inner.reset(seed);
  }
  act(obs: Float32Array, ctx: PolicyContext): Action {
    const action = this.inner.act(obs, ctx);
    this.seen.push({ obs: Array.from(obs), ctx: structuredClone(ctx), action: { ...action } });
    return action;
  }
}

const manualClock = (): ControlClock & { fire: () => void; t: number; handle: unknown } => {
  const c = {
    t: 1_000_000,
    handle: null as unknown,
    fn: null as null | (() => void),
    nowMs: () => c.t,
    setInterval: (fn: () => void) => {
      c.fn = fn;
      c.handle = { id: 1 };
      return c.handle;
    },
    clearInterval: (h: unknown) => {
      if (h === c.handle) c.fn = null;
    },
    fire: () => c.fn?.(),
  };
  return c;
};

test('closed loop over the simulator: the loop decides exactly what the policy decides inside the env', async () => {
  const steps = 40;
  const scenario = 'healthcare';
  const seed = 11;
  const wide = { minExecutors: 1, maxExecutors: 20, maxExecutorStepPerInterval: 20, budgetUsd: Infinity };

  // Reference: the policy run directly on the env, as the tournament does.
  const refEnv = new SparkIotEnv({ scenario, maxSteps: steps });
  const refPolicy = new Recording(createPolicy('threshold-forecast'));
  refPolicy.reset(0);
  let r = refEnv.reset({ seed });
  for (let k = 0; k < steps; k++) {
    const info = r.info as unknown as SparkIotInfo;
    const a = refPolicy.act(r.obs, info.context);
    const s = refEnv.stepAction(a);
    r = { obs: s.obs, info: s.info };
  }

  // The same policy through the ControlLoop, the env as its world.
  const world = new EnvWorld(new SparkIotEnv({ scenario, maxSteps: steps }), seed);
  const loopPolicy = new Recording(createPolicy('threshold-forecast'));
  const loop = new ControlLoop({
    metrics: world,
    forecasts: world,
    actuator: world,
    policy: loopPolicy,
    scenario,
    limits: wide,
    initialAction: world.info.action,
    clock: manualClock(),
    log: () => undefined,
  });
  for (let k = 0; k < steps; k++) assert.ok(await loop.tick());

  assert.equal(loop.decisionCount, steps);
  assert.equal(loopPolicy.seen.length, steps);
  for (let k = 0; k < steps; k++) {
    const a = refPolicy.seen[k]!;
    const b = loopPolicy.seen[k]!;
    assert.deepEqual(b.obs, a.obs, `observation differs at step ${k}`);
    assert.deepEqual(b.ctx, a.ctx, `policy context differs at step ${k}`);
    assert.deepEqual(b.action, a.action, `action differs at step ${k}`);
  }
  // The policy actually scaled during the run (otherwise the comparison above would prove little).
  assert.ok(new Set(loopPolicy.seen.map((s) => s.action.executors)).size > 1);
  assert.equal(loop.shield.interventions, 0);
  assert.equal(nominalExecutorCapacityMsgsPerS(refEnv.config, refEnv.config.scenarios[scenario]), refEnv.executorCapacityMsgsPerS());
});

test('closed loop over the simulator: the shield limits every step and the budget stops scale-ups', async () => {
  const world = new EnvWorld(new SparkIotEnv({ scenario: 'smart-city', maxSteps: 60 }), 3);
  const always20: Policy = { id: 'always-20', reset: () => undefined, act: (_o, ctx) => ({ ...ctx.currentAction, executors: 20 }) };
  const loop = new ControlLoop({
    metrics: world, forecasts: world, actuator: world, policy: always20, scenario: 'smart-city',
    limits: { maxExecutorStepPerInterval: 2, maxExecutors: 16, budgetUsd: 0.02 },
    initialAction: { ...world.info.action, executors: 2 },
    clock: manualClock(), log: () => undefined,
  });
  const records: ControlDecision[] = [];
  loop.onDecision((d) => records.push(d));
  for (let k = 0; k < 60; k++) await loop.tick();
  assert.equal(records.length, 60);
  let prev = 2;
  let firstRefusal = -1;
  for (const [k, d] of records.entries()) {
    assert.ok(d.applied.executors - prev <= 2, `step limit broken: ${prev} -> ${d.applied.executors}`);
    assert.ok(d.applied.executors <= 16);
    if (d.shieldReasons.some((s) => s.startsWith('budget:'))) {
      if (firstRefusal < 0) firstRefusal = k;
      assert.equal(d.applied.executors, prev, 'a budget refusal keeps the executors in force');
    }
    if (firstRefusal >= 0) assert.ok(d.applied.executors <= records[firstRefusal]!.applied.executors, `scaled up at step ${k} after the budget was hit`);
    prev = d.applied.executors;
  }
  // The ramp 2, 4, 6, ... is cut before the ceiling of 16 and every later tick is refused too.
  assert.ok(firstRefusal > 0, 'the budget cap never engaged');
  assert.ok(records[firstRefusal]!.applied.executors < 16);
  assert.ok(records.slice(firstRefusal).every((d) => d.shieldReasons.some((s) => s.startsWith('budget:'))));
  assert.ok(records[firstRefusal - 1]!.projectedSpendUsd <= 0.02 && records[firstRefusal]!.spentUsd > 0);
  assert.ok(loop.spentUsd > 0);
  assert.ok(loop.shield.interventionsByRule.rate > 0);
});

test("a policy's own explanation of its decision lands in the decision record (policyNotes), empty when it gives none", async () => {
  const world = new EnvWorld(new SparkIotEnv({ scenario: 'balanced', maxSteps: 4 }), 3);
  let k = 0;
  const talkative: Policy = { id: 'talkative', reset: () => undefined, act: (_o, ctx) => ({ ...ctx.currentAction }), explain: () => (k++ % 2 === 0 ? ['held 5 executors'] : []) };
  const quiet: Policy = { id: 'quiet', reset: () => undefined, act: (_o, ctx) => ({ ...ctx.currentAction }) };
  for (const [policy, expected] of [[talkative, [['held 5 executors'], []]], [quiet, [[], []]]] as const) {
    const loop = new ControlLoop({ metrics: world, forecasts: world, actuator: world, policy, scenario: 'balanced', initialAction: world.info.action, clock: manualClock(), log: () => undefined });
    const notes: string[][] = [];
    loop.onDecision((d) => notes.push(d.policyNotes));
    await loop.tick();
    await loop.tick();
    assert.deepEqual(notes, expected);
  }
});

/** A scripted world: a rate sequence, and failures on chosen ticks. */
function fakeSnapshot(t: number, rate: number, a: Action): SystemSnapshot {
  return {
    tSeconds: t, arrivalRateMsgsPerS: rate, processedRateMsgsPerS: rate, backlogMsgs: 0, p95LatencyMs: 900,
    cpuUtilization: Math.min(1, rate / (a.executors * 400)), memoryUtilization: 0.5, executorsRunning: a.executors,
    executorsStarting: 0, executorsDraining: 0, memoryPerExecutorGb: a.memoryGb, tier: a.tier, codec: a.codec,
    shuffleBytes: rate * 10 * 300, observedReuse: 0.2, costRateUsdPerHour: a.executors * 0.23, costUsd: (a.executors * 0.23 * 10) / 3600,
    droppedMsgs: 0, meanMessageBytes: 300,
  };
}

test('failures: a failing metrics source skips the tick, a failing actuator/policy/forecast keeps the action; all counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-loop-'));
  try {
    let tick = 0;
    const failMetricsAt = new Set([2]);
    const failActuatorAt = new Set([4]);
    const failPolicyAt = new Set([6]);
    const failForecastAt = new Set([7]);
    const actuator = new DryRunActuator();
    let inForce: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
    const metrics: MetricsSource = {
      id: 'fake',
      snapshot: async () => {
        tick++;
        if (failMetricsAt.has(tick)) throw new Error('metrics endpoint down');
        return fakeSnapshot(tick * 10, 3000 * tick, inForce);
      },
    };
    const forecasts: ForecastSource = {
      latest: () => {
        if (failForecastAt.has(tick)) throw new Error('forecast topic gone');
        return { predictedRateMsgsPerS: 3000 * tick + 1000, burstProbability: 0.1, horizonS: 40, gatewayId: 'gw-1' };
      },
    };
    const flaky: Actuator = {
      id: 'flaky',
      apply: async (a) => {
        if (failActuatorAt.has(tick)) throw new Error('cluster refused');
        const applied = await actuator.apply(a);
        inForce = applied.action;
        return applied;
      },
    };
    const base = createPolicy('threshold-forecast');
    const policy: Policy = {
      id: 'flaky-threshold',
      reset: (s) => base.reset(s),
      act: (o, c) => {
        if (failPolicyAt.has(tick)) throw new Error('NaN in the network');
        return base.act(o, c);
      },
    };
    const logLines: string[] = [];
    const failures: string[] = [];
    const logPath = join(dir, 'sub', 'decisions.jsonl');
    const loop = new ControlLoop({
      metrics, forecasts, actuator: flaky, policy, scenario: 'industrial', decisionLogPath: logPath,
      clock: manualClock(), log: (l) => logLines.push(l), initialAction: inForce,
    });
    loop.on('failure', (f) => failures.push(`${f.stage}#${f.count}`));
    let throwingListenerCalls = 0;
    loop.onDecision(() => {
      throwingListenerCalls++;
      throw new Error('dashboard bug');
    });
    const results: Array<ControlDecision | null> = [];
    for (let k = 0; k < 8; k++) results.push(await loop.tick());

    assert.equal(results[1], null, 'tick 2 had no snapshot');
    assert.equal(results.filter((x) => x !== null).length, 7);
    assert.equal(loop.decisionCount, 7);
    assert.deepEqual(loop.errors, { metrics: 1, forecast: 1, policy: 1, actuator: 1, log: 0, listener: 7, internal: 0 });
    assert.deepEqual(failures, ['metrics#1', 'actuator#1', 'policy#1', 'forecast#1']);
    assert.equal(throwingListenerCalls, 7);

    const beforeActuatorFailure = results[2]!.applied;
    const actuatorFailed = results[3]!;
    assert.deepEqual(actuatorFailed.applied, beforeActuatorFailure, 'a refused actuator keeps the action in force');
    assert.equal(actuatorFailed.path, 'noop');
    assert.match(actuatorFailed.errors.join(), /actuator: cluster refused/);
    assert.notEqual(actuatorFailed.proposed.executors, beforeActuatorFailure.executors, 'the test needs a real change there');

    const policyFailed = results[5]!;
    assert.deepEqual(policyFailed.proposed, results[4]!.applied, 'a throwing policy proposes the action in force');
    const forecastFailed = results[6]!;
    assert.deepEqual(forecastFailed.forecast, results[5]!.forecast, 'a failing forecast source reuses the last forecast');

    // The log: one JSON line per decision, in order, with the DecisionRecord fields.
    const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ControlDecision);
    assert.equal(lines.length, 7);
    assert.deepEqual(lines.map((l) => l.step), [0, 1, 2, 3, 4, 5, 6]);
    for (const key of ['tSeconds', 'policy', 'snapshot', 'forecast', 'weights', 'proposed', 'applied', 'path', 'shieldReasons', 'decisionMicros']) {
      assert.ok(key in lines[0]!, `decision log row lacks ${key}`);
    }
    assert.equal(lines[2]!.path, 'noop');
    assert.deepEqual(JSON.parse(encodeDecision(loop.lastRecord!).toString('utf8')), lines[6]); // tick 4 = decision 2 (tick 2 made none)
    assert.ok(logLines.some((l) => /controller: metrics failed \(1 so far\): metrics endpoint down/.test(l)));
    assert.equal(loop.lastRecord!.step, 6);
    // The arrival rate rose every tick, and the loop followed it (what was applied grew overall).
    assert.ok(loop.currentAction!.executors > 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start/stop with an injected clock: each timer fire is one decision; stop cancels the timer', async () => {
  const clock = manualClock();
  let snapshots = 0;
  const action: Action = { executors: 2, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => (snapshots++, fakeSnapshot(snapshots, 100, action)) },
    forecasts: { latest: () => ({ predictedRateMsgsPerS: 0, burstProbability: 0, horizonS: 0, gatewayId: '' }) },
    actuator: new DryRunActuator(), policy: 'fixed', clock, log: () => undefined,
  });
  assert.equal(loop.running, false);
  loop.start();
  assert.equal(loop.running, true);
  clock.fire();
  clock.fire(); // still in flight: skipped
  await loop.tick(); // joins the decision in flight
  assert.equal(loop.decisionCount, 1);
  assert.equal(loop.skippedTicks, 1);
  clock.t += 10_000;
  clock.fire();
  await loop.stop();
  assert.equal(loop.decisionCount, 2);
  assert.equal(loop.running, false);
  clock.fire(); // the timer is cleared: nothing happens
  await new Promise((r) => setImmediate(r));
  assert.equal(loop.decisionCount, 2);
  assert.equal(loop.lastRecord!.tSeconds, 10);
  // No initialAction: the first decision read the action in force from the snapshot.
  assert.equal(loop.status().policy, 'fixed');
});

test('weights and policy can be swapped between decisions; bad input is refused with a clear message', async () => {
  const action: Action = { executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  const seen: PolicyContext[] = [];
  const spy: Policy = { id: 'spy', reset: () => undefined, act: (_o, c) => (seen.push(c), c.currentAction) };
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => fakeSnapshot(0, 100, action) },
    forecasts: { latest: () => ({ predictedRateMsgsPerS: 0, burstProbability: 0, horizonS: 0, gatewayId: '' }) },
    actuator: new DryRunActuator(), policy: spy, scenario: 'smart-city', clock: manualClock(), log: () => undefined,
  });
  await loop.tick();
  assert.deepEqual(seen[0]!.weights, { alpha: 0.9, beta: 0.05, gamma: 0.05 }, "the scenario's weights by default");
  loop.setWeights({ alpha: 0.2, beta: 0.7, gamma: 0.1 });
  await loop.tick();
  assert.deepEqual(seen[1]!.weights, { alpha: 0.2, beta: 0.7, gamma: 0.1 });
  assert.deepEqual(loop.lastRecord!.weights, { alpha: 0.2, beta: 0.7, gamma: 0.1 });
  loop.setPolicy('dexter-hpa');
  await loop.tick();
  assert.equal(loop.lastRecord!.policy, 'dexter-hpa');
  assert.throws(() => loop.setWeights({ alpha: -1, beta: 0, gamma: 0 }), /setWeights: weights must be/);
  assert.throws(() => loop.setPolicy('nope'), /unknown policy 'nope'/);
  assert.throws(
    () => new ControlLoop({ metrics: { id: 'm', snapshot: async () => fakeSnapshot(0, 1, action) }, forecasts: { latest: () => seen[0]!.forecast }, actuator: new DryRunActuator(), policy: 'fixed', scenario: 'mars' }),
    /unknown scenario 'mars'/,
  );
  assert.throws(
    () => new ControlLoop({ metrics: { id: 'm', snapshot: async () => fakeSnapshot(0, 1, action) }, forecasts: { latest: () => seen[0]!.forecast }, actuator: new DryRunActuator(), policy: 'fixed', initialAction: { ...action, executors: 0 } }),
    /ControlLoop: initialAction: action.executors must be an integer in \[1, 20\], got 0/,
  );
});

test('a source returning garbage or a builder blowing up never rejects a tick', async () => {
  const action: Action = { executors: 2, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
  let calls = 0;
  const loop = new ControlLoop({
    metrics: { id: 'junk', snapshot: async () => (calls++ === 0 ? (undefined as unknown as SystemSnapshot) : fakeSnapshot(0, 10, action)) },
    // A forecast getter that explodes on property access inside the observation builder.
    forecasts: { latest: () => new Proxy({} as EdgeForecast, { get: () => { throw new Error('boom'); } }) },
    actuator: new DryRunActuator(), policy: 'fixed', clock: manualClock(), log: () => undefined,
  });
  assert.equal(await loop.tick(), null);
  assert.equal(loop.errors.metrics, 1);
  assert.equal(await loop.tick(), null);
  assert.equal(loop.errors.internal, 1);
  assert.equal(loop.decisionCount, 0);
});

test('the budget projection uses the injected executor price', async () => {
  let inForce: Action = { executors: 2, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
  let want = 6;
  const actuator = new DryRunActuator();
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => ({ ...fakeSnapshot(0, 10, inForce), costUsd: 0 }) },
    forecasts: { latest: () => ({ predictedRateMsgsPerS: 0, burstProbability: 0, horizonS: 0, gatewayId: '' }) },
    actuator: { id: 'a', apply: async (a) => ((inForce = a), actuator.apply(a)) },
    policy: { id: 'want', reset: () => undefined, act: (_o, c) => ({ ...c.currentAction, executors: want }) },
    // 1 USD per executor-second over a 10 s horizon: 6 executors project 60 USD, 4 project 40 USD.
    executorUsdPerS: () => 1, budgetHorizonS: 10, limits: { budgetUsd: 50, maxExecutorStepPerInterval: 10 },
    initialAction: inForce, clock: manualClock(), log: () => undefined,
  });
  const refused = (await loop.tick())!;
  assert.equal(refused.applied.executors, 2);
  assert.match(refused.shieldReasons[0]!, /projected spend 60\.0000 USD > budget 50 USD/);
  want = 4;
  const allowed = (await loop.tick())!;
  assert.equal(allowed.applied.executors, 4);
  assert.equal(allowed.projectedSpendUsd, 40);
  assert.deepEqual(allowed.shieldReasons, []);
});

test('a decision that cannot be appended (disk full) is counted and the log line names the file', { skip: existsSync('/dev/full') ? false : 'needs /dev/full (Linux)' }, async () => {
  const logLines: string[] = [];
  const loop = new ControlLoop({
    metrics: { id: 'fake', snapshot: async () => fakeSnapshot(10, 3000, { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' }) },
    forecasts: { latest: () => ({ predictedRateMsgsPerS: 3000, burstProbability: 0.1, horizonS: 40, gatewayId: 'gw-1' }) },
    actuator: new DryRunActuator(),
    policy: createPolicy('threshold-forecast'),
    scenario: 'industrial',
    decisionLogPath: '/dev/full',
    clock: manualClock(),
    log: (l) => logLines.push(l),
  });
  const decision = await loop.tick();
  assert.ok(decision !== null, 'the decision is still made and applied');
  assert.equal(loop.errors.log, 1);
  assert.ok(logLines.some((l) => l.includes('/dev/full') && /log failed/.test(l)), logLines.join('\n'));
});

// Mutation audit (src/edge, src/control): behaviours the tests above left unchecked.

const snap = (a: Action, over: Partial<SystemSnapshot> = {}): SystemSnapshot => ({
  tSeconds: 10, arrivalRateMsgsPerS: 2000, processedRateMsgsPerS: 2000, backlogMsgs: 0, p95LatencyMs: 900, cpuUtilization: 0.5,
  memoryUtilization: 0.5, executorsRunning: a.executors, executorsStarting: 0, executorsDraining: 0, memoryPerExecutorGb: a.memoryGb,
  tier: a.tier, codec: a.codec, shuffleBytes: 1e6, observedReuse: 0.2, costRateUsdPerHour: 1, costUsd: 0.01, droppedMsgs: 0, meanMessageBytes: 300,
  ...over,
});
const still: ControlClock = { nowMs: () => 0, setInterval: () => 0, clearInterval: () => undefined };
const forecast = { predictedRateMsgsPerS: 30_000, burstProbability: 0.8, horizonS: 40, gatewayId: 'gw-1' };
const spy = (seen: Array<{ obs: number[]; ctx: PolicyContext }>, propose?: (ctx: PolicyContext) => Action): Policy => ({
  id: 'spy',
  reset: () => undefined,
  act: (obs, ctx) => (seen.push({ obs: Array.from(obs), ctx: structuredClone(ctx) }), propose ? propose(ctx) : { ...ctx.currentAction }),
});

test('the action in force is what the actuator reports it applied, not what was asked', async () => {
  const asked: Action = { executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  const seen: Array<{ obs: number[]; ctx: PolicyContext }> = [];
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap(asked) },
    forecasts: { latest: () => forecast },
    // A cluster that caps executors at 3 (quota) and says so.
    actuator: { id: 'capped', apply: async (a) => ({ action: { ...a, executors: Math.min(3, a.executors) }, path: 'live', notes: ['quota: 3 executors'] }) },
    policy: spy(seen, () => asked), initialAction: { ...asked, executors: 2 }, clock: still, log: () => undefined,
  });
  const first = (await loop.tick())!;
  assert.equal(first.applied.executors, 3);
  assert.equal(loop.currentAction!.executors, 3);
  await loop.tick();
  assert.equal(seen[1]!.ctx.currentAction.executors, 3, 'the next decision starts from what is really in force');
});

test('without initialAction the action in force is read from the first snapshot: running + starting executors', async () => {
  const seen: Array<{ obs: number[]; ctx: PolicyContext }> = [];
  const a: Action = { executors: 3, memoryGb: 6, tier: 's3', codec: 'zstd' };
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap(a, { executorsStarting: 2 }) },
    forecasts: { latest: () => forecast }, actuator: new DryRunActuator(), policy: spy(seen), clock: still, log: () => undefined,
  });
  await loop.tick();
  assert.deepEqual(seen[0]!.ctx.currentAction, { executors: 5, memoryGb: 6, tier: 's3', codec: 'zstd' });
});

test('maskEdgeFeatures: the loop shows the policy zeroed edge features (the no-edge agents); the context keeps the forecast, as in SparkIotEnv', async () => {
  const seen: Array<{ obs: number[]; ctx: PolicyContext }> = [];
  const a: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  const make = (maskEdgeFeatures: boolean) =>
    new ControlLoop({
      metrics: { id: 'm', snapshot: async () => snap(a) }, forecasts: { latest: () => forecast }, actuator: new DryRunActuator(),
      policy: spy(seen), initialAction: a, maskEdgeFeatures, clock: still, log: () => undefined,
    });
  await make(true).tick();
  await make(false).tick();
  assert.deepEqual([seen[0]!.obs[11], seen[0]!.obs[12]], [0, 0]);
  assert.deepEqual(seen[0]!.ctx.forecast, forecast);
  assert.ok(seen[1]!.obs[11]! > 0 && seen[1]!.obs[12]! > 0, 'unmasked, the same forecast shows');
});

test('the policy is reset with the loop seed, at construction and on a swap', () => {
  const seeds: number[] = [];
  const p: Policy = { id: 'seeded', reset: (s) => void seeds.push(s), act: (_o, c) => c.currentAction };
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap({ executors: 1, memoryGb: 1, tier: 'nvme', codec: 'lz4' }) },
    forecasts: { latest: () => forecast }, actuator: new DryRunActuator(), policy: p, seed: 17, clock: still, log: () => undefined,
  });
  loop.setPolicy(p);
  assert.deepEqual(seeds, [17, 17]);
});

test('start() decides every controlIntervalS seconds on the clock', () => {
  const periods: number[] = [];
  const clock: ControlClock = { nowMs: () => 0, setInterval: (_fn, ms) => (periods.push(ms), 1), clearInterval: () => undefined };
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap({ executors: 1, memoryGb: 1, tier: 'nvme', codec: 'lz4' }) },
    forecasts: { latest: () => forecast }, actuator: new DryRunActuator(), policy: 'fixed', controlIntervalS: 15, clock, log: () => undefined,
  });
  loop.start();
  assert.deepEqual(periods, [15_000]);
});

test('the budget projection bills the proposed action over one control interval by default', async () => {
  const a: Action = { executors: 2, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap(a, { costUsd: 0 }) }, forecasts: { latest: () => forecast }, actuator: new DryRunActuator(),
    policy: spy([], (c) => ({ ...c.currentAction, executors: 4 })), controlIntervalS: 20, executorUsdPerS: () => 0.5,
    initialAction: a, clock: still, log: () => undefined,
  });
  const d = (await loop.tick())!;
  assert.equal(d.projectedSpendUsd, 4 * 0.5 * 20);
});

test('a snapshot with a NaN or negative cost does not poison the spend', async () => {
  const a: Action = { executors: 2, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
  const costs = [0.25, Number.NaN, -1, 0.5];
  let k = 0;
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap(a, { costUsd: costs[k++]! }) }, forecasts: { latest: () => forecast }, actuator: new DryRunActuator(),
    policy: 'fixed', initialAction: a, clock: still, log: () => undefined,
  });
  for (let i = 0; i < costs.length; i++) await loop.tick();
  assert.equal(loop.spentUsd, 0.75);
});

test('the decision is in the log before the listeners hear of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-loop-order-'));
  try {
    const path = join(dir, 'decisions.jsonl');
    const a: Action = { executors: 2, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
    const loop = new ControlLoop({
      metrics: { id: 'm', snapshot: async () => snap(a) }, forecasts: { latest: () => forecast }, actuator: new DryRunActuator(),
      policy: 'fixed', initialAction: a, decisionLogPath: path, clock: still, log: () => undefined,
    });
    const linesSeen: number[] = [];
    loop.onDecision((d) => linesSeen.push(readFileSync(path, 'utf8').trim().split('\n').filter((l) => (JSON.parse(l) as { step: number }).step === d.step).length));
    await loop.tick();
    await loop.tick();
    assert.deepEqual(linesSeen, [1, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the decision log keeps the policy's own proposal next to what the shield let through", async () => {
  const a: Action = { executors: 2, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap(a) }, forecasts: { latest: () => forecast }, actuator: new DryRunActuator(),
    policy: spy([], (c) => ({ ...c.currentAction, executors: 20 })), limits: { maxExecutorStepPerInterval: 3 },
    initialAction: a, clock: still, log: () => undefined,
  });
  const d = (await loop.tick())!;
  assert.equal(d.proposed.executors, 20);
  assert.equal(d.applied.executors, 5);
  assert.match(d.shieldReasons.join(), /executor change 2 -> 20 exceeds 3 per interval: limited to 5/);
});

test('a throwing policy proposes the action in force, even when the snapshot shows another (executors still cold-starting)', async () => {
  const inForce: Action = { executors: 6, memoryGb: 4, tier: 's3', codec: 'zstd' };
  let calls = 0;
  const loop = new ControlLoop({
    // The cluster reports 2 running and none starting yet: the snapshot lags the action in force.
    metrics: { id: 'm', snapshot: async () => snap({ ...inForce, executors: 2 }) }, forecasts: { latest: () => forecast }, actuator: new DryRunActuator(),
    policy: { id: 'broken', reset: () => undefined, act: () => { calls++; throw new Error('NaN in the network'); } },
    initialAction: inForce, clock: still, log: () => undefined,
  });
  const d = (await loop.tick())!;
  assert.equal(calls, 1);
  assert.deepEqual(d.proposed, inForce);
  assert.deepEqual(d.applied, inForce);
  assert.deepEqual(d.errors, ['policy: NaN in the network']);
});
