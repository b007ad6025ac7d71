/** SparkMetricsSource's rates, query filter and restart measurement against docs/SPARK.md "Metrics source". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../core/types.ts';
import type { AgentEvent } from './agent-channel.ts';
import { batchLatencyMs, SparkMetricsSource } from './metrics-source.ts';
import { parseProgress } from './formats.ts';

const ACTION: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
const T0 = Date.parse('2024-05-01T10:00:00.000Z');

function progress(o: { id?: string; name?: string; runId?: string; rows: number; lag?: number; atMs: number; triggerMs?: number; eventLagMs?: number }): AgentEvent {
  const body: Record<string, unknown> = {
    id: o.id ?? 'q-1', runId: o.runId ?? 'run-1', name: o.name ?? 'orders', timestamp: new Date(o.atMs).toISOString(), batchId: 1, numInputRows: o.rows,
    durationMs: { triggerExecution: o.triggerMs ?? 100 },
    sources: o.lag === undefined ? [] : [{ description: 'Kafka', endOffset: { t: { 0: 1000 } }, latestOffset: { t: { 0: 1000 + o.lag } }, numInputRows: o.rows }],
  };
  if (o.eventLagMs !== undefined) body.eventTime = { min: new Date(o.atMs - o.eventLagMs).toISOString() };
  return { kind: 'progress', receivedAtMs: o.atMs, body };
}

function source(opts: { queryName?: string; controlIntervalS?: number } = {}): { src: SparkMetricsSource; push(e: AgentEvent): void; set(ms: number): void; restarts: number[] } {
  let now = T0;
  let q: AgentEvent[] = [];
  const restarts: number[] = [];
  const src = new SparkMetricsSource({
    events: { drainEvents: () => { const out = q; q = []; return out; } },
    actionInForce: () => ACTION, nowMs: () => now, warn: () => {}, onRestartMeasured: (s) => restarts.push(s), ...opts,
  });
  return { src, push: (e) => q.push(e), set: (ms) => (now = ms), restarts };
}

test('the processed rate is the rows of the interval over the measured interval, not the configured one', async () => {
  const s = source({ controlIntervalS: 10 });
  await s.src.snapshot();
  s.set(T0 + 20_000);
  s.push(progress({ rows: 4000, atMs: T0 + 15_000 }));
  const snap = await s.src.snapshot();
  assert.equal(snap.processedRateMsgsPerS, 200, '4000 rows over the 20 s since the last snapshot');
});

test('the backlog is the lag of the LAST batch of the interval; arrivals = processed + lag growth', async () => {
  const s = source({ controlIntervalS: 10 });
  s.push(progress({ rows: 100, lag: 50, atMs: T0 }));
  await s.src.snapshot();
  s.set(T0 + 10_000);
  s.push(progress({ rows: 1000, lag: 500, atMs: T0 + 5000 }));
  s.push(progress({ rows: 1000, lag: 250, atMs: T0 + 9000 }));
  const snap = await s.src.snapshot();
  assert.equal(snap.backlogMsgs, 250, 'the latest lag, not an earlier one');
  assert.equal(snap.arrivalRateMsgsPerS, (2000 + 250 - 50) / 10, 'processed 2000 + lag growth 200 over 10 s');
});

test('p95 latency is the 95th percentile of the interval\'s batches (nearest rank), not their median', async () => {
  const s = source({ controlIntervalS: 10 });
  for (let i = 1; i <= 20; i++) s.push(progress({ rows: 1, atMs: T0 + i * 100, triggerMs: 0, eventLagMs: i * 1000 }));
  const snap = await s.src.snapshot();
  assert.equal(snap.p95LatencyMs, 19_000, 'batches 1..20 s old: the 19th of 20 is the 95th percentile');
});

test('queryName follows a query by name or by id and ignores the others', async () => {
  for (const queryName of ['orders', 'q-1']) {
    const s = source({ queryName, controlIntervalS: 10 });
    s.push(progress({ rows: 1000, atMs: T0 }));
    s.push(progress({ id: 'q-2', name: 'other', runId: 'run-x', rows: 9000, atMs: T0 }));
    const snap = await s.src.snapshot();
    assert.equal(snap.processedRateMsgsPerS, 100, `${queryName}: only the followed query's 1000 rows over 10 s`);
  }
});

test('only a new runId is a restart; further batches of the same run are not', async () => {
  const s = source({ controlIntervalS: 10 });
  s.push(progress({ rows: 1, atMs: T0 }));
  s.push(progress({ rows: 1, atMs: T0 + 5000 }));
  s.push(progress({ rows: 1, runId: 'run-2', atMs: T0 + 65_000 }));
  s.push(progress({ rows: 1, runId: 'run-2', atMs: T0 + 70_000 }));
  await s.src.snapshot();
  assert.deepEqual(s.restarts, [60], 'one restart, 60 s from the last progress of run-1 to the first of run-2');
  assert.deepEqual(s.src.measuredRestartsS, [60], 'and it is recorded once');
});

test('progress is reported missing once when none came for more than two control intervals, and back once when it returns', async () => {
  let now = T0;
  let q: AgentEvent[] = [progress({ rows: 1, atMs: T0 })];
  const warnings: string[] = [];
  const src = new SparkMetricsSource({ events: { drainEvents: () => { const out = q; q = []; return out; } }, actionInForce: () => ACTION, nowMs: () => now, warn: (m) => warnings.push(m), controlIntervalS: 10 });
  await src.snapshot();
  now = T0 + 10_000;
  await src.snapshot();
  now = T0 + 20_000;
  await src.snapshot();
  assert.deepEqual(src.degradedSources.filter((s) => s === 'progress'), [], '20 s without progress at 10 s snapshots (2 intervals) is not missing yet');
  now = T0 + 30_000;
  await src.snapshot();
  assert.ok(src.degradedSources.includes('progress'), '30 s without progress (> 2 intervals of 10 s) is missing');
  now = T0 + 40_000;
  await src.snapshot();
  assert.equal(warnings.filter((w) => /progress unavailable/.test(w)).length, 1, `one warning while missing, not one per tick: ${warnings.join(' / ')}`);
  q = [progress({ rows: 1, atMs: T0 + 45_000 })];
  now = T0 + 50_000;
  await src.snapshot();
  assert.equal(warnings.filter((w) => /progress is back/.test(w)).length, 1, 'one warning when it comes back');
  assert.ok(!src.degradedSources.includes('progress'), 'no longer degraded');
});

/** A fake driver UI: path -> JSON (a number: that HTTP status). */
function fakeUi(routes: Record<string, () => unknown>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const route = routes[new URL(String(input)).pathname];
    const body = route ? route() : 404;
    if (typeof body === 'number') return new Response('{"error":"down"}', { status: body });
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
}
const executor = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, isActive: true, totalCores: 4, totalDuration: 0, peakMemoryMetrics: { JVMHeapMemory: 2 ** 30 }, ...extra });

