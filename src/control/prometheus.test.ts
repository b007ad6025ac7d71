import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Action, SystemSnapshot } from '../core/types.ts';
import { ControlLoop, type ControlDecision } from './control-loop.ts';
import { DryRunActuator } from './dry-run-actuator.ts';
import { CONTENT_TYPE, controlLoopMetrics, controlLoopMetricsHandler, escapeHelp, escapeLabelValue, formatValue, gatewayMetrics, metricsHandler, renderMetrics } from './prometheus.ts';

test('render: HELP/TYPE lines, labels, suffixes, special values', () => {
  const text = renderMetrics([
    { name: 'a_total', help: 'Things.', type: 'counter', samples: [{ value: 3 }] },
    { name: 'b', help: 'Per x.', type: 'gauge', samples: [{ labels: { x: '1', y: 'two' }, value: 0.5 }, { labels: { x: '2', y: 'three' }, value: NaN }] },
    { name: 'c_seconds', help: 'Time.', type: 'summary', samples: [{ suffix: '_sum', value: Infinity }, { suffix: '_count', value: 2 }] },
    { name: 'd', help: 'Neg.', type: 'gauge', samples: [{ value: -Infinity }, { labels: {}, value: 1e-7 }] },
  ]);
  assert.equal(
    text,
    [
      '# HELP a_total Things.',
      '# TYPE a_total counter',
      'a_total 3',
      '# HELP b Per x.',
      '# TYPE b gauge',
      'b{x="1",y="two"} 0.5',
      'b{x="2",y="three"} NaN',
      '# HELP c_seconds Time.',
      '# TYPE c_seconds summary',
      'c_seconds_sum +Inf',
      'c_seconds_count 2',
      '# HELP d Neg.',
      '# TYPE d gauge',
      'd -Inf',
      'd 1e-7',
      '',
    ].join('\n'),
  );
});

test('escaping: help escapes backslash and newline; label values also escape quotes', () => {
  assert.equal(escapeHelp('a\\b\nc "q"'), 'a\\\\b\\nc "q"');
  assert.equal(escapeLabelValue('a\\b\nc "q"'), 'a\\\\b\\nc \\"q\\"');
  const text = renderMetrics([{ name: 'm', help: 'line1\nline2', type: 'gauge', samples: [{ labels: { path: 'C:\\x "y"\nz' }, value: 1 }] }]);
  assert.match(text, /^# HELP m line1\\nline2$/m);
  assert.match(text, /^m\{path="C:\\\\x \\"y\\"\\nz"\} 1$/m);
  // Every line is one line: no raw newline leaked from help or labels.
  assert.equal(text.trim().split('\n').length, 3);
  assert.equal(formatValue(42), '42');
});

test('render refuses invalid metric names, label names and duplicates', () => {
  assert.throws(() => renderMetrics([{ name: '9lives', help: '', type: 'gauge', samples: [] }]), /invalid metric name '9lives'/);
  assert.throws(() => renderMetrics([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'bad-name': 'x' }, value: 1 }] }]), /invalid label name 'bad-name'/);
  assert.throws(() => renderMetrics([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { __reserved: 'x' }, value: 1 }] }]), /invalid label name '__reserved'/);
  const f = { name: 'dup', help: '', type: 'gauge' as const, samples: [] };
  assert.throws(() => renderMetrics([f, f]), /rendered twice/);
});

const snap = (a: Action): SystemSnapshot => ({
  tSeconds: 10, arrivalRateMsgsPerS: 1234, processedRateMsgsPerS: 1200, backlogMsgs: 50, p95LatencyMs: 1500, cpuUtilization: 0.6,
  memoryUtilization: 0.7, executorsRunning: a.executors, executorsStarting: 1, executorsDraining: 0, memoryPerExecutorGb: a.memoryGb,
  tier: a.tier, codec: a.codec, shuffleBytes: 1e6, observedReuse: 0.3, costRateUsdPerHour: 1.5, costUsd: 0.004, droppedMsgs: 0, meanMessageBytes: 300,
});

function makeLoop(): ControlLoop {
  const a: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
  return new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snap(a) },
    forecasts: { latest: () => ({ predictedRateMsgsPerS: 2000, burstProbability: 0.25, horizonS: 40, gatewayId: 'gw-1' }) },
    actuator: new DryRunActuator(), policy: 'threshold-forecast', scenario: 'healthcare', initialAction: a, log: () => undefined,
    limits: { maxExecutorStepPerInterval: 1 },
  });
}

