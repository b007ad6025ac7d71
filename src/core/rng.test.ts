import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.ts';

test('same seed gives the same stream, different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 5 }, () => a.next());
  const xb = Array.from({ length: 5 }, () => b.next());
  const xc = Array.from({ length: 5 }, () => c.next());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('fork does not advance the parent and is label-specific', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  a.fork('arrivals');
  assert.equal(a.next(), b.next());
  const f1 = new Rng(7).fork('arrivals').next();
  const f2 = new Rng(7).fork('arrivals').next();
  const f3 = new Rng(7).fork('coldstart').next();
  assert.equal(f1, f2);
  assert.notEqual(f1, f3);
});

test('uniform draws have the right mean and normal draws the right moments', () => {
  const r = new Rng(1);
  let s = 0;
  let s2 = 0;
  let u = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    u += r.next();
  }
  assert.ok(Math.abs(s / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.01);
  assert.ok(Math.abs(u / n - 0.5) < 0.005);
});

test('state round-trips', () => {
  const r = new Rng(9);
  r.normal();
  const st = r.getState();
  const x = [r.next(), r.normal()];
  r.setState(st);
  assert.deepEqual([r.next(), r.normal()], x);
});

test('rejects a non-finite seed with a clear error', () => {
  assert.throws(() => new Rng(Number.NaN), /seed must be a finite number/);
});
