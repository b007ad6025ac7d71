import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import type { Policy } from '../policies/types.ts';
import { createPolicy } from '../policies/registry.ts';
import { runEpisode } from '../bench/tournament.ts';
import { ModeScheduleEnv, MODE_SWITCH_SCENARIO } from './mode-env.ts';
import { modeSwitchSchedule } from './modes.ts';
import { WeightReadingStub } from './test-stubs.ts';

const STEPS = 40;
const modes = loadConfig().modes;

/** One mode-switch run: the world (arrivals, bursts) and the mode story each step's policy was shown. */
function trace(policy: Policy, seed: number): { arrivals: number[]; modes: string[]; budgetLeft: number[]; weights: number[][]; scenario: string[] } {
  const env = new ModeScheduleEnv({ maxSteps: STEPS, recordScenario: MODE_SWITCH_SCENARIO });
  let { obs, info } = env.reset({ seed });
  policy.reset(seed);
  const out = { arrivals: [] as number[], modes: [] as string[], budgetLeft: [] as number[], weights: [] as number[][], scenario: [] as string[] };
  for (let t = 0; t < STEPS; t++) {
    out.modes.push(info.context.mode!.mode);
    out.budgetLeft.push(info.context.mode!.budgetLeftFraction);
    out.weights.push([obs[6]!, obs[7]!, obs[8]!]);
    const r = env.stepAction(policy.act(obs, info.context));
    out.arrivals.push(r.info.record!.arrivalRateMsgsPerS);
    out.scenario.push(r.info.record!.scenario);
    obs = r.obs;
    info = r.info;
  }
  return out;
}

test('mode-switch: every policy faces the identical world and the identical mode story', () => {
  const a = trace(createPolicy('threshold-forecast'), 10_000);
  const b = trace(createPolicy('fixed'), 10_000);
  const c = trace(new WeightReadingStub(), 10_000);
  assert.deepEqual(a.arrivals, b.arrivals);
  assert.deepEqual(a.arrivals, c.arrivals);
  assert.deepEqual(a.modes, b.modes);
  assert.deepEqual(a.modes, c.modes);
  const expected = modeSwitchSchedule(STEPS);
  for (let t = 0; t < STEPS; t++) {
    const k = expected.filter((p) => p.startStep <= t).length - 1;
    assert.equal(a.modes[t], expected[k]!.mode, `mode at step ${t}`);
    // The mode's weights are in force and shown in the observation from the phase's first step.
    const w = modes[expected[k]!.mode].defaultWeights;
    assert.deepEqual(a.weights[t], [Math.fround(w.alpha), Math.fround(w.beta), Math.fround(w.gamma)], `weights at step ${t}`);
  }
  assert.ok(a.scenario.every((s) => s === MODE_SWITCH_SCENARIO));
  // Budget left: full at the start, 10 % when the budget phase begins, then it only goes down.
  assert.equal(a.budgetLeft[0], 1);
  assert.ok(Math.abs(a.budgetLeft[10]! - 0.1) < 1e-12);
  for (let t = 11; t < STEPS; t++) assert.ok(a.budgetLeft[t]! <= a.budgetLeft[t - 1]!);
  // A different seed is a different world.
  assert.notDeepEqual(trace(createPolicy('fixed'), 10_001).arrivals, a.arrivals);
});

