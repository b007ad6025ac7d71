import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceMessage } from '../devices/schemas.ts';
import { deviceTopic } from '../devices/topics.ts';
import { StreamEngine, type EngineHooks } from './engine.ts';
import type { EngineOptionsInput } from './options.ts';
import { InlineRunner, type TaskRunner } from './runners.ts';
import { MessageFactory } from './test-messages.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_800_000_000_000; // a fixed Unix ms origin, window-aligned (divisible by 30,000)

function makeEngine(options: Partial<EngineOptionsInput> = {}, hooks: EngineHooks = {}) {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-engine-test-'));
  dirs.push(outputDir);
  const clock = { t: T0 };
  const engine = new StreamEngine(
    { outputDir, executorMode: 'inline', stores: { s3: 'none' }, initialExecutors: 2, executorCapacityMsgsPerS: 10_000, runId: 'test', ...options },
    { nowMs: () => clock.t, ...hooks },
  );
  return { engine, clock, outputDir };
}

const readJsonl = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('engine: QoS 1 re-deliveries are processed exactly once (dedup on deviceId, seq)', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  const msgs = new MessageFactory({ devices: 5 }).batch(200, T0 - 5000, 10);
  for (const m of msgs) assert.equal(engine.ingest(m), 'accepted');
  for (const m of msgs.slice(0, 50)) assert.equal(engine.ingest(structuredClone(m)), 'duplicate');
  clock.t += 1000;
  const report = await engine.runBatch();
  assert.equal(report.processed, 200);
  // Re-delivered again after processing: still a duplicate.
  for (const m of msgs.slice(100, 130)) assert.equal(engine.ingest(m), 'duplicate');
  const c = engine.getCounters();
  assert.equal(c.ingested, 200);
  assert.equal(c.duplicates, 80);
  assert.equal(c.processed, 200);
  assert.ok(engine.accounting().balanced);
  await engine.stop();
});

test('engine: late data beyond the watermark is dropped as late and never reaches a window (golden counts)', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 1, scenario: 'smart-city' });
  // Batch 1: events at 1 s and 29 s (window [0, 30 s)) and 45 s (watermark -> 35 s).
  for (const dt of [1_000, 29_000, 45_000]) engine.ingest(f.next(0, T0 + dt));
  clock.t = T0 + 46_000;
  await engine.runBatch();
  // Batch 2: 5 s is late (its window closed at watermark 35 s); 40 s is on time.
  engine.ingest(f.next(0, T0 + 5_000));
  engine.ingest(f.next(0, T0 + 40_000));
  clock.t += 1000;
  const r2 = await engine.runBatch();
  assert.equal(r2.late, 1);
  assert.equal(r2.processed, 1);
  const c = await engine.stop();
  assert.equal(c.dropped.late, 1);
  assert.equal(c.processed, 4);
  const windows = readJsonl(engine.outputPaths!.windows);
  assert.deepEqual(windows.map((w) => [(w.windowStartMs as number) - T0, w.count, w.closedBy]), [[0, 2, 'watermark'], [30_000, 2, 'stop']]);
  assert.ok(engine.accounting().balanced);
});

test('engine: capacity = executors x msgs/s per executor; the rest waits in the backlog', async () => {
  const { engine, clock } = makeEngine({ initialExecutors: 2, executorCapacityMsgsPerS: 100 });
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 10 }).batch(500, T0, 1)) engine.ingest(m);
  clock.t += 1000;
  const r = await engine.runBatch();
  assert.equal(r.msgs, 200);
  assert.equal(r.mapTasks, 2);
  assert.equal(engine.backlogMsgs, 300);
  engine.scale(4, 4);
  await engine.whenExecutorsOnline();
  assert.deepEqual(engine.executorCounts(), { running: 4, starting: 0, draining: 0 }, 'no cold start configured');
  clock.t += 1000;
  const r2 = await engine.runBatch();
  assert.equal(r2.msgs, 300, 'four executors x 100 msgs/s: 400 allowed, 300 waiting');
  assert.equal(r2.mapTasks, 4);
  assert.ok(engine.accounting().balanced);
  await engine.stop();
});

