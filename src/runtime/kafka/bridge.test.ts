/**
 * The Kafka leg against the librdkafka mock cluster that `npm test` starts (EDGEPILOT_TEST_KAFKA_BROKERS): the gateway
 * hands valid device messages to the bridge, a consumer group reads them back, one per message, keyed by device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EdgeGateway } from '../../edge/gateway.ts';
import { constantRate, DeviceFleet } from '../devices/fleet.ts';
import { encodeMessage, validatePayload, type DeviceMessage } from '../devices/schemas.ts';
import { ingestRecordHandler, kafkaIngestTopic, kafkaRecordTopic, KafkaIngestBridge, parseBrokers, startIngestConsumer } from './bridge.ts';

test('parseBrokers and kafkaIngestTopic: clear errors', () => {
  assert.deepEqual(parseBrokers('127.0.0.1:9092, kafka-1:19092'), ['127.0.0.1:9092', 'kafka-1:19092']);
  assert.throws(() => parseBrokers(''), /expected host:port/);
  assert.throws(() => parseBrokers('localhost'), /'localhost' is not host:port/);
  assert.equal(kafkaIngestTopic('smart-city'), 'edgepilot.ingest.smart-city');
  assert.throws(() => kafkaIngestTopic('mars'), /unknown scenario 'mars'/);
});

const brokersEnv = process.env.EDGEPILOT_TEST_KAFKA_BROKERS;
const skip = brokersEnv ? false : 'EDGEPILOT_TEST_KAFKA_BROKERS is not set (npm test starts the kcat mock Kafka cluster and sets it)';

test('gateway -> Kafka bridge -> consumer group: every valid message once, keyed by device', { skip }, async () => {
  const brokers = parseBrokers(brokersEnv!);
  // A topic prefix of this run's own, so reruns against the same mock never see old messages.
  const topicPrefix = `edgepilot.test${process.pid}x${Date.now().toString(36)}`;
  const bridge = await KafkaIngestBridge.start({ brokers, topicPrefix, batchSize: 100, lingerMs: 20 });
  const received: Array<{ key: string | null; message: DeviceMessage }> = [];
  const gw = EdgeGateway.offline({ gatewayId: 'gw-kafka', sink: bridge, clock: { nowMs: () => 1_000_500, setInterval: () => 0, clearInterval: () => undefined } });
  const fleet = new DeviceFleet({ scenario: 'healthcare', devices: 6, seed: 4, rate: constantRate(500), durationS: 1, idPrefix: 'kf-' });
  let sent = 0;
  for (let m = fleet.next(); m !== null; m = fleet.next()) {
    const payload = encodeMessage(m.message);
    gw.handle(m.topic, payload);
    if (sent % 7 === 0) gw.handle(m.topic, payload); // a re-delivery: must not reach Kafka twice
    sent++;
  }
  gw.handle('edgepilot/devices/healthcare/kf-9', Buffer.from('{}')); // invalid: never forwarded
  await bridge.flush();
  const consumer = await startIngestConsumer({
    brokers,
    groupId: `g-${topicPrefix}`,
    topics: [kafkaIngestTopic('healthcare', topicPrefix)],
    onMessage: (_t, key, value) => received.push({ key, message: JSON.parse(value.toString('utf8')) as DeviceMessage }),
  });
  try {
    const end = Date.now() + 15_000;
    while (received.length < sent && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.ok(sent > 400, `sent ${sent}`);
    assert.deepEqual(bridge.stats(), { sent, failed: 0, dropped: 0, buffered: 0, lastError: '' });
    assert.equal(received.length, sent);
    const ids = new Set(received.map((r) => `${r.message.deviceId}#${r.message.seq}`));
    assert.equal(ids.size, sent, 'no duplicates');
    assert.ok(received.every((r) => r.key === r.message.deviceId));
    // One device, one partition: its sequence numbers arrive in order.
    const lastSeq = new Map<string, number>();
    for (const r of received) {
      assert.ok((lastSeq.get(r.message.deviceId) ?? -1) < r.message.seq, `out of order for ${r.message.deviceId}`);
      lastSeq.set(r.message.deviceId, r.message.seq);
    }
  } finally {
    await consumer.stop();
    await bridge.stop();
  }
});

test('bridge: an unreachable Kafka is a clear error', async () => {
  await assert.rejects(KafkaIngestBridge.start({ brokers: ['127.0.0.1:1'], connectionTimeoutMs: 300 }), /KafkaIngestBridge: cannot connect to 127.0.0.1:1/);
});

test('ingest consumer: a record whose handler throws is logged with topic, partition and offset and skipped, never stalling the partition', () => {
  const lines: string[] = [];
  const stats = { received: 0, handled: 0, emptyValues: 0, handlerErrors: 0, lastError: '' };
  const taken: string[] = [];
  const take = ingestRecordHandler(
    {
      onMessage: (_topic, key, value) => {
        if (key === 'bad/key') throw new Error("topics: deviceId 'bad/key' must match the id pattern");
        taken.push(value.toString());
      },
      log: (l) => lines.push(l),
    },
    stats,
  );
  const rec = (key: string | null, value: string | null, offset: number) => ({ key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), offset: String(offset) });
  assert.doesNotThrow(() => take('edgepilot.ingest.smart-city', 2, rec('bad/key', '{}', 41)));
  take('edgepilot.ingest.smart-city', 2, rec('SC-0001', 'next', 42));
  take('edgepilot.ingest.smart-city', 0, rec('SC-0002', null, 7));
  assert.deepEqual(taken, ['next'], 'the record after the poisoned one is taken');
  assert.deepEqual(stats, { received: 3, handled: 1, emptyValues: 1, handlerErrors: 1, lastError: "Kafka record edgepilot.ingest.smart-city[2]@41: topics: deviceId 'bad/key' must match the id pattern" });
  assert.deepEqual(lines, [
    "ingest consumer: could not take Kafka record edgepilot.ingest.smart-city[2]@41: topics: deviceId 'bad/key' must match the id pattern (1 so far; skipped, the consumer goes on)",
    'ingest consumer: skipped Kafka record edgepilot.ingest.smart-city[0]@7: it has no value (a tombstone; an empty record is handed on and judged by the engine)',
  ]);
  for (let i = 0; i < 2000; i++) take('t', 0, rec('bad/key', '{}', 100 + i));
  assert.equal(stats.handlerErrors, 2001);
  assert.equal(lines.filter((l) => l.startsWith('ingest consumer: could not take')).length, 10 + 2, 'the first 10, then every 1000th');
});

test('a consumed record is validated against its device topic when keyed by a device ID, else the ingest topic', () => {
  const fleet = new DeviceFleet({ scenario: 'industrial', devices: 1, seed: 3, rate: constantRate(10), durationS: 1, idPrefix: 'kt-' });
  const item = fleet.next()!;
  const payload = encodeMessage(item.message);
  const id = item.message.deviceId;
  assert.equal(kafkaRecordTopic('industrial', id), `edgepilot/devices/industrial/${id}`);
  assert.equal(validatePayload(kafkaRecordTopic('industrial', id), payload).ok, true);
  // Another producer's records: no key, or a key that is no device ID. Both are still read, checked on the scenario.
  for (const key of [null, undefined, '', 'bad/key']) {
    assert.equal(kafkaRecordTopic('industrial', key), 'edgepilot/ingest/industrial');
    assert.equal(validatePayload(kafkaRecordTopic('industrial', key), payload).ok, true, `key ${String(key)}`);
  }
  // A keyed record naming another device is still refused.
  const other = validatePayload(kafkaRecordTopic('industrial', 'someone-else'), payload);
  assert.equal(other.ok, false);
  assert.equal(!other.ok && other.reason, 'topic-mismatch');
});
