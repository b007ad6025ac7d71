/**
 * Tolerant parsers for the Spark 3.5 payloads the metrics source reads (formats in /work/shared/reference/spark-k8s.md;
 * recorded examples in test/fixtures/spark). Spark's documented quirks are handled here, once:
 *   - NaN / Infinity doubles and empty maps are OMITTED from StreamingQueryProgress JSON (1.8): every rate, durationMs,
 *     eventTime and metrics map is optional;
 *   - Kafka lag metrics are STRINGS ("12", "6.0") (1.8);
 *   - offsets are JSON objects {"topic": {"partition": offset}} or null before the first batch (1.8);
 *   - the executors list includes the driver (id "driver"), and isExcluded may be missing (1.4);
 *   - unknown fields are ignored (the v1 API only adds fields, 1.2).
 * A parser throws only when the payload is not the documented kind of object at all; the error names what and where.
 */

export class SparkFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SparkFormatError';
  }
}

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A finite number from a number or a numeric string (Kafka lag metrics are strings), else undefined. */
export function num(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? x : undefined;
  if (typeof x === 'string' && x.trim() !== '') {
    const v = Number(x);
    return Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

/** Kafka-style offsets {"topic": {"partition": offset}} -> Map "topic/partition" -> offset; null/strings -> empty. */
export function parseOffsets(x: unknown): Map<string, number> {
  const out = new Map<string, number>();
  let v = x;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return out; // a non-Kafka source's plain-string offset
    }
  }
  if (!isObj(v)) return out;
  for (const [topic, parts] of Object.entries(v)) {
    if (!isObj(parts)) continue;
    for (const [p, off] of Object.entries(parts)) {
      const n = num(off);
      if (n !== undefined) out.set(`${topic}/${p}`, n);
    }
  }
  return out;
}

export interface SourceProgress {
  description: string;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  /** Total offsets behind latest over partitions: latestOffset - endOffset when both are known, else avg lag x partitions. */
  lagMsgs?: number;
  partitions: number;
}

export interface ProgressSummary {
  id: string;
  runId: string;
  name: string | null;
  timestampMs: number;
  batchId: number;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  triggerExecutionMs?: number;
  /** Oldest event time in the batch (ms), when the query has an event-time column. */
  eventTimeMinMs?: number;
  sources: SourceProgress[];
  /** Sum of sources' lag, when every Kafka source reported one. */
  lagMsgs?: number;
  stateMemoryBytes: number;
}

function parseSource(x: unknown, where: string): SourceProgress {
  if (!isObj(x)) throw new SparkFormatError(`${where}: a source must be an object`);
  const end = parseOffsets(x.endOffset);
  const latest = parseOffsets(x.latestOffset);
  let lag: number | undefined;
  if (end.size > 0 && latest.size > 0) {
    lag = 0;
    for (const [k, l] of latest) lag += Math.max(0, l - (end.get(k) ?? l));
  } else if (isObj(x.metrics)) {
    const avg = num(x.metrics.avgOffsetsBehindLatest);
    const partitions = Math.max(end.size, latest.size, 1);
    if (avg !== undefined) lag = avg * partitions;
  }
  return {
    description: typeof x.description === 'string' ? x.description : '',
    numInputRows: num(x.numInputRows) ?? 0,
    inputRowsPerSecond: num(x.inputRowsPerSecond),
    processedRowsPerSecond: num(x.processedRowsPerSecond),
    lagMsgs: lag,
    partitions: Math.max(end.size, latest.size),
  };
}

/** One StreamingQueryProgress (object or JSON text). */
export function parseProgress(x: unknown): ProgressSummary {
  const v = typeof x === 'string' ? (JSON.parse(x) as unknown) : x;
  if (!isObj(v)) throw new SparkFormatError('StreamingQueryProgress must be a JSON object');
  if (typeof v.id !== 'string' || typeof v.runId !== 'string') throw new SparkFormatError('StreamingQueryProgress: id and runId must be strings');
  const ts = typeof v.timestamp === 'string' ? Date.parse(v.timestamp) : NaN;
  if (!Number.isFinite(ts)) throw new SparkFormatError(`StreamingQueryProgress ${v.id}: timestamp must be an ISO-8601 string, got ${JSON.stringify(v.timestamp)}`);
  const sources = Array.isArray(v.sources) ? v.sources.map((s, i) => parseSource(s, `StreamingQueryProgress ${v.id} sources[${i}]`)) : [];
  const lags = sources.map((s) => s.lagMsgs);
  const eventMin = isObj(v.eventTime) && typeof v.eventTime.min === 'string' ? Date.parse(v.eventTime.min) : NaN;
  let stateMemoryBytes = 0;
  if (Array.isArray(v.stateOperators)) for (const op of v.stateOperators) if (isObj(op)) stateMemoryBytes += num(op.memoryUsedBytes) ?? 0;
  return {
    id: v.id,
    runId: v.runId,
    name: typeof v.name === 'string' ? v.name : null,
    timestampMs: ts,
    batchId: num(v.batchId) ?? -1,
    numInputRows: num(v.numInputRows) ?? 0,
    inputRowsPerSecond: num(v.inputRowsPerSecond),
    processedRowsPerSecond: num(v.processedRowsPerSecond),
    triggerExecutionMs: isObj(v.durationMs) ? num(v.durationMs.triggerExecution) : undefined,
    eventTimeMinMs: Number.isFinite(eventMin) ? eventMin : undefined,
    sources,
    lagMsgs: sources.length > 0 && lags.every((l) => l !== undefined) ? lags.reduce((a, b) => a! + b!, 0) : undefined,
    stateMemoryBytes,
  };
}

