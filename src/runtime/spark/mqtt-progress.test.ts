import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { startEmbeddedBroker } from '../devices/broker.ts';
import { signBody } from './agent-channel.ts';
import { mergeEventSources, MqttAgentEvents } from './mqtt-progress.ts';

const TOKEN = 'mqtt-progress-test-token-01';

test('MQTT progress: signed envelopes are accepted; unsigned, forged, stale and malformed ones are dropped', async () => {
  const broker = await startEmbeddedBroker();
  const events = await MqttAgentEvents.start({ mqttUrl: broker.url, topic: 'edgepilot/spark/+/progress', token: TOKEN });
  const pub = connect(broker.url, { protocolVersion: 4 });
  try {
    await new Promise<void>((r) => pub.once('connect', () => r()));
    const body = JSON.stringify({ event: 'progress', progress: { id: 'q', runId: 'r', batchId: 1 } });
    const now = String(Date.now());
    const send = (payload: unknown): Promise<unknown> => pub.publishAsync('edgepilot/spark/orders/progress', typeof payload === 'string' ? payload : JSON.stringify(payload));
    await send({ ts: now, sig: signBody(TOKEN, now, body), body });
    await send({ ts: now, sig: signBody('another-token-0123456', now, body), body });
    const old = String(Date.now() - 3_600_000);
    await send({ ts: old, sig: signBody(TOKEN, old, body), body });
    await send(body);
    await send('not json');
    const idle = JSON.stringify({ event: 'idle', id: 'q' });
    await send({ ts: now, sig: signBody(TOKEN, now, idle), body: idle });
    for (let i = 0; i < 100 && events.rejected + 0 < 4; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    const got = mergeEventSources(events, { drainEvents: () => [] }).drainEvents();
    assert.deepEqual(got.map((e) => e.kind), ['progress', 'idle']);
    assert.equal(got[0]!.body.batchId, 1);
    assert.equal(events.rejected, 4);
  } finally {
    await pub.endAsync();
    await events.close();
    await broker.stop();
  }
  await assert.rejects(MqttAgentEvents.start({ mqttUrl: 'mqtt://127.0.0.1:1', topic: 't', token: TOKEN, connectTimeoutMs: 500 }), /cannot reach/);
});
