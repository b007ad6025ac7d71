import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import type { Action } from '../core/types.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import { streamEpisode } from '../bench/tournament.ts';
import { createPolicy } from '../policies/registry.ts';
import type { Policy } from '../policies/types.ts';
import { HierarchicalPolicy } from './hierarchical-policy.ts';
import { SLO_GUARD_DEFAULTS, SloWindow, guardWeights, sloBreached, wilsonLowerBound } from './slo-guard.ts';
import { WeightReadingStub } from './test-stubs.ts';
import { ModeScheduleEnv } from './mode-env.ts';
import type { ModePhase } from './modes.ts';
import { normalizeWeights } from './weights.ts';

test('wilsonLowerBound: the textbook values, 0 for no successes, n/(n+z^2) for all', () => {
  // 3 of 100 at z = 1.96: the Wilson interval is [0.0103, 0.0845] (Newcombe 1998, Table I style value).
  assert.ok(Math.abs(wilsonLowerBound(3, 100, 1.96) - 0.0103) < 5e-5);
  assert.equal(wilsonLowerBound(0, 50, 1.645), 0);
  assert.ok(Math.abs(wilsonLowerBound(40, 40, 1.645) - 40 / (40 + 1.645 ** 2)) < 1e-12);
  // More evidence at the same rate tightens the bound upwards.
  assert.ok(wilsonLowerBound(30, 1000, 1.645) > wilsonLowerBound(3, 100, 1.645));
  assert.throws(() => wilsonLowerBound(5, 4, 1.645), /0 <= k <= n/);
  assert.throws(() => wilsonLowerBound(0, 0, 1.645), /n > 0/);
});

test('sloBreached: only with evidence above the cap, never before minSteps, never for a cap of 1', () => {
  const modes = loadConfig().modes;
  const s = SLO_GUARD_DEFAULTS;
  assert.equal(sloBreached(modes.normal, 3, 100, s), true, '3 % of 100 steps: the lower bound is above 1 %');
  assert.equal(sloBreached(modes.normal, 2, 100, s), false, '2 % of 100 steps is not evidence of more than 1 %');
  assert.equal(sloBreached(modes.normal, 29, 29, s), false, 'fewer than minSteps steps');
  assert.equal(sloBreached(modes.normal, 30, 30, s), true);
  assert.equal(sloBreached(modes.budget, 10, 100, s), false, 'the budget mode allows 10 %');
  assert.equal(sloBreached(modes.budget, 25, 100, s), true);
  assert.equal(sloBreached(modes.critical, 100, 100, s), false, 'the critical mode caps cost, not violations');
  // It releases once the phase's rate is back within the cap with evidence gone: 3 of 400 steps.
  assert.equal(sloBreached(modes.normal, 3, 400, s), false);
});

test('SloWindow holds the last maxSteps flags of the current phase; a new mode empties it', () => {
  const w = new SloWindow(4);
  for (const v of [true, true, false, true]) w.push('normal', v);
  assert.deepEqual([w.mode, w.steps, w.violatedSteps], ['normal', 4, 3]);
  w.push('normal', false); // the oldest (true) leaves
  assert.deepEqual([w.steps, w.violatedSteps], [4, 2]);
  for (let i = 0; i < 4; i++) w.push('normal', false);
  assert.deepEqual([w.steps, w.violatedSteps], [4, 0], 'a quiet stretch as long as the window forgets every violation');
  w.push('budget', true);
  assert.deepEqual([w.mode, w.steps, w.violatedSteps], ['budget', 1, 1]);
  w.reset();
  assert.deepEqual([w.mode, w.steps, w.violatedSteps], [null, 0, 0]);
  assert.throws(() => new SloWindow(0), /maxSteps must be a positive integer/);
});

test('a long phase is judged on its last window: the guard releases after a quiet hour that a whole-phase rate would not see', () => {
  const modes = loadConfig().modes;
  const s = { ...SLO_GUARD_DEFAULTS, windowSteps: 100 };
  const w = new SloWindow(s.windowSteps);
  for (let i = 0; i < 100; i++) w.push('normal', i % 10 === 0); // 10 % violated
  assert.equal(sloBreached(modes.normal, w.violatedSteps, w.steps, s), true);
  for (let i = 0; i < 100; i++) w.push('normal', false);
  assert.equal(sloBreached(modes.normal, w.violatedSteps, w.steps, s), false, 'the window forgot them');
  assert.equal(sloBreached(modes.normal, 10, 200, s), true, 'the whole phase (10 of 200) would still hold the guard on');
});