test('engine: retention and backlog bounds drop the oldest messages with their reason', async () => {
  const { engine, clock } = makeEngine({ maxBacklogMsgs: 10, retentionMs: 5_000 });
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 3 });
  for (const m of f.batch(15, T0)) engine.ingest(m, T0);
  assert.equal(engine.getCounters().dropped.backlog, 5);
  assert.equal(engine.backlogMsgs, 10);
  for (const m of f.batch(4, T0 + 6_000)) engine.ingest(m, T0 + 6_000);
  assert.equal(engine.getCounters().dropped.backlog, 9);
  clock.t = T0 + 6_000;
  const r = await engine.runBatch();
  assert.equal(engine.getCounters().dropped.retention, 6, 'the six left from t0 waited > 5 s');
  assert.equal(r.processed, 4);
  assert.ok(engine.accounting().balanced);
  await engine.stop();
});

test('engine: bad input never crashes; it is counted as rejected and the engine keeps working', async () => {
  const { engine, clock } = makeEngine({}, { validate: {} });
  await engine.start({ timer: false });
  const circular: Record<string, unknown> = { type: 'air' };
  circular.self = circular;
  const good = new MessageFactory({ devices: 1, scenario: 'smart-city' }).next(0, T0);
  const bad: unknown[] = [
    null, undefined, 42, 'text', [], {}, { deviceId: 'a b', seq: 0, sentAtMs: 1, scenario: 's', kind: 'k', payload: { type: 'air' } },
    { ...good, seq: -1 }, { ...good, seq: 1.5 }, { ...good, sentAtMs: Number.NaN }, { ...good, payload: null }, { ...good, payload: { type: 'nope' } },
    { ...good, seq: 99, payload: circular },
  ];
  for (const b of bad) assert.equal(engine.ingest(b as DeviceMessage), 'rejected');
  const topic = deviceTopic('smart-city', good.deviceId);
  assert.equal(engine.ingestRaw(topic, Buffer.from([0xff, 0xfe, 0x00])), 'rejected');
  assert.equal(engine.ingestRaw(topic, '{"truncated":'), 'rejected');
  assert.equal(engine.ingestRaw('not/a/topic', JSON.stringify(good)), 'rejected');
  assert.equal(engine.ingestRaw(topic, JSON.stringify(good)), 'accepted');
  // Pretty-printed JSON (line breaks) is fine too: the engine re-serializes it into one line.
  assert.equal(engine.ingestRaw(topic, Buffer.from(JSON.stringify({ ...good, seq: good.seq + 1 }, null, 2))), 'accepted');
  const c = engine.getCounters();
  assert.equal(c.ingested, 2);
  assert.equal(Object.values(c.rejected).reduce((a, b) => a + b, 0), bad.length + 3);
  assert.equal(c.rejected['invalid-utf8'], 1);
  assert.equal(c.rejected['unknown-topic'], 1);
  clock.t += 1000;
  const report = await engine.runBatch();
  assert.equal(report.processed, 2);
  assert.equal(report.malformed, 0);
  await engine.stop();
  assert.equal(engine.ingest(good), 'rejected', 'after stop');
  assert.throws(() => new StreamEngine({ outputDir: '/tmp/x', triggerIntervalMs: -5 }), /triggerIntervalMs/);
  assert.throws(() => new StreamEngine({ outputDir: '/tmp/x', stores: { hot: { type: 'redis', url: 'nope' } } }), /stores\.hot/);
});

/** A runner factory whose runners (all of them together) throw 'executor lost' on the first `failures` runs. */
function failingFirstRuns(failures: number): () => InlineRunner {
  let left = failures;
  class FailingFirst extends InlineRunner {
    override async run(input: Parameters<TaskRunner['run']>[0]) {
      if (left > 0) {
        left--;
        throw new Error('executor lost');
      }
      return super.run(input);
    }
  }
  return () => new FailingFirst();
}

test('engine: a failed map task puts its messages back; they are processed exactly once later', async () => {
  const { engine, clock } = makeEngine({ initialExecutors: 1 }, { runnerFactory: failingFirstRuns(1) });
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 4 }).batch(50, T0)) engine.ingest(m);
  clock.t += 1000;
  const r1 = await engine.runBatch();
  assert.equal(r1.processed, 0);
  assert.equal(engine.backlogMsgs, 50, 'requeued');
  assert.ok(engine.accounting().balanced);
  await engine.whenExecutorsOnline();
  assert.equal(engine.executorCounts().running, 1, 'the failed executor is replaced');
  clock.t += 1000;
  const r2 = await engine.runBatch();
  assert.equal(r2.processed, 50);
  const c = await engine.stop();
  assert.equal(c.mapTaskFailures, 1);
  assert.equal(c.processed, 50);
  assert.ok(engine.accounting().balanced);
});

