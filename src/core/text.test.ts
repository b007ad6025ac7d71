import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncate } from './text.ts';

test('truncate keeps short text, and cuts long text to maxChars units with an ellipsis', () => {
  assert.equal(truncate('abc', 3), 'abc', 'at the limit: unchanged');
  assert.equal(truncate('abcdef', 4), 'abc…', 'cut to 3 units plus the ellipsis');
  assert.equal(truncate('abcdef', 4).length, 4, 'the result has maxChars units');
});

test('truncate never splits a surrogate pair: the whole character goes', () => {
  const s = `ab${'\u{1F600}'}cd`; // a, b, then a pair (2 units), then c, d
  const out = truncate(s, 4); // would keep a, b and the pair's high half
  assert.equal(out, 'ab…', `got ${JSON.stringify(out)}`);
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(out), 'no lone high surrogate');
  assert.equal(truncate(s, 5), `ab${'\u{1F600}'}…`, 'a whole pair fits: kept');
});
