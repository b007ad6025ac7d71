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
