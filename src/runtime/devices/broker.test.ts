/**
 * The embedded broker's in-process port (LocalBrokerPort): what an in-process gateway relies on instead of an MQTT
 * connection of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { startEmbeddedBroker } from './broker.ts';

test('local subscribe: a QoS 1 PUBLISH reaches the in-process handler before the device gets its PUBACK', async () => {
  const broker = await startEmbeddedBroker();
  const device = connect(broker.url, { protocolVersion: 4, clientId: 'broker-test-device' });
  try {
    const seen: Array<{ topic: string; payload: string }> = [];
    const unsubscribe = await broker.local.subscribe('edgepilot/devices/#', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await new Promise<void>((r) => device.once('connect', () => r()));
    for (let i = 0; i < 20; i++) {
      await device.publishAsync(`edgepilot/devices/smart-city/SC-${i}`, `{"n":${i}}`, { qos: 1 });
      // publishAsync resolves on PUBACK: by then the handler has run.
      assert.equal(seen.length, i + 1, `message ${i} handled before its PUBACK`);
    }
    assert.deepEqual(seen[7], { topic: 'edgepilot/devices/smart-city/SC-7', payload: '{"n":7}' });
    await device.publishAsync('edgepilot/other/x', 'not mine', { qos: 1 });
    assert.equal(seen.length, 20, 'only topics matching the filter');
    await unsubscribe();
    await device.publishAsync('edgepilot/devices/smart-city/SC-99', '{}', { qos: 1 });
    assert.equal(seen.length, 20, 'nothing after unsubscribe');
  } finally {
    await device.endAsync();
    await broker.stop();
  }
});

test('local publish: QoS 1 subscribers over MQTT receive it; done runs once routed; a stopped broker refuses', async () => {
  const broker = await startEmbeddedBroker();
  const engine = connect(broker.url, { protocolVersion: 4, clientId: 'broker-test-engine' });
  const got: string[] = [];
  try {
    await new Promise<void>((r) => engine.once('connect', () => r()));
    engine.on('message', (_t, p) => got.push(p.toString()));
    await engine.subscribeAsync('edgepilot/ingest/+', { qos: 1 });
    const errs = await Promise.all(
      ['a', 'b', 'c'].map((x) => new Promise<Error | undefined>((r) => broker.local.publish('edgepilot/ingest/smart-city', Buffer.from(x), 1, r))),
    );
    assert.deepEqual(errs, [undefined, undefined, undefined]);
    const end = Date.now() + 3000;
    while (got.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got.sort(), ['a', 'b', 'c']);
  } finally {
    await engine.endAsync();
    await broker.stop();
  }
  const err = await new Promise<Error | undefined>((r) => broker.local.publish('edgepilot/ingest/smart-city', Buffer.from('late'), 1, r));
  assert.match(String(err?.message), /stopped/);
  await assert.rejects(broker.local.subscribe('edgepilot/devices/#', () => undefined), /stopped/);
});

test('a client that sends a packet over the size limit is disconnected before its body is read; others carry on', { timeout: 30_000 }, async () => {
  const lines: string[] = [];
  const broker = await startEmbeddedBroker({ maxPacketBytes: 64 * 1024, log: (l) => lines.push(l) });
  const seen: number[] = [];
  const unsubscribe = await broker.local.subscribe('edgepilot/devices/#', (_t, payload) => seen.push(payload.length));
  const big = connect(broker.url, { protocolVersion: 4, clientId: 'broker-test-big', reconnectPeriod: 0 });
  const good = connect(broker.url, { protocolVersion: 4, clientId: 'broker-test-good', reconnectPeriod: 0 });
  big.on('error', () => undefined);
  try {
    await Promise.all([big, good].map((c) => new Promise<void>((r) => c.once('connect', () => r()))));
    const closed = new Promise<string>((r) => big.once('close', () => r('connection closed')));
    // Without the limit the broker takes the message and acknowledges it.
    const acked = new Promise<string>((r) => big.publish('edgepilot/devices/smart-city/SC-1', Buffer.alloc(2 * 1024 * 1024, 0x61), { qos: 1 }, (err) => err || r('acknowledged')));
    assert.equal(await Promise.race([closed, acked]), 'connection closed');
    assert.equal(broker.closedForPacketSize, 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^embedded MQTT broker: rejected the connection from 127\.0\.0\.1:\d+: packet-too-large: packet of \d+ bytes over the limit of 65536; connection closed$/);
    // A packet just under the limit from another client still goes through.
    await good.publishAsync('edgepilot/devices/smart-city/SC-2', Buffer.alloc(60 * 1024, 0x62), { qos: 1 });
    assert.deepEqual(seen, [60 * 1024], 'the oversized message never reached a subscriber; the other did');
  } finally {
    await unsubscribe();
    big.end(true);
    await good.endAsync();
    await broker.stop();
  }
});

test('the embedded broker refuses a packet size limit it cannot use, before it listens', async () => {
  await assert.rejects(startEmbeddedBroker({ maxPacketBytes: 0 }), /maxPacketBytes must be an integer >= 2, got 0/);
});
