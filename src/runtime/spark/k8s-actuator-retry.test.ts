/**
 * SparkK8sActuator's retry, back-off and refusal rules (docs/SPARK.md "Actuator"), over an in-memory SparkAppApi:
 * 5xx/429 back off 250 ms doubling, capped at 8 s or the Status' retryAfterSeconds, up to 6 attempts; no restart
 * without a snapshot for the gate; a real (non-dry-run) actuator that cannot read the SparkApplication fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action, EdgeForecast, SystemSnapshot } from '../../core/types.ts';
import { K8sApiError, SparkK8sActuator, type SparkApplicationObject, type SparkAppApi } from './k8s-actuator.ts';
import { RestartGate } from './restart-gate.ts';
import { sparkApplicationPatch } from './spark-conf.ts';

const START: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };

/** An in-memory SparkApplication; `getErrors` / `patchErrors` are thrown first, one per call. */
function memoryApi(): SparkAppApi & { obj: SparkApplicationObject; getErrors: Error[]; patchErrors: Error[]; patches: number } {
  const api = {
    path: '/apis/sparkoperator.k8s.io/v1beta2/namespaces/ns/sparkapplications/app',
    obj: { metadata: { resourceVersion: '1', ...(sparkApplicationPatch(START) as { metadata: object }).metadata }, spec: (sparkApplicationPatch(START) as { spec: Record<string, unknown> }).spec } as SparkApplicationObject,
    getErrors: [] as Error[],
    patchErrors: [] as Error[],
    patches: 0,
    async get(): Promise<SparkApplicationObject> {
      const e = api.getErrors.shift();
      if (e) throw e;
      return structuredClone(api.obj);
    },
    async mergePatch(body: Record<string, unknown>): Promise<SparkApplicationObject> {
      api.patches++;
      const e = api.patchErrors.shift();
      if (e) throw e;
      const md = body.metadata as { annotations: Record<string, string> };
      api.obj = { metadata: { ...api.obj.metadata, annotations: md.annotations, resourceVersion: String(Number(api.obj.metadata!.resourceVersion) + 1) }, spec: body.spec as Record<string, unknown> };
      return structuredClone(api.obj);
    },
  };
  return api;
}
const unavailable = (retryAfterS?: number): K8sApiError => new K8sApiError(503, 'ServiceUnavailable', 'HTTP 503', retryAfterS);
const agent = (): { decisions: number[]; publishDecision(n: number): { seq: number } } => {
  const decisions: number[] = [];
  return { decisions, publishDecision: (n) => (decisions.push(n), { seq: decisions.length }) };
};

test('back-off doubles from 250 ms and is capped at 8 s', async () => {
  const api = memoryApi();
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) api.getErrors.push(unavailable());
  const act = new SparkK8sActuator({ api, agent: agent(), sleep: async (ms) => void waits.push(ms), maxAttempts: 8 });
  assert.deepEqual(await act.current(), START, 'read after 7 retried 503s');
  assert.deepEqual(waits, [250, 500, 1000, 2000, 4000, 8000, 8000], 'doubling from 250 ms, capped at 8 s');
});

test('a Retry-After longer than the cap waits the cap', async () => {
  const api = memoryApi();
  const waits: number[] = [];
  api.getErrors.push(unavailable(30));
  const act = new SparkK8sActuator({ api, agent: agent(), sleep: async (ms) => void waits.push(ms) });
  await act.current();
  assert.deepEqual(waits, [8000], 'retryAfterSeconds 30 capped at 8 s');
});

test('a patch that keeps failing with 5xx is given up after 6 attempts; the old memory/tier/codec stay in force', async () => {
  const api = memoryApi();
  const act = new SparkK8sActuator({ api, agent: agent(), sleep: async () => {} });
  await act.current();
  for (let i = 0; i < 10; i++) api.patchErrors.push(unavailable());
  const r = await act.apply({ ...START, memoryGb: 8 });
  assert.equal(api.patches, 6, 'up to 6 attempts');
  assert.deepEqual(r.action, START, 'a failed patch keeps the previous settings');
  assert.match(r.notes.join(' '), /gave up after 6 attempts/, 'the notes say why');
  assert.equal(act.patchFailures, 1, 'counted as a failed patch');
});

