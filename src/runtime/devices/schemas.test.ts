import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceFleet, constantRate } from './fleet.ts';
import { encodeMessage, timestampProblem, validatePayload, ValidationTally, type DeviceMessage } from './schemas.ts';
import { deviceTopic, ingestTopic } from './topics.ts';
import { SCENARIOS } from '../../env/spark-iot-types.ts';

const SENT_AT_MS = 1_764_108_000_000; // 2025-11-25, any plausible wall-clock time

function generated(scenario: (typeof SCENARIOS)[number], seed: number, count: number) {
  const fleet = new DeviceFleet({ scenario, devices: 24, seed, rate: constantRate(1000), durationS: 1e6 });
  const out = [];
  for (let i = 0; i < count; i++) {
    const item = fleet.next()!;
    item.message.sentAtMs = SENT_AT_MS;
    out.push(item);
  }
  return { fleet, items: out };
}

test('every generated message of every kind and scenario is accepted, on its device topic and its ingest topic', () => {
  const kinds = new Set<string>();
  const types = new Set<string>();
  for (const scenario of SCENARIOS) {
    for (const seed of [1, 2, 3]) {
      const { items } = generated(scenario, seed, 1500);
      for (const { topic, message } of items) {
        const r = validatePayload(topic, encodeMessage(message));
        assert.ok(r.ok, `${scenario} seed ${seed}: ${JSON.stringify(r)} for ${JSON.stringify(message)}`);
        assert.deepEqual(r.message, message);
        assert.ok(validatePayload(ingestTopic(scenario), JSON.stringify(message)).ok);
        kinds.add(message.kind);
        types.add(message.payload.type);
      }
    }
  }
  assert.deepEqual([...kinds].sort(), ['healthcare', 'industrial', 'smart-city']);
  assert.deepEqual([...types].sort(), ['air', 'ecg', 'parking', 'production', 'sensors', 'traffic', 'vitals']);
});

function sample(kindType: string): { topic: string; message: DeviceMessage } {
  for (const scenario of ['healthcare', 'industrial', 'smart-city'] as const) {
    const { items } = generated(scenario, 7, 400);
    const hit = items.find((i) => i.message.payload.type === kindType);
    if (hit) return hit;
  }
  throw new Error(`no ${kindType} message generated`);
}

function check(topic: string, value: unknown, reason: string, opts = {}) {
  const r = validatePayload(topic, typeof value === 'string' ? value : JSON.stringify(value), opts);
  assert.equal(r.ok, false, `expected rejection '${reason}' for ${JSON.stringify(value).slice(0, 200)}`);
  if (!r.ok) {
    assert.equal(r.reason, reason, `detail: ${r.detail}`);
    assert.ok(r.detail.length > 0);
  }
  return r;
}

test('cross-field rules: parking arithmetic, blood pressure order, scenario/kind agreement', () => {
  const parking = sample('parking');
  const p = structuredClone(parking.message) as DeviceMessage & { payload: { occupiedSpots: number; totalSpots: number; availableSpots: number } };
  p.payload.availableSpots += 1;
  const r1 = check(parking.topic, p, 'schema');
  assert.match(!r1.ok ? r1.detail : '', /availableSpots/);
  p.payload.occupiedSpots = p.payload.totalSpots + 1;
  check(parking.topic, p, 'schema');

  const vitals = sample('vitals');
  const v = structuredClone(vitals.message) as DeviceMessage & { payload: { bloodPressure: { systolicMmHg: number; diastolicMmHg: number } } };
  v.payload.bloodPressure.diastolicMmHg = v.payload.bloodPressure.systolicMmHg;
  check(vitals.topic, v, 'schema');

  const wrongScenario = { ...vitals.message, scenario: 'industrial' };
  check(deviceTopic('industrial', vitals.message.deviceId), wrongScenario, 'schema');
  // `balanced` fleets carry every kind.
  const balanced = { ...vitals.message, scenario: 'balanced' };
  assert.ok(validatePayload(deviceTopic('balanced', vitals.message.deviceId), JSON.stringify(balanced)).ok);
});

test('topic rules: unknown topic, device or scenario disagreeing with the topic, unregistered device', () => {
  const { topic, message } = sample('sensors');
  check('iot/industrial/machines', message, 'unknown-topic');
  check('edgepilot/edge/gw-1/forecast', message, 'unknown-topic');
  check(deviceTopic('industrial', 'IN-9999'), message, 'topic-mismatch');
  check(ingestTopic('healthcare'), message, 'topic-mismatch');
  check(topic, message, 'unknown-device', { knownDevices: new Set(['IN-0002']) });
  check(topic, message, 'unknown-device', { knownDevices: () => false });
  assert.ok(validatePayload(topic, JSON.stringify(message), { knownDevices: new Set([message.deviceId]) }).ok);
});

