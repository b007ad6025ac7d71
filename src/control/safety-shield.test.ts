import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../core/types.ts';
import { DEFAULT_SAFETY_LIMITS, projectedSpendUsd, ruleOf, SafetyShield, shieldAction, validateLimits, type SpendState } from './safety-shield.ts';
import type { SafetyLimits } from './types.ts';

const act = (executors: number, memoryGb = 4, tier: Action['tier'] = 'nvme', codec: Action['codec'] = 'lz4'): Action => ({ executors, memoryGb, tier, codec });
const limits: SafetyLimits = { minExecutors: 2, maxExecutors: 12, maxExecutorStepPerInterval: 3, budgetUsd: 1 };
// $0.01 per executor-second regardless of memory, plus 0.001 per GB: easy arithmetic.
const spend = (spentUsd: number, horizonS = 10): SpendState => ({ spentUsd, executorUsdPerS: (gb) => 0.01 + 0.001 * gb, horizonS });

interface Golden {
  name: string;
  proposed: Action;
  current: Action;
  spend?: SpendState;
  expected: Action;
  rules: string[];
}

const GOLDEN: Golden[] = [
  { name: 'inside every limit: unchanged', proposed: act(5, 4, 'redis', 'zstd'), current: act(4), expected: act(5, 4, 'redis', 'zstd'), rules: [] },
  { name: 'above max: clamped to max, then the rate limit', proposed: act(20), current: act(11), expected: act(12), rules: ['bounds'] },
  { name: 'below min: clamped to min', proposed: act(1), current: act(2), expected: act(2), rules: ['bounds'] },
  { name: 'scale-up faster than the step: limited', proposed: act(10), current: act(4), expected: act(7), rules: ['rate'] },
  { name: 'scale-down faster than the step: limited', proposed: act(2), current: act(9), expected: act(6), rules: ['rate'] },
  { name: 'bounds and rate together', proposed: act(20), current: act(3), expected: act(6), rules: ['bounds', 'rate'] },
  { name: 'current below the floor: floor wins over the step', proposed: act(2), current: act(1), expected: act(2), rules: [] },
  { name: 'NaN executors: keep current', proposed: act(NaN), current: act(5), expected: act(5), rules: ['sanity'] },
  { name: 'fractional executors: rounded', proposed: act(5.6), current: act(5), expected: act(6), rules: ['sanity'] },
  { name: 'memory beyond the space: clamped', proposed: act(5, 64), current: act(5), expected: act(5, 8), rules: ['sanity'] },
  { name: 'unknown tier and codec: keep current', proposed: { executors: 5, memoryGb: 4, tier: 'floppy' as never, codec: 'rar' as never }, current: act(5, 4, 's3', 'zstd'), expected: act(5, 4, 's3', 'zstd'), rules: ['sanity'] },
  // Budget: spent 0.5 + 6 executors * (0.01 + 0.004) * 10 s = 0.5 + 0.84 = 1.34 > 1: refused.
  { name: 'scale-up over budget: refused', proposed: act(6), current: act(4), spend: spend(0.5), expected: act(4), rules: ['budget'] },
  // 0.1 + 6 * 0.014 * 10 = 0.94 <= 1: allowed.
  { name: 'scale-up within budget: allowed', proposed: act(6), current: act(4), spend: spend(0.1), expected: act(6), rules: [] },
  { name: 'scale-down over budget: allowed (never forced, never refused)', proposed: act(3), current: act(4), spend: spend(5), expected: act(3), rules: [] },
  { name: 'memory increase over budget: refused, tier change kept', proposed: act(4, 8, 'redis'), current: act(4, 2), spend: spend(5), expected: act(4, 2, 'redis'), rules: ['budget'] },
  { name: 'budget refusal never goes below the floor', proposed: act(3), current: act(1), spend: spend(5), expected: act(2), rules: ['budget'] },
];

for (const g of GOLDEN) {
  test(`shield golden: ${g.name}`, () => {
    const r = shieldAction(g.proposed, g.current, limits, g.spend);
    assert.deepEqual(r.action, g.expected);
    assert.deepEqual([...new Set(r.reasons.map(ruleOf))].sort(), [...g.rules].sort(), `reasons: ${JSON.stringify(r.reasons)}`);
  });
}