test('engine: outputs go to windows.jsonl, alerts.jsonl and the publish function; a failing publish is counted', async () => {
  const published: [string, string][] = [];
  let calls = 0;
  const { engine, clock } = makeEngine({}, {
    publish: (topic, payload) => {
      calls++;
      if (calls === 1) throw new Error('broker down');
      published.push([topic, payload]);
    },
  });
  await engine.start({ timer: false });
  const factory = new MessageFactory({ devices: 6, scenario: 'healthcare', seed: 7 });
  // Two batches of 300 (15 s of readings each): the first batch's alerts are the publish that fails.
  for (const m of factory.batch(300, T0, 50)) engine.ingest(m);
  clock.t = T0 + 16_000;
  await engine.runBatch();
  for (const m of factory.batch(300, T0 + 15_000, 50)) engine.ingest(m);
  clock.t = T0 + 31_000;
  await engine.runBatch();
  const c = await engine.stop();
  assert.equal(c.processed, 600);
  const windows = readJsonl(engine.outputPaths!.windows);
  assert.equal(windows.reduce((s, w) => s + (w.count as number), 0), 600, 'every processed message is in exactly one window');
  const alerts = readJsonl(engine.outputPaths!.alerts);
  assert.equal(alerts.length, c.alerts);
  assert.ok(alerts.length > 0, 'healthcare generators raise HIGH readings');
  // One MQTT message per scenario and batch, each a JSON array; the first publish (alerts of batch 1) failed
  // and is counted.
  assert.ok(published.every(([t]) => t === 'edgepilot/outputs/healthcare/results' || t === 'edgepilot/outputs/healthcare/alerts'));
  assert.ok(published.some(([t]) => t.endsWith('/results')));
  assert.ok(published.some(([t]) => t.endsWith('/alerts')));
  assert.equal(engine.outputStats!.publishFailures, 1);
  const items = published.reduce((n, [, p]) => n + (JSON.parse(p) as unknown[]).length, 0);
  assert.equal(items, engine.outputStats!.publishedItems);
  assert.ok(items < windows.length + alerts.length, 'the failed message carried some');
  assert.ok(published.length < items, 'batched, not one message per item');
});

test('engine: stop() drains the backlog without the capacity cap, then flushes open windows', async () => {
  const { engine } = makeEngine({ executorCapacityMsgsPerS: 1 });
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 4 }).batch(300, T0)) engine.ingest(m);
  const c = await engine.stop();
  assert.equal(c.processed, 300);
  assert.equal(c.dropped.shutdown, 0);
  assert.ok(c.windowsEmitted > 0);
  assert.ok(engine.accounting().balanced);
});

test('engine: the trigger loop runs micro-batches on its own (thread executors)', async () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-engine-test-'));
  dirs.push(outputDir);
  let batches = 0;
  let resolveTwo: () => void = () => undefined;
  const twoBatches = new Promise<void>((r) => (resolveTwo = r));
  const engine = new StreamEngine(
    { outputDir, triggerIntervalMs: 50, stores: { s3: 'none' }, initialExecutors: 2 },
    { onBatch: (r) => { if (r.msgs > 0 && ++batches === 2) resolveTwo(); } },
  );
  await engine.start();
  const f = new MessageFactory({ devices: 3 });
  for (const m of f.batch(20, Date.now())) engine.ingest(m);
  await new Promise((r) => setTimeout(r, 120));
  for (const m of f.batch(20, Date.now())) engine.ingest(m);
  await twoBatches;
  const c = await engine.stop();
  assert.equal(c.processed, 40);
  assert.ok(engine.accounting().balanced);
});

test('engine: a failed start leaves nothing running and says why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-engine-test-'));
  dirs.push(dir);
  const file = join(dir, 'not-a-folder');
  writeFileSync(file, 'x');
  const engine = new StreamEngine({ outputDir: join(file, 'out'), executorMode: 'inline', stores: { s3: 'none' } });
  await assert.rejects(engine.start({ timer: false }), /StreamEngine.start failed: .*(ENOTDIR|EEXIST)/);
  assert.deepEqual(engine.executorCounts(), { running: 0, starting: 0, draining: 0 });
  await engine.stop();
});

