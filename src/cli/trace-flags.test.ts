import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTraceFlag, resolveTraceFlags } from './trace-flags.ts';
import { UsageError } from './output.ts';

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);

test('the shared trace flags: validated once, each mistake a usage error naming the flag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-flags-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, 't,rate\n0,1\n1,x\n');
  assert.deepEqual(resolveTraceFlags({}), {});
  assert.deepEqual(resolveTraceFlags({ trace, traceStepS: '60', traceFormat: 'series' }), { trace, traceStepS: 60, traceFormat: 'series' });
  assert.throws(() => resolveTraceFlags({ traceStepS: '60' }), usage(/--trace-step-s needs --trace/));
  assert.throws(() => resolveTraceFlags({ traceFormat: 'events' }), usage(/--trace-format needs --trace/));
  assert.throws(() => resolveTraceFlags({ trace: join(dir, 'nope.csv') }), usage(/--trace: file not found: .*nope\.csv/));
  assert.throws(() => resolveTraceFlags({ trace, traceStepS: '0' }), usage(/--trace-step-s must be > 0, got '0'/));
  assert.throws(() => resolveTraceFlags({ trace, traceFormat: 'xml' }), usage(/--trace-format must be one of auto, series, events, wide, access-log, got 'xml'/));
  // The file named once (it was '--trace X: X: line 3 ...').
  assert.throws(() => loadTraceFlag(trace, {}), usage(new RegExp(`^--trace ${trace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 3: rate is not a number`)));
});

test('a large --trace is announced and gets a progress bar on stderr per pass that reads the whole file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'trace-progress-')), 'events.csv');
  const rows = Array.from({ length: 20_000 }, (_, i) => `2023-11-16 18:${String(Math.floor(i / 600) % 60).padStart(2, '0')}:${String(Math.floor(i / 10) % 60).padStart(2, '0')}.${i % 10},${100 + (i % 50)}`);
  writeFileSync(file, `TIMESTAMP,ContextTokens\n${rows.join('\n')}\n`);
  const logged: string[] = [];
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  let small: ReturnType<typeof loadTraceFlag>;
  let large: ReturnType<typeof loadTraceFlag>;
  try {
    small = loadTraceFlag(file, {}, (l) => logged.push(l));
    assert.equal(logged.length, 0, 'below the threshold: silent');
    assert.equal(stderr.length, 0);
    large = loadTraceFlag(file, {}, (l) => logged.push(l), 0);
  } finally {
    process.stderr.write = write;
  }
  assert.match(logged[0]!, /^reading --trace .*events\.csv \(0 MiB\)\.\.\.$/);
  assert.ok(stderr.some((l) => /reading --trace \(MiB\) +100% /.test(l)), stderr.join(''));
  assert.deepEqual(Array.from(large.rate), Array.from(small.rate), 'the same trace either way');
});

test('--trace given a folder is named as one (it was a bare EISDIR)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-flags-dir-'));
  assert.throws(() => resolveTraceFlags({ trace: dir }), usage(/^--trace: .*trace-flags-dir-.* is a folder, not a file$/));
});

test('--trace-step-s is capped at a day per row, with the reason (1e9 was read as rows of 1,000,000,000 s)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-flags-step-'));
  const trace = join(dir, 'rate.csv');
  writeFileSync(trace, 't,rate\n0,1\n1,2\n');
  assert.throws(() => resolveTraceFlags({ trace, traceStepS: '1e9' }), usage(/^--trace-step-s must be <= 86,400 \(a day per row or time unit; .*\), got '1e9'$/));
  assert.throws(() => resolveTraceFlags({ trace, traceStepS: '86401' }), usage(/<= 86,400/));
  assert.equal(resolveTraceFlags({ trace, traceStepS: '86400' }).traceStepS, 86_400);
  assert.equal(resolveTraceFlags({ trace, traceStepS: '60' }).traceStepS, 60);
});