/** Always one executor: a balanced world's load violates the SLA at once and stays violated. */
class StarvingStub implements Policy {
  readonly id = 'starving';
  readonly inner = new WeightReadingStub();
  reset(seed: number): void {
    this.inner.reset(seed);
  }
  act(obs: Float32Array, ctx: Parameters<Policy['act']>[1]): Action {
    this.inner.act(obs, ctx);
    return { executors: 1, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  }
}

function run(policy: HierarchicalPolicy, steps: number): void {
  streamEpisode(new SparkIotEnv({ scenario: 'balanced', maxSteps: steps }), policy, policy.id, 5, steps, () => {});
}

test('the guard puts the critical weights in force once the phase is over its SLO with evidence, and not before', () => {
  const lower = new StarvingStub();
  const costOnly = normalizeWeights([1, 0, 0]);
  const guarded = new HierarchicalPolicy({ id: 'g', windowSteps: 10, lower, meta: () => [1, 0, 0], sloGuard: SLO_GUARD_DEFAULTS });
  run(guarded, 60);
  const critical = guardWeights(loadConfig().modes);
  for (const d of guarded.decisions) {
    if (d.step < SLO_GUARD_DEFAULTS.minSteps) assert.deepEqual([d.weights, d.guarded], [costOnly, undefined], `step ${d.step}: the meta's weights`);
    else assert.deepEqual([d.weights, d.guarded], [critical, true], `step ${d.step}: the guard's weights`);
  }
  assert.match(guarded.explain()[0] ?? '', /^SLO guard: 59 of the last 59 steps of this normal phase violated the SLA, with evidence over its 1 % cap/);
  // The PPO was shown them.
  const seen = lower.inner.seen[SLO_GUARD_DEFAULTS.minSteps]!;
  assert.ok(Math.abs(seen.beta - Math.fround(critical.beta)) < 1e-7, `beta ${seen.beta}`);
  // Without the guard the same run keeps the meta's weights throughout.
  const plain = new HierarchicalPolicy({ id: 'p', windowSteps: 10, lower: new StarvingStub(), meta: () => [1, 0, 0] });
  run(plain, 60);
  assert.ok(plain.decisions.every((d) => d.guarded === undefined && JSON.stringify(d.weights) === JSON.stringify(costOnly)));
});

test('the shipped edge-rl runs the guard (it acts on the on/off Azure trace in healthcare) and edge-rl-no-guard does not', () => {
  const azure = '/work/shared/traces/azure-llm-2023/rate.csv'; // as the other tests on the real traces
  const guardedSteps = (id: string): number => {
    const policy = createPolicy(id) as HierarchicalPolicy;
    // A whole tournament run: the session-23 hierarchy keeps the SLA through the first 200 steps of this world.
    streamEpisode(new SparkIotEnv({ scenario: 'healthcare', maxSteps: 500, trace: azure }), policy, id, 10_000, 500, () => {});
    return policy.decisions.filter((d) => d.guarded).length;
  };
  assert.ok(guardedSteps('edge-rl') > 0, 'edge-rl: the guard acted');
  assert.equal(guardedSteps('edge-rl-no-guard'), 0);
});

test('guardWeights are the critical mode\'s defaults: 0.1 / 0.8 / 0.1', () => {
  assert.deepEqual(guardWeights(loadConfig().modes), { alpha: 0.1, beta: 0.8, gamma: 0.1 });
  const custom = loadConfig({ modes: { critical: { defaultWeights: { alpha: 0, beta: 1, gamma: 0 } } } }).modes;
  assert.deepEqual(guardWeights(custom), { alpha: 0, beta: 1, gamma: 0 });
});

test('sloBreached is the one-sided 95 % score test of the rate against the cap (z = 1.645), from 30 steps on', () => {
  const modes = loadConfig().modes;
  for (const mode of [modes.normal, modes.budget]) {
    const cap = mode.maxSlaViolationRate;
    for (const n of [30, 100, 500]) {
      for (let k = 0; k <= n; k++) {
        // The Wilson bound is above the cap exactly when the score statistic at the cap exceeds z.
        const score = (k / n - cap) / Math.sqrt((cap * (1 - cap)) / n);
        assert.equal(sloBreached(mode, k, n, SLO_GUARD_DEFAULTS), score > 1.645, `cap ${cap}, ${k} of ${n}`);
      }
    }
  }
});

test('the bound of a rate is never below 0, and a cap of 0 is breached only by a violation', () => {
  for (let n = 1; n <= 200; n++) assert.ok(wilsonLowerBound(0, n, 1.645) >= 0, `0 of ${n}`);
  const strict = { ...loadConfig().modes.normal, maxSlaViolationRate: 0 };
  assert.equal(sloBreached(strict, 0, 100, SLO_GUARD_DEFAULTS), false, 'no violation');
  assert.equal(sloBreached(strict, 1, 100, SLO_GUARD_DEFAULTS), true);
});

test('the default window holds a whole 500-step tournament phase', () => {
  const w = new SloWindow(SLO_GUARD_DEFAULTS.windowSteps);
  for (let i = 0; i < 500; i++) w.push('normal', i < 20);
  assert.deepEqual([w.steps, w.violatedSteps], [500, 20]);
  w.push('normal', false);
  assert.deepEqual([w.steps, w.violatedSteps], [500, 19], 'step 501 pushes out the first');
});

/** Runs `policy` through a ModeScheduleEnv of `steps` with `schedule` (world seed 5). */
function runModes(policy: HierarchicalPolicy, steps: number, schedule: ModePhase[]): void {
  const env = new ModeScheduleEnv({ maxSteps: steps, schedule });
  let { obs, info } = env.reset({ seed: 5 });
  policy.reset(5);
  for (let t = 0; t < steps; t++) {
    const r = env.stepAction(policy.act(obs, info.context));
    obs = r.obs;
    info = r.info;
  }
}

test('after a mode change the guard judges the new phase alone: it acts first once the new phase has run minSteps steps', () => {
  const policy = new HierarchicalPolicy({ id: 'g', windowSteps: 1, lower: new StarvingStub(), meta: () => [1, 0, 0], sloGuard: SLO_GUARD_DEFAULTS });
  runModes(policy, 100, [{ startStep: 0, mode: 'normal' }, { startStep: 50, mode: 'budget', budgetLeftFraction: 0.1 }]);
  const firstGuarded = (mode: string): number | undefined => policy.decisions.find((d) => d.mode === mode && d.guarded)?.step;
  assert.equal(firstGuarded('normal'), SLO_GUARD_DEFAULTS.minSteps);
  // The normal phase broke its SLO; the budget phase starts without evidence and has its own after 30 of its steps.
  assert.equal(policy.decisions.find((d) => d.step === 50)!.guarded, undefined, 'not at the budget phase start');
  assert.equal(firstGuarded('budget'), 50 + SLO_GUARD_DEFAULTS.minSteps);
  assert.match(policy.explain()[0] ?? '', /^SLO guard: 49 of the last 49 steps of this budget phase/);
});

test('reset starts a new run: decisions, meta observations and guard evidence of a second run are those of a fresh policy', () => {
  const record = (): { obs: number[][]; make: () => HierarchicalPolicy } => {
    const obs: number[][] = [];
    return { obs, make: () => new HierarchicalPolicy({ id: 'r', windowSteps: 4, lower: new StarvingStub(), meta: (o) => (obs.push(Array.from(o)), [1, 0, 0]), sloGuard: SLO_GUARD_DEFAULTS }) };
  };
  const schedule: ModePhase[] = [{ startStep: 0, mode: 'normal' }];
  const fresh = record();
  const once = fresh.make();
  runModes(once, 45, schedule);
  const reused = record();
  const twice = reused.make();
  runModes(twice, 45, schedule);
  reused.obs.length = 0;
  runModes(twice, 45, schedule);
  assert.deepEqual(twice.decisions, once.decisions);
  assert.deepEqual(reused.obs, fresh.obs);
});