test('shield: every reason names the numbers involved', () => {
  const r = shieldAction(act(20), act(3), limits);
  assert.match(r.reasons.join(' | '), /executors 20 outside \[2, 12\]: clamped to 12/);
  assert.match(r.reasons.join(' | '), /executor change 3 -> 12 exceeds 3 per interval: limited to 6/);
  const b = shieldAction(act(6), act(4), limits, spend(0.5));
  assert.match(b.reasons[0]!, /projected spend 1\.3400 USD > budget 1 USD: scale-up refused \(executors 6 -> 4/);
});

test('shield: projected spend is reported for the returned action', () => {
  const r = shieldAction(act(6), act(4), limits, spend(0.5));
  assert.ok(Math.abs(r.projectedSpendUsd! - projectedSpendUsd(act(4), spend(0.5))) < 1e-12);
  assert.ok(Math.abs(r.projectedSpendUsd! - (0.5 + 4 * 0.014 * 10)) < 1e-12);
});

test('shield: never throws on garbage, and an infinite budget never refuses', () => {
  for (const garbage of [null, undefined, {}, { executors: 'ten' }, 42]) {
    const r = shieldAction(garbage as never, act(5), DEFAULT_SAFETY_LIMITS, spend(1e9));
    assert.deepEqual(r.action, act(5));
    assert.ok(r.reasons.length > 0);
  }
  const r = shieldAction(act(9), act(5), DEFAULT_SAFETY_LIMITS, spend(1e9));
  assert.equal(r.action.executors, 9);
});

test('shield: the stateful wrapper counts interventions by rule', () => {
  const s = new SafetyShield(limits);
  s.apply(act(5), act(4));
  s.apply(act(20), act(3));
  s.apply(act(6), act(4), spend(0.5));
  assert.equal(s.interventions, 2);
  assert.deepEqual(s.interventionsByRule, { sanity: 0, bounds: 1, rate: 1, budget: 1 });
});

test('validateLimits: names the bad field', () => {
  assert.throws(() => validateLimits({ ...limits, minExecutors: 0 }), /minExecutors must be an integer in \[1, 20\], got 0/);
  assert.throws(() => validateLimits({ ...limits, maxExecutors: 1 }), /maxExecutors must be an integer in \[minExecutors=2, 20\], got 1/);
  assert.throws(() => validateLimits({ ...limits, maxExecutorStepPerInterval: 0.5 }), /maxExecutorStepPerInterval/);
  assert.throws(() => validateLimits({ ...limits, budgetUsd: -1 }), /budgetUsd must be a number > 0/);
  assert.doesNotThrow(() => validateLimits({ ...limits, budgetUsd: Infinity }));
  assert.throws(() => new SafetyShield({ maxExecutors: 40 }), /maxExecutors/);
});

// Mutation audit (src/edge, src/control): behaviours the tests above left unchecked.

const act2 = (executors: number, memoryGb = 4, tier: Action['tier'] = 'nvme', codec: Action['codec'] = 'lz4'): Action => ({ executors, memoryGb, tier, codec });
const lim: SafetyLimits = { minExecutors: 2, maxExecutors: 12, maxExecutorStepPerInterval: 3, budgetUsd: 1 };

test('shield: memory is a whole number of GB in [1, 8]', () => {
  assert.deepEqual(shieldAction(act2(5, 0), act2(5), lim).action, act2(5, 1));
  assert.deepEqual(shieldAction(act2(5, 0.3), act2(5), lim).action, act2(5, 1));
  assert.deepEqual(shieldAction(act2(5, 2.4), act2(5), lim).action, act2(5, 2));
  assert.deepEqual(shieldAction(act2(5, -3), act2(5), lim).action, act2(5, 1));
});

test('shield: the floor and ceiling hold even when the action in force is far outside them and the step cannot reach', () => {
  const tight: SafetyLimits = { minExecutors: 10, maxExecutors: 14, maxExecutorStepPerInterval: 2, budgetUsd: Infinity };
  assert.equal(shieldAction(act2(10), act2(1), tight).action.executors, 10, 'floor wins over the step');
  assert.equal(shieldAction(act2(14), act2(20), tight).action.executors, 14, 'ceiling wins over the step');
});

test('shield budget: a projection exactly at the budget is allowed (refused only when it exceeds it)', () => {
  // 5 executors x 1 USD/s x 10 s = 50 USD = the budget.
  const spend: SpendState = { spentUsd: 0, executorUsdPerS: () => 1, horizonS: 10 };
  const r = shieldAction(act2(5), act2(4), { ...lim, maxExecutorStepPerInterval: 4, budgetUsd: 50 }, spend);
  assert.equal(r.action.executors, 5);
  assert.deepEqual(r.reasons, []);
});

test('shield budget: refusing a scale-up never raises what the policy lowered (fewer executors with more memory)', () => {
  const spend: SpendState = { spentUsd: 5, executorUsdPerS: () => 0.01, horizonS: 10 };
  // More memory (a scale-up, refused) but fewer executors: the cut in executors stands, the memory stays.
  const r = shieldAction(act2(3, 8), act2(4, 2), lim, spend);
  assert.deepEqual(r.action, act2(3, 2));
  // More executors (refused) with less memory: the memory cut stands.
  const s = shieldAction(act2(6, 1), act2(4, 4), lim, spend);
  assert.deepEqual(s.action, act2(4, 1));
});

test('shield counters: one decision tripping a rule with several reasons counts once for that rule', () => {
  const shield = new SafetyShield(lim);
  shield.apply({ executors: 5, memoryGb: 4, tier: 'floppy' as never, codec: 'rar' as never }, act2(5, 4, 's3', 'zstd'));
  assert.equal(shield.interventions, 1);
  assert.deepEqual(shield.interventionsByRule, { sanity: 1, bounds: 0, rate: 0, budget: 0 });
});

test('limits: min == max is a valid fixed size; a budget must be > 0; the defaults are 1-20 executors, 4 per interval, no cap', () => {
  assert.doesNotThrow(() => validateLimits({ ...lim, minExecutors: 6, maxExecutors: 6 }));
  assert.throws(() => validateLimits({ ...lim, budgetUsd: 0 }), /budgetUsd must be a number > 0/);
  assert.deepEqual(DEFAULT_SAFETY_LIMITS, { minExecutors: 1, maxExecutors: 20, maxExecutorStepPerInterval: 4, budgetUsd: Infinity });
  assert.equal(shieldAction(act2(20), act2(1), DEFAULT_SAFETY_LIMITS).action.executors, 5);
});

test('shield counters: a garbage tier or codec whose text looks like another rule\'s reason still counts as sanity', () => {
  const shield = new SafetyShield(lim);
  const r = shield.apply({ executors: 5, memoryGb: 4, tier: 'exceeds 3 per interval' as never, codec: 'outside [1, 2]' as never }, act2(5));
  assert.deepEqual(r.action, act2(5));
  assert.deepEqual(r.reasons.map(ruleOf), ['sanity', 'sanity']);
  assert.deepEqual(shield.interventionsByRule, { sanity: 1, bounds: 0, rate: 0, budget: 0 });
});
