/**
 * The ingest-batch wire format: newline-separated original payloads, round trip byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchBytesWith, batchLine, decodeIngestBatch, encodeIngestBatch } from './ingest-batch.ts';

const a = Buffer.from('{"deviceId":"d-1","seq":1,"note":"plain"}');
const escaped = Buffer.from(JSON.stringify({ deviceId: 'd-2', seq: 2, note: 'line one\nline two\r\n\u2028é' }));
const c = Buffer.from('{"deviceId":"d-3","seq":3}');

test('round trip: every line is exactly the original payload, including escaped newlines inside JSON strings', () => {
  // JSON escapes a newline inside a string: the serialized payload has no raw 0x0A byte.
  assert.equal(escaped.indexOf(0x0a), -1);
  assert.ok(escaped.toString().includes('\\n'));
  const wire = encodeIngestBatch([a, escaped, c]);
  assert.equal(wire.toString(), `${a}\n${escaped}\n${c}`);
  const lines = decodeIngestBatch(wire);
  assert.equal(lines.length, 3);
  assert.ok(lines[0]!.equals(a));
  assert.ok(lines[1]!.equals(escaped));
  assert.ok(lines[2]!.equals(c));
  assert.deepEqual(JSON.parse(lines[1]!.toString()), JSON.parse(escaped.toString()));
  // Text input decodes the same way.
  assert.deepEqual(decodeIngestBatch(wire.toString()).map(String), [a, escaped, c].map(String));
});

test('a single payload is a batch of one, unchanged', () => {
  const wire = encodeIngestBatch([a]);
  assert.ok(wire.equals(a));
  assert.deepEqual(decodeIngestBatch(a).map(String), [a.toString()]);
  // No copy when there is nothing to replace.
  assert.equal(batchLine(a), a);
});

test('raw newlines (pretty-printed JSON whitespace) become spaces: same JSON value, one line', () => {
  const value = { deviceId: 'd-4', seq: 4, payload: { type: 'x', list: [1, 2] } };
  const pretty = Buffer.from(JSON.stringify(value, null, 2));
  assert.ok(pretty.indexOf(0x0a) >= 0);
  const wire = encodeIngestBatch([pretty, a]);
  const lines = decodeIngestBatch(wire);
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]!.toString()), value);
  assert.equal(lines[0]!.length, pretty.length, 'one byte replaced per newline, nothing added or removed');
  assert.ok(lines[1]!.equals(a));
  // The caller's buffer is not modified.
  assert.ok(pretty.indexOf(0x0a) >= 0);
});

test('empty lines are returned (the consumer rejects them), and an empty batch cannot be encoded', () => {
  assert.deepEqual(decodeIngestBatch(Buffer.from(`${a}\n\n${c}\n`)).map(String), [a.toString(), '', c.toString(), '']);
  assert.deepEqual(decodeIngestBatch(Buffer.alloc(0)).map(String), ['']);
  assert.throws(() => encodeIngestBatch([]), /encodeIngestBatch: a batch needs at least one payload/);
  assert.throws(() => batchLine('text' as unknown as Uint8Array), /batchLine: payload must be a Buffer/);
});

test('batchBytesWith counts one separator between lines', () => {
  assert.equal(batchBytesWith(0, a), a.length);
  assert.equal(batchBytesWith(a.length, c), encodeIngestBatch([a, c]).length);
});

test('a raw newline of pretty-printed JSON becomes a space (MESSAGES.md), every other byte stays', () => {
  const pretty = Buffer.from('{\n  "deviceId": "d-4",\n  "seq": 4\n}');
  const line = batchLine(pretty);
  assert.equal(line.toString(), '{   "deviceId": "d-4",   "seq": 4 }', 'each 0x0A is replaced by 0x20, nothing else changes');
  assert.equal(pretty.indexOf(0x0a), 1, 'the caller\'s buffer is not modified');
  assert.deepEqual(JSON.parse(line.toString()), JSON.parse(pretty.toString()), 'the line parses to the same value');
});