test('a 429 is retried like a 5xx; a 422 fails at once', async () => {
  const api = memoryApi();
  const act = new SparkK8sActuator({ api, agent: agent(), sleep: async () => {} });
  await act.current();
  api.patchErrors.push(new K8sApiError(429, 'TooManyRequests', 'HTTP 429'));
  assert.equal((await act.apply({ ...START, codec: 'zstd' })).path, 'restart', '429 then success: patched');
  assert.equal(api.patches, 2, 'one retry after the 429');
  api.patchErrors.push(new K8sApiError(422, 'Invalid', 'HTTP 422'));
  const r = await act.apply({ ...START, codec: 'none' });
  assert.equal(api.patches, 3, '422 is not retried');
  assert.equal(r.action.codec, 'zstd', 'the refused change is not in force');
});

test('with a restart gate and no snapshot yet, a restart-class change is deferred', async () => {
  const api = memoryApi();
  const act = new SparkK8sActuator({ api, agent: agent(), gate: new RestartGate(), gateContext: () => null, sleep: async () => {} });
  const r = await act.apply({ ...START, memoryGb: 8 });
  assert.equal(api.patches, 0, 'nothing patched without a snapshot to price the restart');
  assert.equal(r.action.memoryGb, 4, 'memory stays');
  assert.match(r.notes.join(' '), /restart deferred: no snapshot yet/, 'the deferral is noted');
});

test('a sent restart starts the gate\'s minimum interval', async () => {
  const api = memoryApi();
  const gate = new RestartGate({ minRestartIntervalS: 600 });
  const snapshot = { arrivalRateMsgsPerS: 10_000, memoryUtilization: 1.6, memoryPerExecutorGb: 4, meanMessageBytes: 1000 } as SystemSnapshot;
  const forecast: EdgeForecast = { predictedRateMsgsPerS: 10_000, burstProbability: 0, horizonS: 40, gatewayId: 'all' };
  let now = 1000;
  const act = new SparkK8sActuator({ api, agent: agent(), gate, gateContext: () => ({ snapshot, forecast }), nowS: () => now, sleep: async () => {} });
  assert.equal((await act.apply({ ...START, memoryGb: 8 })).path, 'restart', 'a restart that pays is sent');
  now = 1100;
  const r = await act.apply({ ...START, memoryGb: 7 });
  assert.equal(api.patches, 1, 'the second restart 100 s later is not sent');
  assert.match(r.notes.join(' '), /last restart 100 s ago/, 'deferred by the interval the first restart started');
});

test('a real actuator that cannot read the SparkApplication fails instead of assuming an action', async () => {
  const api = memoryApi();
  api.getErrors.push(new K8sApiError(403, 'Forbidden', 'HTTP 403 Forbidden'));
  const act = new SparkK8sActuator({ api, agent: agent(), sleep: async () => {} });
  await assert.rejects(act.apply({ ...START, executors: 4 }), /403/, 'no guessing the action in force outside dry-run');
});

test('dry-run never publishes a decision, not even the periodic refresh', async () => {
  const api = memoryApi();
  const ag = agent();
  let now = 0;
  const lines: string[] = [];
  const act = new SparkK8sActuator({ api, agent: ag, dryRun: true, print: (l) => lines.push(l), nowS: () => now });
  await act.apply(START);
  now = 1000;
  const r = await act.apply(START);
  assert.deepEqual(ag.decisions, [], 'dry-run sends nothing to the agent');
  assert.equal(r.path, 'dry-run', 'path dry-run');
});

test('reading the SparkApplication at start is given up after 6 attempts when the API keeps answering 5xx', async () => {
  const api = memoryApi();
  let gets = 0;
  const get = api.get;
  api.get = async () => (gets++, get());
  for (let i = 0; i < 10; i++) api.getErrors.push(unavailable());
  const act = new SparkK8sActuator({ api, agent: agent(), sleep: async () => {} });
  await assert.rejects(act.current(), /503/, 'the last error is raised');
  assert.equal(gets, 6, 'up to 6 attempts');
});

test('an actuator with a custom archive root reads an unannotated archive-tier app back as archive', async () => {
  const options = { archiveShuffleRootDir: 's3a://plant-7-archive/shuffle' };
  const api = memoryApi();
  const archive = sparkApplicationPatch({ ...START, tier: 'archive' }, options) as { spec: { sparkConf: Record<string, string | null> } };
  api.obj = { metadata: { resourceVersion: '9' }, spec: { ...archive.spec, sparkConf: Object.fromEntries(Object.entries(archive.spec.sparkConf).filter(([, v]) => v !== null)) } };
  const act = new SparkK8sActuator({ api, agent: agent(), confOptions: options, sleep: async () => {} });
  assert.equal((await act.current()).tier, 'archive', 'the configured archive root, not the default one, tells archive from s3');
});