test('engine: an output file that cannot be written is counted, the stream goes on', async () => {
  const { engine, clock, outputDir } = makeEngine();
  mkdirSync(join(outputDir, 'windows.jsonl')); // a folder where the file should be: open fails with EISDIR
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 2 }).batch(40, T0)) engine.ingest(m);
  clock.t += 1000;
  assert.equal((await engine.runBatch()).processed, 40);
  const c = await engine.stop();
  assert.equal(c.processed, 40);
  assert.ok(engine.outputStats!.fileErrors >= 1);
  assert.ok(engine.accounting().balanced);
});

test('engine: ingestRaw validates the payload schema on the executors (default) or in full on receipt', async () => {
  const good = new MessageFactory({ devices: 1, scenario: 'healthcare' }).next(0, T0);
  const topic = deviceTopic('healthcare', good.deviceId);
  // Valid envelope, invalid payload: a heart rate of 999 bpm is outside the schema's 20-300.
  const badPayload = JSON.stringify({ ...good, seq: 1, payload: { ...good.payload, heartRateBpm: 999 } });
  const mismatched = JSON.stringify({ ...good, seq: 2, deviceId: 'someone-else' });

  const executor = makeEngine();
  await executor.engine.start({ timer: false });
  assert.equal(executor.engine.ingestRaw(topic, JSON.stringify(good)), 'accepted');
  assert.equal(executor.engine.ingestRaw(topic, badPayload), 'accepted', 'only the envelope is checked on receipt');
  assert.equal(executor.engine.ingestRaw(topic, mismatched), 'rejected');
  executor.clock.t += 1000;
  const r = await executor.engine.runBatch();
  assert.equal(r.processed, 1);
  assert.equal(r.malformed, 1);
  const c1 = await executor.engine.stop();
  assert.equal(c1.dropped.malformed, 1);
  assert.match(c1.lastMalformed, /payload\.heartRateBpm/);
  assert.deepEqual(c1.rejected, { 'topic-mismatch': 1 });
  assert.ok(executor.engine.accounting().balanced);

  const receiver = makeEngine({ rawValidation: 'receiver' });
  await receiver.engine.start({ timer: false });
  assert.equal(receiver.engine.ingestRaw(topic, JSON.stringify(good)), 'accepted');
  assert.equal(receiver.engine.ingestRaw(topic, badPayload), 'rejected');
  const c2 = await receiver.engine.stop();
  assert.deepEqual(c2.rejected, { schema: 1 });
  assert.equal(receiver.engine.tally.rejected.schema, 1);
  assert.equal(c2.processed, 1);

  // 'envelope' trusts the source (the edge gateway validated every payload): no schema run at all.
  const trusting = makeEngine({ rawValidation: 'envelope' });
  await trusting.engine.start({ timer: false });
  assert.equal(trusting.engine.ingestRaw(topic, badPayload), 'accepted');
  assert.equal(trusting.engine.ingestRaw(topic, mismatched), 'rejected', 'the envelope is still checked');
  trusting.clock.t += 1000;
  assert.equal((await trusting.engine.runBatch()).processed, 1);
  await trusting.engine.stop();
  assert.ok(trusting.engine.accounting().balanced);
});

test('engine: messages of several failed map tasks go back to the head of the backlog in their original order', async () => {
  // Two executors fail their first task each. Their splits must come back oldest first: processing the newer split
  // first would move the device's watermark past the older split's windows and drop it as late.
  const { engine, clock } = makeEngine({ initialExecutors: 2, executorCapacityMsgsPerS: 10 }, { runnerFactory: failingFirstRuns(2) });
  clock.t = T0 + 200_000;
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 1, scenario: 'smart-city' });
  // One device, one message every 4 s: the first 10 span [0, 36 s], the next 10 [40 s, 76 s].
  for (let i = 0; i < 40; i++) engine.ingest(f.next(0, T0 + 4_000 * i));
  clock.t += 1000;
  const r1 = await engine.runBatch(); // 10 + 10 messages granted, both tasks fail
  assert.equal(r1.msgs, 20);
  assert.equal(engine.getCounters().mapTaskFailures, 2);
  assert.equal(engine.backlogMsgs, 40);
  await engine.whenExecutorsOnline();
  assert.equal(engine.executorCounts().running, 2, 'both replaced (and serving from now on)');
  clock.t += 500; // 5 + 5 messages: exactly the first failed split
  const r2 = await engine.runBatch();
  assert.equal(r2.processed, 10);
  clock.t += 2000;
  await engine.runBatch();
  const c = await engine.stop();
  assert.equal(c.dropped.late, 0, 'no message was judged against a watermark its successors had moved');
  assert.equal(c.processed, 40);
  assert.ok(engine.accounting().balanced);
});

