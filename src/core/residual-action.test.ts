import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyResidual, IDENTITY_RESIDUAL, RESIDUAL_NVEC, residualActionSpace } from './residual-action.ts';
import { InvalidActionValueError } from './action.ts';
import type { Action } from './types.ts';

const base: Action = { executors: 6, memoryGb: 3, tier: 'nvme', codec: 'lz4' };

test('the identity residual returns the base action unchanged', () => {
  assert.deepEqual(applyResidual(base, IDENTITY_RESIDUAL), base);
});

test('offsets add to the base and are clamped to the action space', () => {
  assert.equal(applyResidual(base, [0, 1, 0, 0]).executors, 3); // -3
  assert.equal(applyResidual(base, [11, 1, 0, 0]).executors, 14); // +8
  assert.equal(applyResidual({ ...base, executors: 2 }, [0, 1, 0, 0]).executors, 1);
  assert.equal(applyResidual({ ...base, executors: 18 }, [11, 1, 0, 0]).executors, 20);
  assert.equal(applyResidual(base, [3, 0, 0, 0]).memoryGb, 2);
  assert.equal(applyResidual(base, [3, 3, 0, 0]).memoryGb, 5);
  assert.equal(applyResidual({ ...base, memoryGb: 1 }, [3, 0, 0, 0]).memoryGb, 1);
  assert.equal(applyResidual({ ...base, memoryGb: 8 }, [3, 3, 0, 0]).memoryGb, 8);
});

test('tier and codec index 0 keep the base, the others override it', () => {
  const a = applyResidual(base, [3, 1, 1, 1]);
  assert.equal(a.tier, 'redis');
  assert.equal(a.codec, 'none');
  const b = applyResidual(base, [3, 1, 4, 3]);
  assert.equal(b.tier, 'archive');
  assert.equal(b.codec, 'zstd');
});

test('every index in the space gives a valid action; indices outside it fail with a clear error', () => {
  assert.deepEqual([...residualActionSpace.nvec], [...RESIDUAL_NVEC]);
  for (let e = 0; e < RESIDUAL_NVEC[0]; e++) for (let t = 0; t < RESIDUAL_NVEC[2]; t++) {
    const a = applyResidual({ executors: 1, memoryGb: 8, tier: 'redis', codec: 'none' }, [e, 3, t, 2]);
    assert.ok(a.executors >= 1 && a.executors <= 20 && a.memoryGb >= 1 && a.memoryGb <= 8);
  }
  assert.throws(() => applyResidual(base, [12, 0, 0, 0]), (e: Error) => e instanceof InvalidActionValueError && /index 0 \(executor offset\).*\[0, 11\].*12/.test(e.message));
  assert.throws(() => applyResidual(base, [0, 0, 0]), /4 indices/);
  assert.throws(() => applyResidual(base, [0, 0.5, 0, 0]), /index 1 \(memory offset\)/);
});

test('a residual with a negative index or more than 4 indices is refused', () => {
  assert.throws(() => applyResidual(base, [-1, 0, 0, 0]), (e: Error) => e instanceof InvalidActionValueError && /index 0 \(executor offset\).*got -1/.test(e.message));
  assert.throws(() => applyResidual(base, [3, 1, -1, 0]), /index 2 \(tier\)/);
  assert.throws(() => applyResidual(base, [3, 1, 0, 0, 0]), /4 indices/);
  assert.throws(() => applyResidual(base, [3, 1, 0, 4]), /index 3 \(codec\) must be an integer in \[0, 3\]/);
});
