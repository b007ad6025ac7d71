import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamEngine } from './engine.ts';
import { LocalEngineActuator } from './actuator.ts';
import { LocalEngineMetricsSource, percentile } from './metrics-source.ts';
import { MessageFactory } from './test-messages.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const T0 = 1_800_000_000_000;
const usdPerS = (gb: number) => (4 * 0.052624 + gb * 0.0057785) / 3600;

function makeEngine(coldStartMs = 0) {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-engine-control-'));
  dirs.push(outputDir);
  const clock = { t: T0 };
  const engine = new StreamEngine(
    { outputDir, executorMode: 'inline', stores: { s3: 'none' }, initialExecutors: 2, initialMemoryGb: 4, executorCapacityMsgsPerS: 100, coldStartMs, runId: 'control' },
    { nowMs: () => clock.t },
  );
  return { engine, clock };
}

test('percentile: nearest rank', () => {
  assert.equal(percentile([], 95), 0);
  assert.equal(percentile([5], 95), 5);
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => 100 - i), 95), 95);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
});

test('metrics source: a snapshot per interval with rates, backlog, p95 latency, utilization, cost and drops', async () => {
  const { engine, clock } = makeEngine();
  await engine.start({ timer: false });
  const metrics = new LocalEngineMetricsSource(engine);
  const f = new MessageFactory({ devices: 10, scenario: 'industrial' });
  // 300 messages, each sent 2 s before it is processed (the clock stands at T0 + 1 s).
  const msgs = f.batch(300, T0 - 1_000, 0);
  for (const m of msgs) engine.ingest(m, T0 - 500);
  clock.t = T0 + 1_000;
  const report = await engine.runBatch();
  assert.equal(report.processed, 200, '2 executors x 100 msgs/s x 1 s');
  const s = await metrics.snapshot();
  assert.equal(s.tSeconds, 1);
  assert.equal(s.arrivalRateMsgsPerS, 300);
  assert.equal(s.processedRateMsgsPerS, 200);
  assert.equal(s.backlogMsgs, 100);
  assert.equal(s.p95LatencyMs, 2_000, 'device timestamp -> window contribution');
  // 200 messages of granted work at 100 msgs/s = 2 executor-s busy, of 2 executors x 1 s available.
  assert.equal(s.cpuUtilization, 1);
  assert.ok(s.memoryUtilization > 0 && s.memoryUtilization < 0.01, `memory ${s.memoryUtilization}`);
  assert.deepEqual([s.executorsRunning, s.executorsStarting, s.executorsDraining, s.memoryPerExecutorGb], [2, 0, 0, 4]);
  assert.deepEqual([s.tier, s.codec], ['nvme', 'lz4']);
  assert.ok(s.shuffleBytes > 0);
  assert.equal(s.observedReuse, 0, 'every block is read once');
  // Executors: 2 x 1 s at the 4 GB rate; the nvme tier adds ~nothing.
  assert.ok(Math.abs(s.costUsd - 2 * usdPerS(4)) < 1e-9, `cost ${s.costUsd}`);
  assert.ok(Math.abs(s.costRateUsdPerHour - 2 * usdPerS(4) * 3600) < 1e-6);
  assert.equal(s.droppedMsgs, 0);
  const meanBytes = msgs.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0) / msgs.length;
  assert.ok(Math.abs(s.meanMessageBytes - meanBytes) < 1e-9);
  // The next interval starts empty.
  clock.t += 1_000;
  const next = await metrics.snapshot();
  assert.equal(next.arrivalRateMsgsPerS, 0);
  assert.equal(next.cpuUtilization, 0, 'nothing granted in this interval');
  assert.equal(next.processedRateMsgsPerS, 0);
  assert.equal(next.p95LatencyMs, 0);
  assert.equal(next.backlogMsgs, 100);
  await engine.stop();
});

test('metrics source: never throws before start; reports the configured tier and codec; publishes snapshots', async () => {
  const { engine } = makeEngine();
  const sent: [string, string][] = [];
  const s = await new LocalEngineMetricsSource(engine, { publish: (t, p) => sent.push([t, p]) }).snapshot();
  assert.deepEqual([s.tier, s.codec, s.backlogMsgs], ['nvme', 'lz4', 0]);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]![0], 'edgepilot/control/snapshots');
  assert.deepEqual(JSON.parse(sent[0]![1]), s);
  const failing = new LocalEngineMetricsSource(engine, { publish: () => { throw new Error('down'); } });
  await failing.snapshot();
  assert.equal(failing.publishFailures, 1);
});

test('actuator: executors -> pool size with cold start; memory -> replaced executors; tier/codec -> new blocks', async () => {
  const { engine, clock } = makeEngine(20_000);
  await engine.start({ timer: false });
  const actuator = new LocalEngineActuator(engine);
  const metrics = new LocalEngineMetricsSource(engine);

  const same = await actuator.apply({ executors: 2, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  assert.equal(same.path, 'noop');
  assert.deepEqual(same.notes, []);

  const up = await actuator.apply({ executors: 5, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  assert.equal(up.path, 'live');
  assert.deepEqual(up.action, { executors: 5, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  assert.ok(up.notes.some((n) => /executors 2 -> 5/.test(n)), up.notes.join('; '));
  await engine.whenExecutorsOnline();
  let s = await metrics.snapshot();
  assert.deepEqual([s.executorsRunning, s.executorsStarting], [2, 3], 'the new executors are cold-starting');
  clock.t += 20_000;
  s = await metrics.snapshot();
  assert.deepEqual([s.executorsRunning, s.executorsStarting], [5, 0]);

  const mem = await actuator.apply({ executors: 5, memoryGb: 8, tier: 'redis', codec: 'zstd' });
  assert.ok(mem.notes.some((n) => /memory 4 -> 8 GB/.test(n)));
  assert.ok(mem.notes.some((n) => /tier nvme -> redis/.test(n)));
  assert.ok(mem.notes.some((n) => /codec lz4 -> zstd/.test(n)));
  await engine.whenExecutorsOnline();
  s = await metrics.snapshot();
  assert.deepEqual([s.executorsRunning, s.executorsStarting, s.memoryPerExecutorGb, s.tier, s.codec], [5, 5, 8, 'redis', 'zstd'], 'old executors serve while replacements start');
  clock.t += 20_000;
  s = await metrics.snapshot();
  assert.deepEqual([s.executorsRunning, s.executorsStarting], [5, 0]);
  assert.deepEqual(engine.executors().map((e) => e.memoryGb), [8, 8, 8, 8, 8]);

  // New blocks use the new tier and codec.
  for (const m of new MessageFactory({ devices: 4 }).batch(40, clock.t - 1000)) engine.ingest(m);
  clock.t += 1000;
  await engine.runBatch();
  assert.deepEqual(Object.keys(engine.shuffle.blocksWrittenByTier), ['redis']);
  assert.deepEqual(Object.keys(engine.shuffle.blocksWrittenByCodec), ['zstd']);

  const down = await actuator.apply({ executors: 1, memoryGb: 8, tier: 'redis', codec: 'zstd' });
  assert.ok(down.notes.some((n) => /4 draining/.test(n)), down.notes.join('; '));
  assert.equal(engine.executorCounts().running, 1);

  await assert.rejects(actuator.apply({ executors: 0, memoryGb: 8, tier: 'redis', codec: 'zstd' }), /action.executors must be an integer in \[1, 20\], got 0/);
  await assert.rejects(actuator.apply({ executors: 2, memoryGb: 8, tier: 'tape' as never, codec: 'zstd' }), /action.tier/);
  await engine.stop();
});
