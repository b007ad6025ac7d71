import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action, EdgeForecast, SystemSnapshot } from '../core/types.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { RestartGatedPolicy } from './restart-gated.ts';
import type { Policy, PolicyContext } from './types.ts';

const START: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };

/** A policy that always proposes `next(context)`. */
function proposing(next: (ctx: PolicyContext) => Action): Policy & { resets: number } {
  return {
    id: 'stub',
    resets: 0,
    reset() {
      this.resets++;
    },
    act: (_obs, ctx) => next(ctx),
  };
}

function context(tSeconds: number, current: Action, snapshot: Partial<SystemSnapshot>, burstProbability: number): PolicyContext {
  const forecast: EdgeForecast = { predictedRateMsgsPerS: snapshot.arrivalRateMsgsPerS ?? 0, burstProbability, horizonS: 40, gatewayId: 'all' };
  return { snapshot: { tSeconds, ...snapshot } as SystemSnapshot, forecast, currentAction: current, scenario: 'balanced' } as PolicyContext;
}

// 3 executors spilling at 1.6x their 4 GB serve about half of the 10,000 msgs/s arriving; 8 GB would fit them
// (the same world as the actuator's gate test, src/runtime/spark/k8s-actuator.test.ts).
const SPILLING = { arrivalRateMsgsPerS: 10_000, memoryUtilization: 1.6, memoryPerExecutorGb: 4, meanMessageBytes: 1000 };
const obs = new Float32Array(13);

test('a restart that pays passes whole; the next one inside the minimum interval is deferred: executors go through, memory, codec and tier stay', () => {
  let proposal: Action = { ...START, memoryGb: 8 };
  const gated = new RestartGatedPolicy(proposing(() => proposal));
  gated.reset(1);
  assert.deepEqual(gated.act(obs, context(100, START, SPILLING, 0.05)), { ...START, memoryGb: 8 });
  assert.match(gated.explain().join(' '), /^restart: gain/);
  proposal = { executors: 9, memoryGb: 7, tier: 'redis', codec: 'zstd' };
  const deferred = gated.act(obs, context(200, { ...START, memoryGb: 8 }, SPILLING, 0.05));
  assert.deepEqual(deferred, { executors: 9, memoryGb: 8, tier: 'nvme', codec: 'lz4' });
  assert.match(gated.explain().join(' '), /last restart 100 s ago/);
  assert.equal(gated.proposedRestarts, 2);
  assert.equal(gated.allowedRestarts, 1);
});

test('no restart while a burst is likely, and none for a change that does not pay; proposals without a restart-class change pass untouched', () => {
  const gated = new RestartGatedPolicy(proposing((ctx) => ({ ...ctx.currentAction, memoryGb: 8, executors: 5 })));
  gated.reset(1);
  assert.deepEqual(gated.act(obs, context(100, START, SPILLING, 0.9)), { ...START, executors: 5 });
  assert.match(gated.explain().join(' '), /burst probability 0\.90/);
  // Executors that fit their memory gain nothing from more of it.
  const fits = { ...SPILLING, memoryUtilization: 0.5 };
  assert.deepEqual(gated.act(obs, context(5000, START, fits, 0.05)), { ...START, executors: 5 });
  assert.match(gated.explain().join(' '), /gain .* <= cost/);
  const live = new RestartGatedPolicy(proposing((ctx) => ({ ...ctx.currentAction, executors: 12 })));
  live.reset(1);
  assert.deepEqual(live.act(obs, context(100, START, SPILLING, 0.9)), { ...START, executors: 12 });
  assert.deepEqual(live.explain(), []);
  assert.equal(live.proposedRestarts, 0);
});

test('reset starts a new application: the inner policy is reset and the minimum interval does not carry over', () => {
  const inner = proposing(() => ({ ...START, memoryGb: 8 }));
  const gated = new RestartGatedPolicy(inner);
  gated.reset(1);
  assert.equal(gated.act(obs, context(100, START, SPILLING, 0.05)).memoryGb, 8);
  assert.equal(gated.act(obs, context(110, START, SPILLING, 0.05)).memoryGb, 4, 'inside the interval');
  gated.reset(2);
  assert.equal(inner.resets, 2);
  assert.equal(gated.allowedRestarts, 0);
  assert.equal(gated.act(obs, context(110, START, SPILLING, 0.05)).memoryGb, 8, 'a new run');
});

test('an unknown scenario is named, not guessed', () => {
  const gated = new RestartGatedPolicy(proposing(() => ({ ...START, memoryGb: 8 })));
  gated.reset(1);
  assert.throws(() => gated.act(obs, { ...context(100, START, SPILLING, 0.05), scenario: 'mars' }), /the env says "mars"/);
});

test("in the simulator's spark-k8s target, a policy that changes its codec every step restarts the application every step; behind the gate it does not", () => {
  const run = (gate: boolean) => {
    const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 120, target: 'spark-k8s' });
    let { obs: o, info } = env.reset({ seed: 11 });
    // 14 executors keep the balanced scenario inside its SLA when nothing restarts (src/cli/bench-target.test.ts).
    const flipper = proposing((ctx) => ({ ...ctx.currentAction, executors: 14, codec: ctx.currentAction.codec === 'zstd' ? 'lz4' : 'zstd' }));
    const policy: Policy = gate ? new RestartGatedPolicy(flipper) : flipper;
    policy.reset(11);
    let violations = 0;
    const executors: number[] = [];
    for (let t = 0; t < 120; t++) {
      const ctx = (info as unknown as SparkIotInfo).context;
      const action = policy.act(o, ctx);
      executors.push(action.executors);
      const r = env.stepAction(action);
      o = r.obs;
      info = r.info;
      violations += (r.info as unknown as SparkIotInfo).record!.slaViolated ? 1 : 0;
    }
    return { restarts: env.restartCount, violations, executors };
  };
  const ungated = run(false);
  const gated = run(true);
  assert.ok(ungated.restarts >= 100, `ungated restarts ${ungated.restarts}`);
  // 120 steps of 10 s with at most one restart per 600 s.
  assert.ok(gated.restarts <= 2, `gated restarts ${gated.restarts}`);
  assert.ok(gated.violations < ungated.violations, `violations gated ${gated.violations}, ungated ${ungated.violations}`);
  assert.ok(gated.executors.every((n) => n === 14), 'executor counts are never held back');
});

test('the gate follows the scenario in force: without a message size from the engine it sizes capacity with that scenario\'s messages', () => {
  // 3 executors at 4 GB spilling, 5,000 msgs/s, no measured message size: with smart-city's 600-byte messages
  // more memory does not pay its restart; with industrial's 2,000-byte messages it does (RestartGate.capacityMsgsPerS).
  const world = { ...SPILLING, arrivalRateMsgsPerS: 5_000, meanMessageBytes: 0 };
  const gated = new RestartGatedPolicy(proposing((ctx) => ({ ...ctx.currentAction, memoryGb: 8 })));
  gated.reset(1);
  assert.equal(gated.act(obs, { ...context(100, START, world, 0.05), scenario: 'smart-city' }).memoryGb, 4);
  assert.match(gated.explain().join(' '), /gain .* <= cost/);
  assert.equal(gated.act(obs, { ...context(110, START, world, 0.05), scenario: 'industrial' }).memoryGb, 8, 'the gate was rebuilt for industrial');
  assert.match(gated.explain().join(' '), /^restart: gain/);
});
