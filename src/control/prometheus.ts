/**
 * /metrics in the Prometheus text exposition format 0.0.4, rendered by hand (no client library needed for a few
 * dozen series). Format rules (prometheus.io/docs/instrumenting/exposition_formats [recalled]):
 *   - `# HELP name text` with `\` -> `\\` and newline -> `\n`; `# TYPE name gauge|counter|summary|untyped`;
 *   - `name{label="value"} number`, label values escape `\`, `"` and newline; values may be NaN, +Inf, -Inf;
 *   - metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* and must not start with `__`;
 *   - content type `text/plain; version=0.0.4; charset=utf-8`.
 * The collectors below read the ControlLoop and the edge gateway; engineer F mounts `metricsHandler(...)` at /metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TIERS, CODECS } from '../core/types.ts';
import type { ControlLoop } from './control-loop.ts';
import { LOOP_STAGES } from './control-loop.ts';
import { SHIELD_RULES } from './safety-shield.ts';

export type MetricType = 'gauge' | 'counter' | 'summary' | 'untyped';

export interface Sample {
  /** Appended to the family name (`_sum`, `_count`, `_total` for counters is part of the name itself). */
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function renderLabels(labels: Record<string, string> | undefined, where: string): string {
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const parts = keys.map((k) => {
    if (!LABEL_RE.test(k) || k.startsWith('__')) throw new Error(`prometheus: invalid label name '${k}' in ${where}`);
    return `${k}="${escapeLabelValue(String(labels[k]))}"`;
  });
  return `{${parts.join(',')}}`;
}

/** Renders families in order; throws on an invalid metric or label name (a programming error, caught in tests). */
export function renderMetrics(families: MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!NAME_RE.test(f.name)) throw new Error(`prometheus: invalid metric name '${f.name}'`);
    if (seen.has(f.name)) throw new Error(`prometheus: metric '${f.name}' rendered twice`);
    seen.add(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${s.suffix ?? ''}${renderLabels(s.labels, f.name)} ${formatValue(s.value)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const gauge = (name: string, help: string, value: number, labels?: Record<string, string>): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value, labels }] });
const counter = (name: string, help: string, value: number, labels?: Record<string, string>): MetricFamily => ({ name, help, type: 'counter', samples: [{ value, labels }] });

/** Everything the control loop knows, as metric families (names prefixed edgepilot_). */
export function controlLoopMetrics(loop: ControlLoop): MetricFamily[] {
  const st = loop.status();
  const rec = st.lastRecord;
  const base = { policy: st.policy, scenario: st.scenario };
  const out: MetricFamily[] = [
    counter('edgepilot_decisions_total', 'Control decisions made.', st.decisionCount, base),
    counter('edgepilot_skipped_ticks_total', 'Control ticks skipped because the previous decision was still running.', st.skippedTicks),
    counter('edgepilot_shield_interventions_total', 'Decisions the safety shield changed.', st.shieldInterventions),
    {
      name: 'edgepilot_shield_rule_interventions_total',
      help: 'Decisions changed by each safety shield rule (one decision can trip several).',
      type: 'counter',
      samples: SHIELD_RULES.map((rule) => ({ labels: { rule }, value: st.shieldInterventionsByRule[rule] })),
    },
    {
      name: 'edgepilot_controller_errors_total',
      help: 'Failures in the control loop by stage (the loop keeps the previous action and goes on).',
      type: 'counter',
      samples: LOOP_STAGES.map((stage) => ({ labels: { stage }, value: st.errors[stage] })),
    },
    {
      name: 'edgepilot_decision_seconds',
      help: 'Time to build the observation, run the policy and the shield.',
      type: 'summary',
      samples: [
        { suffix: '_sum', value: loop.decisionMicrosSum / 1e6 },
        { suffix: '_count', value: st.decisionCount },
      ],
    },
    counter('edgepilot_spent_usd_total', 'USD billed so far in this run (sum of snapshot costUsd).', st.spentUsd),
    gauge('edgepilot_controller_running', '1 while the control loop timer runs.', st.running ? 1 : 0),
    {
      name: 'edgepilot_weight',
      help: 'Reward weights shown to the policy (alpha = cost, beta = latency, gamma = throughput).',
      type: 'gauge',
      samples: (['alpha', 'beta', 'gamma'] as const).map((w) => ({ labels: { weight: w }, value: st.weights[w] })),
    },
  ];
  if (st.currentAction) {
    const a = st.currentAction;
    out.push(
      gauge('edgepilot_action_executors', 'Executors the action in force asks for.', a.executors),
      gauge('edgepilot_action_memory_gb', 'Memory per executor (GB) of the action in force.', a.memoryGb),
      { name: 'edgepilot_action_tier', help: 'Shuffle tier of the action in force (1 = selected).', type: 'gauge', samples: TIERS.map((t) => ({ labels: { tier: t }, value: a.tier === t ? 1 : 0 })) },
      { name: 'edgepilot_action_codec', help: 'Shuffle codec of the action in force (1 = selected).', type: 'gauge', samples: CODECS.map((c) => ({ labels: { codec: c }, value: a.codec === c ? 1 : 0 })) },
    );
  }
  if (rec) {
    const s = rec.snapshot;
    out.push(
      gauge('edgepilot_arrival_rate_msgs_per_second', 'Arrival rate at the cloud ingest over the last interval.', s.arrivalRateMsgsPerS),
      gauge('edgepilot_processed_rate_msgs_per_second', 'Messages processed per second over the last interval.', s.processedRateMsgsPerS),
      gauge('edgepilot_backlog_msgs', 'Messages waiting at the end of the last interval.', s.backlogMsgs),
      gauge('edgepilot_p95_latency_seconds', 'p95 end-to-end latency over the last interval.', s.p95LatencyMs / 1000),
      gauge('edgepilot_cpu_utilization_ratio', 'Mean CPU utilization of serving executors (0..1).', s.cpuUtilization),
      gauge('edgepilot_memory_utilization_ratio', 'Working set over executor memory (>1 = spilling).', s.memoryUtilization),
      {
        name: 'edgepilot_executors',
        help: 'Executors by state.',
        type: 'gauge',
        samples: [
          { labels: { state: 'running' }, value: s.executorsRunning },
          { labels: { state: 'starting' }, value: s.executorsStarting },
          { labels: { state: 'draining' }, value: s.executorsDraining },
        ],
      },
      gauge('edgepilot_memory_per_executor_gb', 'Memory per running executor (GB).', s.memoryPerExecutorGb),
      gauge('edgepilot_shuffle_bytes', 'Raw shuffle bytes written in the last interval.', s.shuffleBytes),
      gauge('edgepilot_observed_reuse_ratio', 'Observed share of shuffle data re-read (0..1).', s.observedReuse),
      gauge('edgepilot_cost_rate_usd_per_hour', 'Cost rate over the last interval.', s.costRateUsdPerHour),
      gauge('edgepilot_dropped_msgs', 'Messages dropped in the last interval.', s.droppedMsgs),
      gauge('edgepilot_forecast_predicted_rate_msgs_per_second', 'Combined edge forecast of the arrival rate.', rec.forecast.predictedRateMsgsPerS),
      gauge('edgepilot_forecast_burst_probability', 'Combined edge burst probability (max over gateways).', rec.forecast.burstProbability),
      gauge('edgepilot_last_decision_seconds', 'Decision time of the last decision.', rec.decisionMicros / 1e6),
    );
  }
  return out;
}

