import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionsEqual, decodeAction, encodeAction, InvalidActionValueError } from './action.ts';
import type { Action } from './types.ts';

test('decode maps MultiDiscrete [20,8,4,3] indices to executors 1-20, 1-8 GB, tier and codec', () => {
  assert.deepEqual(decodeAction([0, 0, 0, 0]), { executors: 1, memoryGb: 1, tier: 'redis', codec: 'none' });
  assert.deepEqual(decodeAction([19, 7, 3, 2]), { executors: 20, memoryGb: 8, tier: 'archive', codec: 'zstd' });
  assert.deepEqual(decodeAction([14, 3, 1, 1]), { executors: 15, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
});

test('encode inverts decode for every action', () => {
  for (let e = 0; e < 20; e++)
    for (let m = 0; m < 8; m++)
      for (let t = 0; t < 4; t++)
        for (let c = 0; c < 3; c++) assert.deepEqual(Array.from(encodeAction(decodeAction([e, m, t, c]))), [e, m, t, c]);
});

test('invalid actions give errors naming the offending index', () => {
  assert.throws(() => decodeAction([20, 0, 0, 0]), /index 0 \(executors\) must be an integer in \[0, 19\], got 20/);
  assert.throws(() => decodeAction([0, Number.NaN, 0, 0]), /index 1 \(memory\)/);
  assert.throws(() => decodeAction([0, 0, 0]), /4 indices/);
  assert.throws(() => encodeAction({ executors: 3, memoryGb: 2, tier: 'ssd' as never, codec: 'none' }), /tier must be one of/);
});

test('decode refuses negative indices and more than 4 indices', () => {
  assert.throws(() => decodeAction([-1, 0, 0, 0]), (e: Error) => e instanceof InvalidActionValueError && /index 0 \(executors\).*got -1/.test(e.message));
  assert.throws(() => decodeAction([0, 0, 0, 0, 0]), /4 indices/);
  assert.throws(() => decodeAction([0, 0, 4, 0]), /index 2 \(tier\) must be an integer in \[0, 3\]/);
  assert.throws(() => decodeAction([0, 0, 0, 3]), /index 3 \(codec\) must be an integer in \[0, 2\]/);
});

test('encode refuses executors and memory outside 1..max or not integers, an unknown codec and a non-object', () => {
  const ok: Action = { executors: 3, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
  assert.throws(() => encodeAction({ ...ok, executors: 2.5 }), /executors must be an integer in \[1, 20\], got 2.5/);
  assert.throws(() => encodeAction({ ...ok, executors: 0 }), /executors must be an integer in \[1, 20\], got 0/);
  assert.throws(() => encodeAction({ ...ok, executors: 21 }), /executors must be an integer in \[1, 20\], got 21/);
  assert.throws(() => encodeAction({ ...ok, memoryGb: 0 }), /memoryGb must be an integer in \[1, 8\], got 0/);
  assert.throws(() => encodeAction({ ...ok, memoryGb: 9 }), /memoryGb must be an integer in \[1, 8\], got 9/);
  assert.throws(() => encodeAction({ ...ok, memoryGb: 1.5 }), /memoryGb/);
  assert.throws(() => encodeAction({ ...ok, codec: 'gzip' as never }), /codec must be one of none, lz4, zstd, got "gzip"/);
  assert.throws(() => encodeAction(null as never), (e: Error) => e instanceof InvalidActionValueError && /action must be an object, got null/.test(e.message));
});

test('actionsEqual compares all four fields', () => {
  const a: Action = { executors: 3, memoryGb: 2, tier: 'nvme', codec: 'lz4' };
  assert.equal(actionsEqual(a, { ...a }), true);
  assert.equal(actionsEqual(a, { ...a, executors: 4 }), false, 'executors');
  assert.equal(actionsEqual(a, { ...a, memoryGb: 3 }), false, 'memory');
  assert.equal(actionsEqual(a, { ...a, tier: 's3' }), false, 'tier');
  assert.equal(actionsEqual(a, { ...a, codec: 'zstd' }), false, 'codec');
});
