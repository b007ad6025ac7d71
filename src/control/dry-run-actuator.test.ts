import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../core/types.ts';
import { describeChanges, DryRunActuator } from './dry-run-actuator.ts';

const a = (executors: number, memoryGb = 4, tier: Action['tier'] = 'nvme', codec: Action['codec'] = 'lz4'): Action => ({ executors, memoryGb, tier, codec });

test('dry-run: records every request with its changes, applies nothing, says so', async () => {
  const act = new DryRunActuator(a(2));
  const r1 = await act.apply(a(5, 4, 'redis'));
  assert.equal(r1.path, 'dry-run');
  assert.deepEqual(r1.action, a(5, 4, 'redis'));
  assert.deepEqual(r1.notes, ['dry-run: would apply executors 2 -> 5, tier nvme -> redis']);
  const r2 = await act.apply(a(5, 4, 'redis'));
  assert.deepEqual(r2.notes, ['dry-run: no change']);
  assert.equal(act.applyCount, 2);
  assert.deepEqual(act.history.map((h) => h.index), [0, 1]);
  assert.deepEqual(act.current, a(5, 4, 'redis'));
  // The returned action is a copy: mutating it does not change the record.
  r1.action.executors = 99;
  assert.equal(act.history[0]!.action.executors, 5);
});

test('dry-run: history is bounded; describeChanges lists each field', async () => {
  const act = new DryRunActuator(null, 3);
  for (let i = 1; i <= 5; i++) await act.apply(a(i));
  assert.deepEqual(act.history.map((h) => h.index), [2, 3, 4]);
  assert.deepEqual(describeChanges(null, a(1)), ['executors 1, memoryGb 4, tier nvme, codec lz4']);
  assert.deepEqual(describeChanges(a(1, 2, 's3', 'none'), a(3, 6, 'archive', 'zstd')), ['executors 1 -> 3', 'memoryGb 2 -> 6', 'tier s3 -> archive', 'codec none -> zstd']);
});