/** Gateway counters (src/edge/gateway.ts stats()), labelled by gateway. */
export interface GatewayMetricsInput {
  gatewayId: string;
  deliveries: number;
  accepted: number;
  duplicates: number;
  devicesHeld: number;
  devicesEvicted: number;
  devicesJoinedMidStream: number;
  deviceRestarts: number;
  rejectedByReason: Record<string, number>;
  forwarded: number;
  forecastsPublished: number;
  lastRateMsgsPerS: number;
}

export function gatewayMetrics(gateways: GatewayMetricsInput[]): MetricFamily[] {
  const per = (name: string, help: string, type: MetricType, pick: (g: GatewayMetricsInput) => number): MetricFamily => ({
    name,
    help,
    type,
    samples: gateways.map((g) => ({ labels: { gateway: g.gatewayId }, value: pick(g) })),
  });
  return [
    per('edgepilot_gateway_deliveries_total', 'MQTT deliveries to the gateway (duplicates and rejects included).', 'counter', (g) => g.deliveries),
    per('edgepilot_gateway_accepted_total', 'Distinct valid device messages.', 'counter', (g) => g.accepted),
    per('edgepilot_gateway_duplicates_total', 'Re-deliveries dropped by (deviceId, seq).', 'counter', (g) => g.duplicates),
    per('edgepilot_gateway_devices', 'Devices the dedup holds (bounded; the least recently seen are forgotten past it).', 'gauge', (g) => g.devicesHeld),
    per('edgepilot_gateway_devices_evicted_total', 'Devices forgotten by the dedup to stay within its bound.', 'counter', (g) => g.devicesEvicted),
    per('edgepilot_gateway_devices_joined_mid_stream_total', 'Devices first seen far into their seqs (running before the gateway started).', 'counter', (g) => g.devicesJoinedMidStream),
    per('edgepilot_gateway_device_restarts_total', 'Device restarts detected (seq back to 0 with a later sentAtMs).', 'counter', (g) => g.deviceRestarts),
    {
      name: 'edgepilot_gateway_rejected_total',
      help: 'Malformed payloads by reason (validatePayload).',
      type: 'counter',
      samples: gateways.flatMap((g) => Object.entries(g.rejectedByReason).map(([reason, n]) => ({ labels: { gateway: g.gatewayId, reason }, value: n }))),
    },
    per('edgepilot_gateway_forwarded_total', 'Messages forwarded to the ingest topic.', 'counter', (g) => g.forwarded),
    per('edgepilot_gateway_forecasts_total', 'Forecasts published.', 'counter', (g) => g.forecastsPublished),
    per('edgepilot_gateway_rate_msgs_per_second', 'Messages in the last closed second.', 'gauge', (g) => g.lastRateMsgsPerS),
  ];
}

/**
 * An HTTP handler for /metrics: `(req, res) => void`. Collectors run on every scrape; one that throws yields a 500
 * with the message, not a crashed server.
 */
export function metricsHandler(...collectors: Array<() => MetricFamily[]>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    let body: string;
    try {
      body = renderMetrics(collectors.flatMap((c) => c()));
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** The usual mount: the loop's metrics, plus the gateways' when given. */
export function controlLoopMetricsHandler(loop: ControlLoop, gateways?: () => GatewayMetricsInput[]): (req: IncomingMessage, res: ServerResponse) => void {
  return gateways ? metricsHandler(() => controlLoopMetrics(loop), () => gatewayMetrics(gateways())) : metricsHandler(() => controlLoopMetrics(loop));
}
