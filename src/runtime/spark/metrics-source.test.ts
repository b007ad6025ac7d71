/** Contract tests of the Spark payload parsers and SparkMetricsSource against test/fixtures/spark (documented formats). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Action } from '../../core/types.ts';
import type { AgentEvent } from './agent-channel.ts';
import { parseExecutors, parseK8sStatus, parseProgress, parsePrometheusText, parseRunningAppId, parseStageSpills, streamingGauges } from './formats.ts';
import { batchLatencyMs, SparkMetricsSource } from './metrics-source.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/spark/${name}`, import.meta.url), 'utf8');
const json = (name: string): unknown => JSON.parse(fixture(name));
const APP = 'spark-c8519a1215934adba443bc7cd1108a1c';
const ACTION: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };

test('progress: Kafka lag from offsets, rates, trigger time, event time', () => {
  const p1 = parseProgress(json('progress-kafka-1.json'));
  assert.equal(p1.numInputRows, 9000);
  assert.equal(p1.lagMsgs, 2000, 'latestOffset - endOffset summed over partitions');
  assert.equal(p1.sources[0]!.partitions, 2);
  assert.equal(p1.triggerExecutionMs, 880);
  assert.equal(p1.inputRowsPerSecond, 9495.41);
  assert.equal(p1.stateMemoryBytes, 712000);
  assert.equal(p1.eventTimeMinMs, Date.parse('2024-05-01T10:29:44.282Z'));
  const p2 = parseProgress(fixture('progress-kafka-2.json'));
  assert.equal(p2.lagMsgs, 4000);
  assert.equal(batchLatencyMs(p2), 5292 + 4636, 'oldest event to the end of the trigger');
});

test('progress quirks: omitted NaN rates and empty maps, null offsets, string lag metrics', () => {
  const p = parseProgress(json('progress-nan-omitted.json'));
  assert.equal(p.inputRowsPerSecond, undefined);
  assert.equal(p.processedRowsPerSecond, undefined);
  assert.equal(p.triggerExecutionMs, undefined);
  assert.equal(p.lagMsgs, undefined, 'latestOffset null and no metrics: lag unknown, not 0');
  assert.equal(p.name, null);
  assert.equal(batchLatencyMs(p), 0);
  // Only the string metrics known (no latestOffset): avg lag x partitions.
  const withStrings = json('progress-kafka-1.json') as Record<string, unknown> & { sources: Array<Record<string, unknown>> };
  withStrings.sources[0]!.latestOffset = null;
  withStrings.sources[0]!.metrics = { avgOffsetsBehindLatest: '6.0', maxOffsetsBehindLatest: '12', minOffsetsBehindLatest: '0' };
  assert.equal(parseProgress(withStrings).lagMsgs, 12);
  withStrings.sources[0]!.metrics = { avgOffsetsBehindLatest: 'NaN' };
  assert.equal(parseProgress(withStrings).lagMsgs, undefined);
  assert.throws(() => parseProgress('[1]'), /must be a JSON object/);
  assert.throws(() => parseProgress({ id: 'q', runId: 'r', timestamp: 'yesterday' }), /timestamp must be an ISO-8601 string/);
});

test('executors, applications, Prometheus and Kubernetes Status formats', () => {
  const ex = parseExecutors(json('executors-t0.json'));
  assert.deepEqual(ex.map((e) => e.id), ['1', '2', '3'], 'driver excluded; element without isExcluded accepted');
  assert.equal(ex[0]!.peakJvmHeapBytes, 2 * 2 ** 30);
  assert.throws(() => parseExecutors({}), /expected a JSON array/);
  assert.equal(parseRunningAppId(json('applications.json')), APP);
  assert.deepEqual(parseStageSpills(json('stages-t1.json')).map((s) => [s.key, s.memoryBytesSpilled]), [['12.0', 6 * 2 ** 30], ['11.0', 0], ['10.0', 0]]);
  assert.throws(() => parseStageSpills([{ name: 'x' }]), /numeric stageId/);
  const g = streamingGauges(parsePrometheusText(fixture('prometheus-driver.txt')), 'orders-agg');
  assert.deepEqual(g, { inputRate: 9495.41, processingRate: 10247.52, latencyMs: 880 });
  assert.deepEqual(streamingGauges(parsePrometheusText(fixture('prometheus-driver.txt')), 'other-query'), {});
  const st = parseK8sStatus(fixture('status-conflict.json'))!;
  assert.equal(st.reason, 'Conflict');
  assert.equal(st.code, 409);
  assert.equal(parseK8sStatus('not json'), undefined);
});

function fakeFetch(routes: Record<string, () => string | number>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const route = routes[url.pathname];
    const body = route ? route() : 404;
    if (typeof body === 'number') return new Response('{"error":"down"}', { status: body });
    return new Response(body, { status: 200 });
  }) as typeof fetch;
}

function events(...bodies: Array<[string, unknown, number]>): { push(kind: string, body: unknown, atMs: number): void; drainEvents(): AgentEvent[] } {
  let q: AgentEvent[] = bodies.map(([kind, body, at]) => ({ kind, body: body as Record<string, unknown>, receivedAtMs: at }));
  return {
    push(kind, body, atMs) {
      q.push({ kind, body: body as Record<string, unknown>, receivedAtMs: atMs });
    },
    drainEvents() {
      const out = q;
      q = [];
      return out;
    },
  };
}

test('SparkMetricsSource: a snapshot from progress events and the executors API (two recorded intervals)', async () => {
  let now = 1_714_557_000_000;
  let executorsFile = 'executors-t0.json';
  const ev = events(['progress', json('progress-kafka-1.json'), now]);
  const warnings: string[] = [];
  const src = new SparkMetricsSource({
    events: ev,
    sparkUiUrl: 'http://driver:4040',
    actionInForce: () => ACTION,
    fetch: fakeFetch({
      '/api/v1/applications': () => fixture('applications.json'),
      [`/api/v1/applications/${APP}/executors`]: () => fixture(executorsFile),
      [`/api/v1/applications/${APP}/stages`]: () => fixture(executorsFile.replace('executors', 'stages')),
    }),
    nowMs: () => now,
    warn: (m) => warnings.push(m),
  });
  const s0 = await src.snapshot();
  assert.equal(s0.executorsRunning, 3);
  assert.equal(s0.backlogMsgs, 2000);
  now += 10_000;
  executorsFile = 'executors-t1.json';
  ev.push('progress', json('progress-kafka-2.json'), now);
  const s1 = await src.snapshot();
  assert.equal(s1.processedRateMsgsPerS, 5100, '51000 rows in 10 s');
  assert.equal(s1.arrivalRateMsgsPerS, 5300, 'processed + lag growth (4000 - 2000) / 10 s');
  assert.equal(s1.backlogMsgs, 4000);
  assert.equal(s1.p95LatencyMs, 9928);
  assert.equal(s1.cpuUtilization, 0.75, '90 s of task time over 3 x 4 cores x 10 s');
  // 3 GiB peak heap of 4 GiB would be 0.75; stage 12 spilled 6 GiB over 3 executors of 4 GiB: 1 + 0.5.
  assert.equal(s1.memoryUtilization, 1.5);
  assert.equal(s1.shuffleBytes, 300_000_000);
  assert.equal(s1.executorsStarting, 0);
  assert.equal(s1.memoryPerExecutorGb, 4);
  assert.ok(s1.costRateUsdPerHour > 0);
  assert.deepEqual(warnings, []);
});

test('SparkMetricsSource: missing sources degrade to defaults with one warning each, never a crash', async () => {
  let now = 0;
  let up = false;
  const warnings: string[] = [];
  const ev = events();
  const src = new SparkMetricsSource({
    events: ev,
    sparkUiUrl: 'http://driver:4040',
    prometheusPath: '/metrics/prometheus',
    actionInForce: () => ({ ...ACTION, executors: 5 }),
    fetch: fakeFetch({
      '/api/v1/applications': () => (up ? fixture('applications.json') : 503),
      [`/api/v1/applications/${APP}/executors`]: () => fixture('executors-t0.json'),
      '/metrics/prometheus': () => (up ? fixture('prometheus-driver.txt') : 503),
    }),
    nowMs: () => now,
    warn: (m) => warnings.push(m),
  });
  const s = await src.snapshot();
  assert.equal(s.executorsRunning, 5, 'the requested count when Spark cannot be asked');
  assert.equal(s.arrivalRateMsgsPerS, 0);
  assert.equal(s.droppedMsgs, 0);
  now += 10_000;
  await src.snapshot();
  assert.equal(warnings.length, 3, `one warning per missing source, not per tick: ${warnings.join(' | ')}`);
  assert.deepEqual(src.degradedSources.sort(), ['executors', 'progress', 'prometheus']);
  up = true;
  now += 10_000;
  const back = await src.snapshot();
  assert.equal(back.executorsRunning, 3);
  assert.equal(back.executorsStarting, 2);
  assert.equal(back.arrivalRateMsgsPerS, 9495.41, 'Prometheus gauges when no progress event arrived');
  assert.ok(warnings.some((w) => /executors is back/.test(w)));
  // A UI without any configuration: still a snapshot.
  const bare = new SparkMetricsSource({ actionInForce: () => ACTION, warn: () => {} });
  assert.equal((await bare.snapshot()).executorsRunning, 3);
});

test('SparkMetricsSource: a stalled query ages its backlog; a new runId is measured as a restart', async () => {
  let now = 1_714_557_000_000;
  const ev = events(['progress', json('progress-kafka-1.json'), now]);
  const measured: number[] = [];
  const src = new SparkMetricsSource({ events: ev, actionInForce: () => ACTION, nowMs: () => now, warn: () => {}, onRestartMeasured: (s) => measured.push(s) });
  await src.snapshot();
  now += 30_000;
  const stalled = await src.snapshot();
  assert.equal(stalled.backlogMsgs, 2000);
  assert.ok(stalled.p95LatencyMs >= 30_000, `latency of a stalled query grows: ${stalled.p95LatencyMs}`);
  now += 15_000;
  ev.push('progress', json('progress-nan-omitted.json'), now);
  const resumed = await src.snapshot();
  assert.deepEqual(measured, [45]);
  assert.equal(resumed.processedRateMsgsPerS, 0);
  ev.push('progress', { id: 'q', runId: 'r', timestamp: 'bad' }, now);
  await src.snapshot();
});
