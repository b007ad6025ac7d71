/**
 * The registry's wiring of the agents and variants: which checkpoint each agent id loads, whether it masks the edge,
 * holds scale-downs, runs the SLO guard and the calm-load base; which ids are in the default set. Read from the built
 * objects (no checkpoint is loaded: policies load lazily).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy, defaultPolicyIds, getPolicyEntry, registerPolicy, UnknownPolicyError } from './registry.ts';
import { EDGE_RL_CHECKPOINT, EDGE_RL_SPARK_K8S_CHECKPOINT, PpoAgentPolicy, RL_NO_EDGE_CHECKPOINT } from './rl-agent.ts';
import { AGENT_SCALE_DOWN_HOLD_S } from './scale-down-hold.ts';
import { HierarchicalPolicy } from '../meta/hierarchical-policy.ts';
import { SLO_GUARD_DEFAULTS } from '../meta/slo-guard.ts';
import { ForecastSizingPolicy, FORECAST_SIZING_CALM } from './forecast-sizing.ts';
import { ShuffleOverridePolicy } from './shuffle-override.ts';
import { ThresholdForecastPolicy } from './threshold-forecast.ts';
import { DexterHpaPolicy } from './dexter-hpa.ts';
import { KedaLagPolicy } from './keda-lag.ts';
import { FixedPolicy, FIXED_EXECUTORS } from './fixed.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const priv = (o: unknown): any => o;

test('the PPO agents load their own checkpoint, mask the edge only for rl-no-edge, and all hold scale-downs for one cold start', () => {
  const want: [string, string, boolean][] = [
    ['edge-rl-fixed', EDGE_RL_CHECKPOINT, false],
    ['edge-rl-fixed-k8s', EDGE_RL_SPARK_K8S_CHECKPOINT, false],
    ['rl-no-edge', RL_NO_EDGE_CHECKPOINT, true],
  ];
  for (const [id, checkpoint, mask] of want) {
    const p = createPolicy(id);
    assert.ok(p instanceof PpoAgentPolicy, id);
    assert.equal(p.id, id);
    assert.equal(p.checkpointPath, checkpoint, id);
    assert.equal(p.maskEdge, mask, id);
    assert.equal(priv(p).hold?.holdS, AGENT_SCALE_DOWN_HOLD_S, id);
    assert.equal(getPolicyEntry(id).settings.scaleDownHoldS, AGENT_SCALE_DOWN_HOLD_S, id);
  }
  assert.notEqual(EDGE_RL_CHECKPOINT, RL_NO_EDGE_CHECKPOINT);
  assert.notEqual(EDGE_RL_CHECKPOINT, EDGE_RL_SPARK_K8S_CHECKPOINT);
});

test('the hierarchical agents: edge-rl and rl-no-edge-meta run the SLO guard, no-guard does not, no-calm drops the calm base, only rl-no-edge-meta masks the edge', () => {
  const want: [string, boolean, boolean, boolean][] = [
    // id, guard, calm base (undefined = default), maskEdge
    ['edge-rl', true, true, false],
    ['rl-no-edge-meta', true, true, true],
    ['edge-rl-no-guard', false, true, false],
    ['edge-rl-no-calm', true, false, false],
  ];
  for (const [id, guard, calm, mask] of want) {
    const policy = createPolicy(id);
    assert.ok(policy instanceof HierarchicalPolicy, id);
    const p = priv(policy);
    assert.equal(p.id, id);
    assert.deepEqual(p.sloGuard, guard ? SLO_GUARD_DEFAULTS : null, id);
    assert.equal(p.baseCalm, calm ? undefined : null, id);
    assert.equal(p.maskEdge, mask, id);
    assert.equal(p.scaleDownHoldS, AGENT_SCALE_DOWN_HOLD_S, id);
  }
  assert.equal(getPolicyEntry('edge-rl').settings.sloGuardZ, SLO_GUARD_DEFAULTS.z);
  assert.equal(getPolicyEntry('edge-rl').settings.sloGuardMinSteps, SLO_GUARD_DEFAULTS.minSteps);
  assert.equal(getPolicyEntry('edge-rl').settings.sloGuardWindowSteps, SLO_GUARD_DEFAULTS.windowSteps);
});

test('forecast-sizing runs the calm-load sizing, forecast-sizing-no-calm does not; size-threshold-shuffle wraps threshold-forecast', () => {
  const fsPolicy = createPolicy('forecast-sizing');
  assert.ok(fsPolicy instanceof ForecastSizingPolicy);
  const fs = priv(fsPolicy);
  assert.deepEqual(fs.calm, FORECAST_SIZING_CALM);
  const noCalm = priv(createPolicy('forecast-sizing-no-calm'));
  assert.equal(noCalm.calm, null);
  assert.equal(noCalm.id, 'forecast-sizing-no-calm');
  const sts = createPolicy('size-threshold-shuffle');
  assert.ok(sts instanceof ShuffleOverridePolicy);
  assert.ok(sts.inner instanceof ThresholdForecastPolicy);
  assert.equal(sts.id, 'size-threshold-shuffle');
});

test('the sensitivity variants hold scale-downs for 60 s; fixed runs its constant', () => {
  const hpa = createPolicy('dexter-hpa-down60');
  assert.ok(hpa instanceof DexterHpaPolicy);
  assert.equal(hpa.id, 'dexter-hpa-down60');
  assert.equal(getPolicyEntry('dexter-hpa-down60').settings.scaleDownStabilizationS, 60);
  assert.equal(hpa.settings.scaleDownStabilizationS, 60);
  const keda = createPolicy('keda-lag-down60');
  assert.ok(keda instanceof KedaLagPolicy);
  assert.equal(keda.settings.scaleDownStabilizationS, 60);
  assert.equal(keda.id, 'keda-lag-down60');
  assert.equal(getPolicyEntry('keda-lag-down60').settings.scaleDownStabilizationS, 60);
  const fixed = createPolicy('fixed');
  assert.ok(fixed instanceof FixedPolicy);
  assert.equal(fixed.executors, FIXED_EXECUTORS);
  assert.equal(getPolicyEntry('fixed').settings.executors, FIXED_EXECUTORS);
});

test('the default set leaves out exactly the variants and the spark-k8s agent; reactive and roles are as the claims use them', () => {
  const defaults = defaultPolicyIds();
  for (const id of ['fixed', 'dexter-hpa', 'forecast-sizing', 'oracle', 'edge-rl-fixed', 'rl-no-edge', 'edge-rl', 'rl-no-edge-meta']) assert.ok(defaults.includes(id), id);
  for (const id of ['dexter-hpa-down60', 'keda-lag-down60', 'forecast-sizing-no-calm', 'size-threshold-shuffle', 'edge-rl-fixed-k8s', 'edge-rl-no-calm', 'edge-rl-no-guard']) assert.ok(!defaults.includes(id), id);
  assert.equal(getPolicyEntry('oracle').role, 'oracle');
  assert.equal(getPolicyEntry('oracle').reactive, undefined);
  assert.equal(getPolicyEntry('dexter-hpa').reactive, true);
  assert.equal(getPolicyEntry('edge-rl').role, 'agent');
});

test('registering a taken id is refused; an unknown id is an UnknownPolicyError naming itself and the valid ids', () => {
  assert.throws(() => registerPolicy({ ...getPolicyEntry('fixed') }), /policy id 'fixed' is already registered/);
  assert.throws(() => getPolicyEntry('nope'), (e: unknown) => e instanceof UnknownPolicyError && e.name === 'UnknownPolicyError' && /unknown policy 'nope'; valid policies: fixed, dexter-hpa/.test(e.message));
});
