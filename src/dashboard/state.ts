/**
 * The dashboard's view of a running pipeline: a bounded history of control ticks, the recent decisions and the
 * pipeline's message counters, plus a fan-out to live subscribers (the SSE streams).
 *
 * The runtime feeds it one DecisionRecord per control tick (`recordDecision`) and the message counters whenever
 * they change (`setCounters`); the page renders nothing it was not sent. Everything here is plain JSON so that
 * `/api/state` and the SSE events carry the same objects.
 */
import type { Action, Weights } from '../core/types.ts';
import type { DecisionRecord } from '../control/types.ts';

/** One control tick as the charts need it (units in the names; `costTotalUsd` is cumulative). */
export interface DashboardTick {
  tSeconds: number;
  arrivalRateMsgsPerS: number;
  processedRateMsgsPerS: number;
  forecastRateMsgsPerS: number;
  burstProbability: number;
  backlogMsgs: number;
  p95LatencyMs: number;
  slaP95LatencyMs: number;
  executorsRunning: number;
  executorsStarting: number;
  executorsDraining: number;
  memoryPerExecutorGb: number;
  memoryUtilization: number;
  tier: Action['tier'];
  codec: Action['codec'];
  costRateUsdPerHour: number;
  costTotalUsd: number;
  droppedMsgs: number;
  weights: Weights;
}

/** One row of the decision log on the page. */
export interface DashboardDecision {
  tSeconds: number;
  policy: string;
  proposed: Action;
  applied: Action;
  path: DecisionRecord['path'];
  shieldReasons: string[];
  decisionMicros: number;
}

/** Message accounting of the whole pipeline (the demo's invariant: published = processed + dropped at the end). */
export interface PipelineCounters {
  published: number;
  ingested: number;
  processed: number;
  dropped: number;
  malformed: number;
}

export interface DashboardInfo {
  scenario: string;
  policy: string;
  /** What drives the controller: e.g. 'demo (embedded)', 'serve local', 'serve spark-k8s'. */
  mode: string;
  slaP95LatencyMs: number;
  /** Policies the control endpoint accepts (empty = switching not offered). */
  policies: string[];
  /** Modes the control endpoint accepts (empty = switching not offered). */
  modes: string[];
  /** Free text shown under the title, e.g. the demo's rate scale factor. */
  notes: string[];
}

export interface DashboardState {
  info: DashboardInfo;
  startedAtMs: number;
  running: boolean;
  counters: PipelineCounters;
  latest: DashboardTick | null;
  history: DashboardTick[];
  decisions: DashboardDecision[];
  decisionsTotal: number;
}

/** Server-sent event kinds: the full state on connect, then increments. */
export type DashboardEvent =
  | { type: 'state'; data: DashboardState }
  | { type: 'tick'; data: { tick: DashboardTick; decision: DashboardDecision; decisionsTotal: number } }
  | { type: 'counters'; data: PipelineCounters }
  | { type: 'info'; data: { info: DashboardInfo; running: boolean } };

export interface DashboardHubOptions {
  info: DashboardInfo;
  /** Ticks kept for the charts. Default 600 (10 min at a 1 s control interval). */
  historyLength?: number;
  /** Decisions kept for the log. Default 50. */
  decisionLogLength?: number;
  /** The clock of `startedAtMs` and `uptimeS()` (default Date.now; tests inject one). */
  nowMs?: () => number;
}

const ZERO_COUNTERS: PipelineCounters = { published: 0, ingested: 0, processed: 0, dropped: 0, malformed: 0 };

export class DashboardHub {
  private readonly history: DashboardTick[] = [];
  private readonly decisions: DashboardDecision[] = [];
  private readonly subscribers = new Set<(e: DashboardEvent) => void>();
  private readonly historyLength: number;
  private readonly decisionLogLength: number;
  private info: DashboardInfo;
  private counters: PipelineCounters = { ...ZERO_COUNTERS };
  private costTotalUsd = 0;
  private decisionsTotal = 0;
  private running = true;
  readonly startedAtMs: number;
  private readonly nowMs: () => number;

  constructor(opts: DashboardHubOptions) {
    this.info = copyInfo(opts.info);
    this.historyLength = opts.historyLength ?? 600;
    this.decisionLogLength = opts.decisionLogLength ?? 50;
    if (!Number.isInteger(this.historyLength) || this.historyLength < 1) throw new Error(`DashboardHub: historyLength must be an integer >= 1, got ${this.historyLength}`);
    if (!Number.isInteger(this.decisionLogLength) || this.decisionLogLength < 1) throw new Error(`DashboardHub: decisionLogLength must be an integer >= 1, got ${this.decisionLogLength}`);
    this.nowMs = opts.nowMs ?? Date.now;
    this.startedAtMs = this.nowMs();
  }

