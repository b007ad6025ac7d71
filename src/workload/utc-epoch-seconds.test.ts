import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAccessLogTimeS, parseTimestampS, utcEpochSeconds } from './trace-formats.ts';
import { Rng } from '../core/rng.ts';

test('utcEpochSeconds agrees with Date.UTC on every day of 1600-2400 it is given, leap days and century years included', () => {
  const rng = new Rng(7);
  const cases: Array<[number, number, number]> = [[1970, 1, 1], [2000, 2, 29], [1900, 3, 1], [2100, 2, 28], [2400, 2, 29], [1600, 12, 31]];
  for (let i = 0; i < 2000; i++) {
    const y = 1600 + Math.floor(rng.next() * 801);
    const mo = 1 + Math.floor(rng.next() * 12);
    cases.push([y, mo, 1 + Math.floor(rng.next() * 28)]);
  }
  for (const [y, mo, d] of cases) {
    assert.equal(utcEpochSeconds(y, mo, d, 13, 7, 59), Date.UTC(y, mo - 1, d, 13, 7, 59) / 1000, `${y}-${mo}-${d}`);
  }
});

test('years 0-99 are those years, not 1900-1999 as Date.UTC reads them', () => {
  // The Gregorian calendar repeats every 400 years of 146,097 days: 0050-01-01 is 5 such cycles before 2050-01-01.
  assert.equal(utcEpochSeconds(50, 1, 1, 0, 0, 0), Date.UTC(2050, 0, 1) / 1000 - 5 * 146097 * 86400);
  assert.equal(utcEpochSeconds(0, 3, 1, 0, 0, 0) - utcEpochSeconds(0, 2, 28, 0, 0, 0), 2 * 86400, 'year 0 is a leap year (divisible by 400)');
  assert.equal(parseTimestampS('0050-01-01T00:00:10Z')! - parseTimestampS('0050-01-01T00:00:00Z')!, 10);
  assert.equal(parseTimestampS('0050-01-01'), utcEpochSeconds(50, 1, 1, 0, 0, 0));
  assert.notEqual(parseTimestampS('0050-01-01'), Date.UTC(50, 0, 1) / 1000, 'Date.UTC would put it in 1950');
  assert.equal(parseAccessLogTimeS('01/Jan/0050:00:00:00 +0000'), utcEpochSeconds(50, 1, 1, 0, 0, 0));
});

test('a timestamp across the turn of year 99 to 100 keeps its one second', () => {
  assert.equal(parseTimestampS('0100-01-01T00:00:00Z')! - parseTimestampS('0099-12-31T23:59:59Z')!, 1);
});
