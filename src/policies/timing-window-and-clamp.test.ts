/**
 * The helpers the baselines share (timing.ts): clampExecutors rounds into [1, 20] and maps a non-finite count to the
 * minimum; Window keeps the last `size` values, oldest first, and its statistics are over what it holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampExecutors, secondsToSteps, Window } from './timing.ts';

test('clampExecutors rounds to the nearest count inside [1, 20]; NaN and infinities give the minimum', () => {
  assert.equal(clampExecutors(4.4), 4);
  assert.equal(clampExecutors(4.5), 5);
  assert.equal(clampExecutors(0.2), 1);
  assert.equal(clampExecutors(0), 1);
  assert.equal(clampExecutors(20.4), 20);
  assert.equal(clampExecutors(25), 20);
  assert.equal(clampExecutors(Number.NaN), 1);
  assert.equal(clampExecutors(Number.POSITIVE_INFINITY), 1);
  assert.equal(clampExecutors(Number.NaN, 3, 8), 3);
  assert.equal(clampExecutors(9, 3, 8), 8);
  assert.equal(clampExecutors(2, 3, 8), 3);
});

test('secondsToSteps refuses a non-positive interval and negative seconds, and accepts 0 s', () => {
  assert.throws(() => secondsToSteps(10, 0), /controlIntervalS must be > 0, got 0/);
  assert.throws(() => secondsToSteps(-1, 10), /seconds must be >= 0, got -1/);
  assert.equal(secondsToSteps(0, 10), 1);
  assert.equal(secondsToSteps(29, 10), 3);
  assert.equal(secondsToSteps(34, 10), 3);
});

test('Window keeps the last size values oldest first; full only at size; mean/min/max over what it holds', () => {
  assert.throws(() => new Window(0), /size must be an integer >= 1, got 0/);
  assert.throws(() => new Window(1.5), /size must be an integer >= 1/);
  const w = new Window(3);
  assert.equal(w.mean(), 0);
  assert.equal(w.min(), 0);
  assert.equal(w.max(), 0);
  w.push(5);
  assert.equal(w.length, 1);
  assert.equal(w.full, false);
  assert.equal(w.mean(), 5); // over the one value held, not the size
  w.push(2);
  assert.equal(w.full, false);
  w.push(8);
  assert.equal(w.full, true);
  assert.deepEqual([...w.items()], [5, 2, 8]);
  w.push(4); // 5 drops out
  assert.deepEqual([...w.items()], [2, 8, 4]);
  assert.equal(w.length, 3);
  assert.equal(w.full, true);
  assert.equal(w.mean(), 14 / 3);
  assert.equal(w.min(), 2);
  assert.equal(w.max(), 8);
  w.addToAll(-2);
  assert.deepEqual([...w.items()], [0, 6, 2]);
  w.clear();
  assert.equal(w.length, 0);
  assert.equal(w.full, false);
  assert.deepEqual([...w.items()], []);
});

test('a Window of size 1 holds only the latest value', () => {
  const w = new Window(1);
  w.push(3);
  w.push(7);
  assert.deepEqual([...w.items()], [7]);
  assert.equal(w.full, true);
  assert.equal(w.min(), 7);
});
