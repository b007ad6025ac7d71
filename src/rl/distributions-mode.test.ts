import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categorical, multiCategorical } from './distributions.ts';

test('the deterministic action of tied logits is the first maximum, like torch.argmax', () => {
  const out = new Float64Array(1);
  categorical(4).mode([1, 3, 3, -2], 0, out, 0);
  assert.equal(out[0], 1);
  categorical(3).mode([0, 0, 0], 0, out, 0);
  assert.equal(out[0], 0);
  const two = new Float64Array(2);
  multiCategorical([2, 3]).mode([5, 5, 1, 4, 4], 0, two, 0);
  assert.deepEqual(Array.from(two), [0, 1]);
});
