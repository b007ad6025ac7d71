/**
 * The edge gateway: per-second counting and the shared forecaster (offline, clock driven by hand), then end to end on
 * the embedded aedes broker (MQTT 3.1.1) and on Mosquitto (MQTT 5, EDGEPILOT_TEST_MQTT_URL): devices -> gateway ->
 * ingest topic + forecast topic -> MqttForecastSource.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { startEmbeddedBroker, type LocalBrokerPort } from '../runtime/devices/broker.ts';
import { constantRate, DeviceFleet } from '../runtime/devices/fleet.ts';
import { publishSchedule } from '../runtime/devices/publisher.ts';
import { encodeMessage, type DeviceMessage } from '../runtime/devices/schemas.ts';
import { decodeIngestBatch } from '../runtime/devices/ingest-batch.ts';
import { deviceTopic, ingestTopic } from '../runtime/devices/topics.ts';
import { EdgeGateway, RateAggregator, type EdgeGatewayOptions } from './gateway.ts';
import { Forecaster } from './forecaster.ts';
import { MqttForecastSource, parseForecastMessage } from './forecast-source.ts';

const until = async (cond: () => boolean, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

test('RateAggregator: counts per second, skips the partial first second, reports silent seconds as 0', () => {
  const agg = new RateAggregator(10_500); // started mid-second 10
  agg.add(10_900); // partial first second: not counted
  for (const ms of [11_000, 11_400, 11_999, 13_200]) agg.add(ms);
  assert.deepEqual(agg.close(11_999), []); // second 11 not over yet
  assert.deepEqual(agg.close(14_100), [
    { tSeconds: 11, count: 3 },
    { tSeconds: 12, count: 0 },
    { tSeconds: 13, count: 1 },
  ]);
  agg.add(13_500); // late for a closed second: dropped, never double-reported
  assert.deepEqual(agg.close(14_900), []);
  agg.add(14_950, 5);
  assert.deepEqual(agg.close(15_000), [{ tSeconds: 14, count: 5 }]);
});

/** One valid device message (a fleet's first messages). */
function fleetMessages(n: number, scenario: 'industrial' | 'healthcare' = 'industrial', idPrefix = 'gwt-'): Array<{ topic: string; message: DeviceMessage }> {
  const fleet = new DeviceFleet({ scenario, devices: 5, seed: 3, rate: constantRate(1000), durationS: 60, idPrefix });
  const out: Array<{ topic: string; message: DeviceMessage }> = [];
  for (let i = 0; i < n; i++) {
    const m = fleet.next()!;
    out.push({ topic: m.topic, message: m.message });
  }
  return out;
}

test('offline gateway: validated, deduplicated per-second counts feed THE forecaster (same numbers as the simulator would get)', () => {
  const t0 = 1_700_000_000_000;
  let now = t0;
  const clock = { nowMs: () => now, setInterval: () => 0, clearInterval: () => undefined };
  const published: number[] = [];
  const gw = EdgeGateway.offline({ gatewayId: 'gw-test', clock, onForecast: (f) => published.push(f.predictedRateMsgsPerS) });
  const reference = new Forecaster({ ...gw.forecaster.settings });
  const msgs = fleetMessages(400);
  // Per-second counts 0..: a ramp then a burst; re-deliveries and garbage must not count.
  const perSecond = [10, 12, 11, 14, 13, 15, 60, 80, 75, 20];
  let k = 0;
  for (let s = 0; s < perSecond.length; s++) {
    now = t0 + (s + 1) * 1000 + 100;
    for (let i = 0; i < perSecond[s]!; i++) {
      const m = msgs[k++]!;
      m.message.sentAtMs = now; // what the publisher stamps (the fleet leaves a placeholder)
      gw.handle(m.topic, encodeMessage(m.message), now);
      if (i % 5 === 0) gw.handle(m.topic, encodeMessage(m.message), now); // QoS 1 re-delivery
    }
    gw.handle(deviceTopic('industrial', 'gwt-bad'), Buffer.from('{"truncated":'), now);
    gw.handle('edgepilot/devices/industrial/gwt-x', Buffer.from('not json'), now);
    gw.closeSeconds(t0 + (s + 2) * 1000 + 1);
    reference.observe(Math.floor((t0 + (s + 1) * 1000) / 1000), perSecond[s]!);
    assert.deepEqual(gw.lastForecast, reference.forecast(), `forecast after second ${s}`);
  }
  const st = gw.stats();
  assert.equal(st.accepted, perSecond.reduce((a, b) => a + b, 0));
  assert.equal(st.duplicates, perSecond.reduce((a, b) => a + Math.ceil(b / 5), 0));
  assert.equal(st.rejected, 2 * perSecond.length);
  assert.deepEqual(st.rejectedByReason, { 'invalid-json': 2 * perSecond.length });
  assert.equal(st.forecastsPublished, perSecond.length);
  assert.equal(published.length, perSecond.length);
  assert.equal(st.lastRateMsgsPerS, 20);
  // The burst seconds raised the burst probability well above the calm ones.
  assert.ok(gw.forecaster.burstProbability() > 0.3, `burst probability ${gw.forecaster.burstProbability()}`);
  assert.equal(gw.lastForecast!.gatewayId, 'gw-test');
  assert.throws(() => EdgeGateway.offline({ gatewayId: 'bad/id' }), /gatewayId 'bad\/id' must match/);
});

