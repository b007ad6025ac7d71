/**
 * The demo under hostile input on its embedded broker: messages someone else publishes (valid or not, on the device
 * or the ingest topics) are refused or counted, never crash it, and never make it stop waiting for the fleet's own
 * messages before they are in; a packet over the broker's size limit closes its sender's connection. And the summary says so when an output file could not be written.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { outputFilesLine, startDemo } from './demo.ts';
import { deviceTopic, ingestTopic } from './devices/topics.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('demo: messages injected by a stranger neither crash it nor end its wait for the fleet: every fleet message is processed', async () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-demo-hostile-'));
  dirs.push(outputDir);
  const lines: string[] = [];
  const demo = await startDemo({
    scenario: 'smart-city',
    policy: 'threshold-forecast',
    durationS: 3,
    port: 0,
    devices: 20,
    faultyEverySeconds: 0,
    controlIntervalS: 1,
    outputDir,
    log: (l) => lines.push(l),
  });
  // A packet over the broker's limit (1 MiB) never reaches the gateway: the broker closes that connection.
  const giant = connect(demo.brokerUrl, { protocolVersion: 4, clientId: `giant-${process.pid}`, reconnectPeriod: 0 });
  giant.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    giant.once('connect', () => resolve());
    giant.once('close', () => reject(new Error('giant: no connection to the demo broker')));
  });
  const giantOutcome = await Promise.race([
    new Promise<string>((r) => giant.once('close', () => r('closed'))),
    new Promise<string>((r) => giant.publish(deviceTopic('smart-city', 'STRANGER-3'), Buffer.alloc(3 * 1024 * 1024, 0x41), { qos: 1 }, (err) => err || r('acknowledged'))),
  ]);
  giant.end(true);
  assert.equal(giantOutcome, 'closed');
  const stranger = connect(demo.brokerUrl, { protocolVersion: 4, clientId: `stranger-${process.pid}` });
  let strangerValid = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      stranger.once('connect', () => resolve());
      stranger.once('error', reject);
    });
    const valid = (seq: number) =>
      JSON.stringify({
        schemaVersion: 1,
        kind: 'smart-city',
        scenario: 'smart-city',
        deviceId: 'STRANGER-1',
        seq,
        sentAtMs: Date.now(),
        payload: { type: 'air', city: 'NYC', location: { latitude: 40.7, longitude: -74 }, aqi: 50, pm25UgM3: 10, pm10UgM3: 20, co2Ppm: 400, temperatureC: 20, humidityPercent: 50 },
      });
    // Many valid foreign messages straight onto the ingest topic: before the fix they counted as arrivals and the
    // demo stopped waiting while fleet messages were still in transit.
    const batch = Array.from({ length: 2000 }, (_, i) => valid(i)).join('\n');
    await stranger.publishAsync(ingestTopic('smart-city'), batch, { qos: 1 });
    strangerValid += 2000;
    // And garbage on both topics.
    await stranger.publishAsync(ingestTopic('smart-city'), Buffer.from([0xff, 0x00, 0xfe]), { qos: 1 });
    await stranger.publishAsync(deviceTopic('smart-city', 'STRANGER-2'), Buffer.alloc(100 * 1024, 0x41), { qos: 1 });
    await stranger.publishAsync(deviceTopic('smart-city', 'STRANGER-2'), 'not json', { qos: 1 });
  } finally {
    await stranger.endAsync();
  }
  const summary = await demo.done;
  // The fleet's own messages all arrived and were processed; the stranger's valid ones on top.
  assert.equal(summary.ingested, summary.published + strangerValid, summary.invariantLines.join('\n'));
  assert.equal(summary.processed + summary.dropped, summary.ingested);
  assert.equal(summary.malformed, 3);
  assert.ok(!lines.some((l) => /did not reach the engine/.test(l)), lines.join('\n'));
  // Each reject was told with its topic and reason.
  assert.ok(lines.some((l) => /engine: rejected a message on topic 'edgepilot\/ingest\/smart-city': invalid-utf8/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /edge gateway edge-0: rejected a message on topic 'edgepilot\/devices\/smart-city\/STRANGER-2': too-large: payload is 102400 bytes/.test(l)));
  assert.ok(lines.some((l) => /^demo: embedded MQTT broker: rejected the connection from 127\.0\.0\.1:\d+: packet-too-large: packet of \d+ bytes over the limit of 1048576; connection closed$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /edge gateway edge-0: rejected a message on topic 'edgepilot\/devices\/smart-city\/STRANGER-2': invalid-json/.test(l)));
  assert.ok(summary.invariantLines.some((l) => l.startsWith('OK  output files complete')));
});

test('demo summary: an output file that failed is a BAD line naming the file, the error and what is missing', () => {
  const clean = { windowsWritten: 10, alertsWritten: 2, published: 0, publishedItems: 0, publishFailures: 0, fileErrors: 0, windowsLost: 0, alertsLost: 0, lastFileError: '' };
  const ok = outputFilesLine(clean, '/out', { path: '/out/decisions.jsonl', failed: 0, decisions: 5 });
  assert.deepEqual(ok, { ok: true, line: 'OK  output files complete: 10 windows, 2 alerts, 5 decisions in /out' });
  const bad = outputFilesLine({ ...clean, fileErrors: 3, windowsLost: 7, lastFileError: '/out/windows.jsonl: ENOSPC: no space left on device, write' }, '/out', { path: '/out/decisions.jsonl', failed: 0, decisions: 5 });
  assert.equal(bad.ok, false);
  assert.equal(bad.line, 'BAD output files incomplete: 7 of 10 windows and 0 of 2 alerts not written (3 write errors, last /out/windows.jsonl: ENOSPC: no space left on device, write)');
  const log = outputFilesLine(clean, '/out', { path: '/out/decisions.jsonl', failed: 4, decisions: 5 });
  assert.deepEqual(log, { ok: false, line: 'BAD output files incomplete: 4 of 5 decisions not appended to /out/decisions.jsonl (the controller logged why)' });
});
