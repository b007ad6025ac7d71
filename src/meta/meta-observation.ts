/**
 * The meta-controller's observation, built the same way in the meta-env (training) and in the hierarchical policy
 * (tournament, live): from the PolicyContexts of the last K control steps and the mode context. No oracle: the burst
 * statistics come from the edge forecast the gateways published (context.forecast), never from ground truth.
 *
 *  i  feature                  value (all clipped to [0, 1])
 *  0  mode_normal              1 if the mode is normal
 *  1  mode_budget              1 if the mode is budget
 *  2  mode_critical            1 if the mode is critical
 *  3  budget_left              share of the run's budget unspent
 *  4  sla_violation_rate       share of the window's steps violating the current mode's SLA (src/meta/modes.ts)
 *  5  cost_over_budget         mean cost rate over the window / scenario budget rate, / 2 (so 1 = twice the budget)
 *  6  burst_prob_mean          mean edge burst probability over the window
 *  7  burst_prob_max           max edge burst probability over the window
 *  8  predicted_rate           latest edge-predicted arrival rate / rate scale
 *  9  arrival_rate             latest arrival rate / rate scale
 * 10  phase_violation_rate     share of the current mode phase's steps so far violating the SLA (0 at a phase start)
 * 11  phase_cost_over_budget   the phase's mean cost rate so far / budget rate, / 2
 * 12  sla_target               the scenario's p95 target / 10 s (public configuration: tells the worlds apart)
 * 13  budget_rate              the scenario's budget rate / 10 USD/h
 *     The context features (MetaContextFeatures, a meta-env option recorded in the checkpoint) choose what follows 11:
 *     'scenario' (default, the shipped meta-controllers) is 12-13 above; 'volatility' (session 12's experiment)
 *     puts the two below in 12-13 instead; 'scenario+volatility' keeps 12-13 and adds them as 14-15 (16 features):
 *     arrival_cv               coefficient of variation of the window's arrival rates / 2
 *     arrival_off_share        share of the last 30 steps (5 min) whose arrival rate is under a quarter of their max
 * Features 10-11 make the mode objectives' caps (computed over the whole phase) observable.
 * Features 6-8 are the edge's (EDGE_META_FEATURES): the no-edge ablation (`rl-no-edge-meta`) zeroes them, as its lower
 * PPO has features 11-12 of its own observation zeroed.
 */
import { box, type BoxSpace } from '../core/spaces.ts';
import { coefficientOfVariation } from '../core/stats.ts';
import type { SimConfig } from '../core/config.ts';
import type { PolicyContext } from '../policies/types.ts';
import { MODES, assertMode, violatesModeSla, type ModeName } from './modes.ts';

export const META_OBSERVATION_FEATURES = [
  'mode_normal',
  'mode_budget',
  'mode_critical',
  'budget_left',
  'sla_violation_rate',
  'cost_over_budget',
  'burst_prob_mean',
  'burst_prob_max',
  'predicted_rate',
  'arrival_rate',
  'phase_violation_rate',
  'phase_cost_over_budget',
  'sla_target',
  'budget_rate',
] as const;
/** The size of the default ('scenario') observation. */
export const META_OBS_SIZE = META_OBSERVATION_FEATURES.length;
/** What the meta observation holds after feature 11 (see the table above). */
export const META_CONTEXT_FEATURES = ['scenario', 'volatility', 'scenario+volatility'] as const;
export type MetaContextFeatures = (typeof META_CONTEXT_FEATURES)[number];
export const DEFAULT_META_CONTEXT_FEATURES: MetaContextFeatures = 'scenario';
/** The feature names of a variant, in order. */
export function metaObservationFeatures(variant: MetaContextFeatures = DEFAULT_META_CONTEXT_FEATURES): readonly string[] {
  const common = META_OBSERVATION_FEATURES.slice(0, 12);
  const volatility = ['arrival_cv', 'arrival_off_share'];
  if (variant === 'scenario') return META_OBSERVATION_FEATURES;
  if (variant === 'volatility') return [...common, ...volatility];
  return [...META_OBSERVATION_FEATURES, ...volatility];
}
export function metaObservationSize(variant: MetaContextFeatures = DEFAULT_META_CONTEXT_FEATURES): number {
  return metaObservationFeatures(variant).length;
}
/** The variant named by `value`, or an error naming `where` and the valid ones. */
export function assertMetaContextFeatures(value: unknown, where: string): MetaContextFeatures {
  if (!(META_CONTEXT_FEATURES as readonly unknown[]).includes(value)) throw new Error(`${where}: metaContextFeatures must be one of ${META_CONTEXT_FEATURES.map((v) => `'${v}'`).join(', ')}, got ${JSON.stringify(value)}`);
  return value as MetaContextFeatures;
}
/** The features built from the edge gateways' forecast: zeroed when the tracker masks the edge. */
export const EDGE_META_FEATURES: readonly number[] = [
  META_OBSERVATION_FEATURES.indexOf('burst_prob_mean'),
  META_OBSERVATION_FEATURES.indexOf('burst_prob_max'),
  META_OBSERVATION_FEATURES.indexOf('predicted_rate'),
];
/** Steps of arrival history behind the 'volatility' variant's on/off share (30 x 10 s = 5 min). */
export const VOLATILITY_HISTORY_STEPS = 30;
/** cost_over_budget is divided by this so twice the budget rate maps to 1. */
export const COST_FEATURE_SCALE = 2;
/** sla_target = p95 target / this (ms); budget_rate = budget / this (USD/h). */
export const SLA_FEATURE_SCALE_MS = 10_000;
export const BUDGET_FEATURE_SCALE_USD_PER_HOUR = 10;

