import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_DEVICES, DEFAULT_MAX_GIVEN_UP_SEQS, DEFAULT_WINDOW_SEQS, SeqDeduper } from './dedup.ts';

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

test('memory stays bounded after a permanent gap (a seq rejected upstream never arrives)', () => {
  const d = new SeqDeduper({ windowSeqs: 64, maxGivenUpSeqs: 16 });
  d.accept('a', 0);
  for (let seq = 2; seq <= 100_000; seq++) assert.equal(d.accept('a', seq), true);
  assert.equal(d.unique, 100_000);
  assert.ok(d.trackedSeqs <= 1, `tracked ${d.trackedSeqs} seqs after 1e5 messages behind one gap`);
  assert.equal(d.givenUp, 1);
  assert.equal(d.contiguous('a'), 1, 'seq 1 is still missing');
  assert.deepEqual([...d.gaps()], [['a', [1]]]);
  assert.equal(d.maxSeq('a'), 100_000);
});

test('memory stays bounded with the default window when every 10th seq never arrives', () => {
  const d = new SeqDeduper();
  let peakTracked = 0;
  for (let seq = 0; seq < 200_000; seq++) {
    if (seq % 10 !== 1) d.accept('a', seq);
    if (seq % 1000 === 0) peakTracked = Math.max(peakTracked, d.trackedSeqs);
  }
  assert.ok(peakTracked <= DEFAULT_WINDOW_SEQS + DEFAULT_MAX_GIVEN_UP_SEQS, `peak ${peakTracked} tracked seqs`);
  assert.ok(d.forgotten > 0, 'the oldest given-up seqs were forgotten');
  assert.equal(d.givenUp - d.forgotten, DEFAULT_MAX_GIVEN_UP_SEQS, 'the bound is full');
  assert.equal(d.contiguous('a'), 1);
});

test('a late arrival of a given-up seq within the bound is accepted once', () => {
  const d = new SeqDeduper({ windowSeqs: 8 });
  d.accept('a', 0);
  for (let seq = 2; seq <= 20; seq++) d.accept('a', seq);
  assert.equal(d.givenUp, 1, 'seq 1 fell out of the window');
  assert.equal(d.contiguous('a'), 1);
  assert.equal(d.accept('a', 1), true, 'late, but never seen');
  assert.equal(d.accept('a', 1), false, 'a copy of it is a duplicate');
  assert.equal(d.lateArrivals, 1);
  assert.equal(d.contiguous('a'), 21);
  assert.equal(d.gaps().size, 0);
  assert.equal(d.trackedSeqs, 0);
});

test('past the given-up bound the oldest is forgotten: its late copy counts as a duplicate, the newer are still accepted', () => {
  const d = new SeqDeduper({ windowSeqs: 4, maxGivenUpSeqs: 2 });
  // Seqs 1, 3 and 5 never arrive in time.
  for (const seq of [0, 2, 4, 6, 7, 8, 9, 10, 11, 12]) d.accept('a', seq);
  assert.equal(d.givenUp, 3);
  assert.equal(d.forgotten, 1);
  assert.deepEqual(d.gaps().get('a'), [3, 5]);
  assert.equal(d.accept('a', 1), false, 'forgotten: indistinguishable from a copy');
  assert.equal(d.accept('a', 3), true);
  assert.equal(d.accept('a', 5), true);
  assert.equal(d.contiguous('a'), 1, 'a forgotten seq stops contiguous for good');
  assert.ok(d.trackedSeqs <= 4 + 2);
});

test('a redelivery is still a duplicate, inside the window and after the watermark has moved past it', () => {
  const d = new SeqDeduper({ windowSeqs: 8 });
  // Out of order, with seq 3 lost: the window moves past seqs seen out of order.
  for (const seq of [0, 1, 2, 5, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]) assert.equal(d.accept('a', seq, 1000 + seq), true);
  assert.equal(d.givenUp, 1);
  for (const seq of [0, 2, 4, 5, 9, 15]) assert.equal(d.accept('a', seq, 1000 + seq), false, `seq ${seq}`);
  assert.equal(d.duplicates, 6);
  assert.equal(d.restarts, 0);
  assert.ok(d.trackedSeqs <= 8);
});

