import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, checkMember, discrete, multiDiscrete, sample } from './spaces.ts';
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
