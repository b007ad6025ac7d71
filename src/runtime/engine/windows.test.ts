import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from './windows.ts';
import type { ShuffleRecord } from './records.ts';

const OPTS = { windowMs: 30_000, watermarkMs: 10_000, idleCloseMs: 60_000 };

function rec(deviceId: string, sentAtMs: number, heartRate: number, spo2 = 97): ShuffleRecord {
  return { deviceId, scenario: 'healthcare', kind: 'healthcare', type: 'vitals', sentAtMs, receivedAtMs: sentAtMs, readings: [heartRate, spo2, 120, 36.8] };
}

test('windows: tumbling 30 s windows close when the per-device watermark (max event - 10 s) passes their end (golden)', () => {
  const w = new WindowStore(OPTS);
  // Batch 1: two events in [0, 30 s), one in [30, 60 s).
  assert.equal(w.add(rec('a', 1_000, 60), 0), 'merged');
  assert.equal(w.add(rec('a', 29_000, 80), 0), 'merged');
  assert.equal(w.add(rec('a', 31_000, 100), 0), 'merged');
  // Watermark 31 s - 10 s = 21 s < 30 s: nothing closes yet.
  assert.deepEqual(w.endBatch(0), []);
  assert.equal(w.watermarkOf('a'), 21_000);
  assert.equal(w.openWindows, 2);
  // Batch 2: an event at 45 s moves the watermark to 35 s: window [0, 30 s) closes, [30, 60 s) stays open.
  w.add(rec('a', 45_000, 90), 0);
  const closed = w.endBatch(0);
  assert.equal(closed.length, 1);
  const agg = closed[0]!;
  assert.equal(agg.windowStartMs, 0);
  assert.equal(agg.windowEndMs, 30_000);
  assert.equal(agg.count, 2);
  assert.deepEqual(agg.readings.heartRateBpm, { count: 2, mean: 70, min: 60, max: 80 });
  assert.deepEqual(agg.readings.spo2Percent, { count: 2, mean: 97, min: 97, max: 97 });
  assert.equal(agg.closedBy, 'watermark');
  assert.equal(agg.watermarkMs, 35_000);
  assert.equal(w.openWindows, 1);
});

test('windows: data for a closed window is late; data inside the watermark is still merged', () => {
  const w = new WindowStore(OPTS);
  w.add(rec('a', 1_000, 60), 0);
  w.add(rec('a', 45_000, 90), 0);
  assert.equal(w.endBatch(0).length, 1, '[0, 30 s) closes at watermark 35 s');
  // 5 s and 25 s belong to the closed window: late. 32 s belongs to [30, 60 s), still open: merged.
  assert.equal(w.add(rec('a', 5_000, 70), 0), 'late');
  assert.equal(w.add(rec('a', 25_000, 70), 0), 'late');
  assert.equal(w.add(rec('a', 32_000, 70), 0), 'merged');
  const rest = w.flushAll();
  assert.equal(rest.length, 1);
  assert.equal(rest[0]!.windowStartMs, 30_000);
  assert.equal(rest[0]!.count, 2, '45 s and 32 s');
  assert.deepEqual(rest[0]!.readings.heartRateBpm, { count: 2, mean: 80, min: 70, max: 90 });
  assert.equal(rest[0]!.closedBy, 'stop');
});

test('windows: the watermark of a batch is the one from the end of the previous batch (Spark semantics)', () => {
  const w = new WindowStore(OPTS);
  w.add(rec('a', 1_000, 60), 0);
  w.endBatch(0);
  // In one batch: an event at 100 s, then one at 2 s. The watermark is still -9 s when 2 s arrives: merged.
  w.add(rec('a', 100_000, 60), 0);
  assert.equal(w.add(rec('a', 2_000, 62), 0), 'merged');
  const closed = w.endBatch(0);
  assert.deepEqual(closed.map((c) => [c.windowStartMs, c.count]), [[0, 2]]);
});

test('windows: watermarks are per device; another device is not judged by it', () => {
  const w = new WindowStore(OPTS);
  w.add(rec('fast', 100_000, 60), 0);
  w.add(rec('slow', 1_000, 60), 0);
  w.endBatch(0);
  assert.equal(w.add(rec('slow', 2_000, 61), 0), 'merged', 'slow device still in its first window');
  assert.equal(w.add(rec('fast', 2_000, 61), 0), 'late');
});

test('windows: a silent device has its windows closed after idleCloseMs, and stragglers for them are late', () => {
  const w = new WindowStore(OPTS);
  w.add(rec('a', 1_000, 60), 1_000);
  assert.deepEqual(w.endBatch(1_000), []);
  assert.deepEqual(w.endBatch(60_999), [], 'not yet idle long enough');
  const closed = w.endBatch(61_000);
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.closedBy, 'idle');
  assert.equal(w.add(rec('a', 2_000, 60), 61_000), 'late', 'an emitted window is never reopened');
});

