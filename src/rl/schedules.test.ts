import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSchedule } from './schedules.ts';

test('a constant schedule returns the constant at every progress; a non-finite constant is refused', () => {
  const f = makeSchedule(3e-4, 'learningRate');
  for (const p of [1, 0.5, 0.05, 0]) assert.equal(f(p), 3e-4);
  assert.throws(() => makeSchedule(Number.NaN, 'learningRate'), /learningRate: expected a finite number, got NaN/);
  assert.throws(() => makeSchedule(Infinity, 'clipRange'), /clipRange: expected a finite number, got Infinity/);
});

test('lin_X is X * progress_remaining all the way down to 0 (no floor)', () => {
  const f = makeSchedule('lin_0.001', 'learningRate');
  assert.equal(f(1), 0.001);
  assert.equal(f(0.5), 0.0005);
  assert.equal(f(0.05), 0.05 * 0.001);
  assert.equal(f(0.01), 0.01 * 0.001);
  assert.equal(f(0), 0);
  assert.equal(makeSchedule('lin_2.5e-4', 'lr')(0.2), 0.2 * 2.5e-4);
});

test('a schedule string must be exactly lin_<number>', () => {
  for (const bad of ['xlin_0.1', 'lin_0.1x', 'lin_', 'lin_abc', 'const_0.1', ' lin_0.1']) {
    assert.throws(() => makeSchedule(bad, 'clipRange'), /clipRange: expected a number or "lin_<value>"/, bad);
  }
});