test('engine: stop() with no executor able to serve drops the backlog as shutdown at once (no spinning until the drain deadline)', async () => {
  // The replacement of the failed executor cold-starts for a minute on a clock that does not move.
  const { engine } = makeEngine({ initialExecutors: 1, coldStartMs: 60_000, stopDrainTimeoutMs: 5_000 }, { runnerFactory: failingFirstRuns(1) });
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 2 }).batch(10, T0)) engine.ingest(m);
  const c = await engine.stop();
  assert.equal(c.mapTaskFailures, 1);
  assert.equal(c.batches, 2, 'the failed drain batch, then one that found no executor: no more');
  assert.equal(c.dropped.shutdown, 10);
  assert.equal(c.backlog, 0);
  assert.ok(engine.accounting().balanced);
});

test('engine: nothing is accepted once stop() has begun, even while it still drains', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 1 });
  engine.ingest(f.next(0, T0));
  clock.t += 1000;
  const stopping = engine.stop();
  assert.equal(engine.ingest(f.next(0, T0 + 1)), 'rejected');
  const c = await stopping;
  assert.equal(c.rejected.stopped, 1);
  assert.equal(c.ingested, 1);
  assert.equal(c.processed, 1);
});

test('engine: blocks that no tier accepts, or that cannot be read back, are dropped as shuffle-lost and the books balance', async () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-engine-test-'));
  dirs.push(outputDir);
  writeFileSync(join(outputDir, 'not-a-folder'), 'x');
  const clock = { t: T0 };
  // A 1-byte hot tier and a warm tier whose folder cannot be created: no tier takes a block.
  const engine = new StreamEngine(
    { outputDir, executorMode: 'inline', stores: { s3: 'none', hot: { type: 'memory', capacityBytes: 1 }, warmDirectory: join(outputDir, 'not-a-folder', 'nvme') }, runId: 'lost', executorCapacityMsgsPerS: 10_000 },
    { nowMs: () => clock.t },
  );
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 4 }).batch(20, T0 - 5000, 10)) engine.ingest(m);
  clock.t += 1000;
  const r = await engine.runBatch();
  assert.equal(r.processed, 0);
  assert.equal(r.shuffleLost, 20);
  assert.equal(engine.getCounters().dropped['shuffle-lost'], 20);
  assert.ok(engine.accounting().balanced);
  await engine.stop();

  // Written, then gone before the reduce stage reads it.
  const { engine: e2, clock: c2 } = makeEngine({ runId: 'gone' }, {
    afterShuffleWrite: async (batchId) => {
      for (let t = 0; t < 2; t++) for (let p = 0; p < 4; p++) await e2.shuffle.store.delete(`gone/b${batchId}/m${t}-r${p}`);
    },
  });
  await e2.start({ timer: false });
  for (const m of new MessageFactory({ devices: 4 }).batch(20, T0 - 5000, 10)) e2.ingest(m);
  c2.t += 1000;
  const r2 = await e2.runBatch();
  assert.equal(r2.processed, 0);
  assert.equal(r2.shuffleLost, 20);
  assert.ok(e2.accounting().balanced);
  await e2.stop();
});

test('engine: every shuffle block is deleted once reduced', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 8 }).batch(100, T0 - 5000, 10)) engine.ingest(m);
  clock.t += 1000;
  const r = await engine.runBatch();
  assert.ok(r.blocks > 0);
  const stats = engine.shuffle.stats();
  assert.equal(Object.values(stats.blocksByTier).reduce((a, b) => a + (b ?? 0), 0), 0);
  assert.equal(engine.shuffle.store.usedBytes(), 0);
  await engine.stop();
});

test('engine: the working set returns to zero once every message is processed or dropped and the windows are flushed', async () => {
  const { engine, clock } = makeEngine({ retentionMs: 5_000 });
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 3 });
  for (const m of f.batch(30, T0 - 5000, 10)) engine.ingest(m, T0);
  clock.t = T0 + 1000;
  await engine.runBatch(); // all processed
  for (const m of f.batch(30, T0, 10)) engine.ingest(m, T0 + 1000);
  clock.t = T0 + 10_000;
  await engine.runBatch(); // all dropped by retention
  assert.equal(engine.getCounters().dropped.retention, 30);
  await engine.stop();
  assert.equal(engine.memoryUtilization(), 0);
  assert.equal(engine.openWindows, 0);
});

