/**
 * Operating modes of the meta level and their objectives (docs/META.md). The parameters live in the zod config
 * (src/core/config.ts `modes`); this module holds the formulas and the mode schedules.
 *
 * Objective of a mode over a set of steps (a meta-env window, or a whole phase in the report), with
 *   c = mean cost rate over the steps / the scenario's budget rate (USD/h over USD/h)
 *   v = share of the steps that violated the mode's SLA (p95 over slaTargetFactor x the target, or any drop)
 *   J = -(costWeight * c + slaWeight * v) - penalty * (max(0, v - maxSlaViolationRate) + max(0, c - costCapOverBudget))
 * With the defaults: normal J = -(c + 2v) - 10 max(0, v - 0.01) (an SLO of 99 %); budget J = -c - 10 max(0, v - 0.1); critical J = -2v - 10 max(0, c - 1),
 * with the critical mode's v counted against half the p95 target.
 */
import type { SimConfig } from '../core/config.ts';

export const MODES = ['normal', 'budget', 'critical'] as const;
export type ModeName = (typeof MODES)[number];
export type ModeConfig = SimConfig['modes'][ModeName];

export function assertMode(name: unknown, where: string): ModeName {
  if (typeof name !== 'string' || !(MODES as readonly string[]).includes(name)) {
    throw new Error(`${where}: unknown mode ${JSON.stringify(name)} (expected one of ${MODES.join(', ')})`);
  }
  return name as ModeName;
}

export interface WindowStats {
  /** Share of steps violating the SLA, 0..1. */
  violationRate: number;
  /** Mean cost rate over the scenario budget rate. */
  costOverBudget: number;
}

/** The mode's objective J (higher is better) for one window or phase. */
export function modeObjective(mode: ModeConfig, s: WindowStats): number {
  if (!(s.violationRate >= 0 && s.violationRate <= 1)) throw new Error(`modeObjective: violationRate must be in [0, 1], got ${s.violationRate}`);
  if (!(s.costOverBudget >= 0 && Number.isFinite(s.costOverBudget))) throw new Error(`modeObjective: costOverBudget must be finite and >= 0, got ${s.costOverBudget}`);
  const excess = Math.max(0, s.violationRate - mode.maxSlaViolationRate) + Math.max(0, s.costOverBudget - mode.costCapOverBudget);
  return -(mode.costWeight * s.costOverBudget + mode.slaWeight * s.violationRate) - mode.penalty * excess;
}

/** What deciding a step's SLA violation needs (StepRecord has these fields). */
export interface StepSla {
  p95LatencyMs: number;
  /** The scenario's p95 target (ms). */
  slaTargetMs: number;
  droppedMsgs: number;
}

/** The step violates the mode's SLA: p95 over slaTargetFactor x the target, or any drop (the env's rule at factor 1). */
export function violatesModeSla(mode: ModeConfig, s: StepSla): boolean {
  return s.p95LatencyMs > mode.slaTargetFactor * s.slaTargetMs || s.droppedMsgs > 0;
}

/** Window statistics of a set of steps (StepRecord-like rows) under a mode's SLA. */
export function windowStats(steps: readonly (StepSla & { costRateUsdPerHour: number })[], budgetUsdPerHour: number, mode: ModeConfig): WindowStats {
  if (steps.length === 0) throw new Error('windowStats: no steps');
  if (!(budgetUsdPerHour > 0)) throw new Error(`windowStats: budgetUsdPerHour must be > 0, got ${budgetUsdPerHour}`);
  let violated = 0;
  let costRate = 0;
  for (const s of steps) {
    if (violatesModeSla(mode, s)) violated++;
    costRate += s.costRateUsdPerHour;
  }
  return { violationRate: violated / steps.length, costOverBudget: costRate / steps.length / budgetUsdPerHour };
}

/** One phase of a mode schedule: from `startStep` on, `mode` is active. */
export interface ModePhase {
  startStep: number;
  mode: ModeName;
  /** When set, the budget left is reset to this fraction at the phase start (e.g. "budget nearly exhausted"). */
  budgetLeftFraction?: number;
}

