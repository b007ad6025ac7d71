/**
 * The seams of the one control loop shared by the simulator, the live engine and Spark on Kubernetes
 * (docs/ARCHITECTURE.md): MetricsSource -> ObservationBuilder -> Policy -> SafetyShield -> Actuator.
 * Implementations live one per file (src/runtime/..., src/runtime/spark/...); this file holds only the contracts.
 */
import type { Action, EdgeForecast, SystemSnapshot, Weights } from '../core/types.ts';

/** Where the controller reads the world's state from at a control tick. */
export interface MetricsSource {
  readonly id: string;
  /** The state of the just-finished control interval. Must not throw on a missing sub-source: degrade and warn. */
  snapshot(): Promise<SystemSnapshot>;
}

/** Where edge forecasts come from (the gateways' forecast topic, or the simulator's forecaster). */
export interface ForecastSource {
  /** The freshest combined forecast (summed over gateways), or a documented default when none has arrived. */
  latest(): EdgeForecast;
}

/** What an actuator did with an action. */
export interface AppliedAction {
  /** The action now in force (or being brought into force) in the world. */
  action: Action;
  /** How it was carried: 'live' (no restart), 'restart' (the application restarts), 'noop' (nothing changed), 'dry-run'. */
  path: 'live' | 'restart' | 'noop' | 'dry-run';
  /** Human-readable notes: what was sent, what was deferred and why. */
  notes: string[];
}

/** Carries a decision into the world (simulated cluster, local engine, Kubernetes SparkApplication, dry-run). */
export interface Actuator {
  readonly id: string;
  apply(action: Action): Promise<AppliedAction>;
}

/** Limits the SafetyShield enforces on every action, whatever the policy. */
export interface SafetyLimits {
  minExecutors: number;
  maxExecutors: number;
  /** Largest executor change per control interval (absolute count). */
  maxExecutorStepPerInterval: number;
  /** Run budget in USD; when the projected spend would exceed it, scale-ups are refused. Infinity = no cap. */
  budgetUsd: number;
}

/** One logged control decision (one JSONL row of the decision log). */
export interface DecisionRecord {
  tSeconds: number;
  policy: string;
  snapshot: SystemSnapshot;
  forecast: EdgeForecast;
  weights: Weights;
  proposed: Action;
  applied: Action;
  path: AppliedAction['path'];
  /** Why the shield changed the proposed action; empty when it did not. */
  shieldReasons: string[];
  decisionMicros: number;
}