/** An offline gateway whose forwards are captured (topic, lines), with a hand-driven clock and captured timers. */
function batchingGateway(opts: Partial<EdgeGatewayOptions> = {}) {
  const clock = { t: 1_000_000, intervals: [] as Array<{ fn: () => void; ms: number }> };
  const sent: Array<{ topic: string; lines: string[] }> = [];
  const acks: Array<(err?: Error) => void> = [];
  const gw = EdgeGateway.offline({
    gatewayId: 'gw-batch',
    clock: {
      nowMs: () => clock.t,
      setInterval: (fn, ms) => clock.intervals.push({ fn, ms }),
      clearInterval: () => undefined,
    },
    publish: (topic, payload, done) => {
      sent.push({ topic, lines: decodeIngestBatch(payload).map(String) });
      acks.push(done);
    },
    ...opts,
  });
  const feed = (msgs: Array<{ topic: string; message: DeviceMessage }>) => {
    for (const { topic, message } of msgs) gw.handle(topic, encodeMessage(message), clock.t);
  };
  return { gw, clock, sent, acks, feed };
}

test('gateway batches: flush by count, every original payload once, in order; acks count messages', () => {
  const { gw, sent, acks, feed } = batchingGateway({ batchMaxMsgs: 10, batchMaxDelayMs: 50 });
  const msgs = fleetMessages(25);
  feed(msgs);
  assert.equal(sent.length, 2, 'two full batches of 10');
  assert.ok(sent.every((b) => b.topic === ingestTopic('industrial') && b.lines.length === 10));
  assert.equal(gw.pendingMsgs, 5);
  assert.deepEqual(
    sent.flatMap((b) => b.lines),
    msgs.slice(0, 20).map((m) => encodeMessage(m.message).toString()),
  );
  assert.equal(gw.stats().forwarded, 0, 'not forwarded until acknowledged');
  acks[0]!();
  acks[1]!(new Error('connection closed'));
  assert.equal(gw.stats().forwarded, 10);
  assert.equal(gw.stats().forwardErrors, 10);
  assert.equal(gw.stats().forwardBatches, 2);
  // A duplicate or a malformed payload is never forwarded.
  feed([msgs[0]!]);
  gw.handle(msgs[0]!.topic, Buffer.from('{"schemaVersion":1}'));
  assert.equal(gw.pendingMsgs, 5);
});

test('gateway batches: flush by time through the injected clock (no real timers), and on stop', async () => {
  const { gw, clock, sent, feed } = batchingGateway({ batchMaxMsgs: 200, batchMaxDelayMs: 20 });
  gw.startFlushTimer();
  assert.equal(clock.intervals.length, 1);
  assert.equal(clock.intervals[0]!.ms, 5, 'checks four times per batchMaxDelayMs');
  const msgs = fleetMessages(7);
  feed(msgs.slice(0, 3));
  clock.t += 19;
  clock.intervals[0]!.fn();
  assert.equal(sent.length, 0, 'first message waited 19 ms < 20 ms');
  feed(msgs.slice(3, 5));
  clock.t += 1;
  clock.intervals[0]!.fn();
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.lines.length, 5);
  assert.equal(gw.flushDue(clock.t + 1000), 0, 'nothing pending');
  feed(msgs.slice(5));
  assert.equal(gw.pendingMsgs, 2);
  await gw.stop();
  assert.equal(sent.length, 2, 'stop flushes what is pending');
  assert.equal(sent[1]!.lines.length, 2);
  assert.equal(gw.pendingMsgs, 0);
});

