import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../devices/broker.ts';
import { signBody, type AgentEvent } from './agent-channel.ts';
import { mergeEventSources, MqttAgentEvents, type MqttAgentEventsOptions } from './mqtt-progress.ts';

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

const NOW = 1_700_000_000_000;
const TOPIC = 'edgepilot/spark/orders/progress';

/** A signed MQTT payload; `ts` defaults to the injected clock's now. */
function signed(body: unknown, ts: unknown = String(NOW)): string {
  const b = JSON.stringify(body);
  return JSON.stringify({ ts, sig: signBody(TOKEN, String(ts), b), body: b });
}

function publish(broker: EmbeddedBroker, payload: string): Promise<void> {
  return new Promise((resolve, reject) => broker.local.publish(TOPIC, Buffer.from(payload), 0, (err) => (err ? reject(err) : resolve())));
}

async function until(what: string, done: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Publishes `payloads` through an embedded broker to a MqttAgentEvents on a fixed clock (NOW), then a non-JSON
 * sentinel; messages arrive in order, so once `expectRejected` + 1 are rejected every payload has been handled.
 */
async function deliver(payloads: string[], expectRejected: number, opts: Partial<MqttAgentEventsOptions> = {}): Promise<{ events: MqttAgentEvents; rejected: number }> {
  const broker = await startEmbeddedBroker();
  const events = await MqttAgentEvents.start({ mqttUrl: broker.url, topic: 'edgepilot/spark/+/progress', token: TOKEN, nowMs: () => NOW, ...opts });
  try {
    for (const p of payloads) await publish(broker, p);
    await publish(broker, 'sentinel');
    await until(`${expectRejected + 1} rejected messages (got ${events.rejected})`, () => events.rejected >= expectRejected + 1);
    return { events, rejected: events.rejected - 1 };
  } finally {
    await events.close();
    await broker.stop();
  }
}

test('MQTT progress: timestamps within maxClockSkewMs of the clock either way are accepted (bounds included); older, newer, non-numeric and non-string ones are dropped', async () => {
  const idle = (id: string): Record<string, unknown> => ({ event: 'idle', id });
  const inWindow = [signed(idle('old-edge'), String(NOW - 300_000)), signed(idle('new-edge'), String(NOW + 300_000))];
  for (let i = 0; i < 10; i++) inWindow.push(signed(idle(`now-${i}`)));
  const out = [
    signed(idle('stale'), String(NOW - 300_001)),
    signed(idle('future'), String(NOW + 300_001)),
    signed(idle('hour-ahead'), String(NOW + 3_600_000)),
    // Without a numeric check such a message would never go stale: a captured one could be replayed for ever.
    signed(idle('not-a-number'), 'soon'),
    signed(idle('numeric-ts'), NOW),
  ];
  const { events, rejected } = await deliver([...inWindow, ...out], out.length);
  const got = events.drainEvents();
  assert.deepEqual(got.map((e) => e.body.id), ['old-edge', 'new-edge', ...Array.from({ length: 10 }, (_, i) => `now-${i}`)]);
  assert.ok(got.every((e) => e.receivedAtMs === NOW), 'receivedAtMs is the injected clock');
  assert.equal(rejected, out.length);
});

test('MQTT progress: the buffer keeps the newest maxBufferedEvents (oldest dropped first); drainEvents empties it; non-progress bodies are kept whole; a raw listener event is progress, as over HTTP; a body with neither is dropped', async () => {
  const progress = (batchId: number): Record<string, unknown> => ({ event: 'progress', progress: { id: 'q', runId: 'r', batchId } });
  const payloads = [1, 2, 3].map((b) => signed(progress(b)));
  payloads.push(signed({ event: 'idle', id: 'q' }), signed({ id: 'q', batchId: 99 }), signed({ progress: { id: 'q', batchId: 5 } }));
  const { events, rejected } = await deliver(payloads, 1, { maxBufferedEvents: 3 });
  const got = events.drainEvents();
  assert.deepEqual(got.map((e) => e.kind), ['progress', 'idle', 'progress']);
  assert.deepEqual([got[0]!.body.batchId, got[2]!.body.batchId], [3, 5]);
  assert.deepEqual(got[1]!.body, { event: 'idle', id: 'q' });
  assert.deepEqual(got[2]!.body, { id: 'q', batchId: 5 }, 'a raw {"progress": {...}} hands over the progress object');
  assert.deepEqual(events.drainEvents(), [], 'a second drain finds nothing');
  assert.equal(rejected, 1, 'only the body with neither an event kind nor a progress object is dropped');
});

test('MQTT progress: start refuses a token under 16 characters before connecting, accepts 16, and fails on a subscription error', async () => {
  await assert.rejects(MqttAgentEvents.start({ mqttUrl: 'mqtt://127.0.0.1:1', topic: 't', token: 'x'.repeat(15), connectTimeoutMs: 2_000 }), /token must be at least 16 characters/);
  const broker = await startEmbeddedBroker();
  try {
    const ok = await MqttAgentEvents.start({ mqttUrl: broker.url, topic: 't', token: 'x'.repeat(16) });
    await ok.close();
    const bad = await MqttAgentEvents.start({ mqttUrl: broker.url, topic: 'edgepilot/#/progress', token: TOKEN }).then(
      async (started) => {
        await started.close();
        return null;
      },
      (err: Error) => err,
    );
    assert.match(bad?.message ?? 'started anyway', /Invalid topic/);
  } finally {
    await broker.stop();
  }
});

test('MQTT progress: after a broker restart the subscriber reconnects and receives again', { timeout: 60_000 }, async () => {
  let broker = await startEmbeddedBroker();
  const port = broker.port;
  const events = await MqttAgentEvents.start({ mqttUrl: broker.url, topic: TOPIC, token: TOKEN });
  try {
    await broker.stop();
    broker = await startEmbeddedBroker({ port });
    const got: AgentEvent[] = [];
    // Published until one arrives: the subscriber is back once it has reconnected and subscribed again.
    await until('an event after the restart', () => {
      got.push(...events.drainEvents());
      if (got.length === 0) {
        const ts = String(Date.now());
        const body = JSON.stringify({ event: 'idle', id: 'after-restart' });
        void publish(broker, JSON.stringify({ ts, sig: signBody(TOKEN, ts, body), body }));
      }
      return got.length > 0;
    }, 20_000);
    assert.equal(got[0]!.body.id, 'after-restart');
  } finally {
    await events.close();
    await broker.stop();
  }
});

test('mergeEventSources: the events of all sources, oldest first', () => {
  const ev = (kind: string, receivedAtMs: number): AgentEvent => ({ kind, receivedAtMs, body: {} });
  const merged = mergeEventSources({ drainEvents: () => [ev('a1', 10), ev('a2', 30)] }, { drainEvents: () => [ev('b1', 20)] });
  assert.deepEqual(merged.drainEvents().map((e) => e.kind), ['a1', 'b1', 'a2']);
});

test('MQTT progress: a message published again (a replay of an accepted signature) is dropped; the same event signed anew is taken', async () => {
  const body = { event: 'idle', id: 'q' };
  const once = signed(body);
  const again = signed(body, String(NOW - 1));
  const { events, rejected } = await deliver([once, once, again, once], 2);
  const got = events.drainEvents();
  assert.equal(got.length, 2, 'the first copy and the newly signed one are taken');
  assert.equal(rejected, 2, 'both replays are dropped');
});

test('MQTT progress: a signature is remembered while its message could pass the timestamp check, and forgotten after', async () => {
  const broker = await startEmbeddedBroker();
  let clock = NOW;
  const events = await MqttAgentEvents.start({ mqttUrl: broker.url, topic: 'edgepilot/spark/+/progress', token: TOKEN, nowMs: () => clock, maxClockSkewMs: 1000 });
  const taken: string[] = [];
  const send = async (id: string, tsMs: number): Promise<void> => {
    clock = tsMs;
    await publish(broker, signed({ event: 'idle', id }, String(tsMs)));
    await until(`message ${id}`, () => {
      taken.push(...events.drainEvents().map((e) => String(e.body.id)));
      return taken.includes(id);
    });
  };
  try {
    await send('a', NOW);
    await send('b', NOW + 1000); // 'a' is exactly at the edge of the window: it could still pass, so it is still held
    assert.equal(events.signaturesHeld, 2, 'both held while the first could still pass the timestamp check');
    await send('c', NOW + 1001); // past the window for 'a': a replay of it is stale anyway
    assert.equal(events.signaturesHeld, 2, "'a' is forgotten, 'b' and 'c' are held");
    assert.deepEqual(taken, ['a', 'b', 'c']);
    assert.equal(events.rejected, 0);
  } finally {
    await events.close();
    await broker.stop();
  }
});