/** Running statistics of the current mode phase (the steps that ran in it so far). */
export interface PhaseStats {
  mode: string | null;
  steps: number;
  violatedSteps: number;
  /** Sum over the steps of cost rate / budget rate. */
  costOverBudgetSum: number;
}

export function metaObservationSpace(variant: MetaContextFeatures = DEFAULT_META_CONTEXT_FEATURES): BoxSpace {
  return box(0, 1, [metaObservationSize(variant)]);
}

const clip01 = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);

interface StepView {
  p95LatencyMs: number;
  slaTargetMs: number;
  droppedMsgs: number;
  costRateUsdPerHour: number;
  burstProbability: number;
}

/**
 * Keeps the last `windowSteps` contexts and the running statistics of the current mode phase, and turns them into
 * the meta observation. `observe(ctx, stepMode)` takes the mode the snapshot's step ran in (null for the snapshot
 * after reset, which belongs to no step).
 */
export class MetaObservationTracker {
  private window: StepView[] = [];
  private lastPredictedRate = 0;
  private lastArrivalRate = 0;
  private lastSlaMs = 0;
  /** Arrival rates of the last VOLATILITY_HISTORY_STEPS steps (the 'volatility' features). */
  private arrivals: number[] = [];
  readonly phase: PhaseStats = { mode: null, steps: 0, violatedSteps: 0, costOverBudgetSum: 0 };
  /** Whether the step of the last observed snapshot violated its mode's SLA (false after reset). */
  lastStepViolated = false;
  /** Features in the observation (metaObservationSize of the variant). */
  readonly size: number;

  constructor(
    readonly windowSteps: number,
    /** Rate normalizer (msgs/s), the lower observation's (config.observation.rateScaleMsgsPerS). */
    readonly rateScaleMsgsPerS: number,
    /** The modes' SLA definitions (config.modes). */
    readonly modes: SimConfig['modes'],
    /** Zero the edge features (EDGE_META_FEATURES): the meta level of the no-edge ablation. */
    readonly maskEdge = false,
    /** What follows feature 11 (the table at the top). */
    readonly contextFeatures: MetaContextFeatures = DEFAULT_META_CONTEXT_FEATURES,
  ) {
    assertMetaContextFeatures(contextFeatures, 'MetaObservationTracker');
    this.size = metaObservationSize(contextFeatures);
    if (!Number.isInteger(windowSteps) || windowSteps < 1) throw new Error(`MetaObservationTracker: windowSteps must be a positive integer, got ${windowSteps}`);
    if (!(rateScaleMsgsPerS > 0)) throw new Error(`MetaObservationTracker: rateScaleMsgsPerS must be > 0, got ${rateScaleMsgsPerS}`);
  }

  reset(): void {
    this.window = [];
    this.lastPredictedRate = 0;
    this.lastArrivalRate = 0;
    this.lastSlaMs = 0;
    this.arrivals = [];
    Object.assign(this.phase, { mode: null, steps: 0, violatedSteps: 0, costOverBudgetSum: 0 });
    this.lastStepViolated = false;
  }

