import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { signBody } from './agent-channel.ts';
import type { SparkAppApi, SparkApplicationObject } from './k8s-actuator.ts';
import { buildSparkK8sTarget } from './target.ts';

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