  /** Whole seconds since the hub started, on the hub's own clock. */
  uptimeS(): number {
    return Math.round((this.nowMs() - this.startedAtMs) / 1000);
  }

  /** One control tick: the snapshot, forecast, weights and decision of the ControlLoop. */
  recordDecision(record: DecisionRecord): void {
    const s = record.snapshot;
    if (!Number.isFinite(s.costUsd) || s.costUsd < 0) throw new Error(`DashboardHub.recordDecision: snapshot.costUsd must be a finite number >= 0, got ${s.costUsd} at t=${record.tSeconds}`);
    this.costTotalUsd += s.costUsd;
    this.decisionsTotal++;
    const tick: DashboardTick = {
      tSeconds: record.tSeconds,
      arrivalRateMsgsPerS: s.arrivalRateMsgsPerS,
      processedRateMsgsPerS: s.processedRateMsgsPerS,
      forecastRateMsgsPerS: record.forecast.predictedRateMsgsPerS,
      burstProbability: record.forecast.burstProbability,
      backlogMsgs: s.backlogMsgs,
      p95LatencyMs: s.p95LatencyMs,
      slaP95LatencyMs: this.info.slaP95LatencyMs,
      executorsRunning: s.executorsRunning,
      executorsStarting: s.executorsStarting,
      executorsDraining: s.executorsDraining,
      memoryPerExecutorGb: s.memoryPerExecutorGb,
      memoryUtilization: s.memoryUtilization,
      tier: s.tier,
      codec: s.codec,
      costRateUsdPerHour: s.costRateUsdPerHour,
      costTotalUsd: this.costTotalUsd,
      droppedMsgs: s.droppedMsgs,
      weights: { ...record.weights },
    };
    const decision: DashboardDecision = {
      tSeconds: record.tSeconds,
      policy: record.policy,
      proposed: { ...record.proposed },
      applied: { ...record.applied },
      path: record.path,
      shieldReasons: [...record.shieldReasons],
      decisionMicros: record.decisionMicros,
    };
    // Frozen: the same objects go to every subscriber and into every state(), so a caller that changed one would
    // change what everyone else is shown; now it gets a TypeError instead.
    deepFreeze(tick);
    deepFreeze(decision);
    pushBounded(this.history, tick, this.historyLength);
    pushBounded(this.decisions, decision, this.decisionLogLength);
    this.emit({ type: 'tick', data: { tick, decision, decisionsTotal: this.decisionsTotal } });
  }

  setCounters(counters: PipelineCounters): void {
    for (const key of Object.keys(ZERO_COUNTERS) as Array<keyof PipelineCounters>) {
      const v = counters[key];
      if (!Number.isFinite(v) || v < 0) throw new Error(`DashboardHub.setCounters: ${key} must be a finite number >= 0, got ${v}`);
    }
    const changed = (Object.keys(ZERO_COUNTERS) as Array<keyof PipelineCounters>).some((k) => counters[k] !== this.counters[k]);
    this.counters = { ...counters };
    if (changed) this.emit({ type: 'counters', data: { ...this.counters } });
  }

  /** Changes what the header shows (e.g. after a policy switch). */
  updateInfo(patch: Partial<DashboardInfo>): void {
    this.info = copyInfo({ ...this.info, ...patch });
    this.emit({ type: 'info', data: { info: copyInfo(this.info), running: this.running } });
  }

  /** Marks the run as finished (the page shows it); subscribers stay connected until the server closes. */
  markStopped(): void {
    this.running = false;
    this.emit({ type: 'info', data: { info: copyInfo(this.info), running: false } });
  }

  get policy(): string {
    return this.info.policy;
  }

  get totalCostUsd(): number {
    return this.costTotalUsd;
  }

  get decisionCount(): number {
    return this.decisionsTotal;
  }

  state(): DashboardState {
    return {
      info: copyInfo(this.info),
      startedAtMs: this.startedAtMs,
      running: this.running,
      counters: { ...this.counters },
      latest: this.history.length > 0 ? this.history[this.history.length - 1]! : null,
      history: [...this.history],
      decisions: [...this.decisions],
      decisionsTotal: this.decisionsTotal,
    };
  }

  /** Live events; returns the unsubscribe function. */
  subscribe(listener: (e: DashboardEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private emit(e: DashboardEvent): void {
    for (const listener of this.subscribers) {
      // A broken subscriber (a closed socket) must not stop the others or the control loop.
      try {
        listener(e);
      } catch {
        this.subscribers.delete(listener);
      }
    }
  }
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** A copy of the header info that shares no array with the caller's. */
function copyInfo(info: DashboardInfo): DashboardInfo {
  return { ...info, policies: [...info.policies], modes: [...info.modes], notes: [...info.notes] };
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v as object);
  return Object.freeze(o);
}
