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
  assert.throws(() => loadTraceFlag(trace, {}), usage(/--trace .*rate\.csv: .*rate\.csv: line 3: rate is not a number/));
});
