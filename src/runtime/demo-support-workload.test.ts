/**
 * demoWorkload's documented defaults and bounds (src/runtime/demo-support.ts, docs/DEMO.md): rates divided by 50, a
 * series of 4 h that then repeats, one rate per whole second, the demo started 45 s before the FIRST burst after its
 * lead-in, and no burst at all giving a start at 0 and a first burst at Infinity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';
import { parseTraceCsv } from '../workload/trace.ts';
import { DEFAULT_RATE_SCALE, demoWorkload } from './demo-support.ts';

const smartCity = loadConfig().scenarios['smart-city'];

/** 1 s rows at 5 msgs/s with 20 s at 50 every 200 s: the replay maps 50 to the scenario's peak, 5 to a tenth of it. */
function burstsTrace() {
  const rows = ['t,rate'];
  for (let t = 0; t < 600; t++) rows.push(`${t},${t % 200 < 20 ? 50 : 5}`);
  return parseTraceCsv(rows.join('\n'), 'bursts.csv');
}

test('demoWorkload defaults: rates / 50, a 4 h series that repeats, one rate per whole second', () => {
  assert.equal(DEFAULT_RATE_SCALE, 50);
  const w = demoWorkload(smartCity, 3);
  const unscaled = demoWorkload(smartCity, 3, { rateScale: 1 });
  for (const t of [0, 44, 45, 300, 9999]) assert.ok(Math.abs(w.rate(t) * 50 - unscaled.rate(t)) < 1e-9, `t=${t}`);
  assert.equal(w.lengthS, 4 * 3600);
  for (const t of [0, 45, 1234]) {
    assert.equal(w.rate(t + 4 * 3600), w.rate(t), `repeats after 4 h, t=${t}`);
    assert.equal(w.rate(t + 0.999), w.rate(t), `the rate of second ${t} holds through it`);
  }
  assert.equal(w.rate(-3), w.rate(0), 'before the start: the first second');
});

test('demoWorkload bounds: rateScale finite > 0, lengthS an integer >= 60', () => {
  for (const rateScale of [Infinity, Number.NaN, -1]) assert.throws(() => demoWorkload(smartCity, 1, { rateScale }), /rateScale must be a finite number > 0/, String(rateScale));
  for (const lengthS of [59, 90.5]) assert.throws(() => demoWorkload(smartCity, 1, { lengthS }), /lengthS must be an integer >= 60/, String(lengthS));
  assert.equal(demoWorkload(smartCity, 1, { lengthS: 60 }).lengthS, 60);
});

test('demoWorkload: the start is the first burst at or after the lead-in, minus the lead-in; the lead-in itself is burst-free', () => {
  const trace = burstsTrace();
  const base = smartCity.peakRateMsgsPerS / 10 / 20;
  const peak = smartCity.peakRateMsgsPerS / 20;
  // Seed 8 replays from a point where a burst begins 13 s into the series: too early to show 45 s before it.
  for (const seed of [3, 8]) {
    const w = demoWorkload(smartCity, seed, { rateScale: 20, lengthS: 3600, leadInS: 45, trace });
    assert.ok(w.startIndexS >= 0, `seed ${seed}: start ${w.startIndexS}`);
    // Bursts come every 200 s, so the first one after the lead-in is within the trace's first 600 s, not a later one.
    assert.ok(w.startIndexS + 45 < 600, `seed ${seed}: start ${w.startIndexS}`);
    for (let t = 0; t < 45; t++) assert.ok(Math.abs(w.rate(t) - base) < 1e-6, `seed ${seed}: t=${t} rate ${w.rate(t)}`);
    assert.ok(Math.abs(w.rate(45) - peak) < 1e-6, `seed ${seed}: the burst begins at 45 s`);
    assert.equal(w.firstBurstAtS, 45);
  }
});

test('demoWorkload: a series without a burst starts at its beginning, its first burst at Infinity', () => {
  const rows = ['t,rate'];
  for (let t = 0; t < 600; t++) rows.push(`${t},5`);
  const w = demoWorkload(smartCity, 3, { rateScale: 20, lengthS: 600, trace: parseTraceCsv(rows.join('\n'), 'flat.csv') });
  assert.equal(w.startIndexS, 0);
  assert.equal(w.firstBurstAtS, Infinity);
  assert.ok(Math.abs(w.rate(0) - smartCity.peakRateMsgsPerS / 20) < 1e-6, 'a flat trace is its own peak');
});

test('demoWorkload: with no lead-in, a burst in the very first second is a first burst at 0 s', () => {
  // Seed 133's smart-city series begins with a burst's first second (its burst process may start one before 0).
  const w = demoWorkload(smartCity, 133, { lengthS: 60, leadInS: 0 });
  assert.equal(w.startIndexS, 0);
  assert.equal(w.firstBurstAtS, 0);
});
