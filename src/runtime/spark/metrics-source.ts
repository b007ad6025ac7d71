/**
 * SparkMetricsSource: the controller's SystemSnapshot of a Spark 3.5 Structured Streaming application, built from
 *   1. the driver agent's StreamingQueryListener progress events (rates, Kafka lag, batch durations, event time),
 *   2. Spark's monitoring REST API on the driver UI (`/api/v1/applications/<id>/executors`: executor count, cores,
 *      task time, shuffle bytes, heap), and
 *   3. optionally the driver's PrometheusServlet (`/metrics/prometheus`: the streaming gauges), used for the rates
 *      only when no progress event arrived.
 * Spark 3.5 has no REST endpoint for Structured Streaming progress (spark-k8s.md 1.6), hence the agent.
 *
 * A missing source never throws: the snapshot degrades to the documented defaults below and one warning is logged
 * when a source goes missing (and one when it comes back). Degraded fields:
 *   - no progress events: rates from the Prometheus gauges, else 0; backlog 0; p95 latency = the time since the last
 *     progress when a backlog was known (a stalled query), else 0;
 *   - no executors API: executorsRunning = the executors requested by the action in force, cpu and memory use 0,
 *     shuffleBytes 0;
 *   - always: droppedMsgs 0 (Kafka retention losses are not visible to Spark), observedReuse 0.5 (Spark reports no
 *     re-read share; the neutral middle of the feature), meanMessageBytes from the executors' input bytes when Spark
 *     counts them, else the scenario's size.
 * Cost is an estimate: executors x the configured per-executor price (config.pricing), as in the simulator.
 */
import { loadConfig, type SimConfig } from '../../core/config.ts';
import type { Action, SystemSnapshot } from '../../core/types.ts';
import { executorUsdPerS } from '../../cluster/memory.ts';
import type { MetricsSource } from '../../control/types.ts';
import type { AgentEvent } from './agent-channel.ts';
import { parseExecutors, parseProgress, parsePrometheusText, parseRunningAppId, parseStageSpills, streamingGauges, type ExecutorSummary, type ProgressSummary } from './formats.ts';

export interface SparkMetricsSourceOptions {
  id?: string;
  /** The agent channel (or anything that hands over received events). */
  events?: { drainEvents(): AgentEvent[] } | null;
  /** Driver UI base URL, e.g. http://orders-stream-ui-svc.streaming:4040. */
  sparkUiUrl?: string;
  /** Spark application id (spark-<32 hex>); discovered from /api/v1/applications when absent. */
  appId?: string;
  /** Fetch the PrometheusServlet of the driver at this path of sparkUiUrl (e.g. /metrics/prometheus). */
  prometheusPath?: string;
  /** The streaming query to follow (name or id); default: all progress events are summed. */
  queryName?: string;
  /** The action in force (memory, tier and codec cannot be read back from Spark cheaply). */
  actionInForce: () => Action;
  config?: SimConfig;
  /** Scenario whose message size is the default mean message size. */
  scenario?: keyof SimConfig['scenarios'];
  fetch?: typeof fetch;
  nowMs?: () => number;
  warn?: (message: string) => void;
  /** Fallback interval length (s) for the first snapshot. */
  controlIntervalS?: number;
  /** Called when a query restart was observed (new runId): the measured downtime in seconds. */
  onRestartMeasured?: (downtimeS: number) => void;
  requestTimeoutMs?: number;
}

type SourceName = 'progress' | 'executors' | 'prometheus' | 'stages';

/** Stage attempts remembered for spill deltas (the UI keeps spark.ui.retainedStages = 1000 by default). */
const MAX_SEEN_STAGES = 5000;

