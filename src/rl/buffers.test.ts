import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { ReplayBuffer, RolloutBuffer } from './buffers.ts';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('GAE matches hand-computed values across an episode boundary', () => {
  // 3 steps, 1 env, gamma 0.5, lambda 0.5. The episode ends after step 1 (episodeStarts[2] = 1).
  const buf = new RolloutBuffer(3, 1, 1, 1);
  const rewards = [1, 2, 3];
  const values = [0.5, 1, 1.5];
  const starts = [1, 0, 1];
  for (let t = 0; t < 3; t++) buf.add([t], [0], [rewards[t]!], [starts[t]!], [values[t]!], [0]);
  buf.computeReturnsAndAdvantage([2], [0], 0.5, 0.5);
  // t=2: delta = 3 + 0.5*2 - 1.5 = 2.5 -> A = 2.5
  // t=1: next is a new episode: delta = 2 - 1 = 1 -> A = 1
  // t=0: delta = 1 + 0.5*1 - 0.5 = 1; A = 1 + 0.25*1 = 1.25
  close(buf.advantages[0]!, 1.25);
  close(buf.advantages[1]!, 1);
  close(buf.advantages[2]!, 2.5);
  close(buf.returns[0]!, 1.75);
  close(buf.returns[1]!, 2);
  close(buf.returns[2]!, 4);
});

test('GAE with a done last step ignores the last value; two envs are independent', () => {
  const buf = new RolloutBuffer(2, 2, 1, 1);
  buf.add([0, 0], [0, 0], [1, 1], [1, 1], [0, 0], [0, 0]);
  buf.add([0, 0], [0, 0], [1, 1], [0, 0], [0, 0], [0, 0]);
  buf.computeReturnsAndAdvantage([10, 10], [1, 0], 0.9, 1);
  // env 0: last step done -> A1 = 1, A0 = 1 + 0.9*1 = 1.9
  // env 1: not done -> A1 = 1 + 9 = 10, A0 = 1 + 0.9*10 = 10
  close(buf.advantages[2]!, 1);
  close(buf.advantages[0]!, 1.9);
  close(buf.advantages[3]!, 10);
  close(buf.advantages[1]!, 10);
});

test('GAE truncation bootstrapping: a reward that already includes gamma*V(final obs) is used as is', () => {
  // SB3 adds gamma * V(terminal_observation) to the reward of a truncated step and then treats the step as done.
  const gamma = 0.99;
  const vFinal = 5;
  const buf = new RolloutBuffer(1, 1, 1, 1);
  buf.add([0], [0], [1 + gamma * vFinal], [0], [2], [0]);
  buf.computeReturnsAndAdvantage([123], [1], gamma, 0.95);
  close(buf.advantages[0]!, 1 + gamma * vFinal - 2);
  close(buf.returns[0]!, 1 + gamma * vFinal);
});

test('RolloutBuffer refuses to overflow', () => {
  const buf = new RolloutBuffer(1, 1, 1, 1);
  buf.add([0], [0], [0], [0], [0], [0]);
  assert.throws(() => buf.add([0], [0], [0], [0], [0], [0]), /full/);
});

test('ReplayBuffer wraps around and samples stored transitions', () => {
  const rb = new ReplayBuffer(3, 1, 1);
  for (let i = 0; i < 5; i++) rb.add([i], [i + 1], [i / 10], i, i === 4);
  assert.equal(rb.size, 3);
  const out = { obs: new Float64Array(50), nextObs: new Float64Array(50), actions: new Float64Array(50), rewards: new Float64Array(50), dones: new Float64Array(50) };
  rb.sample(50, new Rng(1), out);
  for (let b = 0; b < 50; b++) {
    assert.ok([2, 3, 4].includes(out.obs[b]!));
    assert.equal(out.nextObs[b], out.obs[b]! + 1);
    assert.equal(out.rewards[b], out.obs[b]);
    assert.equal(out.dones[b], out.obs[b] === 4 ? 1 : 0);
  }
});