test('control loop metrics: the snapshot fields, decisions, shield, errors and decision time', async () => {
  const loop = makeLoop();
  const before = renderMetrics(controlLoopMetrics(loop));
  assert.match(before, /^edgepilot_decisions_total\{policy="threshold-forecast",scenario="healthcare"\} 0$/m);
  assert.doesNotMatch(before, /edgepilot_backlog_msgs/, 'no snapshot gauges before the first decision');
  await loop.tick();
  await loop.tick();
  const text = renderMetrics(controlLoopMetrics(loop));
  assert.match(text, /^edgepilot_decisions_total\{policy="threshold-forecast",scenario="healthcare"\} 2$/m);
  assert.match(text, /^edgepilot_arrival_rate_msgs_per_second 1234$/m);
  assert.match(text, /^edgepilot_backlog_msgs 50$/m);
  assert.match(text, /^edgepilot_p95_latency_seconds 1.5$/m);
  assert.match(text, /^edgepilot_executors\{state="starting"\} 1$/m);
  assert.match(text, /^edgepilot_forecast_burst_probability 0.25$/m);
  assert.match(text, /^edgepilot_spent_usd_total 0.008$/m);
  assert.match(text, /^edgepilot_controller_errors_total\{stage="actuator"\} 0$/m);
  assert.match(text, /^edgepilot_decision_seconds_count 2$/m);
  assert.match(text, /^edgepilot_decision_seconds_sum \d/m);
  assert.match(text, /^edgepilot_action_tier\{tier="nvme"\} 1$/m);
  // threshold-forecast wants more than 3 + 1 executors for 2000 msgs/s with a step limit of 1: the shield intervened.
  assert.match(text, /^edgepilot_shield_interventions_total [12]$/m);
  assert.match(text, /^edgepilot_shield_rule_interventions_total\{rule="rate"\} [12]$/m);
  // Every family has exactly one HELP and one TYPE line, before its samples.
  const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
  assert.equal(new Set(names).size, names.length);
  for (const line of text.trim().split('\n')) if (!line.startsWith('#')) assert.ok(names.some((n) => line.startsWith(n!)), line);
});

test('gateway metrics: one series per gateway and reject reason', () => {
  const text = renderMetrics(
    gatewayMetrics([
      { gatewayId: 'gw-a', deliveries: 10, accepted: 8, duplicates: 1, devicesHeld: 4, devicesEvicted: 2, devicesJoinedMidStream: 1, deviceRestarts: 3, rejectedByReason: { schema: 1 }, forwarded: 8, forecastsPublished: 3, lastRateMsgsPerS: 4 },
      { gatewayId: 'gw-b', deliveries: 5, accepted: 5, duplicates: 0, devicesHeld: 5, devicesEvicted: 0, devicesJoinedMidStream: 0, deviceRestarts: 0, rejectedByReason: {}, forwarded: 5, forecastsPublished: 2, lastRateMsgsPerS: 2 },
    ]),
  );
  assert.match(text, /^edgepilot_gateway_accepted_total\{gateway="gw-a"\} 8$/m);
  assert.match(text, /^edgepilot_gateway_accepted_total\{gateway="gw-b"\} 5$/m);
  assert.match(text, /^edgepilot_gateway_rejected_total\{gateway="gw-a",reason="schema"\} 1$/m);
  assert.match(text, /^edgepilot_gateway_devices\{gateway="gw-a"\} 4$/m);
  assert.match(text, /^edgepilot_gateway_devices_evicted_total\{gateway="gw-a"\} 2$/m);
  assert.match(text, /^edgepilot_gateway_devices_joined_mid_stream_total\{gateway="gw-a"\} 1$/m);
  assert.match(text, /^edgepilot_gateway_device_restarts_total\{gateway="gw-a"\} 3$/m);
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server };
}

test('the /metrics handler over HTTP: content type, GET body, HEAD, 405, 500 on a failing collector', async () => {
  const loop = makeLoop();
  await loop.tick();
  const { url, server } = await serve(controlLoopMetricsHandler(loop));
  const failing = await serve(metricsHandler(() => {
    throw new Error('collector broke');
  }));
  try {
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), CONTENT_TYPE);
    assert.match(await res.text(), /^edgepilot_decisions_total\{[^}]*\} 1$/m);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await fetch(url, { method: 'POST' });
    assert.equal(post.status, 405);
    const bad = await fetch(failing.url);
    assert.equal(bad.status, 500);
    assert.match(await bad.text(), /collector broke/);
  } finally {
    server.close();
    failing.server.close();
  }
});

// Mutation audit (src/edge, src/control): behaviours the tests above left unchecked.

