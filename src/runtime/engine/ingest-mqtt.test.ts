/**
 * The engine's MQTT ingest entry (ingestMqtt): an ingest-topic payload is a batch (docs/MESSAGES.md "Ingest batches")
 * and every line is accounted exactly like a single message: dedup per line, malformed lines rejected with their
 * reason, the exactly-once balance in messages (not MQTT packets). No MQTT here.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage } from '../devices/schemas.ts';
import { encodeIngestBatch } from '../devices/ingest-batch.ts';
import { deviceTopic, ingestTopic } from '../devices/topics.ts';
import { StreamEngine } from './engine.ts';
import { MessageFactory } from './test-messages.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_800_000_000_000;

async function newEngine(rawValidation: 'envelope' | 'executor' | 'receiver', clock: { t: number }): Promise<StreamEngine> {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-ingest-mqtt-'));
  dirs.push(outputDir);
  const engine = new StreamEngine(
    { outputDir, executorMode: 'inline', stores: { s3: 'none' }, initialExecutors: 2, executorCapacityMsgsPerS: 10_000, runId: `mqtt-${rawValidation}`, rawValidation },
    { nowMs: () => clock.t },
  );
  await engine.start({ timer: false });
  return engine;
}

for (const rawValidation of ['envelope', 'executor', 'receiver'] as const) {
  test(`ingestMqtt (${rawValidation}): batch lines accounted one by one, with duplicates and malformed lines`, async () => {
    const clock = { t: T0 };
    const engine = await newEngine(rawValidation, clock);
    const factory = new MessageFactory({ scenario: 'smart-city', devices: 4 });
    const good = factory.batch(30, T0 - 2000, 10).map((m) => encodeMessage(m));
    const other = new MessageFactory({ scenario: 'healthcare', devices: 1 }).batch(1, T0 - 2000)[0]!;
    const topic = ingestTopic('smart-city');

    // Batch 1: 20 good lines, one repeated inside the batch, one truncated JSON line, one empty line.
    const r1 = engine.ingestMqtt(topic, encodeIngestBatch([...good.slice(0, 20), good[5]!, Buffer.from('{"truncated":'), Buffer.alloc(0)]));
    assert.deepEqual(r1, { accepted: 20, duplicate: 1, rejected: 2 });
    // Batch 2: a QoS 1 re-delivery of lines of batch 1, the rest, a line of another scenario, invalid UTF-8.
    const r2 = engine.ingestMqtt(topic, encodeIngestBatch([good[0]!, good[19]!, ...good.slice(20), encodeMessage(other), Buffer.from([0xff, 0xfe, 0x7b])]));
    assert.deepEqual(r2, { accepted: 10, duplicate: 2, rejected: 2 });
    // A whole batch re-delivered: all duplicates, nothing counted twice.
    assert.deepEqual(engine.ingestMqtt(topic, encodeIngestBatch(good.slice(20))), { accepted: 0, duplicate: 10, rejected: 0 });
    // A device topic is one payload, never split.
    const single = engine.ingestMqtt(deviceTopic('smart-city', factory.models[0]!.deviceId), Buffer.concat([good[0]!, Buffer.from('\n'), good[1]!]));
    assert.deepEqual(single, { accepted: 0, duplicate: 0, rejected: 1 });

    clock.t += 1000;
    await engine.runBatch();
    const c = await engine.stop();
    assert.equal(c.ingested, good.length);
    assert.equal(c.processed, good.length);
    assert.equal(c.duplicates, 13);
    assert.equal(c.rejected['invalid-json'], 3, 'truncated line, empty line, and the unsplit device-topic payload');
    assert.equal(c.rejected['topic-mismatch'], 1);
    assert.equal(c.rejected['invalid-utf8'], 1);
    assert.equal(Object.values(c.rejected).reduce((s, n) => s + n, 0), 5);
    assert.ok(engine.accounting().balanced);
  });
}

test('ingestMqtt: a plain single payload on the ingest topic is a batch of one', async () => {
  const clock = { t: T0 };
  const engine = await newEngine('envelope', clock);
  const m = new MessageFactory({ scenario: 'smart-city', devices: 1 }).batch(1, T0 - 1000)[0]!;
  assert.deepEqual(engine.ingestMqtt(ingestTopic('smart-city'), encodeMessage(m)), { accepted: 1, duplicate: 0, rejected: 0 });
  assert.deepEqual(engine.ingestMqtt(ingestTopic('smart-city'), JSON.stringify(m)), { accepted: 0, duplicate: 1, rejected: 0 });
  const c = await engine.stop();
  assert.equal(c.ingested, 1);
  assert.ok(engine.accounting().balanced);
});