test('gateway batches: bounded in bytes, and single mode publishes one message per payload', () => {
  const msgs = fleetMessages(30);
  const sizes = msgs.map((m) => encodeMessage(m.message).length);
  const maxBytes = Math.max(...sizes) * 3 + 2; // room for three of the largest lines
  const bounded = batchingGateway({ batchMaxMsgs: 1000, batchMaxBytes: maxBytes });
  bounded.feed(msgs);
  bounded.gw.flushAll();
  assert.ok(bounded.sent.length >= 10);
  for (const b of bounded.sent) assert.ok(Buffer.byteLength(b.lines.join('\n')) <= maxBytes, `batch of ${Buffer.byteLength(b.lines.join('\n'))} bytes`);
  assert.equal(bounded.sent.flatMap((b) => b.lines).length, 30);

  const single = batchingGateway({ forwardMode: 'single' });
  single.feed(msgs.slice(0, 4));
  assert.equal(single.sent.length, 4);
  assert.ok(single.sent.every((b, i) => b.lines.length === 1 && b.lines[0] === encodeMessage(msgs[i]!.message).toString()));
  assert.throws(() => batchingGateway({ forwardMode: 'bulk' as 'batch' }), /forwardMode 'bulk' must be one of single, batch/);
  assert.throws(() => batchingGateway({ batchMaxMsgs: 0 }), /batchMaxMsgs must be a positive integer, got 0/);
});

/** devices -> gateway -> ingest + forecasts, on one broker. */
async function endToEnd(url: string, protocolVersion: 4 | 5, tag: string, local?: LocalBrokerPort): Promise<void> {
  const gatewayId = `gw-${tag}-${process.pid}`;
  const idPrefix = `${tag}${process.pid}x-`;
  const gw = await EdgeGateway.start({ mqttUrl: url, ...(local ? { broker: local } : {}), protocolVersion, gatewayId, scenario: 'industrial' });
  const source = await MqttForecastSource.start({ mqttUrl: url, protocolVersion, topicFilter: `edgepilot/edge/${gatewayId}/forecast` });
  const ingest = connect(url, { protocolVersion, clientId: `ingest-${tag}-${process.pid}` });
  let forwardedMine = 0;
  const forecastPayloads: string[] = [];
  const watcher = connect(url, { protocolVersion, clientId: `fc-${tag}-${process.pid}` });
  try {
    await new Promise<void>((r) => ingest.once('connect', () => r()));
    await new Promise<void>((r) => watcher.once('connect', () => r()));
    ingest.on('message', (_t, p) => {
      // The ingest payload is a batch: one original device payload per line.
      for (const line of decodeIngestBatch(p)) {
        const m = JSON.parse(line.toString()) as DeviceMessage;
        if (m.deviceId.startsWith(idPrefix)) forwardedMine++;
      }
    });
    watcher.on('message', (_t, p) => forecastPayloads.push(p.toString()));
    await ingest.subscribeAsync(ingestTopic('industrial'), { qos: 1 });
    await watcher.subscribeAsync(`edgepilot/edge/${gatewayId}/forecast`, { qos: 0 });

    const fleet = new DeviceFleet({ scenario: 'industrial', devices: 8, seed: 9, rate: constantRate(400), durationS: 2.2, idPrefix });
    const summary = await publishSchedule(fleet, { mqttUrl: url, protocolVersion });
    // One malformed message: counted with its reason, never forwarded.
    const bad = connect(url, { protocolVersion });
    await new Promise<void>((r) => bad.once('connect', () => r()));
    await bad.publishAsync(deviceTopic('industrial', `${idPrefix}bad`), '{"schemaVersion": 1, "deviceId": 5}', { qos: 1 });
    await bad.endAsync();

    await until(() => forwardedMine >= summary.published && gw.tally.rejected.schema >= 1 && source.received >= 2, 8000);
    assert.equal(summary.acked, summary.published);
    assert.ok(summary.published > 600, `published ${summary.published}`);
    assert.equal(forwardedMine, summary.published, 'every valid message forwarded to the ingest topic exactly once');
    assert.ok(gw.tally.rejected.schema >= 1);
    assert.ok(gw.stats().forecastsPublished >= 2);
    // The wire form is the documented snake_case object.
    const wire = JSON.parse(forecastPayloads.at(-1)!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(wire).sort(), ['burst_probability', 'gateway_id', 'horizon', 'predicted_rate', 't']);
    assert.equal(wire.gateway_id, gatewayId);
    assert.ok(parseForecastMessage(`edgepilot/edge/${gatewayId}/forecast`, forecastPayloads.at(-1)!).ok);
    const latest = source.latest();
    assert.equal(latest.gatewayId, gatewayId);
    assert.equal(latest.horizonS, 40);
    assert.ok(latest.predictedRateMsgsPerS > 50, `predicted ${latest.predictedRateMsgsPerS} msgs/s for a 400 msgs/s fleet`);
    // Every valid message is accounted: accepted once, forwarded once (acknowledged by the broker).
    await until(() => gw.stats().forwarded >= summary.published, 3000);
    assert.equal(gw.stats().accepted, summary.published);
    assert.equal(gw.stats().duplicates, 0);
  } finally {
    await Promise.all([ingest.endAsync(), watcher.endAsync(), source.stop(), gw.stop()]);
  }
}

