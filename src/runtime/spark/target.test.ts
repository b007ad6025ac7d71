import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { NO_FORECAST } from '../../edge/forecast-source.ts';
import { signBody } from './agent-channel.ts';
import type { SparkAppApi, SparkApplicationObject } from './k8s-actuator.ts';
import { buildSparkK8sTarget, isLoopbackHost } from './target.ts';
import { withEnvVar } from '../../cli/test-env-var.ts';

const app = (): SparkApplicationObject => JSON.parse(readFileSync(new URL('../../../test/fixtures/spark/sparkapplication.json', import.meta.url), 'utf8'));
const TOKEN = 'target-test-token-0123456789';

function memoryApi(): SparkAppApi & { patches: number } {
  const obj = app();
  return { path: '/apis/sparkoperator.k8s.io/v1beta2/namespaces/streaming/sparkapplications/orders-stream', patches: 0, get: async () => obj, async mergePatch() { this.patches++; return obj; } };
}

test('buildSparkK8sTarget (dry-run): prints the agent command and the exact patch, sends nothing, serves the agent endpoint', async () => {
  const lines: string[] = [];
  const api = memoryApi();
  const t = await buildSparkK8sTarget({ namespace: 'streaming', app: 'orders-stream', dryRun: true, token: TOKEN, agentPort: 0, agentHost: '127.0.0.1', api, print: (l) => lines.push(l), warn: () => {} });
  try {
    assert.match(lines[0]!, /agent endpoint http:\/\/127\.0\.0\.1:\d+/);
    assert.match(lines[0]!, /"memoryGb":4/);
    // The driver agent can post progress to the endpoint the target serves.
    const body = readFileSync(new URL('../../../test/fixtures/spark/progress-kafka-1.json', import.meta.url), 'utf8');
    const envelope = JSON.stringify({ event: 'progress', progress: JSON.parse(body) });
    const ts = String(Date.now());
    const r = await fetch(`${t.channel.url}/spark/progress`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'x-edgepilot-timestamp': ts, 'x-edgepilot-signature': signBody(TOKEN, ts, envelope) }, body: envelope });
    assert.equal(r.status, 202);
    const s = await t.metrics.snapshot();
    assert.equal(s.backlogMsgs, 2000, 'the Kafka lag of the posted progress');
    t.setForecastSource({ latest: () => ({ predictedRateMsgsPerS: 9000, burstProbability: 0, horizonS: 40, gatewayId: 'gw' }) });
    const applied = await t.actuator.apply({ executors: 5, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
    assert.equal(applied.path, 'dry-run');
    assert.match(lines.join('\n'), /dry-run: agent decision \{"executors":5\}/);
    assert.equal(t.channel.latestDecision(), null, 'dry-run publishes nothing to the agent');
    assert.equal(api.patches, 0);
  } finally {
    await t.close();
  }
});

test('buildSparkK8sTarget: bad names and a missing token are refused', async () => {
  await assert.rejects(buildSparkK8sTarget({ namespace: 'Bad_NS', app: 'x', dryRun: true }), /--namespace must be a Kubernetes name/);
  const saved = process.env.EDGEPILOT_AGENT_TOKEN;
  delete process.env.EDGEPILOT_AGENT_TOKEN;
  try {
    await assert.rejects(buildSparkK8sTarget({ namespace: 'streaming', app: 'orders-stream', dryRun: false, api: memoryApi() }), /agent token is required/);
  } finally {
    if (saved !== undefined) process.env.EDGEPILOT_AGENT_TOKEN = saved;
  }
});

test('buildSparkK8sTarget with agentMqttUrl reads the agent progress from MQTT too', async () => {
  const { startEmbeddedBroker } = await import('../devices/broker.ts');
  const { connect } = await import('mqtt');
  const broker = await startEmbeddedBroker();
  const t = await buildSparkK8sTarget({ namespace: 'streaming', app: 'orders-stream', dryRun: true, token: TOKEN, agentPort: 0, agentHost: '127.0.0.1', api: memoryApi(), agentMqttUrl: broker.url, print: () => {}, warn: () => {} });
  const pub = connect(broker.url, { protocolVersion: 4 });
  try {
    await new Promise<void>((r) => pub.once('connect', () => r()));
    const progress = JSON.parse(readFileSync(new URL('../../../test/fixtures/spark/progress-kafka-2.json', import.meta.url), 'utf8'));
    const body = JSON.stringify({ event: 'progress', progress });
    const ts = String(Date.now());
    await pub.publishAsync('edgepilot/spark/orders-stream/progress', JSON.stringify({ ts, sig: signBody(TOKEN, ts, body), body }));
    let backlog = 0;
    for (let i = 0; i < 50 && backlog === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      backlog = (await t.metrics.snapshot()).backlogMsgs;
    }
    assert.equal(backlog, 4000);
  } finally {
    await pub.endAsync();
    await t.close();
    await broker.stop();
  }
});

