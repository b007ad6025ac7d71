import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalOf } from './decimal.ts';

test('decimalOf reads decimal numbers and nothing Number() reads besides', () => {
  for (const [field, value] of [['0', 0], ['-3', -3], ['+2.5', 2.5], ['.25', 0.25], ['7.', 7], ['1e3', 1000], ['1.5E-2', 0.015], ['1e+06', 1e6], ['007', 7]] as const) {
    assert.equal(decimalOf(field), value, field);
  }
  for (const field of ['', ' ', '0x10', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '1e999', '1,5', '1 2', ' 5', '5 ', 'e3', '.', '+', '1e', undefined]) {
    assert.equal(decimalOf(field), null, String(field));
  }
});