test('the tournament runs the mode-switch env and hands the mode to policies through context.mode', () => {
  const seen: string[] = [];
  const spy: Policy = { id: 'spy', reset: () => {}, act: (_obs, ctx) => (seen.push(ctx.mode!.mode), { executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' }) };
  const env = new ModeScheduleEnv({ maxSteps: 8, recordScenario: MODE_SWITCH_SCENARIO });
  const records = runEpisode(env, spy, 'spy', 10_000, 8);
  assert.equal(records.length, 8);
  assert.deepEqual(seen, ['normal', 'normal', 'budget', 'budget', 'critical', 'critical', 'normal', 'normal']);
  // The record carries the weights of the step's mode.
  assert.equal(records[2]!.alpha, modes.budget.defaultWeights.alpha);
  assert.equal(records[4]!.beta, modes.critical.defaultWeights.beta);
});

test('bad input is named', () => {
  assert.throws(() => new ModeScheduleEnv({ maxSteps: 0 }), /maxSteps must be a positive integer/);
  assert.throws(() => new ModeScheduleEnv({ maxSteps: 10, schedule: [{ startStep: 1, mode: 'normal' }] }), /first phase must start at step 0/);
});

test("the run's budget is the budget rate x N x the interval; the budget left falls by each step's cost, from full when the first phase names no share", () => {
  const steps = 20;
  const env = new ModeScheduleEnv({ scenario: 'healthcare', maxSteps: steps, schedule: [{ startStep: 0, mode: 'normal' }] });
  let { info } = env.reset({ seed: 3 });
  const budgetUsd = (loadConfig().scenarios.healthcare.budgetUsdPerHour * steps * env.inner.controlIntervalS) / 3600;
  assert.equal(info.context.mode!.budgetLeftFraction, 1);
  let spent = 0;
  for (let t = 0; t < steps; t++) {
    const r = env.stepAction({ executors: 6, memoryGb: 8, tier: 'nvme', codec: 'lz4' });
    spent += r.info.record!.costUsd;
    assert.ok(r.info.record!.costUsd > 0);
    const want = Math.max(0, 1 - spent / budgetUsd);
    assert.ok(Math.abs(r.info.context.mode!.budgetLeftFraction - want) < 1e-9, `step ${t}: ${r.info.context.mode!.budgetLeftFraction} vs ${want}`);
    info = r.info;
  }
  assert.ok(info.context.mode!.budgetLeftFraction < 1, 'something was spent');
});

test("a schedule that starts in the budget mode puts the budget weights in force from the first step; at a phase start the context shows the new weights", () => {
  const env = new ModeScheduleEnv({ maxSteps: 6, schedule: [{ startStep: 0, mode: 'budget', budgetLeftFraction: 0.2 }, { startStep: 3, mode: 'critical' }] });
  const w = loadConfig().modes;
  const r0 = env.reset({ seed: 1 });
  const shown = (obs: Float32Array): number[] => [obs[6]!, obs[7]!, obs[8]!];
  const f = (x: { alpha: number; beta: number; gamma: number }): number[] => [Math.fround(x.alpha), Math.fround(x.beta), Math.fround(x.gamma)];
  assert.deepEqual(shown(r0.obs), f(w.budget.defaultWeights));
  assert.deepEqual(r0.info.context.weights, w.budget.defaultWeights);
  assert.ok(Math.abs(r0.info.context.mode!.budgetLeftFraction - 0.2) < 1e-12);
  let r = env.stepAction({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  assert.equal(r.info.record!.alpha, w.budget.defaultWeights.alpha, 'the first step ran with the budget weights');
  for (let t = 1; t < 3; t++) r = env.stepAction({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  // The context of the critical phase's first step.
  assert.equal(r.info.context.mode!.mode, 'critical');
  assert.deepEqual(r.info.context.weights, w.critical.defaultWeights);
  assert.deepEqual(shown(r.obs), f(w.critical.defaultWeights));
});

test('a reset starts the schedule again from its first phase', () => {
  const env = new ModeScheduleEnv({ maxSteps: 4, schedule: [{ startStep: 0, mode: 'normal' }, { startStep: 2, mode: 'critical' }] });
  for (let episode = 0; episode < 2; episode++) {
    const seen = [env.reset({ seed: episode }).info.mode];
    for (let t = 0; t < 4; t++) seen.push(env.stepAction({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'lz4' }).info.mode);
    assert.deepEqual(seen.slice(0, 4), ['normal', 'normal', 'critical', 'critical'], `episode ${episode}`);
  }
});
