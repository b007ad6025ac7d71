import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { loadConfig } from '../core/config.ts';
import { createPolicy } from './registry.ts';

// A world whose executors are 4x slower per message: every policy that models the world must size for more of them.
const SLOW = loadConfig({ cluster: { computeUsPerMsg: 400 } });

function contextAt(steps: number) {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 50 });
  let out = env.reset({ seed: 7 });
  for (let i = 0; i < steps; i++) out = env.stepAction({ executors: 6, memoryGb: 4, tier: 'nvme', codec: 'lz4' });
  const ctx = (out.info as unknown as SparkIotInfo).context;
  return { obs: out.obs, ctx: { ...ctx, future: undefined } };
}

test('the run config reaches the policies that model the world: forecast-sizing and the agents size their base with it', () => {
  const { obs, ctx } = contextAt(6);
  for (const id of ['forecast-sizing', 'forecast-sizing-no-calm', 'edge-rl-fixed', 'rl-no-edge', 'edge-rl', 'rl-no-edge-meta']) {
    const executors = (config?: typeof SLOW): number => {
      const p = createPolicy(id, config);
      p.reset(1);
      return p.act(obs, ctx).executors;
    };
    const builtIn = executors();
    assert.equal(executors(loadConfig()), builtIn, `${id}: the built-in config given explicitly acts the same`);
    assert.ok(executors(SLOW) > builtIn, `${id}: slower executors buy more of them (${executors(SLOW)} vs ${builtIn})`);
  }
});
