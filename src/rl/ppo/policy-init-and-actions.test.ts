/** SB3 ActorCriticPolicy details: orthogonal init gains, Box action clipping before env.step, initialAction bounds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.ts';
import { box, discrete, multiDiscrete } from '../../core/spaces.ts';
import { ActorCriticPolicy } from './policy.ts';

const arch = { piLayers: [8], vfLayers: [8], activation: 'tanh' as const, orthoInit: true, logStdInit: 0 };

/** Squared norms of the rows of a rows x cols block at `off`. */
function rowNorms2(p: Float64Array, off: number, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += p[off + r * cols + c]! ** 2;
    out.push(s);
  }
  return out;
}

test('orthogonal init gains: sqrt(2) for hidden layers, 0.01 for the action head, 1 for the value head; zero biases', () => {
  const policy = new ActorCriticPolicy(box(-1, 1, [1]), discrete(3), arch, 1, false);
  policy.init(new Rng(5));
  // Actor [1 -> 8 -> 3]: W0 (8x1) at 0, b0 at 8, W1 (3x8) at 16, b1 at 40. Critic [1 -> 8 -> 1]: W1 (1x8) at 16, b1 at 24.
  const a = policy.actor.params;
  let col = 0;
  for (let r = 0; r < 8; r++) col += a[r]! ** 2;
  assert.ok(Math.abs(col - 2) < 1e-12, `hidden column norm^2 ${col}`);
  for (const n of rowNorms2(a, 16, 3, 8)) assert.ok(Math.abs(n - 0.01 ** 2) < 1e-15, `action head row norm^2 ${n}`);
  const c = policy.critic.params;
  for (const n of rowNorms2(c, 16, 1, 8)) assert.ok(Math.abs(n - 1) < 1e-12, `value head row norm^2 ${n}`);
  assert.deepEqual([...a.subarray(8, 16), ...a.subarray(40, 43), ...c.subarray(8, 16), c[24]], new Array(20).fill(0));
});

test('Box actions are clipped to both bounds before they reach the env (the stored action is not)', () => {
  const policy = new ActorCriticPolicy(box([-1, 0], [1, 2], [2]), box([-1, 0], [1, 2], [2]), arch, 1, false);
  const stored = Float64Array.of(9, -3, -7, 5);
  assert.deepEqual(Array.from(policy.toEnvAction(stored, 0) as Float32Array), [1, 0]);
  assert.deepEqual(Array.from(policy.toEnvAction(stored, 2) as Float32Array), [-1, 2]);
  assert.deepEqual(Array.from(stored), [9, -3, -7, 5]);
});

test('initialAction refuses an index equal to the number of choices', () => {
  const policy = new ActorCriticPolicy(box(-1, 1, [1]), multiDiscrete([3, 2]), arch, 1, false);
  assert.throws(() => policy.init(new Rng(1), { action: [0, 2], logit: 3 }), /initialAction\.action\[1\] = 2 is outside the component's 2 choices/);
  policy.init(new Rng(1), { action: [2, 1], logit: 3 });
  // Actor [1 -> 8 -> 5]: the action head's biases (3 + 2 logits) at 56..60; index 2 of head 0 and index 1 of head 1.
  assert.deepEqual(Array.from(policy.actor.params.subarray(56, 61)), [0, 0, 3, 0, 3]);
});
