/**
 * Validate once: the edge gateway runs the full validatePayload and forwards only valid messages; the engine behind
 * it (rawValidation 'envelope', as `demo` and `bench:pipeline` wire it) checks only the envelope. Every malformed
 * payload must still be counted exactly once, with a reason (at the gateway), and every valid one processed once.
 * No MQTT here: the gateway's forward is replaced by a sink that hands the original bytes to the engine.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeGateway } from '../../edge/gateway.ts';
import type { ScenarioName } from '../../env/spark-iot-types.ts';
import { encodeMessage } from '../devices/schemas.ts';
import { deviceTopic, ingestTopic } from '../devices/topics.ts';
import { StreamEngine } from './engine.ts';
import { MessageFactory } from './test-messages.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_800_000_000_000;

test('gateway + envelope engine: malformed payloads counted once with a reason, valid ones processed once', async () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-validate-once-'));
  dirs.push(outputDir);
  const clock = { t: T0 };
  const engine = new StreamEngine(
    { outputDir, executorMode: 'inline', stores: { s3: 'none' }, initialExecutors: 2, executorCapacityMsgsPerS: 10_000, runId: 'once', rawValidation: 'envelope' },
    { nowMs: () => clock.t },
  );
  await engine.start({ timer: false });
  const forwarded: Buffer[] = [];
  const gateway = EdgeGateway.offline({
    gatewayId: 'gw-once',
    forward: false,
    clock: { nowMs: () => clock.t, setInterval: () => null, clearInterval: () => undefined },
    sink: {
      id: 'engine',
      send: (_key: string, value: Buffer, scenario?: string) => {
        forwarded.push(value);
        engine.ingestRaw(ingestTopic((scenario ?? 'smart-city') as ScenarioName), value);
      },
    },
  });

  const factory = new MessageFactory({ scenario: 'smart-city', devices: 4 });
  const good = factory.batch(40, T0 - 2000, 10);
  const sample = good[0]!;
  const topicOf = (deviceId: string) => deviceTopic('smart-city', deviceId);
  const bad: Array<[string, string | Buffer, string]> = [
    [topicOf(sample.deviceId), '{"truncated":', 'invalid-json'],
    [topicOf(sample.deviceId), JSON.stringify({ ...sample, seq: 9999, payload: { ...sample.payload, type: 'teleport' } }), 'schema'],
    [topicOf(sample.deviceId), JSON.stringify({ ...sample, seq: 9998, sentAtMs: 'NaN' }), 'non-finite-number'],
    [topicOf(sample.deviceId), Buffer.from([0xff, 0xfe, 0x7b]), 'invalid-utf8'],
    [topicOf('someone-else'), JSON.stringify(sample), 'topic-mismatch'],
  ];
  for (const m of good) gateway.handle(topicOf(m.deviceId), encodeMessage(m), clock.t);
  for (const [topic, payload] of bad) gateway.handle(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), clock.t);
  // A QoS 1 re-delivery of a valid message: a duplicate, neither a reject nor a second message.
  gateway.handle(topicOf(good[3]!.deviceId), encodeMessage(good[3]!), clock.t);

  const stats = gateway.stats();
  assert.equal(stats.accepted, good.length);
  assert.equal(stats.duplicates, 1);
  assert.equal(stats.rejected, bad.length);
  assert.deepEqual(stats.rejectedByReason, Object.fromEntries(bad.map(([, , reason]) => [reason, 1])));
  // The gateway forwards the original bytes, not a re-serialization.
  assert.equal(forwarded.length, good.length);
  assert.ok(forwarded.every((b, i) => b.equals(encodeMessage(good[i]!))));

  clock.t += 1000;
  await engine.runBatch();
  const c = await engine.stop();
  // The engine saw only valid messages: nothing rejected or dropped there, so no reject is counted twice.
  assert.deepEqual(c.rejected, {});
  assert.equal(c.dropped.malformed, 0);
  assert.equal(c.ingested, good.length);
  assert.equal(c.processed, good.length);
  assert.ok(engine.accounting().balanced);
});
