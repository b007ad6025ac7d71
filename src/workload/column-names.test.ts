import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBareCountName, isTimeName, isValueKeyName, stepOfUnitName, timeUnitOfName, valueKeyKind } from './column-names.ts';

test('time names carry their unit; value names are whole words', () => {
  assert.deepEqual(['ts_ms', 'timestampMs', 't_us', 'time_ns', 'tSeconds', 'ts', '_time', 'created_at'].map(timeUnitOfName), [1e-3, 1e-3, 1e-6, 1e-9, 1, null, null, null]);
  assert.deepEqual(['bytes', 'msgCount', 'request_rate', 'payload.size', 'country_code', 'account_id', 'rate_id', 'payload.temperature'].map(isValueKeyName), [true, true, true, true, false, false, false, false]);
});

test('a JSON key is a size or a rate by the words of its last part; a bare count names neither messages nor bytes', () => {
  assert.deepEqual(['payload.bytes', 'payload.contextTokens', 'payload.vehicleCount', 'snapshot.arrivalRateMsgsPerS', 'payload.kind'].map(valueKeyKind), ['size', 'size', 'rate', 'rate', null]);
  assert.deepEqual(['vehicleCount', 'value', 'msgCount', 'eventsCount', 'bytes'].map(isBareCountName), [true, true, false, false, false]);
  // Kafka's record times (kafka-console-consumer --property print.timestamp=true).
  assert.deepEqual(['CreateTime', 'LogAppendTime', 'create_time', 'Offset'].map(isTimeName), [true, true, true, false]);
});

test('every documented time name is one, in any case; t columns name their unit in any case, days included', () => {
  const names = ['timestamp', 'ts', 'time', 't', 'date', 'datetime', 'date_time', 'time_stamp', 'created_at', 'createdAt', 'event_time', 'received_at', 'published_at', 'create_time', 'log_append_time', '@timestamp', '_time', 'TIMESTAMP'];
  assert.deepEqual(names.filter((n) => !isTimeName(n)), []);
  assert.deepEqual(['days', 'Minute', 'T_HOURS', 'seconds', 't_sec'].map((n) => stepOfUnitName(n)?.stepS), [86_400, 60, 3600, 1, 1]);
});
