/**
 * Broker restart in the middle of a run: the publisher reconnects and re-sends what was not acknowledged,
 * the receiver's persistent session gets what was queued for it, and after dedup every sequence number of
 * every device has arrived exactly once. The broker is an embedded aedes started by this test and
 * restarted on the same port with the same (in-memory) persistence, standing in for a broker with a
 * disk-backed store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedBroker } from './broker.ts';
import { DeviceFleet, constantRate, type FleetOptions } from './fleet.ts';
import { publishSchedule } from './publisher.ts';
import { DeviceReceiver } from './receiver.ts';

const until = async (cond: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

test('after a broker restart every sequence number is received, none lost, none twice', async () => {
  let broker = await startEmbeddedBroker();
  const port = broker.port;
  const receiver = await DeviceReceiver.start({ mqttUrl: broker.url, clean: false, clientId: `restart-rx-${process.pid}` });
  try {
    const opts: FleetOptions = { scenario: 'balanced', devices: 12, seed: 77, rate: constantRate(400), durationS: 3 };
    const fleet = new DeviceFleet(opts);
    const run = publishSchedule(fleet, { mqttUrl: broker.url, reconnectPeriodMs: 100, maxInFlight: 50 });

    await until(() => receiver.uniqueMessages >= 300, 5000);
    assert.ok(receiver.uniqueMessages >= 300, 'traffic flowed before the restart');
    const persistence = broker.persistence;
    await broker.stop();
    const receivedBeforeRestart = receiver.uniqueMessages;
    await new Promise((r) => setTimeout(r, 500));
    broker = await startEmbeddedBroker({ port, persistence });

    const summary = await run;
    await until(() => receiver.uniqueMessages >= fleet.issuedCount, 8000);

    assert.ok(summary.reconnects >= 1, `publisher reconnects ${summary.reconnects}`);
    assert.ok(receiver.connects >= 2, 'receiver reconnected');
    assert.ok(receiver.uniqueMessages > receivedBeforeRestart, 'traffic flowed after the restart');
    assert.equal(summary.published, fleet.issuedCount);
    assert.equal(summary.acked, summary.published);
    assert.equal(summary.unacked, 0);
    assert.equal(receiver.tally.rejectedTotal, 0);
    assert.equal(receiver.uniqueMessages, fleet.issuedCount, `received ${receiver.uniqueMessages} of ${fleet.issuedCount} (duplicates dropped: ${receiver.dedup.duplicates})`);
    assert.deepEqual([...receiver.dedup.gaps()], []);
    // Every device's last sequence number arrived too (a gap at the end would not show as a gap).
    const replica = new DeviceFleet(opts);
    const lastSeq = new Map<string, number>();
    for (let m = replica.next(); m !== null; m = replica.next()) lastSeq.set(m.message.deviceId, m.message.seq);
    for (const [deviceId, seq] of lastSeq) assert.equal(receiver.dedup.maxSeq(deviceId), seq, deviceId);
  } finally {
    await receiver.stop();
    await broker.stop();
  }
});
