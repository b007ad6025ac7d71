/**
 * StreamEngine: the embedded micro-batch stream processor of the live system (docs/ENGINE.md).
 *
 * Every trigger (default 1 s) one micro-batch runs:
 *   1. the executor pool advances (cold starts finish, drained executors stop) and expired messages are shed;
 *   2. each serving executor is granted what its token bucket allows (capacity msgs/s, slowed when the working set
 *      exceeds the memory budget) and gets one map task: its split of the backlog as one transferable buffer;
 *   3. map (on the executors): parse, extract readings, range anomalies, partition by device -> one block per
 *      reduce partition;
 *   4. shuffle: every block is written through the tiered store with the selected tier and codec, then read back;
 *   5. reduce (on the engine thread, where the window state lives): merge records into 30 s windows, drop late
 *      ones, z-score anomalies; then advance watermarks and emit closed windows and alerts.
 *
 * Accounting: every message accepted by ingest() ends exactly once as processed (merged into a window) or dropped
 * with a reason (late, retention, backlog, malformed, shuffle-lost, shutdown); duplicates (QoS 1 re-deliveries,
 * same deviceId and seq) are counted and ignored (SeqDeduper). `accounting()` checks the balance.
 */
import { loadConfig, type SimConfig } from '../../core/config.ts';
import type { Codec, Tier } from '../../core/types.ts';
import { memorySlowdown } from '../../cluster/memory.ts';
import { SeqDeduper } from '../devices/dedup.ts';
import { decodeIngestBatch } from '../devices/ingest-batch.ts';
import { ID_PATTERN, parseTopic, TOPIC_ROOT } from '../devices/topics.ts';
import { RejectLog } from '../devices/reject-log.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES, timestampProblem, validatePayload, ValidationTally, type DeviceMessage, type ValidateOptions } from '../devices/schemas.ts';
import { ZScoreDetector, type Alert } from './anomalies.ts';
import type { MapTaskInput, MapTaskOutput } from './map-task.ts';
import { parseEngineOptions, type EngineOptions, type EngineOptionsInput } from './options.ts';
import { OutputSink, type PublishFn } from './outputs.ts';
import { ExecutorPool } from './pool.ts';
import { isPayloadType } from './readings.ts';
import { decodeRecords } from './records.ts';
import { runnerFactoryFor, type RunnerFactory } from './runners.ts';
import { EngineShuffle } from './shuffle.ts';
import { WindowStore } from './windows.ts';

