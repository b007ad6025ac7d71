/**
 * The engine in front of an untrusted ingest topic (`serve` subscribes to whatever the broker carries): a reject is
 * counted AND logged with its topic and reason (rate-limited), an implausible device timestamp is refused in every
 * validation mode, and an output file that cannot be written is reported with its path while the stream goes on.
 * No MQTT; the engine's clock and log are injected.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage } from '../devices/schemas.ts';
import { encodeIngestBatch } from '../devices/ingest-batch.ts';
import { ingestTopic } from '../devices/topics.ts';
import { StreamEngine } from './engine.ts';
import { MessageFactory } from './test-messages.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_800_000_000_000;

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'edgepilot-bad-input-'));
  dirs.push(d);
  return d;
}

async function newEngine(rawValidation: 'envelope' | 'executor' | 'receiver', clock: { t: number }, lines: string[], outputDir = tempDir()): Promise<StreamEngine> {
  const engine = new StreamEngine(
    { outputDir, executorMode: 'inline', stores: { s3: 'none' }, initialExecutors: 1, executorCapacityMsgsPerS: 10_000, runId: `bad-${rawValidation}`, rawValidation },
    { nowMs: () => clock.t, log: (l) => lines.push(l) },
  );
  await engine.start({ timer: false });
  return engine;
}

test('engine: each rejected message is logged with its topic and reason, 10 per period, the rest summed up on stop', async () => {
  const clock = { t: T0 };
  const lines: string[] = [];
  const engine = await newEngine('executor', clock, lines);
  const topic = ingestTopic('smart-city');
  const good = new MessageFactory({ scenario: 'smart-city', devices: 2 }).batch(4, T0 - 1000).map((m) => encodeMessage(m));
  engine.ingestMqtt(topic, encodeIngestBatch([Buffer.from('garbage'), good[0]!, Buffer.from('{"x":1}'), good[1]!]));
  engine.ingestMqtt(topic, Buffer.alloc(6 * 1024 * 1024, 0x42));
  engine.ingestMqtt('edgepilot/ingest/nowhere', good[2]!);
  assert.deepEqual(lines, [
    "engine: rejected a message on topic 'edgepilot/ingest/smart-city': invalid-json: Unexpected token 'g', \"garbage\" is not valid JSON",
    "engine: rejected a message on topic 'edgepilot/ingest/smart-city': schema: kind: Invalid discriminator value. Expected 'healthcare' | 'industrial' | 'smart-city'",
    "engine: rejected a message on topic 'edgepilot/ingest/smart-city': too-large: payload is 6291456 bytes, limit 16384",
    "engine: rejected a message on topic 'edgepilot/ingest/nowhere': unknown-topic: topic 'edgepilot/ingest/nowhere' is not a device or ingest topic",
  ]);
  for (let i = 0; i < 50; i++) engine.ingestRaw(topic, '{"truncated":');
  assert.equal(lines.length, 10, 'a flood is shown 10 lines per period');
  clock.t += 1000;
  await engine.runBatch();
  const c = await engine.stop();
  assert.equal(c.ingested, 2);
  assert.equal(Object.values(c.rejected).reduce((s, n) => s + n, 0), 54, 'every reject is counted, shown or not');
  assert.equal(lines.at(-1), 'engine: 44 more rejected messages not shown (invalid-json 44); all are counted');
  assert.ok(engine.accounting().balanced);
});

test('engine: lines the map stage finds malformed are logged with the batch and the reason', async () => {
  const clock = { t: T0 };
  const lines: string[] = [];
  const engine = await newEngine('executor', clock, lines);
  const [m] = new MessageFactory({ scenario: 'smart-city', devices: 1 }).batch(1, T0 - 1000);
  // A valid envelope with a payload outside the schema: only the executor's full check refuses it.
  const bad = { ...m!, payload: { ...(m!.payload as unknown as Record<string, unknown>), type: 'traffic', vehicleCount: -5 } };
  assert.equal(engine.ingestRaw(ingestTopic('smart-city'), JSON.stringify(bad)), 'accepted');
  clock.t += 1000;
  await engine.runBatch();
  const c = await engine.stop();
  assert.equal(c.dropped.malformed, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^engine: rejected 1 line of micro-batch 0 in the map stage: malformed: dropped as 'malformed'; last: .+/);
});

for (const rawValidation of ['envelope', 'executor', 'receiver'] as const) {
  test(`engine (${rawValidation}): a sentAtMs decades off or minutes ahead of the engine clock is rejected as bad-timestamp, and logged`, async () => {
    const clock = { t: T0 };
    const lines: string[] = [];
    const engine = await newEngine(rawValidation, clock, lines);
    const factory = new MessageFactory({ scenario: 'smart-city', devices: 4 });
    const topic = ingestTopic('smart-city');
    const at = (sentAtMs: number) => encodeMessage(factory.next(0, sentAtMs));
    const r = engine.ingestMqtt(topic, encodeIngestBatch([at(1), at(4_102_444_799_000), at(T0 + 10 * 60_000), at(T0 - 6 * 3_600_000), at(T0 + 60_000), at(T0 - 500)]));
    assert.deepEqual(r, { accepted: 3, duplicate: 0, rejected: 3 });
    clock.t += 1000;
    await engine.runBatch();
    const c = await engine.stop();
    assert.deepEqual(c.rejected, { 'bad-timestamp': 3 });
    assert.equal(c.ingested, 3);
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /bad-timestamp: sentAtMs 1 \(1970-01-01T00:00:00\.001Z\) is [\d.]+ days older than the receiver's clock \(2027-01-15T08:00:00\.000Z\); limit 30 days$/);
    assert.match(lines[1]!, /bad-timestamp: sentAtMs 4102444799000 \(2099-12-31T23:59:59\.000Z\) is [\d.]+ days ahead of the receiver's clock/);
    assert.match(lines[2]!, /is 10 min ahead of the receiver's clock .*; limit 5 min$/);
    assert.ok(engine.accounting().balanced);
  });
}

test('engine: an output file that cannot be written is reported once with its path; the rest is counted as lost and the stream goes on', async () => {
  const clock = { t: T0 };
  const lines: string[] = [];
  const outputDir = tempDir();
  mkdirSync(join(outputDir, 'windows.jsonl')); // a folder where the file should be: every open/write fails
  const engine = await newEngine('receiver', clock, lines, outputDir);
  const factory = new MessageFactory({ scenario: 'smart-city', devices: 3 });
  for (const m of factory.batch(30, T0 - 1000, 10)) engine.ingestRaw(ingestTopic('smart-city'), encodeMessage(m));
  clock.t += 1000;
  await engine.runBatch();
  for (const m of factory.batch(30, T0 + 60_000, 10)) engine.ingestRaw(ingestTopic('smart-city'), encodeMessage(m));
  clock.t += 120_000;
  await engine.runBatch();
  const c = await engine.stop();
  assert.equal(c.processed, 60, 'the stream went on');
  const stats = engine.outputStats!;
  assert.ok(stats.windowsWritten > 0);
  assert.equal(stats.windowsLost, stats.windowsWritten, 'no window reached the broken file');
  assert.ok(stats.fileErrors >= 1);
  assert.match(stats.lastFileError, /windows\.jsonl: EISDIR/);
  const fileLines = lines.filter((l) => l.includes('cannot write'));
  assert.equal(fileLines.length, 1, 'reported once, not per write');
  assert.match(fileLines[0]!, new RegExp(`^engine: cannot write ${join(outputDir, 'windows.jsonl').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: EISDIR`));
  // The other file is unaffected and complete (whole lines).
  assert.equal(stats.alertsLost, 0);
  const alerts = readFileSync(join(outputDir, 'alerts.jsonl'), 'utf8');
  assert.ok(alerts === '' || alerts.endsWith('\n'));
});
