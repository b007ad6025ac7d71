import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultJsonColumns, jsonField, jsonKeys, jsonValue, parseJsonLine, parseJsonObject, splitJsonLine } from './json-lines.ts';

const isTime = (field: string, named: boolean): boolean => /^\d{4}-\d{2}-\d{2}/.test(field) || (field !== '' && Number.isFinite(Number(field)) && (named || Number(field) >= 1e9));

test('a JSON line is an object or an explanation; keys of nested objects are dotted, arrays are values', () => {
  assert.deepEqual(parseJsonObject('[1]'), { error: 'not a JSON object' });
  assert.match((parseJsonObject('{"a":') as { error: string }).error, /^not valid JSON \(/);
  const { object } = parseJsonObject('{"ts":1,"payload":{"bytes":5,"meta":{"a.b":true}},"tags":["x"],"n":null}') as { object: Record<string, unknown> };
  const keys = jsonKeys(object);
  assert.deepEqual(keys.map((k) => k.name), ['ts', 'payload.bytes', 'payload.meta.a.b', 'tags', 'n']);
  // A key holding a dot is still found by its path.
  assert.equal(jsonValue(object, keys[2]!.path), true);
  assert.equal(jsonValue(object, ['payload', 'missing']), undefined);
  assert.deepEqual(keys.map((k) => jsonField(jsonValue(object, k.path))), ['1', '5', 'true', '["x"]', '']);
});

test('the default columns are the time key (named like one first) and a size or rate key holding a number', () => {
  const pick = (o: Record<string, unknown>): string[] | null => {
    const keys = jsonKeys(o);
    return defaultJsonColumns(o, keys, isTime)?.map((k) => keys[k]!.name) ?? null;
  };
  assert.deepEqual(pick({ id: 1_700_000_001, ts: 5, bytes: 10 }), ['ts', 'bytes']);
  assert.deepEqual(pick({ device: 'd', received: '2024-01-01T00:00:00Z', v: 3 }), ['received']);
  assert.deepEqual(pick({ device: 'd', at: 1_700_000_000, count: '7', size: 'big' }), ['at', 'count']);
  assert.equal(pick({ device: 'd', v: 3 }), null);
  // Unit suffixes: a small number under a time-like key with a unit is still the time.
  assert.deepEqual(pick({ step: 0, tSeconds: 2.05, snapshot: { arrivalRateMsgsPerS: 900 } }), ['tSeconds', 'snapshot.arrivalRateMsgsPerS']);
  assert.deepEqual(pick({ id: 7, ts_ms: 1_700_000_000_000 }), ['ts_ms']);
  assert.deepEqual(pick({ tsunami: 3, timestampMs: 12 }), ['timestampMs']);
  // A key named like a time holding a small number (a temperature 't') loses to one holding a Unix time.
  assert.deepEqual(pick({ t: 21.5, h: 40, ts: 1_700_000_000, bytes: 10 }), ['ts', 'bytes']);
  // Value keys by whole words, never an identifier's.
  assert.deepEqual(pick({ ts: 1_700_000_000, country_code: 44, account_id: 9, payload: { temperature: 21, seq: 4 } }), ['ts']);
  assert.deepEqual(pick({ ts: 1_700_000_000, payload: { contextTokens: 4808 } }), ['ts', 'payload.contextTokens']);
});


test('fields before the object (a topic, Kafka CreateTime and key) become keys; a nested bare count is no value key', () => {
  assert.deepEqual(splitJsonLine('a/b/c {"x":1}'), { prefix: ['a/b/c'], json: '{"x":1}' });
  assert.deepEqual(splitJsonLine('CreateTime:1700000000468\tk1\t{"x":{"y":2}}'), { prefix: ['CreateTime:1700000000468', 'k1'], json: '{"x":{"y":2}}' });
  // A brace not after whitespace, a CSV row, too many fields or none: no such line.
  for (const line of ['a/b{"x":1}', '0,5,a {"b":1}', 'a b c d e {"x":1}', ' {"x":1}x', 'plain text']) assert.equal(splitJsonLine(line.trim()) === null || line.trim().startsWith('{'), true, line);
  assert.deepEqual(parseJsonLine('LogAppendTime:17\tdev-1\t{"seq":3,"prefix2":"mine"}'), { object: { LogAppendTime: '17', prefix2: 'mine', seq: 3 }, json: '{"seq":3,"prefix2":"mine"}' });
  assert.deepEqual(parseJsonLine('{"a":1}'), { object: { a: 1 }, json: '{"a":1}' });
  assert.match((parseJsonLine('t/1 {"a":') as { error: string }).error, /^not valid JSON/);
  const pick = (o: Record<string, unknown>): string[] | null => {
    const keys = jsonKeys(o);
    return defaultJsonColumns(o, keys, isTime)?.map((k) => keys[k]!.name) ?? null;
  };
  assert.deepEqual(pick({ sentAtMs: 1_700_000_000_000, payload: { vehicleCount: 7, bytes: 90 } }), ['sentAtMs', 'payload.bytes']);
  assert.deepEqual(pick({ sentAtMs: 1_700_000_000_000, payload: { vehicleCount: 7 } }), ['sentAtMs']);
  assert.deepEqual(pick({ ts: 1_700_000_000, count: 7 }), ['ts', 'count']);
  assert.deepEqual(pick({ ts: 1_700_000_000, stats: { msgCount: 7 } }), ['ts', 'stats.msgCount']);
});

// Rules found unpinned by a hand-made mutation audit of the JSON lines reader (each test failed on a mutant).

test('an object\'s own key wins over a field of the same name before it', () => {
  assert.deepEqual(parseJsonLine('CreateTime:17\t{"CreateTime":99}'), { object: { CreateTime: 99 }, json: '{"CreateTime":99}' });
});

test('a value on a path through null or a number is missing, not an error', () => {
  assert.equal(jsonValue({ payload: null }, ['payload', 'bytes']), undefined);
  assert.equal(jsonValue({ payload: 5 }, ['payload', 'bytes']), undefined);
});

test('string values are trimmed like CSV fields', () => {
  assert.equal(jsonField(' 2024-01-01T00:00:00Z '), '2024-01-01T00:00:00Z');
});

test('the default columns: the time key is never also the value key; a nested key named like a time is found by its last part', () => {
  const pick = (o: Record<string, unknown>): string[] | null => {
    const keys = jsonKeys(o);
    return defaultJsonColumns(o, keys, isTime)?.map((k) => keys[k]!.name) ?? null;
  };
  assert.deepEqual(pick({ value: 1_700_000_000 }), ['value']);
  // An envelope with a sequence number of Unix size before the header's time: the named time wins.
  assert.deepEqual(pick({ seq: 1_700_000_123, header: { ts: 1_700_000_000.5 } }), ['header.ts']);
});