/** Checks a schedule: starts at step 0, strictly increasing starts, known modes, fractions in [0, 1]. */
export function validateSchedule(phases: readonly ModePhase[], where: string): ModePhase[] {
  if (!Array.isArray(phases) || phases.length === 0) throw new Error(`${where}: a mode schedule needs at least one phase`);
  phases.forEach((p, i) => {
    assertMode(p.mode, `${where}: phase ${i}`);
    if (!Number.isInteger(p.startStep) || p.startStep < 0) throw new Error(`${where}: phase ${i} startStep must be an integer >= 0, got ${p.startStep}`);
    if (i === 0 && p.startStep !== 0) throw new Error(`${where}: the first phase must start at step 0, got ${p.startStep}`);
    if (i > 0 && p.startStep <= phases[i - 1]!.startStep) throw new Error(`${where}: phase ${i} starts at ${p.startStep}, not after phase ${i - 1} (${phases[i - 1]!.startStep})`);
    if (p.budgetLeftFraction !== undefined && !(p.budgetLeftFraction >= 0 && p.budgetLeftFraction <= 1)) throw new Error(`${where}: phase ${i} budgetLeftFraction must be in [0, 1], got ${p.budgetLeftFraction}`);
  });
  return phases.map((p) => ({ ...p }));
}

/** Index of the phase active at `step`. */
export function phaseIndexAt(phases: readonly ModePhase[], step: number): number {
  let k = 0;
  while (k + 1 < phases.length && phases[k + 1]!.startStep <= step) k++;
  return k;
}

/** The benchmark's mode-switch story, as fractions of the run: normal -> budget nearly exhausted -> critical incident -> normal. */
export const MODE_SWITCH_STORY: readonly { fromFraction: number; mode: ModeName; budgetLeftFraction?: number }[] = [
  { fromFraction: 0, mode: 'normal', budgetLeftFraction: 1 },
  // [assumed] "nearly exhausted": 10 % of the run's budget left when the budget phase begins.
  { fromFraction: 0.25, mode: 'budget', budgetLeftFraction: 0.1 },
  { fromFraction: 0.5, mode: 'critical' },
  { fromFraction: 0.75, mode: 'normal' },
];

/** The mode-switch schedule for a run of `steps` control steps (phase starts rounded down; empty phases dropped). */
export function modeSwitchSchedule(steps: number): ModePhase[] {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`modeSwitchSchedule: steps must be a positive integer, got ${steps}`);
  const phases: ModePhase[] = [];
  for (const p of MODE_SWITCH_STORY) {
    const startStep = Math.floor(p.fromFraction * steps);
    const phase: ModePhase = { startStep, mode: p.mode };
    if (p.budgetLeftFraction !== undefined) phase.budgetLeftFraction = p.budgetLeftFraction;
    if (phases.length && phases[phases.length - 1]!.startStep === startStep) phases[phases.length - 1] = phase;
    else phases.push(phase);
  }
  return phases;
}

/** A whole run in one mode (the report's per-mode runs); the budget mode starts nearly exhausted as in the story. */
export function singleModeSchedule(mode: ModeName): ModePhase[] {
  return [{ startStep: 0, mode, budgetLeftFraction: mode === 'budget' ? 0.1 : 1 }];
}

/**
 * The phase objective, kept step by step: `add` returns how much one step changes n * J of its phase (n = the
 * phase's steps so far). Summed over a run, the increments are sum over phases of n_phase * J_phase, so the
 * meta-env's rewards (increments / K) add up to the report's combined objective times N / K: training and
 * evaluation score the same thing, including the SLA and cost caps that are defined over a whole phase.
 */
export class PhaseObjective {
  private mode: ModeName | null = null;
  private steps = 0;
  private violated = 0;
  private costOverBudgetSum = 0;

  constructor(private readonly modes: SimConfig['modes']) {}

  reset(): void {
    this.mode = null;
    this.steps = this.violated = this.costOverBudgetSum = 0;
  }

  /** n * J of the current phase (0 before its first step). */
  total(): number {
    if (this.mode === null || this.steps === 0) return 0;
    return this.steps * modeObjective(this.modes[this.mode], { violationRate: this.violated / this.steps, costOverBudget: this.costOverBudgetSum / this.steps });
  }

  /** One step that ran in `mode`; a new mode starts a new phase. Returns the change of n * J. */
  add(mode: ModeName, violated: boolean, costOverBudget: number): number {
    if (mode !== this.mode) {
      this.mode = mode;
      this.steps = this.violated = this.costOverBudgetSum = 0;
    }
    const before = this.total();
    this.steps++;
    if (violated) this.violated++;
    this.costOverBudgetSum += costOverBudget;
    return this.total() - before;
  }
}
