/**
 * The Kafka bridge's buffering without a Kafka (the mock cluster test in bridge.test.ts needs kcat): a fake producer
 * stands in for kafkajs' and the linger timer runs on node:test's mock clock, so nothing here waits on wall time.
 * What is checked is the header of bridge.ts: batches of `batchSize` or after `lingerMs`, whichever comes first, one
 * request after another, a bounded buffer that drops (and counts) the OLDEST messages, topics edgepilot.ingest.<scenario>
 * keyed by deviceId, counts of sent / failed / dropped, and stop() sending what is buffered before it disconnects.
 */
import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaIngestBridge, type KafkaBridgeOptions } from './bridge.ts';

interface Request {
  acks: number | undefined;
  topicMessages: Array<{ topic: string; messages: Array<{ key: string; value: string }> }>;
}

/** Records every sendBatch as plain strings; `failWith` makes the next requests fail as kafkajs does after its retries. */
class FakeProducer {
  requests: Request[] = [];
  failWith: Error | null = null;
  disconnects = 0;
  async sendBatch(b: { acks?: number; topicMessages?: Array<{ topic: string; messages: Array<{ key: string; value: Buffer }> }> }): Promise<unknown[]> {
    this.requests.push({
      acks: b.acks,
      topicMessages: (b.topicMessages ?? []).map((t) => ({ topic: t.topic, messages: t.messages.map((m) => ({ key: m.key, value: m.value.toString('utf8') })) })),
    });
    if (this.failWith) throw this.failWith;
    return [];
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
  }
  /** The values sent, in request order. */
  values(): string[] {
    return this.requests.flatMap((r) => r.topicMessages.flatMap((t) => t.messages.map((m) => m.value)));
  }
}

/** KafkaIngestBridge.start connects a real kafkajs producer; its (private) constructor takes any producer. */
function bridgeOn(producer: FakeProducer, opts: Partial<KafkaBridgeOptions> = {}): KafkaIngestBridge {
  const Ctor = KafkaIngestBridge as unknown as new (p: FakeProducer, o: KafkaBridgeOptions) => KafkaIngestBridge;
  return new Ctor(producer, { brokers: ['127.0.0.1:9'], ...opts });
}

