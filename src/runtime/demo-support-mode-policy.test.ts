/**
 * ModeContextPolicy (docs/DASHBOARD.md "Operating mode"): a wrapper that adds the mode to the context and otherwise is
 * the policy it wraps (id, reset, explain), and reads back the weights the wrapped policy chose on its LAST decision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Policy } from '../policies/types.ts';
import { ModeContextPolicy } from './demo-support.ts';

const ACTION = { executors: 2, memoryGb: 4, tier: 'nvme' as const, codec: 'lz4' as const };

test('ModeContextPolicy: a budget must be > 0', () => {
  const inner: Policy = { id: 'p', reset: () => undefined, act: () => ACTION };
  for (const budget of [0, -1, Number.NaN]) assert.throws(() => new ModeContextPolicy(inner, budget), /budgetUsdPerHour must be > 0/, String(budget));
});

test('ModeContextPolicy: reset and explain are the wrapped policy\'s', () => {
  const resets: number[] = [];
  const inner: Policy = { id: 'p', reset: (seed) => resets.push(seed), act: () => ACTION, explain: () => ['why 1', 'why 2'] };
  const p = new ModeContextPolicy(inner, 2);
  p.reset(17);
  assert.deepEqual(resets, [17]);
  assert.deepEqual(p.explain(), ['why 1', 'why 2']);
  assert.deepEqual(new ModeContextPolicy({ id: 'q', reset: () => undefined, act: () => ACTION }, 2).explain(), [], 'no explain: nothing to say');
});

test('ModeContextPolicy.ownWeights: the last decision\'s weights, as a copy; null for a policy that keeps no decisions', () => {
  const decisions = [{ weights: { alpha: 0.6, beta: 0.3, gamma: 0.1 } }, { weights: { alpha: 0.1, beta: 0.8, gamma: 0.1 } }];
  const p = new ModeContextPolicy(Object.assign({ id: 'hier', reset: () => undefined, act: () => ACTION }, { decisions }), 2);
  const own = p.ownWeights();
  assert.deepEqual(own, { alpha: 0.1, beta: 0.8, gamma: 0.1 });
  own!.alpha = 99;
  assert.deepEqual(p.ownWeights(), { alpha: 0.1, beta: 0.8, gamma: 0.1 }, 'changing the copy does not change the policy\'s record');
  assert.equal(new ModeContextPolicy({ id: 'plain', reset: () => undefined, act: () => ACTION }, 2).ownWeights(), null);
  assert.equal(new ModeContextPolicy(Object.assign({ id: 'odd', reset: () => undefined, act: () => ACTION }, { decisions: 'none' }), 2).ownWeights(), null);
});
