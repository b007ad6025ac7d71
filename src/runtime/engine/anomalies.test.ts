import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeAnomalies, ZScoreDetector } from './anomalies.ts';
import { runMapTask } from './map-task.ts';
import { decodeRecords, encodeRecord, partitionOf } from './records.ts';
import { MessageFactory } from './test-messages.ts';

const ENV = { scenario: 'healthcare', deviceId: 'PT-1', kind: 'healthcare', sentAtMs: 1000 };
const vitals = (over: Record<string, unknown>) => ({
  type: 'vitals', patientId: 'PT-1', hospital: 'H', heartRateBpm: 70, bloodPressure: { systolicMmHg: 120, diastolicMmHg: 80 },
  spo2Percent: 97, temperatureC: 36.8, respiratoryRateBpm: 14, alertLevel: 'NORMAL', batteryPercent: 90, ...over,
});

test('anomalies: normal vitals raise nothing; each out-of-range vital is flagged with its field and limit', () => {
  assert.deepEqual(rangeAnomalies(ENV, 'vitals', vitals({})), []);
  const low = rangeAnomalies(ENV, 'vitals', vitals({ heartRateBpm: 45, spo2Percent: 88 }));
  assert.deepEqual(low.map((a) => [a.rule, a.field, a.value, a.limit]), [['range', 'heartRateBpm', 45, '<= 50'], ['range', 'spo2Percent', 88, '<= 93']]);
  const high = rangeAnomalies(ENV, 'vitals', vitals({ heartRateBpm: 150, temperatureC: 39, bloodPressure: { systolicMmHg: 230, diastolicMmHg: 90 } }));
  assert.deepEqual(high.map((a) => a.field), ['heartRateBpm', 'temperatureC', 'systolicMmHg']);
  assert.equal(high[0]!.deviceId, 'PT-1');
  assert.equal(high[0]!.sentAtMs, 1000);
});

test('anomalies: the device alert flag is forwarded for HIGH and CRITICAL, not for WARNING or NORMAL', () => {
  assert.deepEqual(rangeAnomalies(ENV, 'vitals', vitals({ alertLevel: 'HIGH' })).map((a) => a.rule), ['device-alert']);
  const machine = { type: 'sensors', vibrationMmS: 1, temperatureC: 70, alertLevel: 'WARNING' };
  assert.deepEqual(rangeAnomalies(ENV, 'sensors', machine), []);
  assert.deepEqual(rangeAnomalies(ENV, 'sensors', { ...machine, alertLevel: 'CRITICAL', vibrationMmS: 8 }).map((a) => `${a.rule}:${a.field}`), ['range:vibrationMmS', 'device-alert:alertLevel']);
});

test('anomalies: smart-city and production rules', () => {
  assert.deepEqual(rangeAnomalies(ENV, 'air', { aqi: 151 }).map((a) => a.field), ['aqi']);
  assert.deepEqual(rangeAnomalies(ENV, 'air', { aqi: 150 }), []);
  assert.deepEqual(rangeAnomalies(ENV, 'traffic', { avgSpeedKmh: 5 }).map((a) => a.field), ['avgSpeedKmh']);
  assert.deepEqual(rangeAnomalies(ENV, 'production', { defectRatePercent: 6 }).map((a) => a.field), ['defectRatePercent']);
  assert.deepEqual(rangeAnomalies(ENV, 'parking', { occupancyPercent: 'full' }), [], 'a non-number is skipped, not flagged');
});

test('z-score: silent until minSamples, then flags a reading more than zLimit sigma from the device mean', () => {
  const z = new ZScoreDetector({ zLimit: 4, minSamples: 30 });
  const base = { ...ENV, sentAtMs: 0 };
  // Heart rate alternating 70 and 72: mean 71, std ~1.0.
  for (let i = 0; i < 30; i++) assert.deepEqual(z.observe(base, 'ecg', [70 + 2 * (i % 2), 100, 400]), []);
  assert.deepEqual(z.observe(base, 'ecg', [74, 100, 400]), [], 'z = 3: below the limit');
  const alerts = z.observe(base, 'ecg', [90, 100, 400]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.rule, 'zscore');
  assert.equal(alerts[0]!.field, 'heartRateBpm');
  assert.equal(alerts[0]!.value, 90);
  // Another device has its own statistics.
  assert.deepEqual(z.observe({ ...base, deviceId: 'PT-2' }, 'ecg', [90, 100, 400]), []);
  assert.throws(() => new ZScoreDetector({ minSamples: 1 }), /minSamples/);
});

test('records: encode/decode round trip; a damaged line is refused with its line number', () => {
  const r = { deviceId: 'd-1', scenario: 'balanced', kind: 'industrial', type: 'sensors' as const, sentAtMs: 5, receivedAtMs: 7, readings: [1.5, Number.NaN, 3, 4] };
  const [back] = decodeRecords(Buffer.from(encodeRecord(r)), 'blk');
  assert.equal(back!.deviceId, 'd-1');
  assert.deepEqual(back!.readings.slice(0, 1), [1.5]);
  assert.ok(Number.isNaN(back!.readings[1]!));
  assert.throws(() => decodeRecords(Buffer.from(`${encodeRecord(r)}\ngarbage`), 'blk'), /blk: line 2 is not a shuffle record/);
  assert.ok(partitionOf('d-1', 4) >= 0 && partitionOf('d-1', 4) < 4);
  assert.equal(partitionOf('d-1', 4), partitionOf('d-1', 4));
});

test('map task: every line becomes one record in its device partition, or is counted malformed', () => {
  const f = new MessageFactory({ devices: 12, scenario: 'balanced' });
  const msgs = f.batch(120, 1_000_000, 10);
  const lines = [...msgs.map((m) => JSON.stringify(m)), '{not json', JSON.stringify({ deviceId: 'x' })];
  const received = Float64Array.from(lines, (_, i) => 2_000_000 + i);
  const out = runMapTask({ taskId: 3, partitions: 4, lines: new TextEncoder().encode(lines.join('\n')), receivedAtMs: received });
  assert.equal(out.taskId, 3);
  assert.equal(out.malformed, 2);
  assert.match(out.malformedDetail, /line 121/);
  assert.equal(out.recordCounts.reduce((a, b) => a + b, 0), 120);
  out.blocks.forEach((block, p) => {
    const records = decodeRecords(Buffer.from(block), `p${p}`);
    assert.equal(records.length, out.recordCounts[p]);
    for (const r of records) assert.equal(partitionOf(r.deviceId, 4), p, 'a device always lands in its own partition');
  });
  const first = decodeRecords(Buffer.from(out.blocks[partitionOf(msgs[0]!.deviceId, 4)]!), 'x').find((r) => r.sentAtMs === msgs[0]!.sentAtMs && r.deviceId === msgs[0]!.deviceId)!;
  assert.equal(first.receivedAtMs, 2_000_000, 'receive time travels with its line');
  assert.throws(() => runMapTask({ taskId: 0, partitions: 2, lines: new TextEncoder().encode('a\nb'), receivedAtMs: new Float64Array(1) }), /2 lines but 1 receive times/);
});