test('a restarted device (seq back to 0 with a later sentAtMs) is accepted and counted', () => {
  const d = new SeqDeduper();
  for (let seq = 0; seq < 10; seq++) d.accept('a', seq, 1000 + seq);
  assert.equal(d.accept('a', 0, 5000), true, 'new boot');
  assert.equal(d.restarts, 1);
  assert.equal(d.contiguous('a'), 1, 'counts the new run');
  assert.equal(d.maxSeq('a'), 0);
  for (let seq = 1; seq < 15; seq++) assert.equal(d.accept('a', seq, 5000 + seq), true, `new seq ${seq}`);
  assert.equal(d.accept('a', 3, 5003), false, 'a re-send in the new run is a duplicate');
  assert.equal(d.restarts, 1);
  assert.equal(d.unique, 25);
  assert.equal(d.contiguous('a'), 15);
  assert.equal(d.accept('b', 0, 9000), true, 'other devices are unaffected');
  assert.equal(d.restarts, 1);
});

test('a re-send with the same old sentAtMs is still a duplicate, not a restart', () => {
  const d = new SeqDeduper();
  for (let seq = 0; seq < 10; seq++) d.accept('a', seq, 1000 + seq);
  assert.equal(d.accept('a', 3, 1003), false);
  assert.equal(d.accept('a', 9, 1009), false, 'equal to the latest sentAtMs is not later');
  assert.equal(d.accept('a', 0), false, 'without sentAtMs a seen seq is a duplicate');
  assert.equal(d.restarts, 0);
  assert.equal(d.duplicates, 3);
  assert.equal(d.contiguous('a'), 10);
});

test('after a restart an old message is judged by its own run: a copy is a duplicate, a first arrival is accepted', () => {
  const d = new SeqDeduper();
  for (const seq of [0, 1, 2, 3, 5, 6]) d.accept('a', seq, 1000 + seq); // seq 4 still in flight
  assert.equal(d.accept('a', 0, 5000), true);
  assert.equal(d.restarts, 1);
  assert.equal(d.accept('a', 5, 1005), false, 'old seq 5, redelivered');
  assert.equal(d.accept('a', 4, 1004), true, 'old seq 4, arriving for the first time');
  assert.equal(d.accept('a', 4, 1004), false);
  assert.equal(d.accept('a', 4, 5004), true, 'new seq 4 is another message');
  assert.equal(d.accept('a', 4, 5004), false);
  assert.equal(d.restarts, 1);
  assert.equal(d.unique, 9);
});

test('an old message sent after the last one seen from the old run lands in the new run (documented limit: one extra restart, no double count)', () => {
  const d = new SeqDeduper();
  for (let seq = 0; seq < 7; seq++) d.accept('a', seq, 1000 + seq);
  assert.equal(d.accept('a', 0, 5000), true, 'reboot');
  assert.equal(d.accept('a', 7, 1007), true, 'old seq 7, sent after old seq 6, was in flight');
  for (let seq = 1; seq < 7; seq++) d.accept('a', seq, 5000 + seq);
  assert.equal(d.accept('a', 7, 5007), true, 'new seq 7 collides with old seq 7 but is later: taken as a restart');
  assert.equal(d.restarts, 2);
  assert.equal(d.accept('a', 3, 5003), false, 'the retired run is kept: its copies stay duplicates');
  assert.equal(d.accept('a', 7, 5007), false);
  assert.equal(d.unique, 7 + 1 + 1 + 6 + 1);
});

test('a device whose clock went backwards at boot is dropped as a duplicate until its clock passes the old one (documented limit)', () => {
  const d = new SeqDeduper();
  for (let seq = 0; seq < 100; seq++) d.accept('a', seq, 10_000 + seq);
  assert.equal(d.accept('a', 0, 500), false, 'boot clock behind');
  assert.equal(d.accept('a', 1, 10_099), false, 'not later than the latest seen');
  assert.equal(d.accept('a', 2, 10_100), true, 'clock caught up: restart');
  assert.equal(d.restarts, 1);
});

