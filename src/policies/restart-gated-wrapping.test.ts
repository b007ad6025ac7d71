/**
 * What the restart gate's wrapper keeps of its inner policy (restart-gated.ts): its id, its clairvoyance, its
 * explanations after the gate's reason; and the gate's reason lasts only for the decision it was given for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action, EdgeForecast, SystemSnapshot } from '../core/types.ts';
import { RestartGatedPolicy } from './restart-gated.ts';
import type { Policy, PolicyContext } from './types.ts';

const START: Action = { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
const SPILLING = { arrivalRateMsgsPerS: 10_000, memoryUtilization: 1.6, memoryPerExecutorGb: 4, meanMessageBytes: 1000 };
const obs = new Float32Array(13);

function context(tSeconds: number, current: Action): PolicyContext {
  const forecast: EdgeForecast = { predictedRateMsgsPerS: 10_000, burstProbability: 0.05, horizonS: 40, gatewayId: 'all' };
  return { snapshot: { tSeconds, ...SPILLING } as SystemSnapshot, forecast, currentAction: current, scenario: 'balanced' } as PolicyContext;
}

function stub(next: () => Action, extra: Partial<Policy> = {}): Policy {
  return { id: 'inner-id', reset() {}, act: () => next(), explain: () => ['inner says hi'], ...extra };
}

test('the gated policy keeps the inner id and clairvoyance, and lists the inner explanation after the gate reason', () => {
  assert.equal(new RestartGatedPolicy(stub(() => START, { clairvoyant: true })).clairvoyant, true);
  assert.notEqual(new RestartGatedPolicy(stub(() => START)).clairvoyant, true);
  const gated = new RestartGatedPolicy(stub(() => ({ ...START, memoryGb: 8 })));
  assert.equal(gated.id, 'inner-id');
  gated.reset(1);
  gated.act(obs, context(100, START));
  const ex = gated.explain();
  assert.equal(ex.length, 2);
  assert.match(ex[0]!, /^restart: gain/);
  assert.equal(ex[1], 'inner says hi');
});

test("the gate's reason is cleared by a decision without a restart-class change", () => {
  let proposal: Action = { ...START, memoryGb: 8 };
  const gated = new RestartGatedPolicy(stub(() => proposal));
  gated.reset(1);
  gated.act(obs, context(100, START));
  assert.match(gated.explain()[0]!, /^restart: gain/);
  proposal = { ...START, memoryGb: 8, executors: 6 };
  assert.deepEqual(gated.act(obs, context(110, { ...START, memoryGb: 8 })), proposal);
  assert.deepEqual(gated.explain(), ['inner says hi']);
  assert.equal(gated.proposedRestarts, 1);
  assert.equal(gated.allowedRestarts, 1);
});
