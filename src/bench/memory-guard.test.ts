import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertRunFitsInMemory, RunSizeValueError } from './memory-guard.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/test-run-cli.ts';

test('a run that would not fit in the heap is refused up front, naming its size and the way out', () => {
  const GB = 2 ** 30;
  assert.doesNotThrow(() => assertRunFitsInMemory(1_000_000, 'meta report', 4 * GB)); // 1.2 GB of 4
  assert.throws(
    () => assertRunFitsInMemory(3_000_000, 'meta report', 4 * GB),
    (e: unknown) => e instanceof RunSizeValueError && /meta report: 3,000,000 step records need about 3\.4 GB of heap at the peak, more than this Node process has \(4\.0 GB\)\. Use fewer seeds or steps, or raise the heap: NODE_OPTIONS=--max-old-space-size=5120/.test((e as Error).message),
  );
});

test('a report too large for the heap is refused before simulating, with a clean message and exit 2', async () => {
  const out = mkdtempSync(join(tmpdir(), 'edgepilot-too-large-report-'));
  try {
    const r = await runCli(['report', 'shuffle', '--seeds', '5000', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /edgepilot: report: [0-9,]+ step records need about [0-9.]+ GB of heap/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