test('a far-ahead seq from another sender under the same id keeps memory bounded and does not silence the device', () => {
  const d = new SeqDeduper({ windowSeqs: 64, maxGivenUpSeqs: 32 });
  for (let seq = 0; seq < 10; seq++) d.accept('a', seq, 1000 + seq);
  assert.equal(d.accept('a', 9_000_000_000, 1010), true);
  assert.ok(d.trackedSeqs <= 64 + 32, `tracked ${d.trackedSeqs}`);
  assert.equal(d.contiguous('a'), 10);
  // The real device goes on: its next seqs are given-up ones still remembered ...
  for (let seq = 10; seq < 42; seq++) assert.equal(d.accept('a', seq, 1001 + seq), true, `seq ${seq}`);
  assert.equal(d.contiguous('a'), 42);
  // ... and past the bound its later sentAtMs starts a new run instead of dropping it.
  assert.equal(d.accept('a', 42, 1043), true);
  assert.equal(d.restarts, 1);
  assert.equal(d.maxSeq('a'), 42);
});

test('a device first seen far into its seqs (this process restarted, the device did not) is tracked from there', () => {
  // Before session 18 its run started at 0: every earlier seq was given up (996 M for 1000 devices a million in),
  // the window filled with its seqs one by one (80 KB a device) and gaps() listed thousands for each.
  const d = new SeqDeduper({ windowSeqs: 64, maxGivenUpSeqs: 16 });
  for (let seq = 1_000_000; seq < 1_000_200; seq++) assert.equal(d.accept('a', seq, seq), true);
  assert.deepEqual([d.givenUp, d.forgotten, d.trackedSeqs, d.gaps().size, d.joinedMidStream], [0, 0, 0, 0, 1]);
  assert.equal(d.contiguous('a'), 200, 'counted from the first seq seen');
  // A copy of a message from before is taken as seen; a gap after the join is a gap as usual.
  assert.equal(d.accept('a', 999_999, 999_999), false);
  assert.equal(d.accept('a', 1_000_201, 1_000_201), true);
  assert.deepEqual([...d.gaps()], [['a', [1_000_200]]]);
  // The device reboots: seq 0 with a later sentAtMs starts a new run from 0.
  assert.equal(d.accept('a', 0, 2_000_000), true);
  assert.deepEqual([d.restarts, d.contiguous('a')], [1, 1]);
  // A first seq below the window is the device's own start with a few lost: tracked from 0, as before.
  d.accept('b', 5);
  assert.deepEqual([d.joinedMidStream, d.contiguous('b'), d.gaps().get('b')], [1, 0, [0, 1, 2, 3, 4]]);
});

test('bad inputs throw clear errors naming the device', () => {
  const d = new SeqDeduper();
  assert.throws(() => d.accept('dev-7', 0, Number.NaN), /sentAtMs.*NaN.*dev-7/);
  assert.throws(() => d.accept('dev-7', 0, Number.POSITIVE_INFINITY), /sentAtMs.*dev-7/);
  assert.throws(() => d.accept('dev-7', 0, '1700000000000' as unknown as number), /sentAtMs.*dev-7/);
  assert.throws(() => d.accept(42 as unknown as string, 0), /deviceId must be a string/);
  assert.throws(() => new SeqDeduper({ windowSeqs: 0 }), /windowSeqs.*0/);
  assert.throws(() => new SeqDeduper({ windowSeqs: 1.5 }), /windowSeqs/);
  assert.throws(() => new SeqDeduper({ maxGivenUpSeqs: -1 }), /maxGivenUpSeqs/);
  assert.throws(() => new SeqDeduper({ maxDevices: 0 }), /maxDevices.*0/);
  assert.equal(d.unique, 0, 'a refused message is not counted');
});

