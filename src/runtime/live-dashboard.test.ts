import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlLoop } from '../control/control-loop.ts';
import { loadConfig, type SimConfig } from '../core/config.ts';
import type { DecisionRecord } from '../control/types.ts';
import type { Policy } from '../policies/types.ts';
import { FakeDecisionFeed } from '../dashboard/fake-feed.ts';
import { createPolicy } from '../policies/registry.ts';
import { ModeContextPolicy } from './demo-support.ts';
import { bindLiveDashboard, livePolicyIds } from './live-dashboard.ts';

/** The two things the binding uses of a ControlLoop. */
function fakeLoop(config?: SimConfig): { loop: ControlLoop; emit: (r: DecisionRecord) => void; running: () => Policy | null } {
  let listener: ((r: DecisionRecord) => void) | null = null;
  let policy: Policy | null = null;
  const loop = { config, onDecision: (f: (r: DecisionRecord) => void) => (listener = f), setPolicy: (p: Policy) => (policy = p) } as unknown as ControlLoop;
  return { loop, emit: (r) => listener!(r), running: () => policy };
}

test('live dashboard: counts SLA violations at the target, shows decisions at the engine scale, switches keep the mode', () => {
  const { loop, emit, running } = fakeLoop();
  const first = new ModeContextPolicy(createPolicy('keda-lag'), 3);
  const logged: string[] = [];
  const d = bindLiveDashboard(loop, first, { scenario: 'balanced', policyId: 'keda-lag', slaP95LatencyMs: 4000, budgetUsdPerHour: 3, rateScale: 10, notes: ['n'], log: (l) => logged.push(l) });
  const feed = new FakeDecisionFeed(3);
  const ok = feed.next();
  emit({ ...ok, snapshot: { ...ok.snapshot, p95LatencyMs: 3999, droppedMsgs: 0 } });
  const late = feed.next();
  emit({ ...late, snapshot: { ...late.snapshot, p95LatencyMs: 4001, droppedMsgs: 0 } });
  const dropping = feed.next();
  emit({ ...dropping, snapshot: { ...dropping.snapshot, p95LatencyMs: 100, droppedMsgs: 1 } });
  assert.equal(d.slaViolations(), 2);
  const state = d.hub.state();
  assert.equal(state.decisionsTotal, 3);
  const last = state.history[state.history.length - 1]!;
  assert.ok(Math.abs(last.arrivalRateMsgsPerS - dropping.snapshot.arrivalRateMsgsPerS / 10) < 1e-9, 'the loop sees 10x the engine rates; the dashboard shows the engine scale');
  assert.deepEqual(state.info.policies, livePolicyIds());
  assert.ok(!state.info.policies.includes('oracle'));

  d.setMode('critical');
  assert.equal(first.mode, 'critical');
  d.setPolicy('dexter-hpa');
  const next = running() as ModeContextPolicy;
  assert.equal(next.id, 'dexter-hpa');
  assert.equal(next.mode, 'critical', 'the new policy keeps the operating mode');
  assert.deepEqual(logged, ['operating mode set to critical from the dashboard', 'policy switched to dexter-hpa from the dashboard']);
  assert.throws(() => d.setMode('panic'));
});

test('live dashboard: a policy switched to from the dashboard gets the run\'s world model (--config), not the defaults', () => {
  const defaults = loadConfig();
  // A world model with one scenario only: forecast-sizing built on it refuses any other scenario, naming its own.
  const config = { ...defaults, scenarios: { 'smart-city': defaults.scenarios['smart-city'] } } as unknown as SimConfig;
  const { loop, running } = fakeLoop(config);
  const d = bindLiveDashboard(loop, new ModeContextPolicy(createPolicy('keda-lag', config), 3), { scenario: 'balanced', policyId: 'keda-lag', slaP95LatencyMs: 4000, budgetUsdPerHour: 3, rateScale: 1, notes: [] });
  d.setPolicy('forecast-sizing');
  const record = new FakeDecisionFeed(1).next();
  const ctx = { snapshot: record.snapshot, forecast: record.forecast, weights: record.weights, scenario: 'balanced', slaP95LatencyMs: 4000, controlIntervalS: 10, currentAction: record.applied, executorCapacityMsgsPerS: 1000 };
  assert.throws(() => running()!.act(new Float32Array(16), ctx), /scenario 'balanced' is not in the config \(known: smart-city\)/);
});