test('the payload size limit is configurable and checked before parsing', () => {
  const { topic, message } = sample('ecg');
  const buf = encodeMessage(message);
  assert.ok(validatePayload(topic, buf, { maxPayloadBytes: buf.length }).ok);
  const r = check(topic, buf.toString(), 'too-large', { maxPayloadBytes: buf.length - 1 });
  assert.match(!r.ok ? r.detail : '', new RegExp(`${buf.length} bytes`));
  // Oversized garbage is rejected as too large, never parsed.
  check(topic, '{'.repeat(100_000), 'too-large');
});

test('ValidationTally counts accepted messages and rejections by reason', () => {
  const { topic, message } = sample('traffic');
  const tally = new ValidationTally();
  tally.record(validatePayload(topic, JSON.stringify(message)));
  tally.record(validatePayload(topic, '{"x":'));
  tally.record(validatePayload(topic, '{"x":'));
  tally.record(validatePayload('nope', '{}'));
  assert.equal(tally.accepted, 1);
  assert.equal(tally.rejected['invalid-json'], 2);
  assert.equal(tally.rejected['unknown-topic'], 1);
  assert.equal(tally.rejectedTotal, 3);
});

test('NaN/Infinity spelled as strings are non-finite readings only where a number belongs', () => {
  const vitals = sample('vitals');
  const m = structuredClone(vitals.message) as unknown as { payload: Record<string, unknown> };
  m.payload.heartRateBpm = 'NaN';
  const r = check(vitals.topic, m, 'non-finite-number');
  assert.match(!r.ok ? r.detail : '', /payload\.heartRateBpm is the string 'NaN'/);
  // A text field that happens to read "Inf" is just text.
  const named = structuredClone(vitals.message) as unknown as { payload: Record<string, unknown> };
  named.payload.hospital = 'Inf';
  assert.ok(validatePayload(vitals.topic, JSON.stringify(named)).ok);
  check(vitals.topic, JSON.stringify(vitals.message).replace(/"heartRateBpm":\d+/, '"heartRateBpm":1e999'), 'non-finite-number');
});

test('nesting limit: depth counts, not brackets (many shallow brackets or brackets inside strings pass the depth check)', () => {
  const topic = deviceTopic('smart-city', 'SC-0001');
  const nested = (levels: number) => `${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}`;
  const envelope = (payload: string) => `{"schemaVersion":1,"kind":"smart-city","scenario":"smart-city","deviceId":"SC-0001","seq":0,"sentAtMs":${SENT_AT_MS},"payload":${payload}}`;
  // Depth 2 (envelope, payload) + 7 levels of arrays = 9 > 8.
  const deep = validatePayload(topic, envelope(`{"type":"traffic","x":${nested(8)}}`));
  assert.equal(deep.ok ? 'ok' : deep.reason, 'too-deep');
  // Depth 8 exactly: within the limit, so the schema decides (and rejects the unknown field).
  const atLimit = validatePayload(topic, envelope(`{"type":"traffic","x":${nested(7)}}`));
  assert.equal(atLimit.ok ? 'ok' : atLimit.reason, 'schema');
  // 12 sibling arrays: 14 opening brackets but depth 3.
  const wide = validatePayload(topic, envelope(`{"type":"traffic","x":[${Array.from({ length: 12 }, (_, i) => `[${i}]`).join(',')}]}`));
  assert.equal(wide.ok ? 'ok' : wide.reason, 'schema');
  // Brackets inside a string do not nest.
  const inString = validatePayload(topic, envelope(`{"type":"traffic","x":"${'{['.repeat(20)}"}`));
  assert.equal(inString.ok ? 'ok' : inString.reason, 'schema');
});

