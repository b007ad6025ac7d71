/**
 * The demo summary's accounting lines (docs/DEMO.md "Summary"): `published = processed + dropped` first, OK or BAD
 * with how far off; a BAD line each for published != ingested and ingested != processed + dropped; then the drops by
 * reason (the reasons with a count, or 'none'), OK only when they sum to `dropped`. Expected lines worked by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccounting } from './demo-support.ts';

test('accounting: everything settled, only the reasons that dropped something are named', () => {
  assert.deepEqual(checkAccounting({ published: 50, ingested: 50, processed: 48, dropped: 2, droppedByReason: { late: 0, backlog: 2, shutdown: 0 } }), {
    ok: true,
    lines: ['OK  published 50 = processed 48 + dropped 2', 'OK  dropped by reason: backlog 2'],
  });
  assert.deepEqual(checkAccounting({ published: 7, ingested: 7, processed: 7, dropped: 0, droppedByReason: { late: 0 } }), {
    ok: true,
    lines: ['OK  published 7 = processed 7 + dropped 0', 'OK  dropped by reason: none'],
  });
});

test('accounting: messages that never reached the engine are BAD, with the gap', () => {
  assert.deepEqual(checkAccounting({ published: 100, ingested: 95, processed: 95, dropped: 0, droppedByReason: {} }), {
    ok: false,
    lines: ['BAD published 100 = processed 95 + dropped 0 (off by 5)', 'BAD published 100 != ingested 95: 5 never reached the engine (broker/gateway)', 'OK  dropped by reason: none'],
  });
});

test('accounting: an ingested message neither processed nor dropped is BAD on both sums', () => {
  assert.deepEqual(checkAccounting({ published: 10, ingested: 10, processed: 7, dropped: 2, droppedByReason: { late: 2 } }), {
    ok: false,
    lines: ['BAD published 10 = processed 7 + dropped 2 (off by 1)', 'BAD ingested 10 != processed + dropped 9', 'OK  dropped by reason: late 2'],
  });
});

test('accounting: more ingested than published (a message counted twice) is BAD even when published = processed + dropped', () => {
  const c = checkAccounting({ published: 100, ingested: 101, processed: 100, dropped: 0, droppedByReason: {} });
  assert.equal(c.ok, false);
  assert.equal(c.lines[0], 'OK  published 100 = processed 100 + dropped 0');
  assert.ok(c.lines[1]!.startsWith('BAD published 100 != ingested 101'), c.lines[1]);
  assert.equal(c.lines[2], 'BAD ingested 101 != processed + dropped 100');
});

test('accounting: drops whose reasons do not sum to dropped are BAD, with the sum', () => {
  assert.deepEqual(checkAccounting({ published: 10, ingested: 10, processed: 8, dropped: 2, droppedByReason: { late: 1, retention: 0 } }), {
    ok: false,
    lines: ['OK  published 10 = processed 8 + dropped 2', 'BAD dropped by reason: late 1 (reasons sum to 1)'],
  });
});