test('spill from stages completed before the first look is not counted; spill of stages completed later is', async () => {
  let stages: unknown[] = [{ stageId: 1, attemptId: 0, memoryBytesSpilled: 64 * 2 ** 30 }];
  const src = new SparkMetricsSource({
    sparkUiUrl: 'http://ui', appId: 'app-1', actionInForce: () => ACTION, warn: () => {}, controlIntervalS: 10,
    fetch: fakeUi({ '/api/v1/applications/app-1/executors': () => [executor('1'), executor('2')], '/api/v1/applications/app-1/stages': () => stages }),
  });
  const first = await src.snapshot();
  assert.equal(first.memoryUtilization, 0.25, 'heap 1 GiB of 4 GiB: the old stage\'s spill is history, not this interval');
  stages = [{ stageId: 2, attemptId: 0, memoryBytesSpilled: 2 * 2 ** 30 }, ...stages];
  const second = await src.snapshot();
  assert.equal(second.memoryUtilization, 1 + 1 / 4, 'a new stage spilled 2 GiB over 2 executors of 4 GiB: 1 + 0.25');
  const third = await src.snapshot();
  assert.equal(third.memoryUtilization, 0.25, 'the same completed stages again: nothing new spilled, each stage is counted once');
});

test('executors the API lists as inactive are not counted as running', async () => {
  const src = new SparkMetricsSource({
    sparkUiUrl: 'http://ui', appId: 'app-1', actionInForce: () => ACTION, warn: () => {}, controlIntervalS: 10,
    fetch: fakeUi({ '/api/v1/applications/app-1/executors': () => [{ id: 'driver', isActive: true }, executor('1'), executor('2', { isActive: false }), executor('3')], '/api/v1/applications/app-1/stages': () => [] }),
  });
  const snap = await src.snapshot();
  assert.equal(snap.executorsRunning, 2, 'executors 1 and 3; the driver and the dead executor 2 are not');
  assert.equal(snap.executorsStarting, 1, 'the action asks for 3');
});

