/**
 * The ingest consumer's per-record step (ingestRecordHandler): hands on the key as text (null when the record has
 * none, docs/MESSAGES.md "Kafka": such records are still read), skips records without a value, and logs at most the
 * first 10 of each kind in full, then (handler errors) every 1000th, counting all of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingestRecordHandler, type IngestConsumerStats } from './bridge.ts';

const fresh = (): IngestConsumerStats => ({ received: 0, handled: 0, emptyValues: 0, handlerErrors: 0, lastError: '' });
const rec = (key: Buffer | null, value: Buffer | null, offset: number) => ({ key, value, offset: String(offset) });

test('ingest consumer: a record with no key is handed on with key null, a key as its UTF-8 text', () => {
  const stats = fresh();
  const taken: Array<[string, string | null, string]> = [];
  const take = ingestRecordHandler({ onMessage: (t, k, v) => taken.push([t, k, v.toString()]), log: () => assert.fail('nothing to log') }, stats);
  take('edgepilot.ingest.industrial', 1, rec(null, Buffer.from('{"a":1}'), 5));
  take('edgepilot.ingest.industrial', 3, rec(Buffer.from('Gerät-7', 'utf8'), Buffer.from('v'), 6));
  assert.deepEqual(taken, [
    ['edgepilot.ingest.industrial', null, '{"a":1}'],
    ['edgepilot.ingest.industrial', 'Gerät-7', 'v'],
  ]);
  assert.deepEqual(stats, { received: 2, handled: 2, emptyValues: 0, handlerErrors: 0, lastError: '' });
});

test('ingest consumer: records without a value are counted, the first 10 logged', () => {
  const stats = fresh();
  const lines: string[] = [];
  const take = ingestRecordHandler({ onMessage: () => assert.fail('a record without a value is not handed on'), log: (l) => lines.push(l) }, stats);
  for (let i = 0; i < 11; i++) take('t', 0, rec(Buffer.from('k'), null, i));
  assert.equal(stats.emptyValues, 11);
  assert.equal(stats.received, 11);
  assert.equal(lines.length, 10);
  assert.equal(lines[9], 'ingest consumer: skipped Kafka record t[0]@9: it has no value (a tombstone; an empty record is handed on and judged by the engine)');
});

test('ingest consumer: after the first 10 handler errors, the 1000th, 2000th, ... are logged', () => {
  const stats = fresh();
  const lines: string[] = [];
  const take = ingestRecordHandler({ onMessage: () => { throw new Error('no'); }, log: (l) => lines.push(l) }, stats);
  for (let i = 0; i < 2001; i++) take('t', 0, rec(null, Buffer.from('x'), i));
  const counts = lines.map((l) => /\((\d+) so far/.exec(l)?.[1]);
  assert.deepEqual(counts, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '1000', '2000']);
  assert.equal(lines[10], 'ingest consumer: could not take Kafka record t[0]@999: no (1000 so far; skipped, the consumer goes on)');
});

test('ingest consumer: without a log option, the lines go to stderr', (t) => {
  const written: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const take = ingestRecordHandler({ onMessage: () => undefined }, fresh());
  take('t', 2, rec(null, null, 3));
  t.mock.restoreAll();
  assert.deepEqual(written, ['ingest consumer: skipped Kafka record t[2]@3: it has no value (a tombstone; an empty record is handed on and judged by the engine)\n']);
});
