import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBenchOptions } from './bench.ts';
import { UsageError } from './output.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { SparkIotInfo } from '../env/spark-iot-types.ts';

test('bench --target: embedded by default, spark-k8s accepted, anything else is a usage error naming the valid targets', () => {
  assert.equal(resolveBenchOptions({ quick: true }).target, 'embedded');
  const k8s = resolveBenchOptions({ quick: true, target: 'spark-k8s' });
  assert.equal(k8s.target, 'spark-k8s');
  assert.match(k8s.out, /spark-k8s/);
  assert.throws(() => resolveBenchOptions({ quick: true, target: 'yarn' }), (e: unknown) => e instanceof UsageError && /unknown --target 'yarn'; valid targets: embedded, spark-k8s/.test((e as Error).message));
});

test('the spark-k8s target prices restarts in: holding the configuration costs nothing, codec changes restart and hurt', () => {
  const run = (target: 'embedded' | 'spark-k8s', flipCodec: boolean) => {
    const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: 60, target });
    const { info } = env.reset({ seed: 7 });
    // Executor counts change live on both targets; 14 executors keep the balanced scenario inside its SLA.
    const start = { ...(info as unknown as SparkIotInfo).action, executors: 14 };
    let violations = 0;
    let costUsd = 0;
    for (let t = 0; t < 60; t++) {
      const codec = flipCodec && t % 10 === 9 ? (start.codec === 'zstd' ? 'lz4' : 'zstd') : start.codec;
      const r = env.stepAction({ ...start, codec });
      const rec = (r.info as unknown as SparkIotInfo).record!;
      violations += rec.slaViolated ? 1 : 0;
      costUsd += rec.costUsd;
    }
    return { violations, costUsd, restarts: env.restartCount };
  };
  assert.deepEqual(run('spark-k8s', false), run('embedded', false), 'no restart-class change: the targets agree');
  const live = run('embedded', true);
  const k8s = run('spark-k8s', true);
  assert.equal(live.restarts, 0);
  assert.ok(k8s.restarts >= 5, `restarts ${k8s.restarts}`);
  assert.ok(k8s.violations > live.violations, `restarts should cause SLA violations: embedded ${live.violations}, spark-k8s ${k8s.violations}`);
});