/** The /metrics table of docs/CONTROLLER.md: name -> type. */
const DOCUMENTED: Record<string, string> = {
  edgepilot_decisions_total: 'counter',
  edgepilot_skipped_ticks_total: 'counter',
  edgepilot_shield_interventions_total: 'counter',
  edgepilot_shield_rule_interventions_total: 'counter',
  edgepilot_controller_errors_total: 'counter',
  edgepilot_decision_seconds: 'summary',
  edgepilot_last_decision_seconds: 'gauge',
  edgepilot_spent_usd_total: 'counter',
  edgepilot_controller_running: 'gauge',
  edgepilot_weight: 'gauge',
  edgepilot_action_executors: 'gauge',
  edgepilot_action_memory_gb: 'gauge',
  edgepilot_action_tier: 'gauge',
  edgepilot_action_codec: 'gauge',
  edgepilot_arrival_rate_msgs_per_second: 'gauge',
  edgepilot_processed_rate_msgs_per_second: 'gauge',
  edgepilot_backlog_msgs: 'gauge',
  edgepilot_dropped_msgs: 'gauge',
  edgepilot_p95_latency_seconds: 'gauge',
  edgepilot_cpu_utilization_ratio: 'gauge',
  edgepilot_memory_utilization_ratio: 'gauge',
  edgepilot_executors: 'gauge',
  edgepilot_memory_per_executor_gb: 'gauge',
  edgepilot_shuffle_bytes: 'gauge',
  edgepilot_observed_reuse_ratio: 'gauge',
  edgepilot_cost_rate_usd_per_hour: 'gauge',
  edgepilot_forecast_predicted_rate_msgs_per_second: 'gauge',
  edgepilot_forecast_burst_probability: 'gauge',
};

const a: Action = { executors: 5, memoryGb: 4, tier: 'redis', codec: 'zstd' };
const snapshot: SystemSnapshot = {
  tSeconds: 10, arrivalRateMsgsPerS: 1234, processedRateMsgsPerS: 1200, backlogMsgs: 50, p95LatencyMs: 1500, cpuUtilization: 0.6,
  memoryUtilization: 0.7, executorsRunning: 5, executorsStarting: 1, executorsDraining: 2, memoryPerExecutorGb: 4, tier: 'redis', codec: 'zstd',
  shuffleBytes: 1e6, observedReuse: 0.3, costRateUsdPerHour: 1.5, costUsd: 0.004, droppedMsgs: 7, meanMessageBytes: 300,
};

const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no sample ${series}`);
  return Number(line.slice(series.length + 1));
};

test('/metrics: every documented control-loop metric, with its type, and the values of the last decision in their units', async () => {
  const loop = new ControlLoop({
    metrics: { id: 'm', snapshot: async () => snapshot },
    forecasts: { latest: () => ({ predictedRateMsgsPerS: 2100, burstProbability: 0.25, horizonS: 40, gatewayId: 'gw-1' }) },
    actuator: new DryRunActuator(), policy: 'fixed', scenario: 'healthcare', initialAction: a,
    clock: { nowMs: () => 0, setInterval: () => 1, clearInterval: () => undefined }, log: () => undefined,
  });
  const records: ControlDecision[] = [];
  loop.onDecision((d) => records.push(d));
  await loop.tick();
  await loop.tick();
  loop.start();
  const text = renderMetrics(controlLoopMetrics(loop));
  const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(types, DOCUMENTED);
  assert.equal(sample(text, 'edgepilot_controller_running'), 1);
  assert.equal(sample(text, 'edgepilot_skipped_ticks_total'), 0);
  assert.equal(sample(text, 'edgepilot_executors{state="running"}'), 5);
  assert.equal(sample(text, 'edgepilot_executors{state="starting"}'), 1);
  assert.equal(sample(text, 'edgepilot_executors{state="draining"}'), 2);
  assert.equal(sample(text, 'edgepilot_dropped_msgs'), 7);
  assert.equal(sample(text, 'edgepilot_p95_latency_seconds'), 1.5);
  assert.equal(sample(text, 'edgepilot_forecast_predicted_rate_msgs_per_second'), 2100);
  assert.equal(sample(text, 'edgepilot_weight{weight="beta"}'), loop.currentWeights().beta);
  assert.equal(sample(text, 'edgepilot_weight{weight="gamma"}'), loop.currentWeights().gamma);
  // Seconds, from the loop's microseconds.
  const sumS = sample(text, 'edgepilot_decision_seconds_sum');
  assert.ok(Math.abs(sumS - (records[0]!.decisionMicros + records[1]!.decisionMicros) / 1e6) < 1e-12, `decision_seconds_sum ${sumS}`);
  assert.equal(sample(text, 'edgepilot_last_decision_seconds'), records[1]!.decisionMicros / 1e6);
  await loop.stop();
  assert.equal(sample(renderMetrics(controlLoopMetrics(loop)), 'edgepilot_controller_running'), 0);
});

test('/metrics: the gateway rate gauge is the messages of the last closed second', () => {
  const text = renderMetrics(
    gatewayMetrics([{ gatewayId: 'gw-a', deliveries: 10, accepted: 8, duplicates: 1, devicesHeld: 4, devicesEvicted: 0, devicesJoinedMidStream: 0, deviceRestarts: 0, rejectedByReason: {}, forwarded: 8, forecastsPublished: 3, lastRateMsgsPerS: 42 }]),
  );
  assert.equal(sample(text, 'edgepilot_gateway_rate_msgs_per_second{gateway="gw-a"}'), 42);
  assert.equal(sample(text, 'edgepilot_gateway_forecasts_total{gateway="gw-a"}'), 3);
  assert.equal(sample(text, 'edgepilot_gateway_forwarded_total{gateway="gw-a"}'), 8);
});
