/**
 * Contract test of SparkK8sActuator + @kubernetes/client-node against a loopback HTTP server implementing the
 * Kubernetes API subset used (GET / merge-PATCH of sparkapplications in sparkoperator.k8s.io/v1beta2), with injected
 * conflicts, 5xx, lost responses and refusals (formats: spark-k8s.md 5.2-5.3, test/fixtures/spark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { Action, EdgeForecast, SystemSnapshot } from '../../core/types.ts';
import { KubernetesSparkAppApi, SparkK8sActuator } from './k8s-actuator.ts';
import { RestartGate } from './restart-gate.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/spark/${name}`, import.meta.url), 'utf8');
const TOKEN = 'k8s-test-token';
const PATH = '/apis/sparkoperator.k8s.io/v1beta2/namespaces/streaming/sparkapplications/orders-stream';

type Fault = 'concurrent-write' | '500' | '500-after-apply' | '403' | '429' | '503-get';
type Json = Record<string, unknown>;

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface FakeApiServer {
  url: string;
  obj: Json & { metadata: Json; spec: Json };
  faults: Fault[];
  patches: number;
  /** Spec changes applied = application restarts the operator would do (spark-k8s.md 4.4). */
  restarts: number;
  contentTypes: string[];
  close(): Promise<void>;
}