  /** Feed the context a policy is shown at a control tick (after reset, then after every step). */
  observe(ctx: PolicyContext, stepMode: string | null, budgetUsdPerHour: number): void {
    const s = ctx.snapshot;
    const sla = { p95LatencyMs: s.p95LatencyMs, slaTargetMs: ctx.slaP95LatencyMs, droppedMsgs: s.droppedMsgs };
    this.window.push({ ...sla, costRateUsdPerHour: s.costRateUsdPerHour, burstProbability: ctx.forecast.burstProbability });
    if (this.window.length > this.windowSteps) this.window.shift();
    this.lastPredictedRate = ctx.forecast.predictedRateMsgsPerS;
    this.lastArrivalRate = s.arrivalRateMsgsPerS;
    this.arrivals.push(s.arrivalRateMsgsPerS);
    if (this.arrivals.length > VOLATILITY_HISTORY_STEPS) this.arrivals.shift();
    this.lastSlaMs = ctx.slaP95LatencyMs;
    if (stepMode !== null) {
      if (stepMode !== this.phase.mode) Object.assign(this.phase, { mode: stepMode, steps: 0, violatedSteps: 0, costOverBudgetSum: 0 });
      this.phase.steps++;
      this.lastStepViolated = violatesModeSla(this.modes[assertMode(stepMode, 'MetaObservationTracker')], sla);
      if (this.lastStepViolated) this.phase.violatedSteps++;
      this.phase.costOverBudgetSum += s.costRateUsdPerHour / budgetUsdPerHour;
    }
  }

  build(mode: ModeName, budgetLeftFraction: number, budgetUsdPerHour: number, out = new Float32Array(this.size)): Float32Array {
    if (out.length !== this.size) throw new Error(`MetaObservationTracker.build: out has ${out.length} values, the '${this.contextFeatures}' observation has ${this.size}`);
    if (this.window.length === 0) throw new Error('MetaObservationTracker.build: observe() at least one context first');
    if (!(budgetUsdPerHour > 0)) throw new Error(`MetaObservationTracker.build: budgetUsdPerHour must be > 0, got ${budgetUsdPerHour}`);
    const n = this.window.length;
    let violated = 0;
    let cost = 0;
    let burstSum = 0;
    let burstMax = 0;
    const modeCfg = this.modes[mode];
    for (const v of this.window) {
      if (violatesModeSla(modeCfg, v)) violated++;
      cost += v.costRateUsdPerHour;
      burstSum += v.burstProbability;
      burstMax = Math.max(burstMax, v.burstProbability);
    }
    for (let m = 0; m < MODES.length; m++) out[m] = MODES[m] === mode ? 1 : 0;
    out[3] = clip01(budgetLeftFraction);
    out[4] = violated / n;
    out[5] = clip01(cost / n / budgetUsdPerHour / COST_FEATURE_SCALE);
    out[6] = clip01(burstSum / n);
    out[7] = clip01(burstMax);
    out[8] = clip01(this.lastPredictedRate / this.rateScaleMsgsPerS);
    out[9] = clip01(this.lastArrivalRate / this.rateScaleMsgsPerS);
    // A phase that is just starting (mode changed) has no steps yet.
    const p = this.phase.mode === mode && this.phase.steps > 0 ? this.phase : null;
    out[10] = p ? p.violatedSteps / p.steps : 0;
    out[11] = p ? clip01(p.costOverBudgetSum / p.steps / COST_FEATURE_SCALE) : 0;
    if (this.contextFeatures !== 'volatility') {
      out[12] = clip01(this.lastSlaMs / SLA_FEATURE_SCALE_MS);
      out[13] = clip01(budgetUsdPerHour / BUDGET_FEATURE_SCALE_USD_PER_HOUR);
    }
    if (this.contextFeatures !== 'scenario') {
      const at = this.contextFeatures === 'volatility' ? 12 : 14;
      const cv = coefficientOfVariation(this.arrivals.slice(-this.windowSteps));
      out[at] = Number.isNaN(cv) ? 0 : clip01(cv / 2);
      const peak = Math.max(...this.arrivals);
      out[at + 1] = peak > 0 ? this.arrivals.filter((x) => x < 0.25 * peak).length / this.arrivals.length : 0;
    }
    if (this.maskEdge) for (const i of EDGE_META_FEATURES) out[i] = 0;
    return out;
  }
}