type TargetOptions = Parameters<typeof buildSparkK8sTarget>[0];
const quiet = { print: () => {}, warn: () => {} };
/** A dry-run target on 127.0.0.1 with a free port and the in-memory SparkApplication. */
const base = (): TargetOptions => ({ namespace: 'streaming', app: 'orders-stream', dryRun: true, token: TOKEN, agentPort: 0, agentHost: '127.0.0.1', api: memoryApi(), ...quiet });

async function refused(opts: TargetOptions, re: RegExp): Promise<void> {
  let t: Awaited<ReturnType<typeof buildSparkK8sTarget>>;
  try {
    t = await buildSparkK8sTarget(opts);
  } catch (err) {
    assert.match((err as Error).message, re);
    return;
  }
  await t.close();
  assert.fail(`built a target for namespace '${opts.namespace}', app '${opts.app}'`);
}

/** Status of a signed POST /spark/progress (an idle event) signed with `token`. */
async function postIdle(url: string, token: string): Promise<number> {
  const body = JSON.stringify({ event: 'idle', id: 'q' });
  const ts = String(Date.now());
  const r = await fetch(`${url}/spark/progress`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-edgepilot-timestamp': ts, 'x-edgepilot-signature': signBody(token, ts, body) }, body });
  await r.arrayBuffer();
  return r.status;
}

/** With the shared-secret variable unset (or set to `value`) for the duration of `fn`. */
const withEnvToken = <T>(value: string | undefined, fn: () => Promise<T>): Promise<T> => withEnvVar('EDGEPILOT_AGENT_TOKEN', value, fn);

/** A port that was free on 127.0.0.1 a moment ago, and whether it can be listened on now. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
async function canListen(port: number): Promise<boolean> {
  const s = createServer();
  const ok = await new Promise<boolean>((r) => {
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => r(true));
  });
  if (ok) await new Promise<void>((r) => s.close(() => r()));
  return ok;
}

test('buildSparkK8sTarget: a namespace or app that is not a Kubernetes name is refused, whatever part of it is wrong', async () => {
  for (const namespace of ['-streaming', 'streaming-', 'stream.ing', 'Streaming', 'stream_ing']) await refused({ ...base(), namespace }, /--namespace must be a Kubernetes name/);
  for (const app of ['-orders', 'orders-', 'Orders', 'orders_stream', '.orders']) await refused({ ...base(), app }, /--app must be a SparkApplication name/);
});

test('buildSparkK8sTarget: the token option wins over $EDGEPILOT_AGENT_TOKEN, which is the default', async () => {
  const envToken = 'env-token-0123456789abcdef';
  await withEnvToken(envToken, async () => {
    const given = await buildSparkK8sTarget(base());
    try {
      assert.equal(await postIdle(given.channel.url, TOKEN), 202);
      assert.equal(await postIdle(given.channel.url, envToken), 401);
    } finally {
      await given.close();
    }
    const { token: _omitted, ...noToken } = base();
    const fromEnv = await buildSparkK8sTarget(noToken);
    try {
      assert.equal(await postIdle(fromEnv.channel.url, envToken), 202);
    } finally {
      await fromEnv.close();
    }
  });
});

test('buildSparkK8sTarget (dry-run) without a token or a Kubernetes client: an ephemeral token, the configured fallback in force, and warnings', async () => {
  const lines: string[] = [];
  const warnings: string[] = [];
  const { token: _t, api: _a, ...opts } = base();
  const t = await withEnvToken(undefined, () =>
    buildSparkK8sTarget({ ...opts, kubeconfig: '/nonexistent/edgepilot-test-kubeconfig', print: (l) => lines.push(l), warn: (l) => warnings.push(l) }),
  );
  try {
    assert.equal(await postIdle(t.channel.url, TOKEN), 401, 'the ephemeral token is nobody\'s');
    const last = lines.at(-1)!;
    assert.match(last, /app streaming\/orders-stream \(dry-run\); in force \{"executors":2,"memoryGb":4,"tier":"nvme","codec":"lz4"\}$/);
    assert.ok(warnings.some((w) => /using an ephemeral one/.test(w)), `the ephemeral token is announced: ${warnings.join(' | ')}`);
    assert.ok(warnings.some((w) => /cannot read .* to find the Spark UI/.test(w)), `the missing Spark UI is announced: ${warnings.join(' | ')}`);
    assert.ok(warnings.some((w) => /no forecast source given yet/.test(w)), `the missing forecasts are announced: ${warnings.join(' | ')}`);
  } finally {
    await t.close();
  }
  const withForecasts: string[] = [];
  const f = await buildSparkK8sTarget({ ...base(), forecasts: { latest: () => NO_FORECAST }, warn: (l) => withForecasts.push(l) });
  await f.close();
  assert.ok(!withForecasts.some((w) => /no forecast source/.test(w)), `no forecast warning when forecasts are given: ${withForecasts.join(' | ')}`);
});

test('buildSparkK8sTarget without --dry-run: an unreadable kubeconfig fails with its own error', async () => {
  const { api: _a, ...opts } = base();
  await assert.rejects(buildSparkK8sTarget({ ...opts, dryRun: false, kubeconfig: '/nonexistent/edgepilot-test-kubeconfig' }), (err: Error) => /ENOENT/.test(err.message) && !/spark-k8s target: cannot read/.test(err.message));
});

test('buildSparkK8sTarget finds the Spark UI: the operator\'s UI service (port 4040 by default), else the pod address; a given sparkUiUrl wins', async () => {
  const fetched: string[] = [];
  const realFetch = globalThis.fetch;
  // The metrics source takes the global fetch when it is built; nothing leaves the process.
  globalThis.fetch = (async (input: string | URL | Request) => {
    fetched.push(String(input instanceof Request ? input.url : input));
    throw new Error('no network in this test');
  }) as typeof fetch;
  const firstUrl = async (opts: TargetOptions): Promise<string | undefined> => {
    fetched.length = 0;
    const t = await buildSparkK8sTarget(opts);
    try {
      await t.metrics.snapshot();
    } finally {
      await t.close();
    }
    return fetched[0];
  };
  const withDriverInfo = (driverInfo: Record<string, unknown> | undefined): TargetOptions => {
    const api = memoryApi();
    const obj = app();
    (obj.status as Record<string, unknown>).driverInfo = driverInfo;
    return { ...base(), api: { ...api, get: async () => obj } };
  };
  try {
    assert.match((await firstUrl(base()))!, /^http:\/\/orders-stream-ui-svc\.streaming\.svc:4040\//);
    assert.match((await firstUrl(withDriverInfo({ webUIServiceName: 'ui-svc', webUIAddress: '10.96.12.3:4041' })))!, /^http:\/\/ui-svc\.streaming\.svc:4040\//);
    assert.match((await firstUrl(withDriverInfo({ webUIServiceName: 'ui-svc', webUIPort: 4141 })))!, /^http:\/\/ui-svc\.streaming\.svc:4141\//);
    assert.match((await firstUrl(withDriverInfo({ webUIAddress: '10.96.12.3:4041' })))!, /^http:\/\/10\.96\.12\.3:4041\//);
    assert.equal(await firstUrl(withDriverInfo(undefined)), undefined, 'no UI known: nothing fetched');
    assert.match((await firstUrl({ ...base(), sparkUiUrl: 'http://driver.example:4040' }))!, /^http:\/\/driver\.example:4040\//);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('buildSparkK8sTarget: the metrics source and the restart gate see what is in force, the latest snapshot, the forecasts set later and measured restarts', async () => {
  const t = await buildSparkK8sTarget({ ...base(), sparkUiUrl: 'http://127.0.0.1:9' });
  try {
    assert.equal(t.actuator.id, 'spark-k8s-dry-run');
    // No executors API answers: the metrics source reports the executors of the action in force.
    assert.equal((await t.metrics.snapshot()).executorsRunning, 3, 'read from the SparkApplication at start');
    const applied = await t.actuator.apply({ executors: 5, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
    assert.equal(applied.action.executors, 5);
    const s = await t.metrics.snapshot();
    assert.equal(s.executorsRunning, 5, 'what apply brought into force');
    t.setForecastSource({ latest: () => ({ predictedRateMsgsPerS: 9000, burstProbability: 0.99, horizonS: 40, gatewayId: 'gw' }) });
    const deferred = await t.actuator.apply({ executors: 5, memoryGb: 8, tier: 'nvme', codec: 'lz4' });
    assert.ok(deferred.notes.some((n) => /restart deferred: burst probability 0\.99/.test(n)), `the gate saw the snapshot and the burst: ${deferred.notes.join(' | ')}`);
    // A new runId of the same query is a restart; its downtime moves the gate's estimate.
    const action = { executors: 5, memoryGb: 4, tier: 'nvme' as const, codec: 'lz4' as const };
    const downtime = (): number => t.gate.evaluate({ nowS: 0, current: action, proposed: action, snapshot: s, forecast: NO_FORECAST }).downtimeS;
    const before = downtime();
    const progress = JSON.parse(readFileSync(new URL('../../../test/fixtures/spark/progress-kafka-1.json', import.meta.url), 'utf8'));
    for (const runId of ['run-a', 'run-b']) {
      const body = JSON.stringify({ event: 'progress', progress: { ...progress, runId } });
      const ts = String(Date.now());
      const r = await fetch(`${t.channel.url}/spark/progress`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'x-edgepilot-timestamp': ts, 'x-edgepilot-signature': signBody(TOKEN, ts, body) }, body });
      assert.equal(r.status, 202);
    }
    await t.metrics.snapshot();
    assert.notEqual(downtime(), before, 'the measured restart reached the gate');
  } finally {
    await t.close();
  }
});

test('buildSparkK8sTarget: a start that fails after the agent endpoint is up closes it again', async () => {
  const { startEmbeddedBroker } = await import('../devices/broker.ts');
  const broker = await startEmbeddedBroker();
  try {
    const port = await freePort();
    await assert.rejects(buildSparkK8sTarget({ ...base(), agentPort: port, agentMqttUrl: broker.url, agentMqttTopic: 'edgepilot/#/progress' }), /Invalid topic/);
    assert.ok(await canListen(port), 'the agent port is free after the MQTT subscription failed');
  } finally {
    await broker.stop();
  }
  const port = await freePort();
  const forbidden: SparkAppApi = { ...memoryApi(), get: async () => Promise.reject(new Error('forbidden')) };
  await assert.rejects(buildSparkK8sTarget({ ...base(), dryRun: false, agentPort: port, api: forbidden }), /spark-k8s target: cannot read .*: forbidden/);
  assert.ok(await canListen(port), 'the agent port is free after the SparkApplication could not be read');
});

test('buildSparkK8sTarget with agentTls: the agent endpoint is https, and a renewed certificate on disk is served after a check', async () => {
  const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-target-tls-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  copyFileSync(fixture('agent-a.crt'), certFile);
  copyFileSync(fixture('agent-a.key'), keyFile);
  const lines: string[] = [];
  const warnings: string[] = [];
  // The timer never fires within the test: the renewal is picked up by an explicit check.
  const t = await buildSparkK8sTarget({ ...base(), agentTls: { certFile, keyFile }, agentTlsCheckIntervalMs: 3_600_000, print: (l) => lines.push(l), warn: (l) => warnings.push(l) });
  const healthz = (ca: string): Promise<number> =>
    new Promise((resolve, reject) => {
      request(`${t.channel.url}/healthz`, { agent: false, ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
  try {
    assert.match(lines[0]!, /agent endpoint https:\/\/127\.0\.0\.1:\d+/);
    assert.equal(await healthz(readFileSync(fixture('agent-a.crt'), 'utf8')), 200);
    for (const [from, to] of [['agent-b.crt', certFile], ['agent-b.key', keyFile]] as const) {
      copyFileSync(fixture(from), to);
      const later = Date.now() / 1000 + 5;
      utimesSync(to, later, later);
    }
    assert.equal(t.tlsWatcher!.check(), 'reloaded');
    assert.match(warnings.join('\n'), /agent TLS certificate reloaded/);
    assert.equal(await healthz(readFileSync(fixture('agent-b.crt'), 'utf8')), 200, 'the renewed certificate serves');
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the plain-HTTP warning: loopback listen addresses only are exempt', async () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', 'edgepilot-controller.streaming.svc', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
  const warnings: string[] = [];
  const t = await buildSparkK8sTarget({ ...base(), agentHost: '127.0.0.1', warn: (l) => warnings.push(l) });
  await t.close();
  assert.doesNotMatch(warnings.join('\n'), /plain HTTP/, 'no warning on loopback');
});
