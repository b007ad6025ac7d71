/**
 * PPO with normalizeObs (VecNormalize(norm_obs=True)): the running statistics see the reset observation and every
 * observation returned by a step, and the rollout buffer stores each observation normalised with statistics that
 * already include it (VecNormalize updates, then normalises). Checked against the hand formula for the statistics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncVecEnv } from '../../env/vector.ts';
import { PPO } from './ppo.ts';
import { CounterEnv } from '../test-envs.ts';


/** SB3 RunningMeanStd (mean 0, var 1, count 1e-4) after seeing `xs`, merged as one batch (the merge is exact). */
function statsAfter(xs: number[]): { mean: number; var: number; count: number } {
  const k = xs.length;
  const m = xs.reduce((s, x) => s + x, 0) / k;
  const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / k;
  const count = 1e-4 + k;
  return { mean: (m * k) / count, var: (1e-4 + v * k + (m * m * 1e-4 * k) / count) / count, count };
}

test('normalizeObs: statistics over the reset and step observations, buffer holds the normalised observations', () => {
  const ppo = new PPO(new SyncVecEnv([new CounterEnv({ id: 'Ramp' })]), { nSteps: 4, batchSize: 4, nEpochs: 1, normalizeObs: true }, 1);
  ppo.learn(4);
  const obs = [0, 0.1, 0.2, 0.3, 0.4].map(Math.fround);
  const rms = ppo.policy.obsRms!;
  const all = statsAfter(obs);
  assert.ok(Math.abs(rms.count - all.count) < 1e-9, `count ${rms.count} vs ${all.count}`);
  assert.ok(Math.abs(rms.mean[0]! - all.mean) < 1e-12, `mean ${rms.mean[0]} vs ${all.mean}`);
  assert.ok(Math.abs(rms.var[0]! - all.var) < 1e-12, `var ${rms.var[0]} vs ${all.var}`);
  for (let t = 0; t < 4; t++) {
    const s = statsAfter(obs.slice(0, t + 1));
    const want = (obs[t]! - s.mean) / Math.sqrt(s.var + 1e-8);
    assert.ok(Math.abs(ppo.buffer.obs[t]! - want) < 1e-9, `buffer obs ${t}: ${ppo.buffer.obs[t]} vs ${want}`);
  }
});