export interface ExecutorSummary {
  id: string;
  isActive: boolean;
  totalCores: number;
  activeTasks: number;
  /** Cumulative task time, ms. */
  totalDurationMs: number;
  totalShuffleWriteBytes: number;
  totalShuffleReadBytes: number;
  totalInputBytes: number;
  maxMemoryBytes: number;
  /** Peak JVM heap (bytes) when peakMemoryMetrics is present. */
  peakJvmHeapBytes?: number;
}

/** `/api/v1/applications/<id>/executors`: the executors, driver EXCLUDED. */
export function parseExecutors(x: unknown): ExecutorSummary[] {
  if (!Array.isArray(x)) throw new SparkFormatError('executors: expected a JSON array (GET /api/v1/applications/<app-id>/executors)');
  const out: ExecutorSummary[] = [];
  x.forEach((e, i) => {
    if (!isObj(e) || typeof e.id !== 'string') throw new SparkFormatError(`executors[${i}]: expected an object with a string id`);
    if (e.id === 'driver') return;
    out.push({
      id: e.id,
      isActive: e.isActive !== false,
      totalCores: num(e.totalCores) ?? 0,
      activeTasks: num(e.activeTasks) ?? 0,
      totalDurationMs: num(e.totalDuration) ?? 0,
      totalShuffleWriteBytes: num(e.totalShuffleWrite) ?? 0,
      totalShuffleReadBytes: num(e.totalShuffleRead) ?? 0,
      totalInputBytes: num(e.totalInputBytes) ?? 0,
      maxMemoryBytes: num(e.maxMemory) ?? 0,
      peakJvmHeapBytes: isObj(e.peakMemoryMetrics) ? num(e.peakMemoryMetrics.JVMHeapMemory) : undefined,
    });
  });
  return out;
}

export interface StageSpill {
  /** "stageId.attemptId" */
  key: string;
  memoryBytesSpilled: number;
  diskBytesSpilled: number;
}

/** `/api/v1/applications/<id>/stages?status=complete` (StageData, spark-k8s.md 1.5): the spill of each stage attempt. */
export function parseStageSpills(x: unknown): StageSpill[] {
  if (!Array.isArray(x)) throw new SparkFormatError('stages: expected a JSON array (GET /api/v1/applications/<app-id>/stages)');
  return x.map((st, i) => {
    if (!isObj(st) || num(st.stageId) === undefined) throw new SparkFormatError(`stages[${i}]: expected an object with a numeric stageId`);
    return { key: `${st.stageId}.${num(st.attemptId) ?? 0}`, memoryBytesSpilled: num(st.memoryBytesSpilled) ?? 0, diskBytesSpilled: num(st.diskBytesSpilled) ?? 0 };
  });
}

/** `/api/v1/applications`: the id of the first running application. */
export function parseRunningAppId(x: unknown): string | undefined {
  if (!Array.isArray(x)) throw new SparkFormatError('applications: expected a JSON array (GET /api/v1/applications)');
  for (const app of x) {
    if (!isObj(app) || typeof app.id !== 'string') continue;
    const attempts = Array.isArray(app.attempts) ? app.attempts : [];
    if (attempts.length === 0 || attempts.some((a) => isObj(a) && a.completed === false)) return app.id;
  }
  return undefined;
}

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition (PrometheusServlet / `/metrics/executors/prometheus`): one sample per line. */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const out: PrometheusSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) for (const lm of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!;
    const value = Number(m[4]);
    if (Number.isFinite(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

export interface StreamingGauges {
  inputRate?: number;
  processingRate?: number;
  latencyMs?: number;
}

/**
 * The Structured Streaming gauges (spark.sql.streaming.metricsEnabled) of one query, from the driver's
 * PrometheusServlet output: names `metrics_<ns>_driver_spark_streaming_<query>_<gauge>_Value` (spark-k8s.md 2.2, 2.4).
 * `query` is the query name (or id) with non-alphanumerics as '_'; without it the first query found is used.
 */
export function streamingGauges(samples: PrometheusSample[], query?: string): StreamingGauges {
  const q = query?.replace(/[^a-zA-Z0-9]/g, '_');
  const out: StreamingGauges = {};
  const re = /_driver_spark_streaming_(.+)_(inputRate_total|processingRate_total|latency)_Value$/;
  for (const s of samples) {
    const m = re.exec(s.name);
    if (!m || (q && m[1] !== q)) continue;
    if (m[2] === 'inputRate_total') out.inputRate = s.value;
    else if (m[2] === 'processingRate_total') out.processingRate = s.value;
    else out.latencyMs = s.value;
  }
  return out;
}

/** The Kubernetes `Status` body of a failed API call (spark-k8s.md 5.3): reason and message, when it is one. */
export function parseK8sStatus(body: unknown): { reason: string; message: string; code: number; retryAfterS?: number } | undefined {
  let v = body;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (!isObj(v) || v.kind !== 'Status') return undefined;
  const details = isObj(v.details) ? v.details : {};
  return { reason: String(v.reason ?? ''), message: String(v.message ?? ''), code: num(v.code) ?? 0, retryAfterS: num(details.retryAfterSeconds) };
}
