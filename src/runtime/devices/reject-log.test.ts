import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clean, RejectLog } from './reject-log.ts';

test('reject log: a line per reject up to the burst, the rest counted by reason and summed up when the next period starts', () => {
  let now = 0;
  const lines: string[] = [];
  const log = new RejectLog({ who: 'test', log: (l) => lines.push(l), nowMs: () => now, burst: 2, periodMs: 1000 });
  let explained = 0;
  const detail = () => {
    explained++;
    return 'why';
  };
  log.note('a/b', 'schema', detail);
  log.note('a/b', 'schema', detail);
  log.note('a/b', 'schema', detail);
  log.note('a/c', 'invalid-json', detail);
  assert.equal(explained, 2, 'a suppressed reject is not explained (that may cost a parse)');
  assert.deepEqual(lines, ["test: rejected a message on topic 'a/b': schema: why", "test: rejected a message on topic 'a/b': schema: why"]);
  now = 999;
  log.note('a/b', 'schema', 'x');
  assert.equal(lines.length, 2, 'same period');
  now = 1000;
  log.noteAt('3 lines of batch 7', 'malformed', '');
  assert.deepEqual(lines.slice(2), ['test: 3 more rejected messages not shown (schema 2, invalid-json 1); all are counted', 'test: rejected 3 lines of batch 7: malformed']);
  log.flush();
  assert.equal(lines.length, 4, 'nothing hidden, nothing to sum up');
  assert.equal(log.shown, 3);
  assert.equal(log.suppressed, 3);
});

test('reject log: topics and details from the sender cannot forge lines and are shortened; a throwing detail is survived', () => {
  const lines: string[] = [];
  const log = new RejectLog({ who: 'w', log: (l) => lines.push(l), nowMs: () => 0 });
  log.note('t\nw: rejected nothing\r', 'schema', 'a\u2028b\u0000');
  log.note('x'.repeat(500), 'schema', 'y'.repeat(1000));
  log.note('t', 'internal', () => {
    throw new Error('boom');
  });
  assert.equal(lines[0], "w: rejected a message on topic 't\\u000aw: rejected nothing\\u000d': schema: a\\u2028b\\u0000");
  assert.ok(lines.every((l) => !/[\n\r\u2028]/.test(l)));
  assert.ok(lines[1]!.length < 500, `${lines[1]!.length} chars`);
  assert.equal(lines[2], "w: rejected a message on topic 't': internal: (no detail: boom)");
  assert.equal(clean('abc', 2), 'a…');
  assert.throws(() => new RejectLog({ who: 'w', log: () => undefined, nowMs: () => 0, burst: -1 }), /burst must be an integer >= 0/);
});

test('reject log defaults: at most 10 lines per 10 s (MESSAGES.md), the rest summed up when the next 10 s begin', () => {
  let now = 0;
  const lines: string[] = [];
  const log = new RejectLog({ who: 'gw', log: (l) => lines.push(l), nowMs: () => now });
  for (let i = 0; i < 25; i++) log.note('edgepilot/ingest/smart-city', 'schema', 'bad');
  assert.equal(lines.length, 10, 'ten lines in the first period');
  now = 9_999;
  log.note('edgepilot/ingest/smart-city', 'schema', 'bad');
  assert.equal(lines.length, 10, 'still the first 10 s: counted, not shown');
  now = 10_000;
  log.note('edgepilot/ingest/smart-city', 'schema', 'bad');
  assert.deepEqual(lines.slice(10), ['gw: 16 more rejected messages not shown (schema 16); all are counted', "gw: rejected a message on topic 'edgepilot/ingest/smart-city': schema: bad"], 'a new period sums up the last one, then shows again');
  assert.equal(log.shown + log.suppressed, 27, 'every reject is counted');
});
