/**
 * bindLiveDashboard (docs/DASHBOARD.md): the page header (scenario, starting policy, mode normal, the SLA target, the
 * policies and the three operating modes, notes), an interval violating the SLA only when its p95 is OVER the target
 * (or it dropped messages), edge-rl's own weights shown instead of the loop's, and switches that act on the policy
 * running now, keeping the run's budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlLoop } from '../control/control-loop.ts';
import type { DecisionRecord } from '../control/types.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import { FakeDecisionFeed } from '../dashboard/fake-feed.ts';
import { createPolicy, registerPolicy } from '../policies/registry.ts';
import { ModeContextPolicy } from './demo-support.ts';
import { bindLiveDashboard, livePolicyIds } from './live-dashboard.ts';

function fakeLoop(): { loop: ControlLoop; emit: (r: DecisionRecord) => void; running: () => Policy | null } {
  let listener: ((r: DecisionRecord) => void) | null = null;
  let policy: Policy | null = null;
  const loop = { config: undefined, onDecision: (f: (r: DecisionRecord) => void) => (listener = f), setPolicy: (p: Policy) => (policy = p) } as unknown as ControlLoop;
  return { loop, emit: (r) => listener!(r), running: () => policy };
}

const ACTION = { executors: 2, memoryGb: 4, tier: 'nvme' as const, codec: 'lz4' as const };

test('live dashboard header: the run\'s scenario, policy, SLA and notes, mode normal, the three modes', () => {
  const { loop } = fakeLoop();
  const d = bindLiveDashboard(loop, new ModeContextPolicy(createPolicy('keda-lag'), 3), { scenario: 'healthcare', policyId: 'keda-lag', slaP95LatencyMs: 2500, budgetUsdPerHour: 3, rateScale: 1, notes: ['rates / 50'] });
  assert.deepEqual(d.hub.state().info, { scenario: 'healthcare', policy: 'keda-lag', mode: 'normal', slaP95LatencyMs: 2500, policies: livePolicyIds(), modes: ['normal', 'budget', 'critical'], notes: ['rates / 50'] });
});

test('live policies: neither the oracle nor a seed-* policy, every other registered one', () => {
  registerPolicy({ id: 'seed-live-test', description: 'x', source: 'x', settings: {}, create: () => createPolicy('fixed') });
  registerPolicy({ id: 'live-test-extra', description: 'x', source: 'x', settings: {}, create: () => createPolicy('fixed') });
  const ids = livePolicyIds();
  assert.ok(!ids.includes('seed-live-test'));
  assert.ok(!ids.includes('oracle'));
  assert.ok(ids.includes('live-test-extra') && ids.includes('keda-lag'));
});

test('live dashboard: a p95 exactly at the SLA target is no violation', () => {
  const { loop, emit } = fakeLoop();
  const d = bindLiveDashboard(loop, new ModeContextPolicy(createPolicy('keda-lag'), 3), { scenario: 'balanced', policyId: 'keda-lag', slaP95LatencyMs: 4000, budgetUsdPerHour: 3, rateScale: 1, notes: [] });
  const r = new FakeDecisionFeed(2).next();
  emit({ ...r, snapshot: { ...r.snapshot, p95LatencyMs: 4000, droppedMsgs: 0 } });
  assert.equal(d.slaViolations(), 0);
  emit({ ...r, snapshot: { ...r.snapshot, p95LatencyMs: 4000.5, droppedMsgs: 0 } });
  assert.equal(d.slaViolations(), 1);
});

test('live dashboard: the weights shown are those the running policy chose itself, else the loop\'s', () => {
  const { loop, emit } = fakeLoop();
  const own = { alpha: 0.2, beta: 0.7, gamma: 0.1 };
  const hierarchical = Object.assign({ id: 'edge-rl', reset: () => undefined, act: () => ACTION }, { decisions: [{ weights: own }] });
  const d = bindLiveDashboard(loop, new ModeContextPolicy(hierarchical, 3), { scenario: 'balanced', policyId: 'edge-rl', slaP95LatencyMs: 4000, budgetUsdPerHour: 3, rateScale: 1, notes: [] });
  const feed = new FakeDecisionFeed(5);
  emit({ ...feed.next(), weights: { alpha: 1, beta: 0, gamma: 0 } });
  assert.deepEqual(d.hub.state().history.at(-1)!.weights, own);
  d.setPolicy('keda-lag'); // keeps no decisions of its own
  emit({ ...feed.next(), weights: { alpha: 0.5, beta: 0.25, gamma: 0.25 } });
  assert.deepEqual(d.hub.state().history.at(-1)!.weights, { alpha: 0.5, beta: 0.25, gamma: 0.25 });
});

test('live dashboard switches: a mode set after a policy switch reaches the new policy, with the run\'s budget', () => {
  const { loop, running } = fakeLoop();
  const first = new ModeContextPolicy(createPolicy('keda-lag'), 7);
  const d = bindLiveDashboard(loop, first, { scenario: 'balanced', policyId: 'keda-lag', slaP95LatencyMs: 4000, budgetUsdPerHour: 7, rateScale: 1, notes: [] });
  d.setPolicy('fixed');
  d.setMode('budget');
  const next = running() as ModeContextPolicy;
  assert.equal(next.id, 'fixed');
  assert.equal(next.mode, 'budget');
  assert.equal(first.mode, 'normal', 'the replaced policy is left alone');
  const seen: Array<PolicyContext['mode']> = [];
  const innerAct = next.inner.act.bind(next.inner);
  (next.inner as { act: Policy['act'] }).act = (obs, ctx) => {
    seen.push(ctx.mode);
    return innerAct(obs, ctx);
  };
  const r = new FakeDecisionFeed(1).next();
  next.act(new Float32Array(27), { snapshot: r.snapshot, forecast: r.forecast, weights: r.weights, scenario: 'balanced', slaP95LatencyMs: 4000, controlIntervalS: 5, currentAction: r.applied, executorCapacityMsgsPerS: 5000 });
  assert.deepEqual(seen, [{ mode: 'budget', budgetLeftFraction: 0.1, budgetUsdPerHour: 7 }]);
});