test('gateway end to end on the embedded aedes broker (MQTT 3.1.1)', async () => {
  const broker = await startEmbeddedBroker();
  try {
    await endToEnd(broker.url, 4, 'aedes');
  } finally {
    await broker.stop();
  }
});

test('gateway linked in-process to the embedded broker (no MQTT connection of its own): same end-to-end behaviour', async () => {
  const broker = await startEmbeddedBroker();
  try {
    await endToEnd(broker.url, 4, 'local', broker.local);
  } finally {
    await broker.stop();
  }
});

const mosquittoUrl = process.env.EDGEPILOT_TEST_MQTT_URL;
test('gateway end to end on Mosquitto (MQTT 5)', { skip: mosquittoUrl ? false : 'EDGEPILOT_TEST_MQTT_URL is not set (npm test starts Mosquitto and sets it)' }, async () => {
  await endToEnd(mosquittoUrl!, 5, 'mosq');
});

test('gateway survives a broker restart (resubscribes, keeps forwarding) and stops promptly with the broker gone', async () => {
  let broker = await startEmbeddedBroker();
  const port = broker.port;
  const lines: string[] = [];
  const gw = await EdgeGateway.start({ mqttUrl: broker.url, gatewayId: 'gw-restart', scenario: 'healthcare', log: (l) => lines.push(l) });
  try {
    await broker.stop();
    broker = await startEmbeddedBroker({ port });
    await until(() => gw.connects >= 2, 8000);
    assert.equal(gw.connects, 2, 'reconnected once');
    // The outage is told once (not once per reconnect attempt), and so is its end.
    assert.equal(lines.filter((l) => l.includes('lost the MQTT broker')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((l) => /reconnected to the MQTT broker at .* after [\d.]+ s \(connection 2\)/.test(l)).length, 1, lines.join('\n'));
    // The subscription is renewed on reconnect (the restarted broker kept no session for it): its messages reach the gateway.
    const fleet = new DeviceFleet({ scenario: 'healthcare', devices: 3, seed: 1, rate: constantRate(200), durationS: 0.5, idPrefix: 'rs-' });
    const summary = await publishSchedule(fleet, { mqttUrl: broker.url });
    await until(() => gw.stats().forwarded >= summary.published, 5000);
    assert.equal(gw.stats().accepted, summary.published);
    assert.equal(gw.stats().forwarded, summary.published);
  } finally {
    await broker.stop();
    const t0 = Date.now();
    await gw.stop(300);
    assert.ok(Date.now() - t0 < 3000, `stop took ${Date.now() - t0} ms with the broker gone`);
  }
});

test('gateway: an unreachable broker is a clear error, not a hang', async () => {
  await assert.rejects(EdgeGateway.start({ mqttUrl: 'mqtt://127.0.0.1:1', gatewayId: 'gw-x', connectTimeoutMs: 500 }), /EdgeGateway: cannot reach the MQTT broker at mqtt:\/\/127.0.0.1:1 \(ECONNREFUSED\)/);
});

/** An offline gateway with a hand-driven clock whose log lines are captured. */
function loggingGateway(t0: number) {
  const clock = { t: t0 };
  const lines: string[] = [];
  const gw = EdgeGateway.offline({
    gatewayId: 'gw-log',
    clock: { nowMs: () => clock.t, setInterval: () => 0, clearInterval: () => undefined },
    publish: (_topic, _payload, done) => done(),
    log: (l) => lines.push(l),
  });
  return { gw, clock, lines };
}

test('gateway: each rejected message is logged with its topic and reason, 10 per period, the rest summed up later and on stop', async () => {
  const { gw, clock, lines } = loggingGateway(1_800_000_000_000);
  const topic = deviceTopic('industrial', 'gwt-bad');
  gw.handle(topic, Buffer.from('not json'), clock.t);
  gw.handle('edgepilot/devices/industrial', Buffer.from('{}'), clock.t);
  gw.handle(topic, Buffer.from([0xff, 0xfe, 0x00]), clock.t);
  gw.handle(topic, Buffer.alloc(5 * 1024 * 1024, 0x41), clock.t);
  gw.handle(`${topic}\nedge gateway gw-log: forged line`, Buffer.from('x'), clock.t);
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^edge gateway gw-log: rejected a message on topic 'edgepilot\/devices\/industrial\/gwt-bad': invalid-json: Unexpected token/);
  assert.match(lines[1]!, /topic 'edgepilot\/devices\/industrial': unknown-topic: /);
  assert.match(lines[2]!, /: invalid-utf8: payload is not valid UTF-8$/);
  assert.match(lines[3]!, /: too-large: payload is 5242880 bytes, limit 16384$/);
  assert.ok(!lines[4]!.includes('\n'), 'a newline in a topic cannot forge a log line');
  assert.match(lines[4]!, /gwt-bad\\u000aedge gateway/);
  // A flood: 10 lines per 10 s, the rest only counted.
  for (let i = 0; i < 100; i++) gw.handle(topic, Buffer.from('{"truncated":'), clock.t);
  assert.equal(lines.length, 10);
  assert.equal(gw.stats().rejected, 105, 'every reject is counted, shown or not');
  clock.t += 10_000;
  gw.handle(topic, Buffer.from('[]'), clock.t);
  assert.match(lines[10]!, /^edge gateway gw-log: 95 more rejected messages not shown \(invalid-json 95\); all are counted$/);
  assert.match(lines[11]!, /schema: \(root\): Expected object, received array/);
  for (let i = 0; i < 12; i++) gw.handle(topic, Buffer.from('null'), clock.t);
  await gw.stop();
  assert.match(lines.at(-1)!, /^edge gateway gw-log: 3 more rejected messages not shown \(schema 3\); all are counted$/);
});

