import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAction, encodeAction } from './action.ts';

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
