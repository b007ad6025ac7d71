/**
 * The live control loop (docs/CONTROLLER.md). Every control interval:
 *   metrics.snapshot() + forecasts.latest() -> ObservationBuilder (the same code SparkIotEnv uses) -> policy.act()
 *   -> SafetyShield -> actuator.apply() -> one DecisionRecord appended to the JSONL decision log -> listeners.
 *
 * It never crashes on a failing part: a failed snapshot skips the tick (nothing to decide on), a failed forecast
 * falls back to the last one, a throwing policy or a refused actuator keeps the action in force. Every failure is
 * logged, counted by stage and emitted as a 'failure' event.
 *
 * Time comes from an injectable ControlClock, so tests drive `tick()` by hand and never depend on timing.
 */
import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAX_EXECUTORS, MAX_MEMORY_GB, validateAction } from '../core/action.ts';
import { loadConfig, type ScenarioConfig, type SimConfig } from '../core/config.ts';
import { CODECS, TIERS, type Action, type EdgeForecast, type SystemSnapshot, type Weights } from '../core/types.ts';
import { executorUsdPerS } from '../cluster/memory.ts';
import { nominalExecutorCapacityMsgsPerS } from '../cluster/capacity.ts';
import { NO_FORECAST } from '../edge/forecast-source.ts';
import { createPolicy } from '../policies/registry.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import { ObservationBuilder, observationScales } from './observation.ts';
import { SafetyShield, type ShieldResult } from './safety-shield.ts';
import type { Actuator, AppliedAction, DecisionRecord, ForecastSource, MetricsSource, SafetyLimits } from './types.ts';

