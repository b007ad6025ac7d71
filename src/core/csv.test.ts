import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCsvLine } from './csv.ts';

test('splitCsvLine honours quotes: the delimiter inside them, "" as a quote, any delimiter', () => {
  assert.deepEqual(splitCsvLine('a,"b,c",d'), ['a', 'b,c', 'd']);
  assert.deepEqual(splitCsvLine('"say ""hi""",,x'), ['say "hi"', '', 'x']);
  assert.deepEqual(splitCsvLine('1;"2;3"', ';'), ['1', '2;3']);
  assert.deepEqual(splitCsvLine(' a , b '), [' a ', ' b ']);
  assert.deepEqual(splitCsvLine(''), ['']);
});
