/**
 * What PpoAgentPolicy.reset forgets (the hold's history, the residual base rule's state) and which base a masked
 * residual agent corrects (forecast-sizing without the edge forecast) (rl-agent.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { EDGE_RL_CHECKPOINT, PpoAgentPolicy } from './rl-agent.ts';
import { residualBasePolicy } from './forecast-sizing.ts';
import type { PolicyContext } from './types.ts';

/** Observations and contexts of a short smart-city run at a fixed action. */
function states(n: number): { obs: Float32Array; ctx: PolicyContext }[] {
  const env = new SparkIotEnv({ scenario: 'smart-city', maxSteps: n + 1 });
  let out = env.reset({ seed: 3 });
  const list: { obs: Float32Array; ctx: PolicyContext }[] = [];
  for (let i = 0; i < n; i++) {
    list.push({ obs: out.obs, ctx: { ...(out.info as unknown as SparkIotInfo).context, future: undefined } });
    out = env.stepAction({ executors: 2 + (i % 7), memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  }
  return list;
}

test('a masked residual agent corrects forecast-sizing without the edge forecast', () => {
  const [s] = states(6).slice(-1);
  const ctx = { ...s!.ctx, forecast: { ...s!.ctx.forecast, predictedRateMsgsPerS: 20 * s!.ctx.snapshot.arrivalRateMsgsPerS + 1000 } };
  for (const mask of [true, false]) {
    const agent = new PpoAgentPolicy({ id: 'a', checkpointPath: EDGE_RL_CHECKPOINT, maskEdge: mask });
    assert.equal(agent.isResidual, true);
    agent.reset(1);
    agent.act(s!.obs, ctx);
    const base = residualBasePolicy({ maskEdge: mask });
    base.reset(1);
    assert.deepEqual(agent.lastBaseAction, base.act(s!.obs, ctx), `maskEdge ${mask}`);
  }
});

test('reset starts the base rule over: after a run with big messages the agent acts as a fresh one', () => {
  const list = states(8);
  const last = list[list.length - 1]!;
  const fresh = new PpoAgentPolicy({ id: 'f', checkpointPath: EDGE_RL_CHECKPOINT });
  fresh.reset(1);
  const expected = fresh.act(last.obs, last.ctx);
  const expectedBase = fresh.lastBaseAction;
  const used = new PpoAgentPolicy({ id: 'u', checkpointPath: EDGE_RL_CHECKPOINT });
  used.reset(1);
  for (const s of list) used.act(s.obs, { ...s.ctx, snapshot: { ...s.ctx.snapshot, meanMessageBytes: 100 * s.ctx.snapshot.meanMessageBytes + 100_000 } });
  assert.notDeepEqual(used.lastBaseAction, expectedBase, 'big messages change the base here');
  used.reset(1);
  assert.deepEqual(used.act(last.obs, last.ctx), expected);
  assert.deepEqual(used.lastBaseAction, expectedBase);
});

test('reset empties the scale-down hold: a high recommendation of the previous run is not held', () => {
  const raw = new PpoAgentPolicy({ id: 'raw', checkpointPath: EDGE_RL_CHECKPOINT });
  const list = states(40);
  // Two states where the network (fresh each time, so the base's history is the same) recommends different counts.
  const rec = list.map((s) => {
    raw.reset(1);
    return raw.act(s.obs, s.ctx).executors;
  });
  const hi = rec.indexOf(Math.max(...rec));
  const lo = rec.indexOf(Math.min(...rec));
  assert.ok(rec[hi]! > rec[lo]!, `the network varies over these states: ${rec.join(',')}`);
  const held = new PpoAgentPolicy({ id: 'held', checkpointPath: EDGE_RL_CHECKPOINT, scaleDownHoldS: 1000 });
  held.reset(1);
  assert.equal(held.act(list[hi]!.obs, list[hi]!.ctx).executors, rec[hi]);
  assert.equal(held.act(list[lo]!.obs, list[lo]!.ctx).executors, rec[hi], 'held within the run');
  held.reset(1);
  assert.equal(held.act(list[lo]!.obs, list[lo]!.ctx).executors, rec[lo], 'a new run holds nothing');
});
