import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputSink } from './outputs.ts';
import type { WindowAggregate } from './windows.ts';

const windowAt = (i: number): WindowAggregate => ({
  scenario: 'smart-city',
  deviceId: `SC-${i}`,
  kind: 'traffic',
  type: 'traffic',
  windowStartMs: i * 30_000,
  windowEndMs: (i + 1) * 30_000,
  count: 1,
  readings: {},
  closedBy: 'watermark',
  watermarkMs: (i + 1) * 30_000,
});

/** Resolves once the stream has written what was queued (write callbacks run in order). */
const flushed = (sink: OutputSink, i: number) => new Promise<void>((resolve) => {
  sink.writeWindows([windowAt(i)]);
  setTimeout(resolve, 50);
});

test('output files can be rotated under a running engine with logrotate copytruncate: writes continue at the start, no hole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-outputs-'));
  const sink = new OutputSink(dir);
  for (let i = 0; i < 5; i++) await flushed(sink, i);
  // copytruncate: the rotator copies the file away and truncates it in place while the writer keeps its descriptor.
  truncateSync(sink.windowsPath, 0);
  await flushed(sink, 5);
  await sink.close();
  const text = readFileSync(sink.windowsPath, 'utf8');
  assert.ok(!text.includes('\0'), 'appending (O_APPEND) writes at the new end: no run of NUL bytes where the old lines were');
  assert.deepEqual(text.trim().split('\n').map((l) => (JSON.parse(l) as WindowAggregate).deviceId), ['SC-5']);
  assert.ok(sink.filesComplete);
});

test('a rename-style rotation (logrotate without copytruncate) keeps writing into the renamed file: the docs name copytruncate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-outputs-'));
  const sink = new OutputSink(dir);
  await flushed(sink, 0);
  const rotated = join(dir, 'windows.jsonl.1');
  renameSync(sink.windowsPath, rotated);
  await flushed(sink, 1);
  await sink.close();
  assert.equal(readFileSync(rotated, 'utf8').trim().split('\n').length, 2, 'the open descriptor follows the renamed file');
});

test('outputs: results are published in messages of at most 500 items, every item once, per scenario', async () => {
  const sent: { topic: string; items: WindowAggregate[] }[] = [];
  const sink = new OutputSink(mkdtempSync(join(tmpdir(), 'edgepilot-outputs-')), (topic, payload) => void sent.push({ topic, items: JSON.parse(payload) as WindowAggregate[] }));
  const list = Array.from({ length: 1001 }, (_, i) => windowAt(i));
  list.push({ ...windowAt(5000), scenario: 'healthcare' });
  sink.writeWindows(list);
  assert.deepEqual(sent.map((m) => [m.topic, m.items.length]), [
    ['edgepilot/outputs/smart-city/results', 500],
    ['edgepilot/outputs/smart-city/results', 500],
    ['edgepilot/outputs/smart-city/results', 1],
    ['edgepilot/outputs/healthcare/results', 1],
  ]);
  assert.deepEqual(sent.slice(0, 3).flatMap((m) => m.items.map((w) => w.deviceId)), list.slice(0, 1001).map((w) => w.deviceId));
  assert.equal(sink.published, 4);
  assert.equal(sink.publishedItems, 1002);
  await sink.close();
});

test('outputs: a publish that rejects (async client) is counted, never an unhandled rejection', async () => {
  const sink = new OutputSink(mkdtempSync(join(tmpdir(), 'edgepilot-outputs-')), async () => {
    throw new Error('broker gone');
  });
  sink.writeWindows([windowAt(1)]);
  sink.writeAlerts([{ scenario: 'smart-city', deviceId: 'SC-1', kind: 'smart-city', type: 'air', sentAtMs: 1, rule: 'range', field: 'aqi', value: 200, limit: '>= 151' }]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sink.publishFailures, 2);
  assert.equal(sink.lastPublishError, 'broker gone');
  await sink.close();
});