/** Lets the flush's promise chain run (the fake producer answers at once); no wall-clock wait. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

const msg = (s: string) => Buffer.from(s);

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

test('bridge options: batchSize >= 1, lingerMs >= 0, maxBuffered >= batchSize, a known default scenario', () => {
  const p = new FakeProducer();
  assert.throws(() => bridgeOn(p, { batchSize: 0 }), /need batchSize >= 1/);
  assert.doesNotThrow(() => bridgeOn(p, { lingerMs: 0 }));
  assert.throws(() => bridgeOn(p, { lingerMs: -1 }), /lingerMs >= 0/);
  assert.doesNotThrow(() => bridgeOn(p, { batchSize: 10, maxBuffered: 10 }));
  assert.throws(() => bridgeOn(p, { batchSize: 10, maxBuffered: 9 }), /maxBuffered >= batchSize/);
  assert.throws(() => bridgeOn(p, { defaultScenario: 'mars' }), /unknown scenario 'mars'/);
});

test('bridge: start() with no brokers, or with none reachable, rejects with an Error that says so', async () => {
  await assert.rejects(KafkaIngestBridge.start({ brokers: [] }), (e: unknown) => e instanceof Error && /KafkaIngestBridge: no brokers given/.test(e.message));
  mock.timers.reset(); // kafkajs' own connection timeout runs on the real clock
  await assert.rejects(KafkaIngestBridge.start({ brokers: ['127.0.0.1:1'], connectionTimeoutMs: 300 }), (e: unknown) => e instanceof Error && /cannot connect to 127\.0\.0\.1:1/.test(e.message));
});

test('bridge defaults: topic edgepilot.ingest.balanced, keyed by the key given, requests of 500 with acks from all replicas, 50 ms linger', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p);
  b.send('SC-0001', msg('a'));
  mock.timers.tick(49);
  await settle();
  assert.equal(p.requests.length, 0, 'a lone message waits for its batch up to 50 ms');
  mock.timers.tick(1);
  await settle();
  assert.deepEqual(p.requests, [{ acks: -1, topicMessages: [{ topic: 'edgepilot.ingest.balanced', messages: [{ key: 'SC-0001', value: 'a' }] }] }]);
  p.requests = [];
  for (let i = 0; i < 1000; i++) b.send(`d-${i}`, msg(String(i)), 'healthcare');
  await b.flush();
  assert.deepEqual(p.requests.map((r) => r.topicMessages.map((t) => [t.topic, t.messages.length])), [[['edgepilot.ingest.healthcare', 500]], [['edgepilot.ingest.healthcare', 500]]]);
  assert.deepEqual(p.values(), Array.from({ length: 1000 }, (_, i) => String(i)), 'in the order sent');
  assert.deepEqual(b.stats(), { sent: 1001, failed: 0, dropped: 0, buffered: 0, lastError: '' });
});

test('bridge default buffer: at most 100,000 messages, the oldest dropped beyond', () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { batchSize: 100_000 });
  for (let i = 0; i < 100_001; i++) b.send('d', msg(''));
  assert.equal(b.buffered, 100_000);
  assert.equal(b.stats().dropped, 1);
});

test('bridge: a topic prefix of its own, and one request carries every scenario of its batch, each topic in send order', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { topicPrefix: 'site7.ingest', batchSize: 4, lingerMs: 1000 });
  b.send('H-1', msg('h1'), 'healthcare');
  b.send('I-1', msg('i1'), 'industrial');
  b.send('H-2', msg('h2'), 'healthcare');
  b.send('I-2', msg('i2'), 'industrial');
  mock.timers.tick(0);
  await settle();
  assert.deepEqual(p.requests, [
    {
      acks: -1,
      topicMessages: [
        { topic: 'site7.ingest.healthcare', messages: [{ key: 'H-1', value: 'h1' }, { key: 'H-2', value: 'h2' }] },
        { topic: 'site7.ingest.industrial', messages: [{ key: 'I-1', value: 'i1' }, { key: 'I-2', value: 'i2' }] },
      ],
    },
  ]);
  assert.throws(() => b.send('X', msg('x'), 'mars'), /unknown scenario 'mars'/);
});

test('bridge: a full batch goes at once, a partial one after lingerMs from its first message, later sends do not postpone it', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { batchSize: 3, lingerMs: 1000 });
  b.send('d', msg('a'));
  b.send('d', msg('b'));
  mock.timers.tick(999);
  await settle();
  assert.equal(p.requests.length, 0);
  b.send('d', msg('c')); // the batch is full: it goes now, not at the linger deadline
  assert.equal(b.stats().buffered, 3);
  mock.timers.tick(0);
  await settle();
  assert.deepEqual(p.values(), ['a', 'b', 'c']);
  assert.equal(p.requests.length, 1);
  // A new partial batch: its first message waits 1000 ms at most, however many messages follow it.
  b.send('d', msg('d')); // t = 999
  mock.timers.tick(600);
  await settle();
  b.send('d', msg('e')); // t = 1599
  mock.timers.tick(399);
  await settle();
  assert.deepEqual(p.values(), ['a', 'b', 'c'], 'd has waited 999 ms');
  mock.timers.tick(1);
  await settle();
  assert.deepEqual(p.values(), ['a', 'b', 'c', 'd', 'e'], 'd went after 1000 ms, e with it');
  assert.deepEqual(b.stats(), { sent: 5, failed: 0, dropped: 0, buffered: 0, lastError: '' });
});

test('bridge: a batch filled while a linger is pending goes at once, and the linger it replaced does not fire later', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { batchSize: 2, lingerMs: 100 });
  b.send('d', msg('a')); // t = 0: linger until 100
  mock.timers.tick(50);
  b.send('d', msg('b')); // t = 50: full, goes now
  mock.timers.tick(0);
  await settle();
  assert.deepEqual(p.values(), ['a', 'b']);
  b.send('d', msg('c')); // t = 50: linger until 150
  mock.timers.tick(50); // t = 100, when a's linger would have fired
  await settle();
  assert.deepEqual(p.values(), ['a', 'b'], 'c waits for its own linger');
  mock.timers.tick(50);
  await settle();
  assert.deepEqual(p.values(), ['a', 'b', 'c']);
});

test('bridge: flush() sends everything buffered, batch after batch of batchSize', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { batchSize: 2, lingerMs: 1000, maxBuffered: 10 });
  for (const v of ['1', '2', '3', '4', '5']) b.send('d', msg(v));
  assert.equal(b.stats().buffered, 5);
  await b.flush();
  assert.deepEqual(p.requests.map((r) => r.topicMessages[0]!.messages.map((m) => m.value)), [['1', '2'], ['3', '4'], ['5']]);
  assert.deepEqual(b.stats(), { sent: 5, failed: 0, dropped: 0, buffered: 0, lastError: '' });
});

test('bridge: a full buffer drops the oldest messages and counts each', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { batchSize: 2, lingerMs: 1000, maxBuffered: 3 });
  for (const v of ['m0', 'm1', 'm2']) b.send('d', msg(v));
  assert.deepEqual(b.stats(), { sent: 0, failed: 0, dropped: 0, buffered: 3, lastError: '' }, 'exactly maxBuffered: nothing dropped');
  b.send('d', msg('m3'));
  b.send('d', msg('m4'));
  assert.deepEqual(b.stats(), { sent: 0, failed: 0, dropped: 2, buffered: 3, lastError: '' });
  await b.flush();
  assert.deepEqual(p.values(), ['m2', 'm3', 'm4']);
  assert.deepEqual(b.stats(), { sent: 3, failed: 0, dropped: 2, buffered: 0, lastError: '' });
});

test('bridge: a request Kafka refuses counts every message of it as failed, with the error, and the bridge goes on', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { batchSize: 5, lingerMs: 1000 });
  p.failWith = new Error('broker not available');
  for (const v of ['a', 'b', 'c']) b.send('d', msg(v));
  await b.flush();
  assert.deepEqual(b.stats(), { sent: 0, failed: 3, dropped: 0, buffered: 0, lastError: 'broker not available' });
  p.failWith = null;
  b.send('d', msg('e'));
  b.send('d', msg('f'));
  await b.flush();
  assert.deepEqual(b.stats(), { sent: 2, failed: 3, dropped: 0, buffered: 0, lastError: 'broker not available' });
});

test('bridge stop(): sends what is buffered, then disconnects; a message after stop is dropped and counted', async () => {
  const p = new FakeProducer();
  const b = bridgeOn(p, { batchSize: 10, lingerMs: 1000 });
  b.send('d', msg('a'));
  b.send('d', msg('b'));
  await b.stop();
  assert.deepEqual(p.values(), ['a', 'b']);
  assert.equal(p.disconnects, 1);
  b.send('d', msg('late'));
  assert.deepEqual(b.stats(), { sent: 2, failed: 0, dropped: 1, buffered: 0, lastError: '' });
  mock.timers.tick(1000);
  await settle();
  assert.deepEqual(p.values(), ['a', 'b'], 'nothing is sent after stop');
});
