import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../core/types.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';
import { OraclePolicy } from './oracle.ts';
import type { Policy, PolicyContext } from './types.ts';

const fixed = (id: string, action: Action): Policy => ({ id, reset: () => {}, act: () => action });

/** A simple reactive rule: +2 executors when busy or backlogged, -1 when idle. */
function reactive(): Policy {
  let n = 4;
  return {
    id: 'reactive',
    reset: () => { n = 4; },
    act: (_obs: Float32Array, c: PolicyContext) => {
      const u = c.snapshot.cpuUtilization;
      if (u > 0.8 || c.snapshot.backlogMsgs > 0) n = Math.min(20, n + 2);
      else if (u < 0.4) n = Math.max(1, n - 1);
      return { executors: n, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
    },
  };
}

function evaluate(policy: Policy, scenario: 'balanced' | 'industrial' | 'healthcare', seed: number, steps: number): { violations: number; costUsd: number } {
  const env = new SparkIotEnv({ scenario, maxSteps: steps, exposeFuture: policy.clairvoyant === true });
  const reset = env.reset({ seed });
  let obs = reset.obs;
  let info = reset.info as unknown as SparkIotInfo;
  policy.reset(seed);
  let violations = 0;
  let costUsd = 0;
  for (let k = 0; k < steps; k++) {
    const out = env.stepAction(policy.act(obs, info.context));
    obs = out.obs;
    info = out.info as unknown as SparkIotInfo;
    if (info.record!.slaViolated) violations++;
    costUsd += info.record!.costUsd;
  }
  return { violations, costUsd };
}

test('no simple policy beats the oracle on both SLA violations and cost', () => {
  for (const scenario of ['balanced', 'industrial', 'healthcare'] as const) {
    for (const seed of [1, 2]) {
      const oracle = evaluate(new OraclePolicy(), scenario, seed, 250);
      const others = [
        fixed('max', { executors: 20, memoryGb: 8, tier: 'redis', codec: 'none' }),
        fixed('mid', { executors: 10, memoryGb: 4, tier: 'nvme', codec: 'lz4' }),
        reactive(),
      ];
      for (const p of others) {
        const r = evaluate(p, scenario, seed, 250);
        const dominates = r.violations <= oracle.violations && r.costUsd <= oracle.costUsd && (r.violations < oracle.violations || r.costUsd < oracle.costUsd);
        assert.ok(!dominates, `${scenario} seed ${seed}: ${p.id} (${r.violations} viol, $${r.costUsd.toFixed(3)}) beats the oracle (${oracle.violations} viol, $${oracle.costUsd.toFixed(3)})`);
      }
    }
  }
});

test('the oracle refuses to run without the exposed future', () => {
  const env = new SparkIotEnv({ maxSteps: 2 });
  const { obs, info } = env.reset({ seed: 1 });
  assert.throws(() => new OraclePolicy().act(obs, (info as unknown as SparkIotInfo).context), /exposeFuture/);
});
