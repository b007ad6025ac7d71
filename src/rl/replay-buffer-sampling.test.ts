import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { ReplayBuffer } from './buffers.ts';

const outFor = (n: number, O: number, A: number) => ({ obs: new Float64Array(n * O), nextObs: new Float64Array(n * O), actions: new Float64Array(n * A), rewards: new Float64Array(n), dones: new Float64Array(n) });

test('ReplayBuffer.sample draws row j = rng.int(size) per sample, over every stored row (the newest included)', () => {
  const rb = new ReplayBuffer(4, 2, 1);
  for (let i = 0; i < 4; i++) rb.add([i, -i], [i + 0.5, -i - 0.5], [i * 10], i * 100, i === 3);
  const B = 64;
  const out = outFor(B, 2, 1);
  rb.sample(B, new Rng(7), out);
  const twin = new Rng(7);
  const seen = new Set<number>();
  for (let b = 0; b < B; b++) {
    const j = twin.int(4);
    seen.add(j);
    assert.deepEqual([out.obs[2 * b], out.obs[2 * b + 1]], [j, -j]);
    assert.deepEqual([out.nextObs[2 * b], out.nextObs[2 * b + 1]], [j + 0.5, -j - 0.5]);
    assert.equal(out.actions[b], j * 10);
    assert.equal(out.rewards[b], j * 100);
    assert.equal(out.dones[b], j === 3 ? 1 : 0);
  }
  assert.equal(seen.size, 4, 'all four rows, the last one included, are drawn');
});

test('ReplayBuffer wrap-around: the oldest row is overwritten in place and size stays at capacity', () => {
  const rb = new ReplayBuffer(3, 1, 1);
  for (let i = 0; i < 3; i++) rb.add([i], [i], [i], i, false);
  assert.equal(rb.full, true);
  assert.equal(rb.pos, 0);
  rb.add([9], [9], [9], 9, true);
  assert.equal(rb.pos, 1);
  assert.equal(rb.size, 3);
  assert.deepEqual(Array.from(rb.obs), [9, 1, 2]);
  assert.deepEqual(Array.from(rb.dones), [1, 0, 0]);
  assert.throws(() => new ReplayBuffer(2, 1, 1).sample(1, new Rng(1), outFor(1, 1, 1)), /buffer is empty/);
});
