import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedBroker } from './broker.ts';
import { DeviceFleet, constantRate, type ScheduledMessage } from './fleet.ts';
import { BrokerConnectError, detectProtocolVersion, publishSchedule, type MessageSchedule } from './publisher.ts';
import { DeviceReceiver } from './receiver.ts';
import type { DeviceMessage } from './schemas.ts';

const until = async (cond: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

/** All messages due at t = 0: the publisher is limited only by its in-flight window. */
function burst(count: number): MessageSchedule {
  const fleet = new DeviceFleet({ scenario: 'industrial', devices: 4, seed: 9, rate: constantRate(1000), durationS: 1e6 });
  const items: ScheduledMessage[] = [];
  for (let i = 0; i < count; i++) items.push({ ...fleet.next()!, dueS: 0 });
  return { peekDueS: () => (items.length > 0 ? 0 : Infinity), next: () => items.shift() ?? null };
}

test('QoS 1 through the embedded broker: every published message arrives exactly once, intact', async () => {
  const broker = await startEmbeddedBroker();
  const received: DeviceMessage[] = [];
  const receiver = await DeviceReceiver.start({ mqttUrl: broker.url, onMessage: (m) => received.push(m) });
  try {
    const opts = { scenario: 'balanced' as const, devices: 30, seed: 3, rate: constantRate(2000), durationS: 1.5 };
    const fleet = new DeviceFleet(opts);
    const startMs = Date.now();
    const summary = await publishSchedule(fleet, { mqttUrl: broker.url, maxInFlight: 50 });
    await until(() => receiver.uniqueMessages >= summary.published, 5000);
    assert.ok(summary.published > 2000, `published ${summary.published}`);
    assert.equal(summary.published, fleet.issuedCount);
    assert.equal(summary.acked, summary.published);
    assert.equal(summary.unacked, 0);
    assert.equal(summary.reconnects, 0);
    assert.equal(receiver.uniqueMessages, summary.published);
    assert.equal(receiver.tally.rejectedTotal, 0);
    assert.equal(receiver.dedup.gaps().size, 0);
    // Same seed, same schedule: what arrived is exactly what the fleet generated.
    const replica = new DeviceFleet(opts);
    const expected = new Map<string, DeviceMessage>();
    for (let m = replica.next(); m !== null; m = replica.next()) expected.set(`${m.message.deviceId}#${m.message.seq}`, m.message);
    assert.equal(received.length, expected.size);
    for (const m of received) {
      const e = expected.get(`${m.deviceId}#${m.seq}`);
      assert.ok(e, `unexpected ${m.deviceId}#${m.seq}`);
      assert.deepEqual(m.payload, e.payload);
      assert.ok(m.sentAtMs >= startMs && m.sentAtMs <= Date.now(), 'sentAtMs is the wall-clock send time');
    }
  } finally {
    await receiver.stop();
    await broker.stop();
  }
});

test('no more than maxInFlight messages await their PUBACK at once', async () => {
  // The broker holds back its authorization (and so its PUBACK) until the test releases it.
  const held: Array<() => void> = [];
  let holding = true;
  const broker = await startEmbeddedBroker({
    aedesOptions: {
      authorizePublish: (_client, _packet, callback) => {
        if (holding) held.push(() => callback(null));
        else callback(null);
      },
    },
  });
  try {
    const run = publishSchedule(burst(60), { mqttUrl: broker.url, maxInFlight: 5 });
    await until(() => held.length >= 5, 5000);
    // Give the publisher every chance to exceed its window.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(held.length, 5);
    holding = false;
    for (const release of held.splice(0)) release();
    const summary = await run;
    assert.equal(summary.published, 60);
    assert.equal(summary.acked, 60);
  } finally {
    await broker.stop();
  }
});

test('an aborted run stops taking messages, drains what it sent and says so', async () => {
  const broker = await startEmbeddedBroker();
  try {
    const fleet = new DeviceFleet({ scenario: 'smart-city', devices: 5, seed: 1, rate: constantRate(100), durationS: 60 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const summary = await publishSchedule(fleet, { mqttUrl: broker.url, signal: abort.signal });
    assert.equal(summary.aborted, true);
    assert.ok(summary.published > 0 && summary.published < 1000, `published ${summary.published}`);
    assert.equal(summary.acked, summary.published);
  } finally {
    await broker.stop();
  }
});

test('protocol detection and connection failures: aedes speaks 3.1.1 only; errors name the broker', async () => {
  const broker = await startEmbeddedBroker();
  const port = broker.port;
  try {
    assert.equal(await detectProtocolVersion(broker.url), 4);
    const schedule = burst(3);
    await assert.rejects(publishSchedule(schedule, { mqttUrl: broker.url, protocolVersion: 5, connectTimeoutMs: 3000 }), (err: Error) => {
      assert.ok(err instanceof BrokerConnectError);
      assert.match(err.message, /protocol version 5.*Unacceptable protocol version/i);
      return true;
    });
  } finally {
    await broker.stop();
  }
  await assert.rejects(publishSchedule(burst(3), { mqttUrl: `mqtt://127.0.0.1:${port}`, connectTimeoutMs: 500 }), /cannot connect to mqtt:\/\/127\.0\.0\.1/);
  await assert.rejects(detectProtocolVersion(`mqtt://127.0.0.1:${port}`), /cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  await assert.rejects(publishSchedule(burst(1), { mqttUrl: 'mqtt://127.0.0.1:1', maxInFlight: 0 }), /maxInFlight must be an integer >= 1, got 0/);
});

test('startGate holds the schedule until released (t = 0 is then); tickMs sends what is due together; bad tickMs is refused', async () => {
  const broker = await startEmbeddedBroker();
  let received = 0;
  const unsubscribe = await broker.local.subscribe('edgepilot/devices/#', () => received++);
  try {
    let gateCalledAtMs = 0;
    let releasedAtMs = 0;
    const fleet = new DeviceFleet({ scenario: 'smart-city', devices: 5, seed: 4, rate: constantRate(500), durationS: 0.5 });
    const summary = await publishSchedule(fleet, {
      mqttUrl: broker.url,
      tickMs: 20,
      startGate: async () => {
        gateCalledAtMs = Date.now();
        assert.equal(received, 0, 'nothing is published before the gate opens');
        await new Promise((r) => setTimeout(r, 300));
        releasedAtMs = Date.now();
      },
    });
    assert.ok(gateCalledAtMs > 0);
    assert.ok(summary.startedAtMs >= releasedAtMs, `schedule started at ${summary.startedAtMs}, gate released at ${releasedAtMs}`);
    assert.equal(summary.acked, summary.published);
    assert.ok(summary.published > 150, `published ${summary.published}`);
    assert.equal(received, summary.published);
    // A 20 ms tick adds at most about one tick of lag (plus timer jitter).
    assert.ok(summary.maxLagS < 0.2, `max lag ${summary.maxLagS} s`);
    await assert.rejects(publishSchedule(fleet, { mqttUrl: broker.url, tickMs: 0 }), /tickMs must be a number in \[1, 1000\], got 0/);
  } finally {
    await unsubscribe();
    await broker.stop();
  }
});

// What the publisher and receiver ask of the broker: clean sessions unless asked; the embedded broker on loopback.

/** An embedded broker that records the clean-session flag of every connection whose client id starts with `prefix`. */
async function brokerRecordingCleanFlags(prefix: string): Promise<{ broker: Awaited<ReturnType<typeof startEmbeddedBroker>>; cleanFlags: Array<boolean | undefined> }> {
  const cleanFlags: Array<boolean | undefined> = [];
  const broker = await startEmbeddedBroker({
    aedesOptions: {
      preConnect: (_client, packet, done) => {
        if (packet.clientId.startsWith(prefix)) cleanFlags.push(packet.clean);
        done(null, true);
      },
    },
  });
  return { broker, cleanFlags };
}

test('the publisher connects with a clean session (no session left on the broker) and stamps sentAtMs from its injected clock', async () => {
  const { broker, cleanFlags } = await brokerRecordingCleanFlags('pub-');
  const received: DeviceMessage[] = [];
  const receiver = await DeviceReceiver.start({ mqttUrl: broker.url, onMessage: (m) => received.push(m) });
  try {
    const pinnedMs = 1_764_108_000_000;
    const summary = await publishSchedule(burst(5), { mqttUrl: broker.url, clientId: 'pub-1', nowMs: () => pinnedMs + 0.4 });
    assert.equal(summary.acked, 5, 'every message acknowledged');
    assert.deepEqual(cleanFlags, [true], 'one connection, with a clean session');
    await until(() => received.length >= 5, 5000);
    assert.deepEqual(received.map((m) => m.sentAtMs), [pinnedMs, pinnedMs, pinnedMs, pinnedMs, pinnedMs], 'sentAtMs is the injected clock, rounded to ms');
  } finally {
    await receiver.stop();
    await broker.stop();
  }
});

test('the receiver: a clean session unless asked, and a persistent one only with a fixed client id', async () => {
  await assert.rejects(DeviceReceiver.start({ mqttUrl: 'mqtt://127.0.0.1:1', clean: false }), /persistent session \(clean: false\) needs a fixed clientId/, 'a random id would leave an orphan session per run');
  const { broker, cleanFlags } = await brokerRecordingCleanFlags('rcv-');
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