/** Wall clock and timer, injectable so tests can drive the loop without real time. */
export interface ControlClock {
  nowMs(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: ControlClock = {
  nowMs: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** Where a failure happened. */
export const LOOP_STAGES = ['metrics', 'forecast', 'policy', 'actuator', 'log', 'listener', 'internal'] as const;
export type LoopStage = (typeof LOOP_STAGES)[number];

export interface LoopFailure {
  stage: LoopStage;
  message: string;
  /** Failures of this stage so far. */
  count: number;
}

/** One row of the decision log: the DecisionRecord contract plus what the loop adds (all additive). */
export interface ControlDecision extends DecisionRecord {
  /** Decision index, from 0. */
  step: number;
  /** Actuator notes (what was sent, what was deferred). */
  notes: string[];
  /** Failures during this decision (stage: message); empty on a clean tick. */
  errors: string[];
  /** USD billed so far in the run (sum of snapshot.costUsd), and the shield's projection for the next interval. */
  spentUsd: number;
  projectedSpendUsd: number;
  /** What the policy said about its own decision (e.g. the agents' scale-down hold); empty when nothing. */
  policyNotes: string[];
}

export interface ControlLoopOptions {
  metrics: MetricsSource;
  forecasts: ForecastSource;
  actuator: Actuator;
  /** A Policy, or a policy id from src/policies/registry.ts. */
  policy: Policy | string;
  /** Scenario whose SLA, weights and message size apply (default 'balanced'). */
  scenario?: string;
  config?: SimConfig;
  /** Reward weights shown to the policy (default: the scenario's). */
  weights?: Weights;
  /** Seconds between decisions (default 10, the simulator's control interval). */
  controlIntervalS?: number;
  limits?: Partial<SafetyLimits>;
  /** The action in force at start. Default: read from the first snapshot (running + starting executors, memory, tier, codec). */
  initialAction?: Action;
  /** Append every decision as one JSON line to this file (directories are created). */
  decisionLogPath?: string;
  /** Zero the edge features (the no-edge ablation), as SparkIotEnv's maskEdgeFeatures. */
  maskEdgeFeatures?: boolean;
  clock?: ControlClock;
  /** Seed passed to policy.reset (default 0). */
  seed?: number;
  /** Nominal msgs/s of one executor shown to policies (default: the simulator's figure for this scenario). */
  executorCapacityMsgsPerS?: number;
  /** Billing horizon of the budget projection (s); default one control interval. */
  budgetHorizonS?: number;
  /** Price of one executor with `memoryGb` (USD/s) for the budget projection; default the simulator's (config.pricing). */
  executorUsdPerS?: (memoryGb: number) => number;
  /** Error log line sink (default: stderr). */
  log?: (line: string) => void;
}

export interface ControlLoopStatus {
  running: boolean;
  policy: string;
  scenario: string;
  weights: Weights;
  currentAction: Action | null;
  decisionCount: number;
  skippedTicks: number;
  spentUsd: number;
  shieldInterventions: number;
  shieldInterventionsByRule: SafetyShield['interventionsByRule'];
  errors: Record<LoopStage, number>;
  lastRecord: ControlDecision | null;
}

/** Neutral forecast used until a ForecastSource delivers one (or when it keeps failing). */
export { NO_FORECAST };

/** The one executor-capacity formula (src/cluster/capacity.ts), re-exported for the live wiring. */
export { nominalExecutorCapacityMsgsPerS };

/** The action a snapshot shows in force (for a loop started without initialAction). */
export function actionFromSnapshot(s: SystemSnapshot): Action {
  const executors = Math.min(MAX_EXECUTORS, Math.max(1, Math.round(s.executorsRunning + s.executorsStarting)));
  const memoryGb = Math.min(MAX_MEMORY_GB, Math.max(1, Math.round(s.memoryPerExecutorGb || 1)));
  return {
    executors: Number.isFinite(executors) ? executors : 1,
    memoryGb: Number.isFinite(memoryGb) ? memoryGb : 1,
    tier: TIERS.includes(s.tier) ? s.tier : 'nvme',
    codec: CODECS.includes(s.codec) ? s.codec : 'lz4',
  };
}

function checkWeights(w: Weights, where: string): Weights {
  if (!w || ![w.alpha, w.beta, w.gamma].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new Error(`${where}: weights must be {alpha, beta, gamma} of finite numbers >= 0, got ${JSON.stringify(w)}`);
  }
  return { alpha: w.alpha, beta: w.beta, gamma: w.gamma };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface ControlLoopEvents {
  decision: [ControlDecision];
  failure: [LoopFailure];
}

export class ControlLoop extends EventEmitter<ControlLoopEvents> {
  readonly config: SimConfig;
  readonly scenario: string;
  readonly controlIntervalS: number;
  readonly shield: SafetyShield;
  readonly builder: ObservationBuilder;
  readonly decisionLogPath: string | undefined;

  private readonly metrics: MetricsSource;
  private readonly forecasts: ForecastSource;
  private readonly actuator: Actuator;
  private readonly clock: ControlClock;
  private readonly scenarioConfig: ScenarioConfig;
  private readonly seed: number;
  private readonly capacityMsgsPerS: number;
  private readonly budgetHorizonS: number;
  private readonly priceUsdPerS: (memoryGb: number) => number;
  private readonly logLine: (line: string) => void;
  private readonly startedMs: number;

  private policyImpl: Policy;
  private weights: Weights;
  private current: Action | null;
  private lastForecast: EdgeForecast = NO_FORECAST;
  private last: ControlDecision | null = null;
  private count = 0;
  private skipped = 0;
  private spent = 0;
  private timer: unknown = null;
  private inFlight: Promise<ControlDecision | null> | null = null;
  readonly errors: Record<LoopStage, number> = { metrics: 0, forecast: 0, policy: 0, actuator: 0, log: 0, listener: 0, internal: 0 };
  /** Sum and count of decision times (µs), for /metrics. */
  decisionMicrosSum = 0;

  constructor(opts: ControlLoopOptions) {
    super();
    this.config = opts.config ?? loadConfig();
    this.scenario = opts.scenario ?? 'balanced';
    const sc = (this.config.scenarios as Record<string, ScenarioConfig | undefined>)[this.scenario];
    if (!sc) throw new Error(`ControlLoop: unknown scenario '${this.scenario}' (expected one of ${Object.keys(this.config.scenarios).join(', ')})`);
    this.scenarioConfig = sc;
    this.controlIntervalS = opts.controlIntervalS ?? 10;
    if (!(this.controlIntervalS > 0) || !Number.isFinite(this.controlIntervalS)) throw new Error(`ControlLoop: controlIntervalS must be a number > 0, got ${opts.controlIntervalS}`);
    this.metrics = opts.metrics;
    this.forecasts = opts.forecasts;
    this.actuator = opts.actuator;
    this.clock = opts.clock ?? systemClock;
    this.seed = opts.seed ?? 0;
    this.shield = new SafetyShield(opts.limits ?? {});
    this.builder = new ObservationBuilder(observationScales(this.config), opts.maskEdgeFeatures ?? false);
    this.weights = checkWeights(opts.weights ?? sc.defaultWeights, 'ControlLoop');
    this.capacityMsgsPerS = opts.executorCapacityMsgsPerS ?? nominalExecutorCapacityMsgsPerS(this.config, sc);
    if (!(this.capacityMsgsPerS > 0)) throw new Error(`ControlLoop: executorCapacityMsgsPerS must be > 0, got ${this.capacityMsgsPerS}`);
    this.budgetHorizonS = opts.budgetHorizonS ?? this.controlIntervalS;
    if (!(this.budgetHorizonS >= 0)) throw new Error(`ControlLoop: budgetHorizonS must be >= 0, got ${opts.budgetHorizonS}`);
    const config = this.config;
    this.priceUsdPerS = opts.executorUsdPerS ?? ((memoryGb) => executorUsdPerS(memoryGb, config));
    if (opts.initialAction) {
      try {
        validateAction(opts.initialAction);
      } catch (err) {
        throw new Error(`ControlLoop: initialAction: ${message(err)}`);
      }
    }
    this.current = opts.initialAction ? { ...opts.initialAction } : null;
    this.decisionLogPath = opts.decisionLogPath;
    if (this.decisionLogPath) mkdirSync(dirname(this.decisionLogPath), { recursive: true });
    this.logLine = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.policyImpl = typeof opts.policy === 'string' ? createPolicy(opts.policy) : opts.policy;
    this.policyImpl.reset(this.seed);
    this.startedMs = this.clock.nowMs();
  }

  get policy(): Policy {
    return this.policyImpl;
  }

  get decisionCount(): number {
    return this.count;
  }

  get lastRecord(): ControlDecision | null {
    return this.last;
  }

  get currentAction(): Action | null {
    return this.current ? { ...this.current } : null;
  }

  get spentUsd(): number {
    return this.spent;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  currentWeights(): Weights {
    return { ...this.weights };
  }

  /** Change the weights shown to the policy from the next decision on (meta-controller, mode switch, dashboard). */
  setWeights(weights: Weights): void {
    this.weights = checkWeights(weights, 'ControlLoop.setWeights');
  }

  /** Swap the policy (an instance or a registry id); it is reset with the loop's seed. */
  setPolicy(policy: Policy | string): void {
    const p = typeof policy === 'string' ? createPolicy(policy) : policy;
    p.reset(this.seed);
    this.policyImpl = p;
  }

  /** Subscribe to decisions; returns the unsubscribe function. */
  onDecision(listener: (record: ControlDecision) => void): () => void {
    this.on('decision', listener);
    return () => this.off('decision', listener);
  }

  /** Start deciding every controlIntervalS. A tick that is due while the previous one still runs is skipped (counted). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = this.clock.setInterval(() => {
      if (this.inFlight) {
        this.skipped++;
        return;
      }
      void this.tick();
    }, this.controlIntervalS * 1000);
  }

  /** Stop the timer and wait for a decision in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    if (this.inFlight) await this.inFlight;
  }

  /** One decision, now. Resolves to the record, or null when no snapshot could be read. Never rejects. */
  tick(): Promise<ControlDecision | null> {
    if (this.inFlight) return this.inFlight;
    const run = this.decide()
      .catch((err: unknown) => {
        // Nothing in decide() should throw past its own guards; if it does, the loop still lives on.
        this.fail('internal', err);
        return null;
      })
      .finally(() => {
        this.inFlight = null;
      });
    this.inFlight = run;
    return run;
  }

  status(): ControlLoopStatus {
    return {
      running: this.running,
      policy: this.policyImpl.id,
      scenario: this.scenario,
      weights: this.currentWeights(),
      currentAction: this.currentAction,
      decisionCount: this.count,
      skippedTicks: this.skipped,
      spentUsd: this.spent,
      shieldInterventions: this.shield.interventions,
      shieldInterventionsByRule: { ...this.shield.interventionsByRule },
      errors: { ...this.errors },
      lastRecord: this.last,
    };
  }

  get skippedTicks(): number {
    return this.skipped;
  }

  private fail(stage: LoopStage, err: unknown, errors?: string[]): void {
    this.errors[stage]++;
    const text = message(err);
    errors?.push(`${stage}: ${text}`);
    this.logLine(`controller: ${stage} failed (${this.errors[stage]} so far): ${text}`);
    if (stage !== 'listener') this.emitSafely('failure', { stage, message: text, count: this.errors[stage] });
  }

  private emitSafely<K extends keyof ControlLoopEvents>(event: K, ...args: ControlLoopEvents[K]): void {
    // A listener that throws (a dashboard bug) must not stop the loop: call each one in isolation.
    for (const listener of this.listeners(event) as Array<(...a: ControlLoopEvents[K]) => void>) {
      try {
        listener(...args);
      } catch (err) {
        this.fail('listener', err);
      }
    }
  }

  private async decide(): Promise<ControlDecision | null> {
    const errors: string[] = [];
    let snapshot: SystemSnapshot;
    try {
      snapshot = await this.metrics.snapshot();
    } catch (err) {
      this.fail('metrics', err);
      return null;
    }
    if (snapshot === null || typeof snapshot !== 'object') {
      this.fail('metrics', new Error(`${this.metrics.id}.snapshot() returned ${String(snapshot)}, not a SystemSnapshot`));
      return null;
    }
    let forecast = this.lastForecast;
    try {
      forecast = this.forecasts.latest();
      this.lastForecast = forecast;
    } catch (err) {
      this.fail('forecast', err, errors);
    }
    if (Number.isFinite(snapshot.costUsd) && snapshot.costUsd > 0) this.spent += snapshot.costUsd;
    const current = this.current ?? actionFromSnapshot(snapshot);
    const weights = this.currentWeights();

    // The decision proper (observation, policy, shield): what decisionMicros measures.
    const t0 = performance.now();
    const scenarioView = { slaP95LatencyMs: this.scenarioConfig.slaP95LatencyMs, controlIntervalS: this.controlIntervalS };
    const obs = this.builder.build(snapshot, forecast, weights, scenarioView);
    const context: PolicyContext = {
      snapshot,
      forecast,
      weights,
      scenario: this.scenario,
      slaP95LatencyMs: this.scenarioConfig.slaP95LatencyMs,
      controlIntervalS: this.controlIntervalS,
      currentAction: { ...current },
      executorCapacityMsgsPerS: this.capacityMsgsPerS,
    };
    let proposed: Action;
    let policyNotes: string[] = [];
    try {
      proposed = this.policyImpl.act(obs, context);
      policyNotes = this.policyImpl.explain?.() ?? [];
    } catch (err) {
      this.fail('policy', err, errors);
      proposed = { ...current };
    }
    const shielded: ShieldResult = this.shield.apply(proposed, current, {
      spentUsd: this.spent,
      executorUsdPerS: this.priceUsdPerS,
      horizonS: this.budgetHorizonS,
    });
    const decisionMicros = Math.round((performance.now() - t0) * 1000);
    this.decisionMicrosSum += decisionMicros;

    let applied: AppliedAction;
    try {
      applied = await this.actuator.apply(shielded.action);
    } catch (err) {
      this.fail('actuator', err, errors);
      applied = { action: { ...current }, path: 'noop', notes: [`actuator ${this.actuator.id} failed; the previous action stays in force`] };
    }
    this.current = { ...applied.action };

    const record: ControlDecision = {
      step: this.count,
      tSeconds: (this.clock.nowMs() - this.startedMs) / 1000,
      policy: this.policyImpl.id,
      snapshot,
      forecast,
      weights,
      proposed: copyAction(proposed),
      applied: { ...applied.action },
      path: applied.path,
      shieldReasons: shielded.reasons,
      decisionMicros,
      notes: applied.notes,
      errors,
      spentUsd: this.spent,
      projectedSpendUsd: shielded.projectedSpendUsd ?? this.spent,
      policyNotes,
    };
    this.count++;
    this.last = record;
    if (this.decisionLogPath) {
      try {
        appendFileSync(this.decisionLogPath, `${JSON.stringify(record)}\n`);
      } catch (err) {
        // A write error (ENOSPC) does not name the file: say which one.
        this.fail('log', new Error(`cannot append decision ${record.step} to ${this.decisionLogPath}: ${message(err)}`), errors);
      }
    }
    this.emitSafely('decision', record);
    return record;
  }
}

/** The wire form of a decision (one decision-log row as UTF-8 JSON), e.g. for the `edgepilot/control/actions` topic. */
export function encodeDecision(record: ControlDecision): Buffer {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** A plain copy of whatever the policy returned (it may be malformed: the shield already dealt with that). */
function copyAction(a: Action): Action {
  return a && typeof a === 'object' ? { executors: a.executors, memoryGb: a.memoryGb, tier: a.tier, codec: a.codec } : (a as Action);
}