test('windows: closed windows come out sorted by start, device, type; NaN readings are skipped', () => {
  const w = new WindowStore(OPTS);
  w.add({ ...rec('b', 1_000, 60) }, 0);
  w.add({ ...rec('a', 31_000, 60) }, 0);
  w.add({ ...rec('a', 1_000, Number.NaN) }, 0);
  const all = w.flushAll();
  assert.deepEqual(all.map((c) => `${c.windowStartMs}/${c.deviceId}`), ['0/a', '0/b', '30000/a']);
  assert.equal(all[0]!.count, 1);
  assert.equal(all[0]!.readings.heartRateBpm, undefined, 'no heart-rate value in that window');
  assert.deepEqual(all[0]!.readings.spo2Percent, { count: 1, mean: 97, min: 97, max: 97 });
  assert.equal(w.openWindows, 0);
  assert.equal(w.stateBytesEstimate, 0);
});

test('windows: bad options are refused with the option named', () => {
  assert.throws(() => new WindowStore({ ...OPTS, windowMs: 0 }), /windowMs must be > 0/);
  assert.throws(() => new WindowStore({ ...OPTS, watermarkMs: -1 }), /watermarkMs must be >= 0/);
});

test('windows: a reading from a clock far ahead cannot push the watermark past now + maxClockSkewMs', () => {
  const w = new WindowStore({ ...OPTS, maxClockSkewMs: 60_000 });
  const now = 1_000_000;
  w.add(rec('a', now, 70), now);
  w.add(rec('a', now + 86_400_000, 70), now); // a day ahead
  w.endBatch(now);
  assert.equal(w.watermarkOf('a'), now + 60_000 - 10_000);
  // A minute later the device's readings (window [1,050 s, 1,080 s)) are on time again.
  assert.equal(w.add(rec('a', now + 55_000, 71), now + 55_000), 'merged', 'the device is not judged by its bad reading');
  const pure = new WindowStore(OPTS);
  pure.add(rec('a', now + 86_400_000, 70), now);
  pure.endBatch(now);
  assert.equal(pure.add(rec('a', now + 55_000, 71), now + 55_000), 'late', 'without the guard (Spark semantics) it is');
});

test('windows: a device that sends again after an idle close never moves its watermark back (a straggler stays late)', () => {
  const w = new WindowStore(OPTS);
  w.add(rec('a', 5_000, 60), 5_000);
  w.endBatch(5_000);
  assert.equal(w.endBatch(65_000)[0]!.closedBy, 'idle'); // [0, 30 s) emitted; watermark 30 s
  assert.equal(w.watermarkOf('a'), 30_000);
  assert.equal(w.add(rec('a', 31_000, 61), 66_000), 'merged'); // max event 31 s: 31 - 10 = 21 s < 30 s
  w.endBatch(66_000);
  assert.equal(w.watermarkOf('a'), 30_000);
  assert.equal(w.add(rec('a', 10_000, 62), 67_000), 'late', 'the emitted window [0, 30 s) is not opened again');
});

test('windows: idleCloseMs counts from the device\'s latest reading, not its first', () => {
  const w = new WindowStore(OPTS);
  w.add(rec('a', 1_000, 60), 1_000);
  w.endBatch(1_000);
  w.add(rec('a', 2_000, 61), 50_000); // heard from again at 50 s (same window, still open)
  w.endBatch(50_000);
  assert.deepEqual(w.endBatch(109_999), [], 'silent for less than 60 s since 50 s');
  const closed = w.endBatch(110_000);
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.count, 2);
  assert.equal(closed[0]!.closedBy, 'idle');
});

test('windows: ids that change on every restart do not grow the store past maxDevices; devices with open windows and the most recently seen are kept', () => {
  const w = new WindowStore({ ...OPTS, maxDevices: 10 });
  // 100 incarnations, one reading each, 10 s of processing time apart: each goes idle and is closed 60 s later.
  for (let i = 0; i < 100; i++) {
    const now = i * 10_000;
    assert.equal(w.add(rec(`dev-${i}`, now, 60), now), 'merged');
    w.endBatch(now);
    assert.ok(w.devicesHeld <= 10 + 1, `held ${w.devicesHeld} devices at incarnation ${i}`);
  }
  assert.ok(w.devicesForgotten >= 89, `forgot ${w.devicesForgotten}`);
  // The newest incarnation still has its window open and is held, with its watermark (its reading's time - 10 s).
  assert.ok(w.openWindows >= 1);
  assert.equal(w.watermarkOf('dev-99'), 990_000 - 10_000);
  assert.notEqual(w.watermarkOf('dev-95'), Number.NEGATIVE_INFINITY, 'a recently seen device is still held');
  // The oldest were forgotten: a forgotten device that sends again starts over.
  assert.equal(w.watermarkOf('dev-0'), Number.NEGATIVE_INFINITY);
  assert.equal(w.add(rec('dev-0', 0, 60), 1_000_000), 'merged', 'a forgotten device starts over');
});

test('windows: under the cap nothing is forgotten, however long a device is silent', () => {
  const w = new WindowStore({ ...OPTS, maxDevices: 10 });
  for (let i = 0; i < 10; i++) w.add(rec(`dev-${i}`, 0, 60), 0);
  w.endBatch(0);
  w.endBatch(10_000_000); // every window idle-closed long ago
  assert.equal(w.devicesHeld, 10);
  assert.equal(w.devicesForgotten, 0);
  assert.equal(w.add(rec('dev-3', 1_000, 60), 10_000_000), 'late', 'a straggler for an idle-closed window stays late');
});

test('windows: maxDevices must be an integer >= 1', () => {
  assert.throws(() => new WindowStore({ ...OPTS, maxDevices: 0 }), /maxDevices must be an integer >= 1, got 0/);
});