export const DROP_REASONS = ['late', 'retention', 'backlog', 'malformed', 'shuffle-lost', 'shutdown'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** What ingest() did with a message. */
export type IngestResult = 'accepted' | 'duplicate' | 'rejected';
/** What ingestMqtt() did with the lines of one MQTT message. */
export type IngestBatchResult = Record<IngestResult, number>;

/** Topics whose payload is an ingest batch (src/runtime/devices/topics.ts ingestTopic). */
const INGEST_TOPIC_PREFIX = `${TOPIC_ROOT}/ingest/`;

/** Things that are not plain data: clocks, callbacks, prices. All optional. */
export interface EngineHooks {
  /** Wall clock in Unix ms (device timestamps are Unix ms); tests inject one. Default Date.now. */
  nowMs?: () => number;
  /** MQTT publish for results and alerts (docs/MESSAGES.md topics). */
  publish?: PublishFn;
  /** Prices and the memory slowdown model (src/core/config.ts); default loadConfig(). */
  config?: SimConfig;
  /** Overrides executorMode (tests). */
  runnerFactory?: RunnerFactory;
  /** Called after every micro-batch. */
  onBatch?: (report: BatchReport) => void;
  /** Validation options for ingestRaw. */
  validate?: ValidateOptions;
  /** Test seam: awaited between the shuffle write and the reduce stage of each micro-batch (e.g. to stop Redis). */
  afterShuffleWrite?: (batchId: number) => Promise<void> | void;
  /**
   * Operational lines: rejected messages with their topic and reason (rate-limited, src/runtime/devices/reject-log.ts),
   * lines the map stage found malformed, an output file that can no longer be written. Default: stderr.
   */
  log?: (line: string) => void;
}

export interface BatchReport {
  batchId: number;
  msgs: number;
  processed: number;
  late: number;
  malformed: number;
  shuffleLost: number;
  blocks: number;
  mapTasks: number;
  windowsClosed: number;
  alerts: number;
  durationMs: number;
}

export interface EngineCounters {
  /** Distinct messages accepted (duplicates and rejects excluded). */
  ingested: number;
  duplicates: number;
  /** Refused by ingest()/ingestRaw() before entering the engine, by reason (counted upstream of `ingested`). */
  rejected: Record<string, number>;
  processed: number;
  dropped: Record<DropReason, number>;
  backlog: number;
  inFlight: number;
  batches: number;
  windowsEmitted: number;
  alerts: number;
  mapTaskFailures: number;
  lastError: string;
  /** Why the last line dropped as 'malformed' was refused (map stage). */
  lastMalformed: string;
}

/** Everything a metrics source needs about the interval since the previous call. */
export interface IntervalStats {
  startMs: number;
  endMs: number;
  arrived: number;
  arrivedBytes: number;
  processed: number;
  dropped: number;
  /** End-to-end latency (device timestamp -> window contribution) of each message processed, ms. */
  latenciesMs: number[];
  costUsd: number;
  busyMs: number;
  availableMs: number;
  threadBusyMs: number;
  shuffleRawBytesWritten: number;
  shuffleRawBytesRead: number;
  shuffleRawBytesReread: number;
}

interface Pending {
  line: string;
  bytes: number;
  receivedAtMs: number;
  /** The full schema still has to run (ingestRaw with rawValidation 'executor'). */
  validate: boolean;
}

const encoder = new TextEncoder();
/** Largest split handed to one map task when stop() drains without the capacity cap. */
const MAX_DRAIN_TASK_MSGS = 20_000;
/** Latency samples kept per interval before thinning (a p95 needs far fewer). */
const MAX_LATENCY_SAMPLES = 200_000;

export class StreamEngine {
  readonly options: EngineOptions;
  readonly runId: string;
  readonly dedup = new SeqDeduper();
  readonly tally = new ValidationTally();
  private readonly nowMs: () => number;
  private readonly config: SimConfig;
  private readonly hooks: EngineHooks;
  private readonly pool: ExecutorPool;
  private readonly windows: WindowStore;
  private readonly zscore = new ZScoreDetector();
  private shuffleStore: EngineShuffle | undefined;
  private outputs: OutputSink | undefined;

  private queue: Pending[] = [];
  private head = 0;
  private queueBytes = 0;
  private inFlightBytes = 0;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private batchChain: Promise<unknown> = Promise.resolve();
  private startedAtMs = 0;
  private latencySeen = 0;
  private latencyStride = 1;
  private readonly logLine: (line: string) => void;
  /** Rejected messages, shown with topic and reason (rate-limited); every one is also in counters.rejected. */
  readonly rejectLog: RejectLog;

  private readonly counters: EngineCounters = {
    ingested: 0,
    duplicates: 0,
    rejected: {},
    processed: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
    backlog: 0,
    inFlight: 0,
    batches: 0,
    windowsEmitted: 0,
    alerts: 0,
    mapTaskFailures: 0,
    lastError: '',
    lastMalformed: '',
  };
  private interval: IntervalStats;

  constructor(options: EngineOptionsInput, hooks: EngineHooks = {}) {
    this.options = parseEngineOptions(options);
    this.hooks = hooks;
    this.nowMs = hooks.nowMs ?? Date.now;
    this.config = hooks.config ?? loadConfig();
    this.runId = this.options.runId ?? `run-${this.nowMs().toString(36)}`;
    this.windows = new WindowStore({
      windowMs: this.options.windowMs,
      watermarkMs: this.options.watermarkMs,
      idleCloseMs: this.options.idleCloseMs,
      maxClockSkewMs: this.options.maxClockSkewMs,
    });
    this.pool = new ExecutorPool({
      capacityMsgsPerS: this.options.executorCapacityMsgsPerS,
      coldStartMs: this.options.coldStartMs,
      triggerIntervalMs: this.options.triggerIntervalMs,
      config: this.config,
      runnerFactory: hooks.runnerFactory ?? runnerFactoryFor(this.options.executorMode),
      nowMs: this.nowMs,
    });
    this.interval = this.emptyInterval(this.nowMs());
    this.logLine = hooks.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.rejectLog = new RejectLog({ who: 'engine', log: this.logLine, nowMs: this.nowMs });
  }

  /**
   * Opens the stores (starting the embedded s3rver if configured) and the output files, starts the initial
   * executors warm, and, unless `{ timer: false }` (tests drive runBatch() themselves), the trigger loop.
   */
  async start(opts: { timer?: boolean } = {}): Promise<void> {
    if (this.state !== 'new') throw new Error(`StreamEngine.start: engine is ${this.state}`);
    this.state = 'running';
    this.startedAtMs = this.nowMs();
    this.interval = this.emptyInterval(this.startedAtMs);
    try {
      this.outputs = new OutputSink(this.options.outputDir, this.hooks.publish, (path, err) =>
        this.logLine(`engine: cannot write ${path}: ${err.message}; the engine keeps running, but results for this file are no longer saved (counted in outputStats)`),
      );
      this.shuffleStore = await EngineShuffle.open(this.options, this.runId, this.config, this.nowMs);
      this.pool.startWarm(this.options.initialExecutors, this.options.initialMemoryGb);
      await this.pool.whenOnline();
    } catch (err) {
      // Leave nothing running behind a failed start (an s3rver child, threads, open files).
      this.state = 'stopped';
      await this.pool.close().catch(() => undefined);
      await this.shuffleStore?.close().catch(() => undefined);
      await this.outputs?.close().catch(() => undefined);
      throw new Error(`StreamEngine.start failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.pool.reconcile();
    if (opts.timer !== false) this.scheduleNext(this.options.triggerIntervalMs);
  }

  /**
   * Accepts one validated device message (the receiver validated it; see ingestRaw for raw payloads). Never
   * throws: garbage is counted under `rejected`, a repeated (deviceId, seq) under `duplicates`.
   * `rawJson`, when given, must be the JSON text the message was parsed from; it saves re-serializing it
   * (the map stage parses it on an executor).
   */
  ingest(message: DeviceMessage, receivedAtMs: number = this.nowMs(), rawJson?: string): IngestResult {
    return this.accept(message, receivedAtMs, rawJson, false);
  }

  /** `shapeChecked`: envelopeCheck already ran shapeProblem on this message (skip the second run). */
  private accept(message: DeviceMessage, receivedAtMs: number, rawJson: string | undefined, validate: boolean, shapeChecked = false): IngestResult {
    const problem = shapeChecked ? undefined : shapeProblem(message);
    if (problem !== undefined || this.state === 'stopping' || this.state === 'stopped') {
      this.reject(problem ?? 'stopped');
      if (problem !== undefined) this.rejectLog.noteAt('a message handed in by ingest()', problem, 'not a device message (deviceId, seq, sentAtMs, scenario, kind, payload.type)');
      else this.rejectLog.noteAt(`a message from device '${String((message as { deviceId?: unknown }).deviceId).slice(0, 64)}'`, 'stopped', `the engine is ${this.state}; nothing is accepted after stop()`);
      return 'rejected';
    }
    let line: string;
    try {
      if (!this.dedup.accept(message.deviceId, message.seq, message.sentAtMs)) {
        this.counters.duplicates++;
        return 'duplicate';
      }
      // One message per line: a raw text with a line break (pretty-printed JSON) is re-serialized.
      line = rawJson !== undefined && typeof rawJson === 'string' && !rawJson.includes('\n') ? rawJson : JSON.stringify(message);
    } catch (err) {
      this.reject('malformed');
      this.rejectLog.noteAt('a message handed in by ingest()', 'malformed', err instanceof Error ? err.message : String(err));
      return 'rejected';
    }
    const bytes = Buffer.byteLength(line);
    this.counters.ingested++;
    this.interval.arrived++;
    this.interval.arrivedBytes += bytes;
    if (this.queue.length - this.head >= this.options.maxBacklogMsgs) this.dropOldest(1, 'backlog');
    this.queue.push({ line, bytes, receivedAtMs: Number.isFinite(receivedAtMs) ? receivedAtMs : this.nowMs(), validate });
    this.queueBytes += bytes;
    return 'accepted';
  }

  /**
   * Takes a raw MQTT payload (docs/MESSAGES.md). With rawValidation 'receiver' it runs validatePayload in full
   * here; with 'executor' (default) it checks what is cheap and what dedup needs (size, topic, UTF-8, JSON, the
   * envelope, topic agreement, known devices) and leaves the payload schema to the map stage; with 'envelope' it
   * trusts the source for the payload schema. Rejects are tallied by reason (`rejected`, and `tally` in
   * 'receiver' mode). Never throws.
   */
  ingestRaw(topic: string, payload: Uint8Array | string, receivedAtMs: number = this.nowMs()): IngestResult {
    if (this.options.rawValidation === 'receiver') {
      const result = validatePayload(topic, payload, this.hooks.validate, receivedAtMs);
      this.tally.record(result);
      if (!result.ok) {
        this.reject(result.reason);
        this.rejectLog.note(topic, result.reason, result.detail);
        return 'rejected';
      }
      return this.accept(result.message, receivedAtMs, rawText(payload), false);
    }
    const checked = envelopeCheck(topic, payload, this.hooks.validate, receivedAtMs);
    if (typeof checked === 'string') {
      this.reject(checked);
      // The envelope check only names a reason; the full validator explains it, run only for a line that is shown.
      this.rejectLog.note(topic, checked, () => explainReject(topic, payload, this.hooks.validate, receivedAtMs, checked));
      return 'rejected';
    }
    return this.accept(checked.message, receivedAtMs, checked.text, this.options.rawValidation === 'executor', true);
  }

  /**
   * One MQTT message as it arrives (the engine's subscriber calls this): on an ingest topic
   * (`edgepilot/ingest/<scenario>`) the payload is an ingest batch (docs/MESSAGES.md "Ingest batches") and every line
   * goes through ingestRaw on its own, so dedup, rejects with their reason and the exactly-once balance count lines,
   * not MQTT messages; any other topic is one raw payload. Never throws. Returns what happened to each line.
   */
  ingestMqtt(topic: string, payload: Uint8Array | string, receivedAtMs: number = this.nowMs()): IngestBatchResult {
    const result: IngestBatchResult = { accepted: 0, duplicate: 0, rejected: 0 };
    if (!topic.startsWith(INGEST_TOPIC_PREFIX)) {
      result[this.ingestRaw(topic, payload, receivedAtMs)]++;
      return result;
    }
    let lines: Buffer[];
    try {
      lines = decodeIngestBatch(payload);
    } catch {
      // Not bytes nor text: one malformed message (the same reason ingestRaw gives it).
      result[this.ingestRaw(topic, payload, receivedAtMs)]++;
      return result;
    }
    for (const line of lines) result[this.ingestRaw(topic, line, receivedAtMs)]++;
    return result;
  }

  /** Runs one micro-batch now (the trigger loop calls this; tests call it directly). Batches never overlap. */
  runBatch(): Promise<BatchReport> {
    const run = this.batchChain.then(() => this.runBatchNow(false));
    this.batchChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Graceful stop: no more ingest, the trigger loop ends, the backlog is processed without the capacity cap (up
   * to stopDrainTimeoutMs; what is left is dropped as 'shutdown'), open windows are flushed, outputs closed,
   * executors drained and the stores closed.
   */
  async stop(): Promise<EngineCounters> {
    if (this.state === 'stopped' || this.state === 'stopping') {
      await this.batchChain;
      return this.getCounters();
    }
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.batchChain;
    if (wasRunning) {
      const deadline = performance.now() + this.options.stopDrainTimeoutMs;
      while (this.queue.length > this.head && performance.now() < deadline) {
        const report = await this.runBatchNow(true).catch((err: unknown) => {
          this.counters.lastError = String(err);
          return undefined;
        });
        if (report === undefined || report.msgs === 0) break;
      }
      this.dropOldest(this.queue.length - this.head, 'shutdown');
      this.rejectLog.flush();
      this.outputs?.writeWindows(this.countWindows(this.windows.flushAll()));
    }
    await this.outputs?.close();
    await this.pool.close();
    await this.shuffleStore?.close();
    this.state = 'stopped';
    return this.getCounters();
  }

  getCounters(): EngineCounters {
    return structuredClone({ ...this.counters, backlog: this.queue.length - this.head });
  }

  /** The exactly-once balance: ingested = processed + dropped + backlog + in flight. */
  accounting(): { ingested: number; processed: number; dropped: number; backlog: number; inFlight: number; balanced: boolean } {
    const dropped = DROP_REASONS.reduce((sum, r) => sum + this.counters.dropped[r], 0);
    const backlog = this.queue.length - this.head;
    const inFlight = this.counters.inFlight;
    const { ingested, processed } = this.counters;
    return { ingested, processed, dropped, backlog, inFlight, balanced: ingested === processed + dropped + backlog + inFlight };
  }

  // ---- control surface (LocalEngineActuator) and state (LocalEngineMetricsSource) ----

  /** Executor count and memory per executor to converge on (memory changes replace executors). */
  scale(executors: number, memoryGb: number): ReturnType<ExecutorPool['setTarget']> {
    return this.pool.setTarget(executors, memoryGb);
  }

  /** Tier and codec for shuffle blocks written from now on. */
  selectShuffle(selection: { tier?: Tier; codec?: Codec }): void {
    this.requireShuffle().select(selection);
  }

  get target(): { executors: number; memoryGb: number; tier: Tier; codec: Codec } {
    const shuffle = this.requireShuffle();
    return { ...this.pool.target, tier: shuffle.tier, codec: shuffle.codec };
  }

  /** Resolves when every requested executor's thread is up (their cold start still runs on the clock). */
  async whenExecutorsOnline(): Promise<void> {
    await this.pool.whenOnline();
  }

  executorCounts(): { running: number; starting: number; draining: number } {
    this.pool.reconcile();
    return this.pool.counts();
  }

  executors(): ReturnType<ExecutorPool['list']> {
    return this.pool.list();
  }

  get poolStats(): ExecutorPool['stats'] {
    return this.pool.stats;
  }

  get shuffle(): EngineShuffle {
    return this.requireShuffle();
  }

  get outputPaths(): { windows: string; alerts: string } | undefined {
    return this.outputs === undefined ? undefined : { windows: this.outputs.windowsPath, alerts: this.outputs.alertsPath };
  }

  get outputStats():
    | { windowsWritten: number; alertsWritten: number; published: number; publishedItems: number; publishFailures: number; fileErrors: number; windowsLost: number; alertsLost: number; lastFileError: string }
    | undefined {
    const o = this.outputs;
    return o === undefined
      ? undefined
      : {
          windowsWritten: o.windowsWritten,
          alertsWritten: o.alertsWritten,
          published: o.published,
          publishedItems: o.publishedItems,
          publishFailures: o.publishFailures,
          fileErrors: o.fileErrors,
          windowsLost: o.windowsLost,
          alertsLost: o.alertsLost,
          lastFileError: o.lastFileError,
        };
  }

  /** Seconds since start() on the engine clock. */
  elapsedS(): number {
    return (this.nowMs() - this.startedAtMs) / 1000;
  }

  /** Working set (queued + in-flight message bytes + window state) over the serving executors' memory budget. */
  memoryUtilization(): number {
    const workingSetBytes = this.queueBytes + this.inFlightBytes + this.windows.stateBytesEstimate;
    const budgetGb = Math.max(1, this.pool.servingMemoryGb());
    return workingSetBytes / (budgetGb * this.options.memoryBytesPerGb);
  }

  get backlogMsgs(): number {
    return this.queue.length - this.head;
  }

  get openWindows(): number {
    return this.windows.openWindows;
  }

  /** Stats since the previous call (one consumer: the engine's MetricsSource). */
  takeInterval(): IntervalStats {
    const now = this.nowMs();
    const out = this.interval;
    out.endMs = now;
    out.costUsd = this.pool.takeCostUsd() + (this.shuffleStore?.takeCostUsd() ?? 0);
    const busy = this.pool.takeBusy();
    out.busyMs = busy.busyMs;
    out.availableMs = busy.availableMs;
    out.threadBusyMs = busy.threadBusyMs;
    const shuffle = this.shuffleStore?.takeCounters();
    out.shuffleRawBytesWritten = shuffle?.rawBytesWritten ?? 0;
    out.shuffleRawBytesRead = shuffle?.rawBytesRead ?? 0;
    out.shuffleRawBytesReread = shuffle?.rawBytesReread ?? 0;
    this.interval = this.emptyInterval(now);
    this.latencySeen = 0;
    this.latencyStride = 1;
    return out;
  }

  // ---- the micro-batch ----

  private async runBatchNow(uncapped: boolean): Promise<BatchReport> {
    if (this.shuffleStore === undefined || this.outputs === undefined) throw new Error('StreamEngine.runBatch: call start() first');
    const shuffle = this.shuffleStore;
    const outputs = this.outputs;
    const started = performance.now();
    const batchId = this.counters.batches++;
    this.pool.reconcile();
    this.dropExpired(this.nowMs());

    const waiting = this.queue.length - this.head;
    const grants = uncapped ? this.drainGrants(waiting) : this.pool.grant(waiting, 1 / memorySlowdown(this.memoryUtilization(), this.config.cluster));
    const partitions = this.options.shufflePartitions;
    const tasks = grants.map((g, taskIndex) => {
      const split = this.take(g.msgs);
      const input: MapTaskInput = {
        taskId: taskIndex,
        partitions,
        lines: encoder.encode(split.map((p) => p.line).join('\n')),
        receivedAtMs: Float64Array.from(split, (p) => p.receivedAtMs),
      };
      if (split.some((p) => p.validate)) input.validate = Uint8Array.from(split, (p) => (p.validate ? 1 : 0));
      return { executorId: g.executorId, split, input };
    });
    const msgs = tasks.reduce((sum, t) => sum + t.split.length, 0);

    // Map stage on the executors (in parallel).
    const settled = await Promise.allSettled(tasks.map((t) => this.pool.run(t.executorId, t.input)));
    const outputsByTask: (MapTaskOutput | undefined)[] = [];
    const failedSplits: Pending[][] = [];
    settled.forEach((result, i) => {
      const task = tasks[i]!;
      if (result.status === 'fulfilled') {
        outputsByTask.push(result.value);
        return;
      }
      this.counters.mapTaskFailures++;
      this.counters.lastError = String(result.reason);
      failedSplits.push(task.split);
      outputsByTask.push(undefined);
    });
    // The failed tasks never reached the shuffle: their messages go back to the head of the backlog, in their original
    // order (one splice; one per task would put a later task's messages before an earlier one's).
    if (failedSplits.length > 0) this.requeue(failedSplits.flat());

    let malformed = 0;
    const alerts: Alert[] = [];
    for (const out of outputsByTask) if (out !== undefined && out.malformedDetail) this.counters.lastMalformed = out.malformedDetail;
    const malformedInBatch = outputsByTask.reduce((sum, out) => sum + (out?.malformed ?? 0), 0);
    if (malformedInBatch > 0) {
      this.rejectLog.noteAt(`${malformedInBatch} line${malformedInBatch === 1 ? '' : 's'} of micro-batch ${batchId} in the map stage`, 'malformed', `dropped as 'malformed'; last: ${this.counters.lastMalformed}`);
    }
    const blocks: { key: string; partition: number; records: number; raw: Buffer }[] = [];
    outputsByTask.forEach((out, t) => {
      if (out === undefined) return;
      malformed += out.malformed;
      for (const a of out.alerts) alerts.push(a);
      out.blocks.forEach((block, r) => {
        const records = out.recordCounts[r]!;
        if (records === 0) return;
        blocks.push({ key: `${this.runId}/b${batchId}/m${t}-r${r}`, partition: r, records, raw: Buffer.from(block.buffer, block.byteOffset, block.byteLength) });
      });
    });
    this.drop(malformed, 'malformed');

    // Shuffle write through the selected tier and codec.
    const writes = await Promise.allSettled(blocks.map((b) => shuffle.write(b.key, b.raw)));
    let shuffleLost = 0;
    const written = blocks.filter((b, i) => {
      const w = writes[i]!;
      if (w.status === 'fulfilled') return true;
      this.counters.lastError = String(w.reason);
      shuffleLost += b.records;
      return false;
    });

    try {
      await this.hooks.afterShuffleWrite?.(batchId);
    } catch (err) {
      this.counters.lastError = `afterShuffleWrite: ${String(err)}`;
    }

    // Reduce stage: read each partition's blocks back and merge them, partition by partition, in map-task order.
    let processed = 0;
    let late = 0;
    for (let r = 0; r < partitions; r++) {
      const mine = written.filter((b) => b.partition === r);
      const reads = await Promise.allSettled(mine.map((b) => shuffle.read(b.key)));
      for (let i = 0; i < mine.length; i++) {
        const block = mine[i]!;
        const read = reads[i]!;
        if (read.status === 'rejected') {
          this.counters.lastError = String(read.reason);
          shuffleLost += block.records;
          continue;
        }
        let records;
        try {
          records = decodeRecords(read.value, `shuffle block '${block.key}'`);
        } catch (err) {
          this.counters.lastError = String(err);
          shuffleLost += block.records;
          continue;
        }
        const contributionMs = this.nowMs();
        for (const record of records) {
          if (this.windows.add(record, contributionMs) === 'late') {
            late++;
            continue;
          }
          processed++;
          this.sampleLatency(contributionMs - record.sentAtMs);
          for (const a of this.zscore.observe(record, record.type, record.readings)) alerts.push(a);
        }
        // A block whose records were counted but not all decoded would break the balance: charge the rest as lost.
        if (records.length < block.records) shuffleLost += block.records - records.length;
      }
      await Promise.all(mine.map((b) => shuffle.remove(b.key)));
    }
    this.counters.processed += processed;
    this.interval.processed += processed;
    this.drop(late, 'late');
    this.drop(shuffleLost, 'shuffle-lost');
    const completed = tasks.filter((_, i) => outputsByTask[i] !== undefined);
    for (const t of completed) {
      this.counters.inFlight -= t.split.length;
      for (const p of t.split) this.inFlightBytes -= p.bytes;
    }

    const closed = this.countWindows(this.windows.endBatch(this.nowMs()));
    outputs.writeWindows(closed);
    outputs.writeAlerts(alerts);
    this.counters.alerts += alerts.length;
    const report: BatchReport = {
      batchId,
      msgs,
      processed,
      late,
      malformed,
      shuffleLost,
      blocks: blocks.length,
      mapTasks: tasks.length,
      windowsClosed: closed.length,
      alerts: alerts.length,
      durationMs: performance.now() - started,
    };
    try {
      this.hooks.onBatch?.(report);
    } catch (err) {
      this.counters.lastError = `onBatch: ${String(err)}`;
    }
    return report;
  }

  /** Splits `waiting` messages over the idle serving executors, ignoring the token buckets (stop() only). */
  private drainGrants(waiting: number): { executorId: number; msgs: number }[] {
    const serving = this.pool.list().filter((e) => e.state === 'running' && !e.busy);
    if (serving.length === 0 || waiting === 0) return [];
    const each = Math.min(MAX_DRAIN_TASK_MSGS, Math.ceil(waiting / serving.length));
    const grants: { executorId: number; msgs: number }[] = [];
    let left = waiting;
    for (const e of serving) {
      const msgs = Math.min(each, left);
      if (msgs <= 0) break;
      grants.push({ executorId: e.id, msgs });
      left -= msgs;
    }
    return grants;
  }

  /**
   * Keeps the interval's latency samples bounded when nobody takes the interval (an engine run without a
   * metrics source): past MAX_LATENCY_SAMPLES, every other sample is kept and the sampling stride doubles.
   */
  private sampleLatency(latencyMs: number): void {
    if (this.latencySeen++ % this.latencyStride !== 0) return;
    const samples = this.interval.latenciesMs;
    samples.push(latencyMs);
    if (samples.length >= MAX_LATENCY_SAMPLES) {
      this.interval.latenciesMs = samples.filter((_, i) => i % 2 === 0);
      this.latencyStride *= 2;
    }
  }

  private scheduleNext(delayMs: number): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(() => {
      const started = performance.now();
      this.runBatch()
        .catch((err: unknown) => {
          this.counters.lastError = String(err);
        })
        .finally(() => this.scheduleNext(Math.max(0, this.options.triggerIntervalMs - (performance.now() - started))));
    }, delayMs);
  }

  /** Takes `n` messages off the head of the backlog into flight. */
  private take(n: number): Pending[] {
    const split = this.queue.slice(this.head, this.head + n);
    this.head += split.length;
    for (const p of split) {
      this.queueBytes -= p.bytes;
      this.inFlightBytes += p.bytes;
    }
    this.counters.inFlight += split.length;
    this.compact();
    return split;
  }

  private requeue(split: Pending[]): void {
    this.queue.splice(this.head, 0, ...split);
    for (const p of split) {
      this.queueBytes += p.bytes;
      this.inFlightBytes -= p.bytes;
    }
    this.counters.inFlight -= split.length;
  }

  /** Sheds messages that waited longer than the retention bound (the backlog is in receive order). */
  private dropExpired(nowMs: number): void {
    const cutoff = nowMs - this.options.retentionMs;
    let n = 0;
    while (this.head + n < this.queue.length && this.queue[this.head + n]!.receivedAtMs < cutoff) n++;
    this.dropOldest(n, 'retention');
  }

  private dropOldest(n: number, reason: DropReason): void {
    if (n <= 0) return;
    for (let i = this.head; i < this.head + n; i++) this.queueBytes -= this.queue[i]!.bytes;
    this.head += n;
    this.drop(n, reason);
    this.compact();
  }

  private drop(n: number, reason: DropReason): void {
    if (n <= 0) return;
    this.counters.dropped[reason] += n;
    this.interval.dropped += n;
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private reject(reason: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
  }

  private countWindows<T>(list: T[]): T[] {
    this.counters.windowsEmitted += list.length;
    return list;
  }

  private requireShuffle(): EngineShuffle {
    if (this.shuffleStore === undefined) throw new Error('StreamEngine: call start() first (the shuffle stores open there)');
    return this.shuffleStore;
  }

  private emptyInterval(startMs: number): IntervalStats {
    return {
      startMs,
      endMs: startMs,
      arrived: 0,
      arrivedBytes: 0,
      processed: 0,
      dropped: 0,
      latenciesMs: [],
      costUsd: 0,
      busyMs: 0,
      availableMs: 0,
      threadBusyMs: 0,
      shuffleRawBytesWritten: 0,
      shuffleRawBytesRead: 0,
      shuffleRawBytesReread: 0,
    };
  }
}

/** Why a value is not a usable device message (cheap structural check; the receiver ran the full schema). */
function shapeProblem(m: unknown): string | undefined {
  if (m === null || typeof m !== 'object') return 'malformed';
  const x = m as Record<string, unknown>;
  if (typeof x.deviceId !== 'string' || !ID_PATTERN.test(x.deviceId)) return 'malformed';
  if (typeof x.seq !== 'number' || !Number.isSafeInteger(x.seq) || x.seq < 0) return 'malformed';
  if (typeof x.sentAtMs !== 'number' || !Number.isFinite(x.sentAtMs)) return 'malformed';
  if (typeof x.scenario !== 'string' || typeof x.kind !== 'string') return 'malformed';
  const payload = x.payload as Record<string, unknown> | null | undefined;
  if (payload === null || typeof payload !== 'object' || !isPayloadType(payload.type)) return 'malformed';
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function rawText(payload: Uint8Array | string): string {
  return typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

/** The last topic parsed: every line of an ingest batch has the same topic, so it is parsed once per batch. */
let lastTopic: string | undefined;
let lastParsedTopic: ReturnType<typeof parseTopic> = null;

function parseTopicCached(topic: string): ReturnType<typeof parseTopic> {
  if (topic !== lastTopic) {
    lastParsedTopic = parseTopic(topic);
    lastTopic = topic;
  }
  return lastParsedTopic;
}

/**
 * The cheap part of validatePayload (src/runtime/devices/schemas.ts), same reasons: size, topic, UTF-8, JSON, the
 * envelope, topic agreement, known devices. The payload schema runs later on an executor. Returns the reason of a
 * reject, or the parsed message and its text.
 */
function envelopeCheck(topic: string, payload: Uint8Array | string, opts: ValidateOptions = {}, receivedAtMs?: number): string | { message: DeviceMessage; text: string } {
  try {
    const maxBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    const byteLength = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload?.byteLength;
    if (typeof byteLength !== 'number') return 'invalid-json';
    if (byteLength > maxBytes) return 'too-large';
    const parsedTopic = parseTopicCached(topic);
    if (parsedTopic === null || (parsedTopic.type !== 'device' && parsedTopic.type !== 'ingest')) return 'unknown-topic';
    let text: string;
    try {
      text = typeof payload === 'string' ? payload : utf8.decode(payload);
    } catch {
      return 'invalid-utf8';
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return 'invalid-json';
    }
    if (shapeProblem(value) !== undefined) return 'schema';
    const message = value as DeviceMessage;
    if (parsedTopic.type === 'device' && (parsedTopic.deviceId !== message.deviceId || parsedTopic.scenario !== message.scenario)) return 'topic-mismatch';
    if (parsedTopic.type === 'ingest' && parsedTopic.scenario !== message.scenario) return 'topic-mismatch';
    const known = opts.knownDevices;
    if (known !== undefined && !(typeof known === 'function' ? known(message.deviceId) : known.has(message.deviceId))) return 'unknown-device';
    if (receivedAtMs !== undefined && timestampProblem(message.sentAtMs, receivedAtMs, opts) !== null) return 'bad-timestamp';
    return { message, text };
  } catch {
    return 'internal';
  }
}

/**
 * The detail of a reject the envelope check named only by its reason: the full validator's words when it gives the
 * same reason (it checks a superset), the reason's meaning otherwise.
 */
function explainReject(topic: string, payload: Uint8Array | string, opts: ValidateOptions | undefined, receivedAtMs: number, reason: string): string {
  const full = validatePayload(topic, payload, opts, receivedAtMs);
  if (!full.ok && full.reason === reason) return full.detail;
  if (reason === 'schema') return 'the envelope (deviceId, seq, sentAtMs, scenario, kind, payload.type) is not a device message';
  return full.ok ? '' : full.detail;
}