test('after a restart changes the application id, the discovered id is dropped and the new one found', async () => {
  let apps = [{ id: 'app-old', attempts: [{ completed: false }] }];
  const src = new SparkMetricsSource({
    sparkUiUrl: 'http://ui', actionInForce: () => ACTION, warn: () => {}, controlIntervalS: 10,
    fetch: fakeUi({
      '/api/v1/applications': () => apps,
      '/api/v1/applications/app-old/executors': () => (apps[0]!.id === 'app-old' ? [executor('1')] : 404),
      '/api/v1/applications/app-new/executors': () => [executor('1'), executor('2'), executor('3'), executor('4')],
      '/api/v1/applications/app-old/stages': () => [],
      '/api/v1/applications/app-new/stages': () => [],
    }),
  });
  assert.equal((await src.snapshot()).executorsRunning, 1, 'the old application');
  apps = [{ id: 'app-new', attempts: [{ completed: false }] }];
  await src.snapshot(); // the old id answers 404
  assert.equal((await src.snapshot()).executorsRunning, 4, 'the new application, discovered again');
});

test('a batch with neither an input rate nor a Kafka lag: arrivals are taken as the processed rate, not 0', async () => {
  const s = source({ controlIntervalS: 10 });
  s.push(progress({ rows: 5000, atMs: T0 }));
  const snap = await s.src.snapshot();
  assert.equal(snap.arrivalRateMsgsPerS, 500, '5000 rows in 10 s and nothing else known');
});

test('the mean message size comes from the executors\' input bytes per processed message when Spark counts them', async () => {
  let now = T0;
  let q: AgentEvent[] = [];
  let inputBytes = 0;
  const src = new SparkMetricsSource({
    sparkUiUrl: 'http://ui', appId: 'app-1', actionInForce: () => ACTION, warn: () => {}, controlIntervalS: 10, nowMs: () => now,
    events: { drainEvents: () => { const out = q; q = []; return out; } },
    fetch: fakeUi({ '/api/v1/applications/app-1/executors': () => [executor('1', { totalInputBytes: inputBytes })], '/api/v1/applications/app-1/stages': () => [] }),
  });
  await src.snapshot();
  now = T0 + 10_000;
  inputBytes = 3_000_000;
  q = [progress({ rows: 2000, atMs: T0 + 5000 })];
  const snap = await src.snapshot();
  assert.equal(snap.meanMessageBytes, 1500, '3 MB read for 2000 messages');
});

test('without event time, a batch\'s latency is its trigger time plus the wait of the Kafka lag at the processing rate (ms)', () => {
  const p = parseProgress({ ...progress({ rows: 1, lag: 1000, atMs: T0, triggerMs: 100 }).body, processedRowsPerSecond: 500 });
  assert.equal(batchLatencyMs(p), 100 + 2000, '1000 messages behind at 500 msgs/s wait 2 s');
});
