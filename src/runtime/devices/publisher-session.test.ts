/**
 * What the device publisher and receiver ask of the broker: clean sessions (nothing kept on the broker after they are
 * gone) unless asked, and for the publisher
 * sentAtMs from the clock it is given; the embedded broker on loopback by default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedBroker } from './broker.ts';
import { DeviceFleet, constantRate, type ScheduledMessage } from './fleet.ts';
import { publishSchedule, type MessageSchedule } from './publisher.ts';
import { DeviceReceiver } from './receiver.ts';
import type { DeviceMessage } from './schemas.ts';

function burst(count: number): MessageSchedule {
  const fleet = new DeviceFleet({ scenario: 'industrial', devices: 4, seed: 9, rate: constantRate(1000), durationS: 1e6 });
  const items: ScheduledMessage[] = [];
  for (let i = 0; i < count; i++) items.push({ ...fleet.next()!, dueS: 0 });
  return { peekDueS: () => (items.length > 0 ? 0 : Infinity), next: () => items.shift() ?? null };
}

test('the publisher connects with a clean session (no session left on the broker) and stamps sentAtMs from its injected clock', async () => {
  const cleanFlags: Array<boolean | undefined> = [];
  const broker = await startEmbeddedBroker({
    aedesOptions: {
      preConnect: (_client, packet, done) => {
        if (packet.clientId.startsWith('pub-')) cleanFlags.push(packet.clean);
        done(null, true);
      },
    },
  });
  const received: DeviceMessage[] = [];
  const receiver = await DeviceReceiver.start({ mqttUrl: broker.url, onMessage: (m) => received.push(m) });
  try {
    const pinnedMs = 1_764_108_000_000;
    const summary = await publishSchedule(burst(5), { mqttUrl: broker.url, clientId: 'pub-1', nowMs: () => pinnedMs + 0.4 });
    assert.equal(summary.acked, 5, 'every message acknowledged');
    assert.deepEqual(cleanFlags, [true], 'one connection, with a clean session');
    const deadline = Date.now() + 5000;
    while (received.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(received.map((m) => m.sentAtMs), [pinnedMs, pinnedMs, pinnedMs, pinnedMs, pinnedMs], 'sentAtMs is the injected clock, rounded to ms');
  } finally {
    await receiver.stop();
    await broker.stop();
  }
});

test('the receiver: a clean session unless asked, and a persistent one only with a fixed client id', async () => {
  await assert.rejects(DeviceReceiver.start({ mqttUrl: 'mqtt://127.0.0.1:1', clean: false }), /persistent session \(clean: false\) needs a fixed clientId/, 'a random id would leave an orphan session per run');
  const cleanFlags: Array<boolean | undefined> = [];
  const broker = await startEmbeddedBroker({
    aedesOptions: {
      preConnect: (_client, packet, done) => {
        if (packet.clientId.startsWith('rcv-')) cleanFlags.push(packet.clean);
        done(null, true);
      },
    },
  });
  try {
    const receiver = await DeviceReceiver.start({ mqttUrl: broker.url, clientId: 'rcv-1' });
    await receiver.stop();
    assert.deepEqual(cleanFlags, [true], 'by default the receiver asks for a clean session');
  } finally {
    await broker.stop();
  }
});

test('the embedded broker listens on 127.0.0.1 unless told otherwise', async () => {
  const broker = await startEmbeddedBroker();
  try {
    assert.equal(broker.host, '127.0.0.1', 'loopback only by default');
    assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/, 'the url names the loopback address');
  } finally {
    await broker.stop();
  }
});
