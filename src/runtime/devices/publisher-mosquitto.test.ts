/**
 * The publisher against Mosquitto over MQTT 5: the shared broker that `npm test` starts
 * (EDGEPILOT_TEST_MQTT_URL), and a Mosquitto of this test's own that is restarted mid-run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceFleet, constantRate, type FleetOptions } from './fleet.ts';
import { detectProtocolVersion, publishSchedule } from './publisher.ts';
import { DeviceReceiver } from './receiver.ts';
import { SeqDeduper } from './dedup.ts';
import { deviceTopicFilter } from './topics.ts';

const until = async (cond: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

const sharedUrl = process.env.EDGEPILOT_TEST_MQTT_URL;

test('MQTT 5 to the shared Mosquitto: every message arrives exactly once', { skip: sharedUrl ? false : 'EDGEPILOT_TEST_MQTT_URL is not set (npm test starts Mosquitto and sets it)' }, async () => {
  const url = sharedUrl!;
  assert.equal(await detectProtocolVersion(url), 5);
  // Other tests may publish to the same broker: this fleet's device ids carry a prefix of its own, and only
  // they are counted.
  const prefix = `t${process.pid}x${Date.now().toString(36)}-`;
  const mine = new SeqDeduper();
  let foreign = 0;
  const receiver = await DeviceReceiver.start({
    mqttUrl: url,
    protocolVersion: 5,
    topicFilter: deviceTopicFilter('healthcare'),
    onMessage: (m) => {
      if (m.deviceId.startsWith(prefix)) mine.accept(m.deviceId, m.seq);
      else foreign++;
    },
  });
  try {
    const fleet = new DeviceFleet({ scenario: 'healthcare', devices: 25, seed: 5, rate: constantRate(1500), durationS: 1.5, idPrefix: prefix });
    const summary = await publishSchedule(fleet, { mqttUrl: url, protocolVersion: 5 });
    await until(() => mine.unique >= summary.published, 5000);
    assert.ok(summary.published > 1500, `published ${summary.published}`);
    assert.equal(summary.protocolVersion, 5);
    assert.equal(summary.acked, summary.published);
    assert.equal(mine.unique, summary.published, `foreign messages seen: ${foreign}`);
    assert.equal(mine.duplicates, 0);
    assert.equal(mine.gaps().size, 0);
  } finally {
    await receiver.stop();
  }
});

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A Mosquitto that saves its sessions and queued messages to `dir` on SIGTERM and reloads them on start. */
async function startMosquitto(dir: string, port: number): Promise<ChildProcess> {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'log_dest stderr', 'log_type error', 'max_queued_messages 100000', ''].join('\n'));
  const child = spawn(MOSQUITTO!, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; i < 250; i++) {
    try {
      await detectProtocolVersion(url, 200);
      return child;
    } catch {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  child.kill();
  throw new Error(`mosquitto did not start on ${url}: ${stderr}`);
}

async function stopMosquitto(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

test('MQTT 5 across a Mosquitto restart: every sequence number is received, none lost', { skip: MOSQUITTO ? false : 'mosquitto is not installed (apt-get install -y mosquitto)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-mosquitto-'));
  // Started as root, mosquitto drops to the `mosquitto` user and could not save its database in a 0700
  // directory: sessions would silently not survive the restart.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  let broker = await startMosquitto(dir, port);
  let receiver: DeviceReceiver | null = null;
  try {
    receiver = await DeviceReceiver.start({ mqttUrl: url, protocolVersion: 5, clean: false, clientId: `mosq-restart-rx-${process.pid}` });
    const opts: FleetOptions = { scenario: 'industrial', devices: 10, seed: 21, rate: constantRate(400), durationS: 3 };
    const fleet = new DeviceFleet(opts);
    const run = publishSchedule(fleet, { mqttUrl: url, protocolVersion: 5, reconnectPeriodMs: 100, maxInFlight: 50 });
    await until(() => receiver!.uniqueMessages >= 300, 5000);
    await stopMosquitto(broker);
    await new Promise((r) => setTimeout(r, 500));
    broker = await startMosquitto(dir, port);
    const summary = await run;
    await until(() => receiver!.uniqueMessages >= fleet.issuedCount, 8000);

    assert.ok(summary.reconnects >= 1, `publisher reconnects ${summary.reconnects}`);
    assert.equal(summary.acked, summary.published);
    assert.equal(summary.published, fleet.issuedCount);
    assert.equal(receiver.uniqueMessages, fleet.issuedCount, `received ${receiver.uniqueMessages} of ${fleet.issuedCount}, gaps ${JSON.stringify([...receiver.dedup.gaps()].map(([d, g]) => [d, g.length, g[0]]))}`);
    assert.deepEqual([...receiver.dedup.gaps()], []);
    const replica = new DeviceFleet(opts);
    const lastSeq = new Map<string, number>();
    for (let m = replica.next(); m !== null; m = replica.next()) lastSeq.set(m.message.deviceId, m.message.seq);
    for (const [deviceId, seq] of lastSeq) assert.equal(receiver.dedup.maxSeq(deviceId), seq, deviceId);
  } finally {
    await receiver?.stop();
    await stopMosquitto(broker);
    rmSync(dir, { recursive: true, force: true });
  }
});
