import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_SCALE_DOWN_HOLD_S, ScaleDownHold } from './scale-down-hold.ts';

test('the hold keeps the highest recommendation of the last ceil(holdS / interval) decisions; scale-ups pass at once', () => {
  const hold = new ScaleDownHold(25); // 3 decisions at 10 s
  const recommended = [4, 10, 3, 3, 3, 2, 12, 5, 5, 5];
  assert.deepEqual(recommended.map((e) => hold.apply(e, 10)), [4, 10, 10, 10, 3, 3, 12, 12, 12, 5]);
  hold.reset();
  assert.equal(hold.apply(2, 10), 2, 'reset forgets the history');
  const none = new ScaleDownHold(0);
  assert.deepEqual([8, 2, 9, 1].map((e) => none.apply(e, 10)), [8, 2, 9, 1], 'holdS 0: the recommendation itself');
  const perSecond = new ScaleDownHold(25);
  const out = Array.from({ length: 30 }, (_, t) => perSecond.apply(t === 0 ? 9 : 1, 1));
  assert.equal(out.lastIndexOf(9), 24, 'at a 1 s interval the hold lasts 25 decisions');
});

test('the agents hold for one median cold start; bad settings are errors', () => {
  assert.equal(AGENT_SCALE_DOWN_HOLD_S, 25);
  assert.throws(() => new ScaleDownHold(-1), /holdS must be a finite number >= 0, got -1/);
  assert.throws(() => new ScaleDownHold(10).apply(3, 0), /controlIntervalS must be > 0/);
});
