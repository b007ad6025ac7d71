import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqDeduper } from './dedup.ts';

test('each (deviceId, seq) is accepted once, in or out of order', () => {
  const d = new SeqDeduper();
  assert.equal(d.accept('a', 0), true);
  assert.equal(d.accept('a', 0), false);
  assert.equal(d.accept('b', 0), true, 'the same seq of another device is a different message');
  assert.equal(d.accept('a', 2), true);
  assert.equal(d.accept('a', 2), false);
  assert.deepEqual([...d.gaps()], [['a', [1]]]);
  assert.equal(d.accept('a', 1), true);
  assert.equal(d.accept('a', 1), false);
  assert.equal(d.gaps().size, 0);
  assert.equal(d.unique, 4);
  assert.equal(d.duplicates, 3);
  assert.equal(d.maxSeq('a'), 2);
  assert.equal(d.maxSeq('zzz'), -1);
  assert.equal(d.deviceCount, 2);
});

test('a shuffled stream with re-deliveries counts every message exactly once', () => {
  const d = new SeqDeduper();
  const order: Array<[string, number]> = [];
  for (let s = 0; s < 500; s++) for (const id of ['x', 'y', 'z']) order.push([id, s], [id, (s * 7919) % 500]);
  let fresh = 0;
  for (const [id, s] of order) if (d.accept(id, s)) fresh++;
  assert.equal(fresh, 1500);
  assert.equal(d.unique, 1500);
  assert.equal(d.duplicates, 1500);
  assert.equal(d.gaps().size, 0);
});

test('bad sequence numbers are errors naming the device', () => {
  const d = new SeqDeduper();
  assert.throws(() => d.accept('dev-1', -1), /dev-1/);
  assert.throws(() => d.accept('dev-1', 1.5), /seq/);
});

test('contiguous counts a sender\'s own seqs 0, 1, 2, ... without a gap; a stranger\'s far-ahead seq does not raise it', () => {
  const d = new SeqDeduper();
  assert.equal(d.contiguous('a'), 0);
  for (const seq of [0, 1, 3]) d.accept('a', seq);
  assert.equal(d.contiguous('a'), 2, 'seq 2 is missing');
  d.accept('a', 9_000_000_000); // injected by someone else under the same device id
  assert.equal(d.contiguous('a'), 2);
  d.accept('a', 2);
  assert.equal(d.contiguous('a'), 4);
});
