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
