/**
 * The one Policy interface. Baselines, RL agents and the meta-controlled agent all implement it, and the
 * tournament, the simulator loop and the live controller call it the same way.
 */
import type { Action, EdgeForecast, SystemSnapshot, Weights } from '../core/types.ts';

/** What every policy is shown at a control tick, in addition to the normalized observation vector. */
export interface PolicyContext {
  snapshot: SystemSnapshot;
  forecast: EdgeForecast;
  weights: Weights;
  /** Scenario name, e.g. 'smart-city'. */
  scenario: string;
  /** SLA: p95 end-to-end latency target in ms. */
  slaP95LatencyMs: number;
  controlIntervalS: number;
  /** The action currently in force (what the previous decision became after the safety shield). */
  currentAction: Action;
  /** Per-executor nominal capacity in messages per second at adequate memory, as configured (public knowledge of the cluster). */
  executorCapacityMsgsPerS: number;
  /**
   * Only for the clairvoyant `oracle` baseline: a view of the exogenous future. Undefined for every other
   * policy; the tournament passes it only to policies that declare `clairvoyant = true`.
   */
  future?: unknown;
  /**
   * The operating mode when the world runs a mode schedule (src/meta/mode-env.ts, `bench --scenario mode-switch`);
   * undefined otherwise (policies then assume the 'normal' mode with the full budget left).
   */
  mode?: ModeContext;
}

/** What a policy is told about the operating mode (docs/META.md). */
export interface ModeContext {
  /** 'normal' | 'budget' | 'critical' (src/meta/modes.ts). */
  mode: string;
  /** Share of the run's cost budget still unspent, 0..1. */
  budgetLeftFraction: number;
  /** The scenario's budget rate (USD/h): the cost normalizer of the mode objectives. */
  budgetUsdPerHour: number;
}

export interface Policy {
  readonly id: string;
  /** True only for the oracle: it receives `context.future`. */
  readonly clairvoyant?: boolean;
  reset(seed: number): void;
  act(obs: Float32Array, context: PolicyContext): Action;
  /** Optional: why the last `act` returned what it did, when the policy changed its own first answer (decision log). */
  explain?(): string[];
}