test('a stream of ever-new device ids holds at most maxDevices; the devices still sending keep their state', () => {
  const d = new SeqDeduper({ maxDevices: 100 });
  // 10 devices keep sending while 10,000 one-message ids pass through.
  const steady = Array.from({ length: 10 }, (_, i) => `steady-${i}`);
  let seq = 0;
  for (let k = 0; k < 10_000; k++) {
    d.accept(`once-${k}`, 0);
    if (k % 50 === 0) {
      for (const id of steady) assert.equal(d.accept(id, seq), true);
      seq++;
    }
    assert.ok(d.deviceCount <= 100, `held ${d.deviceCount} devices at message ${k}`);
  }
  assert.equal(d.evicted, 10_000 + steady.length - 100);
  for (const id of steady) {
    assert.equal(d.contiguous(id), seq, `${id} kept its run`);
    assert.equal(d.accept(id, seq - 1), false, `${id}: a re-delivery is still a duplicate`);
  }
  assert.equal(d.duplicates, steady.length);
});

test('a forgotten device that sends again starts over (documented: an old copy is then accepted again)', () => {
  const d = new SeqDeduper({ maxDevices: 2 });
  d.accept('a', 0);
  d.accept('b', 0);
  d.accept('c', 0); // over the bound: one of a, b (not seen since they arrived) is forgotten
  assert.equal(d.deviceCount, 2);
  assert.equal(d.evicted, 1);
  const forgotten = d.maxSeq('a') === -1 ? 'a' : 'b';
  assert.equal(d.maxSeq(forgotten === 'a' ? 'b' : 'a'), 0, 'the other is still held');
  assert.equal(d.accept(forgotten, 0), true, 'its old message is new again');
  // The default bound is the largest fleet the demo runs.
  assert.equal(DEFAULT_MAX_DEVICES, 100_000);
});

test('the reorder window holds exactly windowSeqs seqs: the first seq a full window ahead of a gap gives the gap up', () => {
  const d = new SeqDeduper({ windowSeqs: 4 });
  for (const seq of [1, 2, 3]) assert.equal(d.accept('a', seq), true); // seq 0 missing; 0..3 fit in the window
  assert.equal(d.givenUp, 0);
  assert.deepEqual([...d.gaps()], [['a', [0]]]);
  assert.equal(d.accept('a', 4), true); // 0..4 would be five: seq 0 is given up
  assert.equal(d.givenUp, 1);
  assert.equal(d.trackedSeqs, 1, 'only the given-up seq 0 is held (1..4 are below the watermark)');
  assert.equal(d.contiguous('a'), 0);
  assert.equal(d.accept('a', 0), true, 'a late arrival of the given-up seq is accepted once');
  assert.equal(d.accept('a', 0), false);
  assert.equal(d.contiguous('a'), 5);
});

test('after a restart, a re-delivery of the old run\'s last message (same sentAtMs) is still a duplicate', () => {
  const d = new SeqDeduper();
  for (const [seq, t] of [[0, 1000], [1, 2000], [2, 3000]] as const) assert.equal(d.accept('a', seq, t), true);
  assert.equal(d.accept('a', 0, 5000), true, 'rebooted: seq 0 again, sent later');
  assert.equal(d.restarts, 1);
  assert.equal(d.accept('a', 2, 3000), false, 'the old seq 2 re-sent: its run saw it');
  assert.equal(d.accept('a', 1, 2000), false);
  assert.equal(d.unique, 4);
});

test('a device first seen exactly one window into its seqs joined mid-stream (nothing given up)', () => {
  const d = new SeqDeduper({ windowSeqs: 4 });
  assert.equal(d.accept('a', 4), true);
  assert.equal(d.joinedMidStream, 1);
  assert.equal(d.givenUp, 0);
  assert.equal(d.accept('a', 3), false, 'earlier seqs are taken as seen');
  assert.equal(d.contiguous('a'), 1);
  const e = new SeqDeduper({ windowSeqs: 4 });
  assert.equal(e.accept('b', 3), true);
  assert.equal(e.joinedMidStream, 0, 'below a window it is the device\'s own start with some messages lost');
  assert.deepEqual([...e.gaps()], [['b', [0, 1, 2]]]);
});