async function startFakeApiServer(): Promise<FakeApiServer> {
  const state: Omit<FakeApiServer, 'url' | 'close'> = { obj: JSON.parse(fixture('sparkapplication.json')), faults: [], patches: 0, restarts: 0, contentTypes: [] };
  let rv = Number(state.obj.metadata.resourceVersion);
  const status = (code: number, reason: string, message: string, extra: Json = {}): string =>
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: { name: 'orders-stream', group: 'sparkoperator.k8s.io', kind: 'sparkapplications', ...extra }, code });
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += String(c)));
    req.on('end', () => {
      const send = (code: number, text: string): void => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(text);
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      if (req.url?.split('?')[0] !== PATH) return send(404, status(404, 'NotFound', `sparkapplications.sparkoperator.k8s.io not found`));
      if (req.method === 'GET') {
        if (state.faults[0] === '503-get') {
          state.faults.shift();
          return send(503, status(503, 'ServiceUnavailable', 'etcd leader changed'));
        }
        return send(200, JSON.stringify(state.obj));
      }
      if (req.method !== 'PATCH') return send(405, status(405, 'MethodNotAllowed', 'no'));
      state.patches++;
      const ct = String(req.headers['content-type'] ?? '');
      state.contentTypes.push(ct);
      if (!ct.startsWith('application/merge-patch+json')) return send(415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${ct}`));
      const fault = state.faults.shift();
      if (fault === 'concurrent-write') {
        rv++; // someone else (kubectl label, the operator) wrote the object after our GET
        state.obj.metadata = { ...state.obj.metadata, resourceVersion: String(rv), labels: { team: 'iot' } };
      }
      if (fault === '500') return send(500, status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'));
      if (fault === '403') return send(403, status(403, 'Forbidden', 'sparkapplications.sparkoperator.k8s.io "orders-stream" is forbidden: User "system:serviceaccount:streaming:edgepilot" cannot patch resource'));
      if (fault === '429') return send(429, status(429, 'TooManyRequests', 'too many requests', { retryAfterSeconds: 1 }));
      const patch = JSON.parse(body) as { metadata?: Json };
      const want = patch.metadata?.resourceVersion;
      if (want !== undefined && want !== state.obj.metadata.resourceVersion) return send(409, fixture('status-conflict.json'));
      const before = JSON.stringify(state.obj.spec);
      if (patch.metadata) delete patch.metadata.resourceVersion;
      state.obj = mergePatch(state.obj, patch) as FakeApiServer['obj'];
      rv++;
      state.obj.metadata.resourceVersion = String(rv);
      if (JSON.stringify(state.obj.spec) !== before) state.restarts++;
      if (fault === '500-after-apply') return send(500, status(500, 'InternalError', 'the response was lost after the write'));
      return send(200, JSON.stringify(state.obj));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  }) as FakeApiServer;
}

function apiFor(server: FakeApiServer): KubernetesSparkAppApi {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'loopback', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'edgepilot', token: TOKEN }],
    contexts: [{ name: 'loopback', cluster: 'loopback', user: 'edgepilot', namespace: 'streaming' }],
    currentContext: 'loopback',
  });
  return new KubernetesSparkAppApi(kc, 'streaming', 'orders-stream');
}

function fakeAgent(): { decisions: number[]; publishDecision(n: number): { seq: number } } {
  const decisions: number[] = [];
  return { decisions, publishDecision: (n: number) => (decisions.push(n), { seq: decisions.length }) };
}

const START: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
const noSleep = async (): Promise<void> => {};

test('reads the action in force; an executor change goes live through the agent, nothing is patched', async () => {
  const server = await startFakeApiServer();
  try {
    const agent = fakeAgent();
    let now = 1000;
    const act = new SparkK8sActuator({ api: apiFor(server), agent, sleep: noSleep, nowS: () => now });
    assert.deepEqual(await act.current(), START, 'instances 3, memory 4g, codec lz4 from sparkConf, nvme = local disk default');
    const r = await act.apply({ ...START, executors: 6 });
    assert.equal(r.path, 'live');
    assert.deepEqual(agent.decisions, [6]);
    assert.equal(server.patches, 0);
    now += 10;
    assert.equal((await act.apply({ ...START, executors: 6 })).path, 'noop');
    assert.deepEqual(agent.decisions, [6], 'nothing re-sent within the refresh period');
    now += 30;
    const refreshed = await act.apply({ ...START, executors: 6 });
    assert.equal(refreshed.path, 'noop');
    assert.deepEqual(agent.decisions, [6, 6], 'the count in force is re-sent before decisions expire at the agent');
  } finally {
    await server.close();
  }
});

test('a memory/codec/tier change is one guarded merge patch (a restart) and the result is readable back', async () => {
  const server = await startFakeApiServer();
  try {
    const act = new SparkK8sActuator({ api: apiFor(server), agent: fakeAgent(), sleep: noSleep });
    const want: Action = { executors: 3, memoryGb: 6, tier: 's3', codec: 'zstd' };
    const r = await act.apply(want);
    assert.equal(r.path, 'restart');
    assert.deepEqual(r.action, want);
    assert.equal(server.patches, 1);
    assert.equal(server.restarts, 1);
    assert.deepEqual(server.contentTypes, ['application/merge-patch+json']);
    const spec = server.obj.spec as { executor: Json; sparkConf: Record<string, string>; dynamicAllocation: Json };
    assert.equal(spec.executor.memory, '6g');
    assert.equal(spec.sparkConf['spark.io.compression.codec'], 'zstd');
    assert.equal(spec.sparkConf['spark.shuffle.manager'], 'org.apache.spark.shuffle.sort.S3ShuffleManager');
    assert.equal(spec.sparkConf['spark.ui.prometheus.enabled'], 'true', 'keys we do not manage are kept');
    assert.equal(spec.dynamicAllocation.enabled, false);
    // Back to nvme: the S3 keys are deleted by the merge patch's nulls.
    await act.apply({ ...want, tier: 'nvme' });
    assert.equal(spec.sparkConf['spark.shuffle.manager'], 'org.apache.spark.shuffle.sort.S3ShuffleManager', 'old object copy');
    const after = server.obj.spec as { sparkConf: Record<string, string> };
    assert.equal(after.sparkConf['spark.shuffle.manager'], undefined);
    assert.equal(after.sparkConf['spark.local.dir'], '/data/spark-local');
    // A fresh actuator reads the action back from the object.
    assert.deepEqual(await new SparkK8sActuator({ api: apiFor(server), agent: fakeAgent() }).current(), { ...want, tier: 'nvme' });
  } finally {
    await server.close();
  }
});

test('409 (a concurrent writer): re-read, retry, applied exactly once', async () => {
  const server = await startFakeApiServer();
  try {
    const act = new SparkK8sActuator({ api: apiFor(server), agent: fakeAgent(), sleep: noSleep });
    await act.current();
    server.faults.push('concurrent-write');
    const r = await act.apply({ ...START, memoryGb: 8 });
    assert.equal(r.path, 'restart');
    assert.equal(act.conflicts, 1);
    assert.equal(server.patches, 2);
    assert.equal(server.restarts, 1);
    assert.deepEqual((server.obj.metadata as { labels: Json }).labels, { team: 'iot' }, 'the other writer\'s change survives');
  } finally {
    await server.close();
  }
});

test('5xx and 429: back-off and retry; a lost response after the write is not applied twice', async () => {
  const server = await startFakeApiServer();
  try {
    const waits: number[] = [];
    const act = new SparkK8sActuator({ api: apiFor(server), agent: fakeAgent(), sleep: async (ms) => void waits.push(ms), baseBackoffMs: 100 });
    await act.current();
    server.faults.push('503-get', '500', '429');
    const r = await act.apply({ ...START, codec: 'zstd' });
    assert.equal(r.path, 'restart');
    assert.equal(server.restarts, 1);
    assert.deepEqual(waits, [100, 200, 1000], 'exponential back-off; Retry-After (1 s) honoured');
    server.faults.push('500-after-apply');
    const r2 = await act.apply({ ...START, codec: 'none' });
    assert.equal(r2.path, 'restart');
    assert.equal(server.restarts, 2, 'the write happened once');
    assert.equal(act.patchesSent, 4, '3 + 1 (lost response) + 0: the re-read saw the annotation and did not patch again');
    assert.match(r2.notes.join(' '), /already carries this action/);
  } finally {
    await server.close();
  }
});

test('403 fails at once and keeps memory/tier/codec; executors still go live', async () => {
  const server = await startFakeApiServer();
  try {
    const agent = fakeAgent();
    const act = new SparkK8sActuator({ api: apiFor(server), agent, sleep: noSleep });
    server.faults.push('403');
    const r = await act.apply({ ...START, executors: 5, memoryGb: 2 });
    assert.equal(r.path, 'live');
    assert.deepEqual(r.action, { ...START, executors: 5 });
    assert.equal(server.patches, 1);
    assert.equal(act.patchFailures, 1);
    assert.match(r.notes.join(' '), /HTTP 403 Forbidden/);
    assert.deepEqual(agent.decisions, [5]);
  } finally {
    await server.close();
  }
});

test('dry-run prints the exact patch and agent command and sends nothing', async () => {
  const server = await startFakeApiServer();
  try {
    const lines: string[] = [];
    const agent = fakeAgent();
    const act = new SparkK8sActuator({ api: apiFor(server), agent, dryRun: true, print: (l) => lines.push(l) });
    const r = await act.apply({ executors: 4, memoryGb: 4, tier: 'nvme', codec: 'zstd' });
    assert.equal(r.path, 'dry-run');
    assert.equal(server.patches, 0);
    assert.deepEqual(agent.decisions, []);
    assert.match(lines.join('\n'), /agent decision \{"executors":4\}/);
    assert.match(lines.join('\n'), new RegExp(`PATCH ${PATH}`));
    const patch = JSON.parse(lines.find((l) => l.startsWith('dry-run: PATCH'))!.split('\n')[1]!);
    assert.equal(patch.metadata.resourceVersion, '48213');
    assert.equal(patch.spec.sparkConf['spark.io.compression.codec'], 'zstd');
  } finally {
    await server.close();
  }
});

test('the restart gate defers a restart during a likely burst, and allows it after', async () => {
  const server = await startFakeApiServer();
  try {
    let now = 0;
    const gate = new RestartGate({ minRestartIntervalS: 600 });
    const snapshot = { arrivalRateMsgsPerS: 10_000, memoryUtilization: 1.6, memoryPerExecutorGb: 4, meanMessageBytes: 1000 } as SystemSnapshot;
    let forecast: EdgeForecast = { predictedRateMsgsPerS: 10_000, burstProbability: 0.9, horizonS: 40, gatewayId: 'all' };
    const act = new SparkK8sActuator({ api: apiFor(server), agent: fakeAgent(), gate, gateContext: () => ({ snapshot, forecast }), nowS: () => now, sleep: noSleep });
    // 3 executors spilling at 1.6x their 4 GB serve ~5,000 msgs/s of the 10,000 arriving; 8 GB would fit them.
    const more: Action = { ...START, memoryGb: 8 };
    const r1 = await act.apply(more);
    assert.equal(r1.path, 'noop');
    assert.equal(r1.action.memoryGb, 4);
    assert.match(r1.notes.join(' '), /burst probability 0\.90/);
    forecast = { ...forecast, burstProbability: 0.05 };
    now = 100;
    const r2 = await act.apply(more);
    assert.equal(r2.path, 'restart', r2.notes.join(' '));
    assert.equal(server.restarts, 1);
    now = 200;
    const r3 = await act.apply({ ...more, memoryGb: 7 });
    assert.match(r3.notes.join(' '), /last restart 100 s ago/);
    assert.equal(server.restarts, 1);
    // More memory for executors that do not spill is not worth a restart, however long ago the last one was.
    now = 10_000;
    const fits = { ...snapshot, memoryUtilization: 0.5, memoryPerExecutorGb: 8 } as SystemSnapshot;
    const verdict = gate.evaluate({ nowS: now, current: more, proposed: { ...more, memoryGb: 4, codec: 'zstd' }, snapshot: fits, forecast });
    assert.equal(verdict.allow, false, verdict.reason);
    assert.match(verdict.reason, /gain .* <= cost/);
  } finally {
    await server.close();
  }
});