/** Nearest-rank quantile of a small array. */
function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export class SparkMetricsSource implements MetricsSource {
  readonly id: string;
  private readonly opts: SparkMetricsSourceOptions;
  private readonly config: SimConfig;
  private readonly fetchFn: typeof fetch;
  private readonly nowMs: () => number;
  private readonly warnFn: (m: string) => void;
  private readonly startMs: number;
  private appId: string | undefined;
  private lastSnapshotMs: number | null = null;
  private lastLag: number | undefined;
  private lastProgressMs: number | null = null;
  private lastRunId: string | null = null;
  private prevExecutors: Map<string, ExecutorSummary> | null = null;
  private readonly down = new Set<SourceName>();
  private seenStages: Set<string> | null = null;
  /** The last snapshot (for the restart gate and /metrics). */
  last: SystemSnapshot | null = null;
  /** Restarts observed (a progress event with a new runId) and their measured downtime, s. */
  readonly measuredRestartsS: number[] = [];

  constructor(opts: SparkMetricsSourceOptions) {
    this.opts = opts;
    this.id = opts.id ?? 'spark-metrics';
    this.config = opts.config ?? loadConfig();
    this.fetchFn = opts.fetch ?? fetch;
    this.nowMs = opts.nowMs ?? Date.now;
    this.warnFn = opts.warn ?? ((m) => process.stderr.write(`${m}\n`));
    this.startMs = this.nowMs();
    this.appId = opts.appId;
  }

  /** Sources currently unavailable. */
  get degradedSources(): SourceName[] {
    return [...this.down];
  }

  private mark(source: SourceName, ok: boolean, why = ''): void {
    if (ok && this.down.delete(source)) this.warnFn(`spark-metrics: ${source} is back`);
    if (!ok && !this.down.has(source)) {
      this.down.add(source);
      this.warnFn(`spark-metrics: ${source} unavailable (${why}); using documented defaults (docs/SPARK.md)`);
    }
  }

  private async getJson(path: string): Promise<unknown> {
    const r = await this.fetchFn(`${this.opts.sparkUiUrl!.replace(/\/$/, '')}${path}`, { signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 3000) });
    if (!r.ok) throw new Error(`GET ${path} -> HTTP ${r.status}`);
    return (await r.json()) as unknown;
  }

  private async readExecutors(): Promise<ExecutorSummary[] | null> {
    if (!this.opts.sparkUiUrl) {
      this.mark('executors', false, 'no Spark UI URL configured');
      return null;
    }
    try {
      if (!this.appId) {
        this.appId = parseRunningAppId(await this.getJson('/api/v1/applications'));
        if (!this.appId) throw new Error('no running application at /api/v1/applications');
      }
      const list = parseExecutors(await this.getJson(`/api/v1/applications/${this.appId}/executors`)).filter((e) => e.isActive);
      this.mark('executors', true);
      return list;
    } catch (err) {
      // After a restart the app id changes (spark-k8s.md 2.4): rediscover it next time unless it was configured.
      if (!this.opts.appId) this.appId = undefined;
      this.mark('executors', false, (err as Error).message);
      return null;
    }
  }

  /** Bytes spilled (memoryBytesSpilled) by the stage attempts completed since the last call; null when unknown. */
  private async readNewSpillBytes(): Promise<number | null> {
    if (!this.opts.sparkUiUrl || !this.appId) return null;
    try {
      const stages = parseStageSpills(await this.getJson(`/api/v1/applications/${this.appId}/stages?status=complete`));
      const first = this.seenStages === null;
      const seen = this.seenStages ?? new Set<string>();
      let spilled = 0;
      for (const st of stages) {
        if (seen.has(st.key)) continue;
        seen.add(st.key);
        if (!first) spilled += st.memoryBytesSpilled;
      }
      // Bounded memory: forget the oldest keys (a Set iterates in insertion order).
      for (const k of seen) {
        if (seen.size <= MAX_SEEN_STAGES) break;
        seen.delete(k);
      }
      this.seenStages = seen;
      this.mark('stages', true);
      return first ? null : spilled;
    } catch (err) {
      this.mark('stages', false, (err as Error).message);
      return null;
    }
  }

  private async readGauges(): Promise<ReturnType<typeof streamingGauges> | null> {
    if (!this.opts.sparkUiUrl || !this.opts.prometheusPath) return null;
    try {
      const r = await this.fetchFn(`${this.opts.sparkUiUrl.replace(/\/$/, '')}${this.opts.prometheusPath}`, { signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 3000) });
      if (!r.ok) throw new Error(`GET ${this.opts.prometheusPath} -> HTTP ${r.status}`);
      const g = streamingGauges(parsePrometheusText(await r.text()), this.opts.queryName);
      this.mark('prometheus', true);
      return g;
    } catch (err) {
      this.mark('prometheus', false, (err as Error).message);
      return null;
    }
  }

  private takeProgress(): ProgressSummary[] {
    const events = this.opts.events?.drainEvents() ?? [];
    const out: ProgressSummary[] = [];
    for (const e of events) {
      if (e.kind !== 'progress') continue;
      let p: ProgressSummary;
      try {
        p = parseProgress(e.body);
      } catch (err) {
        this.warnFn(`spark-metrics: ignored a malformed progress event: ${(err as Error).message}`);
        continue;
      }
      const q = this.opts.queryName;
      if (q && p.name !== q && p.id !== q) continue;
      if (this.lastRunId !== null && p.runId !== this.lastRunId && this.lastProgressMs !== null) {
        // Same query id, new runId: the query restarted (spark-k8s.md 1.7). Downtime = the gap between progresses.
        const downtimeS = Math.max(0, (e.receivedAtMs - this.lastProgressMs) / 1000);
        this.measuredRestartsS.push(downtimeS);
        this.opts.onRestartMeasured?.(downtimeS);
      }
      this.lastRunId = p.runId;
      this.lastProgressMs = e.receivedAtMs;
      out.push(p);
    }
    return out;
  }

  async snapshot(): Promise<SystemSnapshot> {
    const now = this.nowMs();
    const intervalS = this.lastSnapshotMs === null ? (this.opts.controlIntervalS ?? 10) : Math.max(1e-3, (now - this.lastSnapshotMs) / 1000);
    this.lastSnapshotMs = now;
    const action = this.opts.actionInForce();
    const progress = this.takeProgress();
    const [executors, gauges] = await Promise.all([this.readExecutors(), progress.length === 0 ? this.readGauges() : Promise.resolve(null)]);

    // Rates, backlog and latency from the progress events.
    let processedRate = 0;
    let arrivalRate = 0;
    let backlog = 0;
    let p95LatencyMs = 0;
    if (progress.length > 0) {
      this.mark('progress', true);
      const rows = progress.reduce((a, p) => a + p.numInputRows, 0);
      processedRate = rows / intervalS;
      const lagEnd = [...progress].reverse().find((p) => p.lagMsgs !== undefined)?.lagMsgs;
      if (lagEnd !== undefined) backlog = lagEnd;
      if (lagEnd !== undefined && this.lastLag !== undefined) {
        // Arrivals = processed + growth of the Kafka lag over the interval.
        arrivalRate = Math.max(0, (rows + lagEnd - this.lastLag) / intervalS);
      } else {
        const rates = progress.map((p) => p.inputRowsPerSecond).filter((r): r is number => r !== undefined);
        arrivalRate = rates.length > 0 ? rates.reduce((a, b) => a + b, 0) / rates.length : processedRate;
      }
      if (lagEnd !== undefined) this.lastLag = lagEnd;
      p95LatencyMs = quantile(progress.map((p) => batchLatencyMs(p)), 0.95);
    } else {
      if (this.lastProgressMs === null || now - this.lastProgressMs > 2 * intervalS * 1000) this.mark('progress', false, 'no progress event from the driver agent');
      if (gauges?.inputRate !== undefined) arrivalRate = gauges.inputRate;
      if (gauges?.processingRate !== undefined) processedRate = gauges.processingRate;
      if (gauges?.latencyMs !== undefined) p95LatencyMs = gauges.latencyMs;
      if (this.lastLag !== undefined && this.lastLag > 0) {
        // A query with a backlog and no progress is stalled (or restarting): its messages age.
        backlog = this.lastLag;
        p95LatencyMs = Math.max(p95LatencyMs, now - (this.lastProgressMs ?? this.startMs));
      }
    }

    // Executors: counts, utilization and shuffle from the REST API (cumulative counters -> deltas).
    const spilledBytes = executors ? await this.readNewSpillBytes() : null;
    let running = action.executors;
    let cpu = 0;
    let mem = 0;
    let shuffleBytes = 0;
    let inputBytes = 0;
    if (executors) {
      running = executors.length;
      const prev = this.prevExecutors;
      let busyMs = 0;
      let coreS = 0;
      let heap = 0;
      let heapKnown = 0;
      for (const e of executors) {
        const before = prev?.get(e.id);
        if (before) {
          busyMs += Math.max(0, e.totalDurationMs - before.totalDurationMs);
          shuffleBytes += Math.max(0, e.totalShuffleWriteBytes - before.totalShuffleWriteBytes);
          inputBytes += Math.max(0, e.totalInputBytes - before.totalInputBytes);
          coreS += e.totalCores * intervalS;
        }
        if (e.peakJvmHeapBytes !== undefined) {
          heap += e.peakJvmHeapBytes;
          heapKnown++;
        }
      }
      cpu = coreS > 0 ? Math.min(1, busyMs / 1000 / coreS) : 0;
      const memBytes = action.memoryGb * 2 ** 30;
      mem = heapKnown > 0 ? heap / heapKnown / memBytes : 0;
      // The heap cannot show how far the working set exceeds memory; spill can. [assumed] proxy: utilization =
      // 1 + bytes spilled in the interval per executor / executor memory.
      if (spilledBytes !== null && spilledBytes > 0 && executors.length > 0) mem = Math.max(mem, 1 + spilledBytes / executors.length / memBytes);
      this.prevExecutors = new Map(executors.map((e) => [e.id, e]));
    }
    const starting = Math.max(0, action.executors - running);
    const usdPerS = executorUsdPerS(action.memoryGb, this.config);
    const costRateUsdPerHour = (running + starting) * usdPerS * 3600;
    const scenarioBytes = this.config.scenarios[this.opts.scenario ?? 'balanced'].messageBytes;
    const processedMsgs = processedRate * intervalS;
    const snapshot: SystemSnapshot = {
      tSeconds: (now - this.startMs) / 1000,
      arrivalRateMsgsPerS: arrivalRate,
      processedRateMsgsPerS: processedRate,
      backlogMsgs: backlog,
      p95LatencyMs,
      cpuUtilization: cpu,
      memoryUtilization: mem,
      executorsRunning: running,
      executorsStarting: starting,
      executorsDraining: 0,
      memoryPerExecutorGb: action.memoryGb,
      tier: action.tier,
      codec: action.codec,
      shuffleBytes,
      observedReuse: 0.5,
      costRateUsdPerHour,
      costUsd: (costRateUsdPerHour * intervalS) / 3600,
      droppedMsgs: 0,
      meanMessageBytes: inputBytes > 0 && processedMsgs > 0 ? inputBytes / processedMsgs : scenarioBytes,
    };
    this.last = snapshot;
    return snapshot;
  }
}

/**
 * End-to-end latency of one batch (ms): from the oldest event in it to the end of the trigger when the query has an
 * event-time column (Spark reports eventTime.min), else the trigger time plus the wait of the Kafka lag at the
 * processing rate.
 */
export function batchLatencyMs(p: ProgressSummary): number {
  const trigger = p.triggerExecutionMs ?? 0;
  if (p.eventTimeMinMs !== undefined) return Math.max(trigger, p.timestampMs + trigger - p.eventTimeMinMs);
  const rate = p.processedRowsPerSecond;
  const queueMs = p.lagMsgs !== undefined && rate !== undefined && rate > 0 ? (1000 * p.lagMsgs) / rate : 0;
  return trigger + queueMs;
}