test('engine: a device that restarts at seq 0 (later sentAtMs) is new data, not a duplicate', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  const f = new MessageFactory({ devices: 1, scenario: 'smart-city' });
  const first = [0, 1, 2].map((i) => f.next(0, T0 - 10_000 + i * 1000));
  for (const m of first) assert.equal(engine.ingest(m), 'accepted');
  assert.equal(engine.ingest(structuredClone(first[0]!)), 'duplicate', 'a re-send keeps its sentAtMs');
  const rebooted = { ...structuredClone(first[0]!), sentAtMs: T0 - 1000 };
  assert.equal(engine.ingest(rebooted), 'accepted');
  assert.equal(engine.dedup.restarts, 1);
  clock.t += 1000;
  await engine.runBatch();
  const c = await engine.stop();
  assert.equal(c.processed, 4);
  assert.equal(c.duplicates, 1);
});

test('engine: a throwing onBatch or afterShuffleWrite hook is recorded; the batch completes and nothing is lost', async () => {
  const { engine, clock } = makeEngine({}, {
    onBatch: () => {
      throw new Error('observer bug');
    },
    afterShuffleWrite: () => {
      throw new Error('seam bug');
    },
  });
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 2 }).batch(10, T0 - 5000, 10)) engine.ingest(m);
  clock.t += 1000;
  const r = await engine.runBatch();
  assert.equal(r.processed, 10);
  assert.match(engine.getCounters().lastError, /onBatch: Error: observer bug/);
  const c = await engine.stop();
  assert.equal(c.inFlight, 0);
  assert.ok(engine.accounting().balanced);
});

test('engine: only non-empty blocks are written (one device -> one partition -> one block per map task)', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 1 }).batch(10, T0 - 5000, 10)) engine.ingest(m);
  clock.t += 1000;
  const r = await engine.runBatch();
  assert.equal(r.mapTasks, 2);
  assert.equal(r.blocks, 2);
  await engine.stop();
});

test('engine: stop() drains in map tasks of at most 20,000 messages', async () => {
  const sizes: number[] = [];
  const { engine } = makeEngine({ initialExecutors: 1 }, { onBatch: (r) => sizes.push(r.msgs) });
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 50 }).batch(20_001, T0 - 60_000, 1)) engine.ingest(m);
  const c = await engine.stop();
  assert.deepEqual(sizes, [20_000, 1]);
  assert.equal(c.processed + c.dropped.late, 20_001);
  assert.ok(engine.accounting().balanced);
});

test('engine: stop() ends the trigger loop; no batch runs afterwards (mock timers)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { engine } = makeEngine({ triggerIntervalMs: 1000 });
  await engine.start();
  await engine.stop();
  const batches = engine.getCounters().batches;
  t.mock.timers.tick(10_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(engine.getCounters().batches, batches);
});

test('engine: the backlog array is compacted as it is consumed (a long run does not keep every message ever queued)', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  for (const m of new MessageFactory({ devices: 10 }).batch(5_000, T0 - 5000, 1)) engine.ingest(m);
  clock.t += 1000;
  await engine.runBatch();
  assert.equal(engine.backlogMsgs, 0);
  // White box: the array behind the backlog, not just its head index.
  assert.equal((engine as unknown as { queue: unknown[] }).queue.length, 0);
  await engine.stop();
});

test('engine: latency samples stay bounded and uniform over the interval; the next interval samples every message again', async () => {
  const { engine } = makeEngine();
  // White box: the sampler the reduce stage calls once per processed record (feeding 600,000 records through the
  // engine would take a minute).
  const sample = (engine as unknown as { sampleLatency: (ms: number) => void }).sampleLatency.bind(engine);
  for (let i = 0; i < 300_000; i++) sample(0);
  for (let i = 0; i < 300_000; i++) sample(1000);
  const first = engine.takeInterval().latenciesMs;
  assert.ok(first.length <= 200_000, `${first.length} samples kept`);
  const share = first.filter((x) => x === 1000).length / first.length;
  assert.ok(Math.abs(share - 0.5) < 0.01, `the second half of the interval is ${share} of the samples`);
  for (let i = 0; i < 10; i++) sample(5);
  assert.deepEqual(engine.takeInterval().latenciesMs, Array(10).fill(5));
});
