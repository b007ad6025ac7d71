import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, loadConfig } from '../core/config.ts';
import { PhaseObjective, violatesModeSla, modeObjective, modeSwitchSchedule, phaseIndexAt, singleModeSchedule, validateSchedule, windowStats } from './modes.ts';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('mode objectives: golden values of the documented formulas', () => {
  const m = DEFAULT_CONFIG.modes;
  // normal: J = -(c + 2v) - 10 max(0, v - 0.01)
  close(modeObjective(m.normal, { violationRate: 0.005, costOverBudget: 0.5 }), -0.51);
  close(modeObjective(m.normal, { violationRate: 0.1, costOverBudget: 0.5 }), -0.7 - 10 * 0.09);
  // budget: J = -c - 10 max(0, v - 0.1)
  close(modeObjective(m.budget, { violationRate: 0.1, costOverBudget: 0.4 }), -0.4);
  close(modeObjective(m.budget, { violationRate: 0.3, costOverBudget: 0.4 }), -0.4 - 10 * 0.2);
  // critical: J = -2v - 10 max(0, c - 1) (a violating step weighs as in the normal mode, since session 27)
  close(modeObjective(m.critical, { violationRate: 0.2, costOverBudget: 0.9 }), -0.4);
  close(modeObjective(m.critical, { violationRate: 0.2, costOverBudget: 1.5 }), -0.4 - 5);
  assert.throws(() => modeObjective(m.normal, { violationRate: 1.5, costOverBudget: 0 }), /violationRate must be in \[0, 1\]/);
  assert.throws(() => modeObjective(m.normal, { violationRate: 0, costOverBudget: -1 }), /costOverBudget/);
});

test('modes are configurable through the zod config, with key paths in errors', () => {
  assert.equal(loadConfig({ modes: { budget: { maxSlaViolationRate: 0.05 } } }).modes.budget.maxSlaViolationRate, 0.05);
  assert.throws(() => loadConfig({ modes: { budget: { maxSlaViolationRate: 2 } } }), /modes\.budget\.maxSlaViolationRate/);
  assert.throws(() => loadConfig({ modes: { panic: {} } } as never), /modes/);
});

test('windowStats: violation share under the mode\'s SLA and mean cost rate over the budget rate', () => {
  const m = DEFAULT_CONFIG.modes;
  const row = (p95LatencyMs: number, droppedMsgs: number, costRateUsdPerHour: number) => ({ p95LatencyMs, slaTargetMs: 4000, droppedMsgs, costRateUsdPerHour });
  const rows = [row(4500, 0, 1), row(1000, 0, 2), row(2500, 0, 3), row(1000, 5, 2)];
  // normal: target 4000 ms -> steps 0 (p95) and 3 (drops) violate.
  close(windowStats(rows, 4, m.normal).violationRate, 0.5);
  close(windowStats(rows, 4, m.normal).costOverBudget, 0.5);
  // critical: half the target (2000 ms) -> step 2 violates too.
  close(windowStats(rows, 4, m.critical).violationRate, 0.75);
  assert.equal(violatesModeSla(m.critical, row(2000, 0, 0)), false, 'at the target is not over it');
  assert.throws(() => windowStats([], 1, m.normal), /no steps/);
  assert.throws(() => windowStats([row(1, 0, 1)], 0, m.normal), /budgetUsdPerHour must be > 0/);
});

test('schedules: the mode-switch story, lookups and validation errors', () => {
  const s = modeSwitchSchedule(500);
  assert.deepEqual(s.map((p) => [p.startStep, p.mode]), [[0, 'normal'], [125, 'budget'], [250, 'critical'], [375, 'normal']]);
  assert.equal(s[1]!.budgetLeftFraction, 0.1);
  assert.equal(phaseIndexAt(s, 0), 0);
  assert.equal(phaseIndexAt(s, 124), 0);
  assert.equal(phaseIndexAt(s, 125), 1);
  assert.equal(phaseIndexAt(s, 499), 3);
  assert.equal(modeSwitchSchedule(2).length, 2, 'phases that would be empty are dropped');
  assert.deepEqual(singleModeSchedule('budget'), [{ startStep: 0, mode: 'budget', budgetLeftFraction: 0.1 }]);
  assert.throws(() => validateSchedule([], 'x'), /x: a mode schedule needs at least one phase/);
  assert.throws(() => validateSchedule([{ startStep: 3, mode: 'normal' }], 'x'), /first phase must start at step 0/);
  assert.throws(() => validateSchedule([{ startStep: 0, mode: 'panic' as never }], 'x'), /x: phase 0: unknown mode "panic"/);
  assert.throws(() => validateSchedule([{ startStep: 0, mode: 'normal' }, { startStep: 0, mode: 'budget' }], 'x'), /phase 1 starts at 0, not after phase 0/);
  assert.throws(() => validateSchedule([{ startStep: 0, mode: 'budget', budgetLeftFraction: 1.2 }], 'x'), /budgetLeftFraction must be in \[0, 1\]/);
});

test('PhaseObjective: the increments of a run add up to the sum over phases of n * J (caps over whole phases)', () => {
  const m = DEFAULT_CONFIG.modes;
  const p = new PhaseObjective(m);
  // Budget phase: 10 steps, 2 violations (20 % > the 10 % cap), cost 0.5 each; then a critical phase of 5 steps.
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += p.add('budget', i < 2, 0.5);
  close(sum, 10 * modeObjective(m.budget, { violationRate: 0.2, costOverBudget: 0.5 }));
  close(sum, 10 * (-0.5 - 10 * 0.1));
  for (let i = 0; i < 5; i++) sum += p.add('critical', i === 0, 1.2);
  close(sum, 10 * (-0.5 - 1) + 5 * modeObjective(m.critical, { violationRate: 0.2, costOverBudget: 1.2 }));
  // A step that stays under the cap while the phase total is over it pays the cap back only in part.
  const q = new PhaseObjective(m);
  close(q.add('budget', true, 0.4), -0.4 - 10 * 0.9);
  close(q.add('budget', false, 0.4), 2 * (-0.4 - 10 * 0.4) - (-0.4 - 10 * 0.9));
});