test('gateway: a sentAtMs far in the past or ahead of its clock is rejected as bad-timestamp; a late re-send within the age limit is accepted', () => {
  const t0 = 1_800_000_000_000;
  const { gw, clock, lines } = loggingGateway(t0);
  const [a, b, c, d, e] = fleetMessages(5);
  const send = (m: { topic: string; message: DeviceMessage }, sentAtMs: number) => gw.handle(m.topic, encodeMessage({ ...m.message, sentAtMs }), clock.t);
  send(a!, 1); // a clock reset to 1970
  send(b!, Math.round(t0 / 1000)); // seconds where ms belong
  send(c!, t0 + 10 * 60_000); // 10 min ahead
  send(d!, t0 - 6 * 3_600_000); // re-sent after a 6 h outage: a real, late reading
  send(e!, t0 + 60_000); // a device clock a minute fast
  const st = gw.stats();
  assert.deepEqual(st.rejectedByReason, { 'bad-timestamp': 3 });
  assert.equal(st.accepted, 2);
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /bad-timestamp: sentAtMs 1 \(1970-01-01T00:00:00\.001Z\) is [\d.]+ days older than the receiver's clock \(2027-01-15T08:00:00\.000Z\); limit 30 days$/);
  assert.match(lines[1]!, /bad-timestamp: sentAtMs 1800000000 \(1970-01-21/);
  assert.match(lines[2]!, /bad-timestamp: sentAtMs 1800000600000 .* is 10 min ahead of the receiver's clock .*; limit 5 min$/);
});

test('gateway: a lost broker connection is logged once per outage, and its end', () => {
  const { gw, clock, lines } = loggingGateway(1_800_000_000_000);
  gw.noteDisconnected('before the first connect: not an outage');
  assert.equal(lines.length, 0);
  gw.noteConnected();
  gw.noteDisconnected('connect ECONNREFUSED');
  clock.t += 500;
  gw.noteDisconnected('connect ECONNREFUSED'); // each failed reconnect attempt closes again
  clock.t += 3500;
  gw.noteConnected();
  assert.deepEqual(lines, [
    "edge gateway gw-log: lost the MQTT broker at  (connect ECONNREFUSED); reconnecting every 0.5 s",
    'edge gateway gw-log: reconnected to the MQTT broker at  after 4.0 s (connection 2)',
  ]);
});

/** Publishes valid device messages at QoS 1 with a plain mqtt.js client; resolves once the broker acknowledged all. */
async function publishDeviceMessages(url: string, msgs: Array<{ topic: string; message: DeviceMessage }>): Promise<void> {
  const pub = connect(url, { protocolVersion: 4, clientId: `pub-${process.pid}-${Date.now().toString(36)}` });
  try {
    await new Promise<void>((r) => pub.once('connect', () => r()));
    // The fleet leaves a placeholder sentAtMs; the publisher stamps it with the time of the first send.
    for (const { topic, message } of msgs) await pub.publishAsync(topic, encodeMessage({ ...message, sentAtMs: Date.now() }), { qos: 1 });
  } finally {
    await pub.endAsync();
  }
}

/**
 * A gateway over MQTT is started and stopped, `away` device messages are published while no gateway runs, a gateway
 * with the same id is started again, and then one more message (the marker) is published. Resolves with how many of
 * the `away` messages the second gateway accepted, once the marker and `expectAway` of them are in (or 8 s passed):
 * the broker delivers what it queued for the session when the gateway connects, before anything published later.
 */
async function restartAcrossAbsence(
  url: string,
  protocolVersion: 4 | 5,
  tag: string,
  opts: { cleanSession?: boolean; away: number; expectAway: number },
): Promise<{ awayAccepted: number; accepted: number; duplicates: number; clientId: string | undefined }> {
  const prefix = `${tag}${process.pid}`;
  let awayAccepted = 0;
  let markers = 0;
  const base = {
    mqttUrl: url,
    protocolVersion,
    gatewayId: `gw-persist-${prefix}`,
    scenario: 'healthcare' as const,
    forward: false,
    log: () => undefined,
    ...(opts.cleanSession === undefined ? {} : { cleanSession: opts.cleanSession }),
  };
  const first = await EdgeGateway.start(base);
  await first.stop();
  await publishDeviceMessages(url, fleetMessages(opts.away, 'healthcare', `${prefix}away-`));
  const mine = { id: 'seen', send: (deviceId: string) => (deviceId.startsWith(`${prefix}away-`) ? awayAccepted++ : deviceId.startsWith(`${prefix}marker-`) ? markers++ : 0) };
  const second = await EdgeGateway.start({ ...base, sink: mine });
  try {
    await publishDeviceMessages(url, fleetMessages(1, 'healthcare', `${prefix}marker-`));
    await until(() => markers >= 1 && awayAccepted >= opts.expectAway, 8000);
    assert.equal(markers, 1, 'the marker published after the restart arrived');
    return { awayAccepted, accepted: second.stats().accepted, duplicates: second.stats().duplicates, clientId: second.session?.clientId };
  } finally {
    await second.stop();
  }
}

async function checkRestartAcrossAbsence(url: string, protocolVersion: 4 | 5, tag: string): Promise<void> {
  const kept = await restartAcrossAbsence(url, protocolVersion, tag, { away: 40, expectAway: 40 });
  assert.equal(kept.awayAccepted, 40, 'all 40 messages published while no gateway ran');
  assert.equal(kept.clientId, `edgepilot-gw-gw-persist-${tag}${process.pid}`, 'a stable client id, derived from the gateway id');
  assert.equal(kept.duplicates, 0);
  // The same gateway id with a clean session (this also discards the session the first half left on the broker).
  const lost = await restartAcrossAbsence(url, protocolVersion, tag, { cleanSession: true, away: 40, expectAway: 0 });
  assert.equal(lost.awayAccepted, 0, 'a clean session: the broker kept nothing for the stopped gateway');
}

test('gateway over MQTT: a persistent session by default, so a restarted gateway gets every QoS 1 message published while it was away; with cleanSession none', { timeout: 30_000 }, async () => {
  const broker = await startEmbeddedBroker();
  try {
    await checkRestartAcrossAbsence(broker.url, 4, 'aedes');
  } finally {
    await broker.stop();
  }
});

test('gateway restart across an absence on Mosquitto (MQTT 5: the session expiry keeps the session)', { timeout: 30_000, skip: mosquittoUrl ? false : 'EDGEPILOT_TEST_MQTT_URL is not set (npm test starts Mosquitto and sets it)' }, async () => {
  await checkRestartAcrossAbsence(mosquittoUrl!, 5, 'mosq');
});

test('gateway: a bad client id is refused before connecting, naming the option', async () => {
  await assert.rejects(EdgeGateway.start({ mqttUrl: 'mqtt://127.0.0.1:1', gatewayId: 'gw-x', clientId: 'has space' }), /^Error: EdgeGateway: clientId must match .*, got "has space"$/);
  await assert.rejects(EdgeGateway.start({ mqttUrl: 'mqtt://127.0.0.1:1', gatewayId: 'gw-x', clientId: '' }), /EdgeGateway: clientId must not be empty/);
  // The gateway id is checked first: a bad one is not reported as a bad client id made of it.
  await assert.rejects(EdgeGateway.start({ mqttUrl: 'mqtt://127.0.0.1:1', gatewayId: 'a/b' }), /EdgeGateway: gatewayId 'a\/b' must match/);
});

test('gateway: two running gateways with one client id throw each other out; the outage log asks about it once, naming the id', { timeout: 30_000 }, async () => {
  const broker = await startEmbeddedBroker();
  // A frozen gateway clock: every close counts as "right after connecting", whatever the machine's speed.
  const frozen = { nowMs: () => 1_800_000_000_000, setInterval: () => 0, clearInterval: () => undefined };
  const lines: string[][] = [[], []];
  const start = (i: number) => EdgeGateway.start({ mqttUrl: broker.url, gatewayId: `gw-twin-${i}`, clientId: 'edgepilot-gw-twin', scenario: 'industrial', clock: frozen, log: (l) => lines[i]!.push(l) });
  const a = await start(0);
  const b = await start(1);
  const hinted = () => lines.flat().some((l) => l.includes("is another client using client id 'edgepilot-gw-twin'?"));
  try {
    await until(hinted, 20_000);
    assert.ok(hinted(), lines.flat().join('\n'));
    for (const own of lines) assert.ok(own.filter((l) => l.includes('is another client using')).length <= 1, 'said at most once per gateway');
  } finally {
    await Promise.all([a.stop(300), b.stop(300)]);
    await broker.stop();
  }
});

// Mutation audit (src/edge, src/control): behaviours the tests above left unchecked.

test('the forecaster takes the lead time and horizon given to the gateway over the config defaults, and its gateway id is the gateway\'s', () => {
  const clock = { nowMs: () => 0, setInterval: () => 0, clearInterval: () => undefined };
  const gw = EdgeGateway.offline({ gatewayId: 'gw-own', clock, forecaster: { leadTimeS: 10, horizonS: 30, gatewayId: 'someone-else' } });
  assert.equal(gw.forecaster.settings.leadTimeS, 10);
  assert.equal(gw.forecaster.settings.horizonS, 30);
  const f = gw.closeSeconds(2500)!;
  assert.equal(f.horizonS, 30);
  assert.equal(f.gatewayId, 'gw-own');
  const defaults = EdgeGateway.offline({ gatewayId: 'gw-def', clock });
  assert.equal(defaults.forecaster.settings.leadTimeS, 25, 'config.sim.edgeLeadTimeS');
  assert.equal(defaults.forecaster.settings.horizonS, 40, 'config.sim.forecastHorizonS');
});

test('a late timer that closes several seconds at once feeds every one of them to the forecaster, silent ones as 0', () => {
  const t0 = 1_700_000_000_000;
  const clock = { nowMs: () => t0, setInterval: () => 0, clearInterval: () => undefined };
  const forecasts: number[] = [];
  const gw = EdgeGateway.offline({ gatewayId: 'gw-late', clock, onForecast: (f) => forecasts.push(f.predictedRateMsgsPerS) });
  const reference = new Forecaster({ ...gw.forecaster.settings });
  // Nothing arrives; the timer fires once, 6 s late: seconds t0+1 .. t0+6 are closed together.
  const f = gw.closeSeconds(t0 + 7000)!;
  for (let s = 1; s <= 6; s++) reference.observe(t0 / 1000 + s, 0);
  assert.deepEqual(f, reference.forecast());
  assert.equal(gw.stats().secondsObserved, 6);
  assert.equal(forecasts.length, 1, 'one forecast per timer fire');
});
