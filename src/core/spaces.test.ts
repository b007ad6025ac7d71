import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, checkMember, discrete, flatSize, multiDiscrete, sample } from './spaces.ts';
import { Rng } from './rng.ts';

test('samples are members of their space', () => {
  const rng = new Rng(3);
  const spaces = [box(-1, 1, [3]), discrete(4), multiDiscrete([20, 8, 4, 3])];
  for (const s of spaces) for (let i = 0; i < 100; i++) assert.equal(checkMember(s, sample(s, rng)), null);
});

test('membership errors say what is wrong', () => {
  assert.match(checkMember(discrete(2), 2)!, /outside \[0, 2\)/);
  assert.match(checkMember(multiDiscrete([2, 2]), [0, 5])!, /element 1 = 5/);
  assert.match(checkMember(box(0, 1, [2]), [0.5, Number.NaN])!, /not a number/);
  assert.match(checkMember(box(0, 1, [2]), [0.5])!, /expected length 2/);
});

test('space constructors refuse bounds and sizes that describe no space', () => {
  assert.throws(() => box(Number.NaN, 1, [2]), /low\[0\]=NaN must not exceed high\[0\]=1/);
  assert.throws(() => box(2, 1), /must not exceed/);
  assert.throws(() => discrete(2.5), /positive integer, got 2.5/);
  assert.throws(() => discrete(0), /positive integer, got 0/);
  assert.throws(() => multiDiscrete([3, 0]), /every entry must be a positive integer, got 0/);
  assert.throws(() => multiDiscrete([3, 1.5]), /got 1.5/);
});

test('a box of shape [2, 3] has 6 elements and flatSize counts them; a Discrete sample has flat size 1', () => {
  const b = box(0, 1, [2, 3]);
  assert.equal(b.low.length, 6);
  assert.equal(flatSize(b), 6);
  assert.deepEqual(b.shape, [2, 3]);
  assert.equal(flatSize(discrete(5)), 1);
  assert.equal(flatSize(multiDiscrete([20, 8, 4, 3])), 4);
});

test('membership: bounds are inclusive for a box, [0, n) for discrete spaces, and a one-element array is a Discrete value', () => {
  assert.equal(checkMember(box(0, 1, [2]), [0, 1]), null, 'both box bounds are members');
  assert.match(checkMember(box(0, 1, [2]), [0, 1.01])!, /element 1 = 1.01 is outside \[0, 1\]/);
  assert.equal(checkMember(discrete(3), [2]), null);
  assert.equal(checkMember(discrete(3), Int32Array.of(0)), null);
  assert.match(checkMember(discrete(3), -1)!, /value -1 is outside \[0, 3\)/);
  assert.match(checkMember(discrete(3), 1.5)!, /expected an integer/);
  assert.match(checkMember(multiDiscrete([2, 2]), [-1, 0])!, /element 0 = -1 is not an integer in \[0, 2\)/);
  assert.match(checkMember(multiDiscrete([2, 2]), [0, 0.5])!, /element 1 = 0.5/);
  assert.match(checkMember(multiDiscrete([2, 2]), 1)!, /expected an array of length 2/);
});

test('samples reach every value of a discrete space; an unbounded box samples finite normals', () => {
  const rng = new Rng(4);
  const md = multiDiscrete([3, 2]);
  const seen = [new Set<number>(), new Set<number>()];
  const d = new Set<number>();
  for (let i = 0; i < 300; i++) {
    const s = sample(md, rng) as Int32Array;
    seen[0]!.add(s[0]!);
    seen[1]!.add(s[1]!);
    d.add(sample(discrete(4), rng) as number);
  }
  assert.deepEqual([seen[0]!.size, seen[1]!.size, d.size], [3, 2, 4], 'every index drawn');
  const unbounded = box(-Infinity, Infinity, [3]);
  for (let i = 0; i < 20; i++) {
    const x = sample(unbounded, rng) as Float32Array;
    assert.ok(Array.from(x).every(Number.isFinite), `finite sample ${Array.from(x)}`);
  }
});

test('a box bound that float32 cannot hold exactly is compared in float32, as Gymnasium does', () => {
  // 0.1 and 0.7 are stored as 0.100000001... and 0.699999988...; the numbers a user writes must still be members.
  assert.equal(checkMember(box(0.1, 0.7), [0.1]), null);
  assert.equal(checkMember(box(0.1, 0.7), [0.7]), null);
  assert.match(checkMember(box(0.1, 0.7), [0.0999999])!, /element 0 = 0.0999999 is outside/);
  assert.match(checkMember(box(0.1, 0.7), [0.7000001])!, /element 0 = 0.7000001 is outside/);
});
