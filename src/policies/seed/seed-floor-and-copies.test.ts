/**
 * Edges of the seed baselines (src/policies/seed/): seed-threshold never plays fewer than one executor, even for no
 * predicted workload; seed-fixed hands out a copy of its action, so a caller editing it changes no later decision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAction } from '../../core/action.ts';
import { SEED_OBS } from '../../env/seed-compat-env.ts';
import { seedPolicyContext } from './context.ts';
import { SeedFixedPolicy } from './seed-fixed.ts';
import { SeedThresholdPolicy } from './seed-threshold.ts';

function obsWith(nextWorkload: number): Float32Array {
  const obs = new Float32Array(13);
  obs[SEED_OBS.nextWorkload] = nextWorkload;
  return obs;
}
const ctx = (obs: Float32Array) => seedPolicyContext(obs, decodeAction([0, 0, 0, 0]), 'balanced', 0);

test('seed-threshold plays one executor, not zero, for a predicted workload of 0', () => {
  const o = obsWith(0);
  assert.equal(new SeedThresholdPolicy().act(o, ctx(o)).executors, 1);
});

test('seed-fixed returns a copy: editing one decision does not change the next', () => {
  const p = new SeedFixedPolicy();
  const o = obsWith(500);
  const first = p.act(o, ctx(o));
  first.executors = 1;
  first.tier = 'archive';
  assert.deepEqual(p.act(o, ctx(o)), { executors: 15, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
});