test('with a receive time, a sentAtMs more than 5 min ahead or 30 days old is refused as bad-timestamp (limits configurable); without one only the schema bounds apply', () => {
  const { items } = generated('smart-city', 4, 1);
  const { topic, message } = items[0]!;
  const now = SENT_AT_MS;
  const at = (sentAtMs: number) => encodeMessage({ ...message, sentAtMs });
  assert.ok(validatePayload(topic, at(now - 23 * 3_600_000), {}, now).ok, 'a re-send from 23 h ago is a late reading');
  assert.ok(validatePayload(topic, at(now - 8 * 86_400_000), {}, now).ok, 'a Kafka backlog 8 days old (past the default 7-day retention) is data');
  assert.equal(validatePayload(topic, at(now - 31 * 86_400_000), {}, now).ok, false);
  assert.ok(validatePayload(topic, at(now + 4 * 60_000), {}, now).ok, 'a device clock 4 min fast');
  const old = validatePayload(topic, at(1), {}, now);
  assert.equal(old.ok, false);
  if (!old.ok) {
    assert.equal(old.reason, 'bad-timestamp');
    assert.match(old.detail, /^sentAtMs 1 \(1970-01-01T00:00:00\.001Z\) is [\d.]+ days older than the receiver's clock \(2025-11-25T22:00:00\.000Z\); limit 30 days$/);
  }
  const ahead = validatePayload(topic, at(now + 6 * 60_000), {}, now);
  assert.ok(!ahead.ok && ahead.reason === 'bad-timestamp' && /is 6 min ahead of the receiver's clock .*; limit 5 min$/.test(ahead.detail), JSON.stringify(ahead));
  // Configurable.
  assert.ok(validatePayload(topic, at(now + 6 * 60_000), { maxAheadMs: 10 * 60_000 }, now).ok);
  assert.equal(validatePayload(topic, at(now - 2 * 3_600_000), { maxAgeMs: 3_600_000 }, now).ok, false);
  // No receive time: the pure contract check of before (tests and tools replaying old data).
  assert.ok(validatePayload(topic, at(1)).ok);
  assert.ok(timestampProblem(now, Number.NaN) === null, 'no usable receive time, no clock check');
});

test('a parking sensor with no spots at all (totalSpots 0) is refused: MESSAGES.md says totalSpots is an integer 1-100000', () => {
  const parking = sample('parking');
  const p = structuredClone(parking.message) as DeviceMessage & { payload: { occupiedSpots: number; totalSpots: number; availableSpots: number; occupancyPercent: number } };
  Object.assign(p.payload, { totalSpots: 0, occupiedSpots: 0, availableSpots: 0, occupancyPercent: 0 });
  const r = check(parking.topic, p, 'schema');
  assert.match(!r.ok ? r.detail : '', /totalSpots/, 'the detail names the field');
  p.payload.totalSpots = 1;
  p.payload.availableSpots = 1;
  assert.ok(validatePayload(parking.topic, JSON.stringify(p)).ok, 'one spot is a valid parking sensor');
});

test('a device topic of another scenario than the payload says is a topic-mismatch, even with the same deviceId', () => {
  const vitals = sample('vitals');
  // The payload says healthcare; the same device id under `balanced` is another scenario's topic.
  const r = check(deviceTopic('balanced', vitals.message.deviceId), vitals.message, 'topic-mismatch');
  assert.match(!r.ok ? r.detail : '', /balanced/, 'the detail names the topic scenario');
  const asBalanced = { ...vitals.message, scenario: 'balanced' };
  check(deviceTopic('healthcare', vitals.message.deviceId), asBalanced, 'topic-mismatch');
});

test('a sentAtMs exactly maxAheadMs ahead of the receiver is accepted; one ms more is refused ("more than" in MESSAGES.md)', () => {
  const { items } = generated('smart-city', 4, 1);
  const { topic, message } = items[0]!;
  const now = SENT_AT_MS;
  const at = (sentAtMs: number) => encodeMessage({ ...message, sentAtMs });
  assert.ok(validatePayload(topic, at(now + 5 * 60_000), {}, now).ok, 'exactly 5 min ahead is within the limit');
  const over = validatePayload(topic, at(now + 5 * 60_000 + 1), {}, now);
  assert.equal(over.ok ? 'ok' : over.reason, 'bad-timestamp', '5 min + 1 ms ahead is past the limit');
  assert.ok(validatePayload(topic, at(now - 30 * 86_400_000), {}, now).ok, 'exactly 30 days old is within the limit');
});

test('nesting limit: an escaped quote inside a string does not end it, so brackets after it stay text', () => {
  const vitals = sample('vitals');
  const m = structuredClone(vitals.message) as unknown as { payload: Record<string, unknown> };
  // One escaped quote, then 12 brackets: all still inside the hospital name, depth stays 3.
  m.payload.hospital = `Ward 5" ${'['.repeat(12)}`;
  const r = validatePayload(vitals.topic, JSON.stringify(m));
  assert.equal(r.ok ? 'ok' : r.reason, 'ok', `a hospital name with quotes and brackets is text: ${JSON.stringify(r)}`);
});
