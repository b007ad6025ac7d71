import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValueKeyName, timeUnitOfName } from './column-names.ts';

test('time names carry their unit; value names are whole words', () => {
  assert.deepEqual(['ts_ms', 'timestampMs', 't_us', 'time_ns', 'tSeconds', 'ts', '_time', 'created_at'].map(timeUnitOfName), [1e-3, 1e-3, 1e-6, 1e-9, 1, null, null, null]);
  assert.deepEqual(['bytes', 'msgCount', 'request_rate', 'payload.size', 'country_code', 'account_id', 'rate_id', 'payload.temperature'].map(isValueKeyName), [true, true, true, true, false, false, false, false]);
});
