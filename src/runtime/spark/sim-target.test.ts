/** SparkIotEnv's 'spark-k8s' target: executor counts change live, memory/codec/tier changes cost a restart pause. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparkIotEnv, type SparkK8sStepInfo } from '../../env/spark-iot-env.ts';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import type { Action } from '../../core/types.ts';

function run(target: 'embedded' | 'spark-k8s', actions: (step: number, current: Action) => Action, steps = 30, seed = 7): Array<StepRecord & { k8s?: SparkK8sStepInfo }> {
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: steps, target });
  let { info } = env.reset({ seed });
  const out: Array<StepRecord & { k8s?: SparkK8sStepInfo }> = [];
  for (let i = 0; i < steps; i++) {
    const r = env.stepAction(actions(i, (info as { action: Action }).action));
    info = r.info;
    out.push({ ...(r.info.record as StepRecord), k8s: r.info.sparkK8s as SparkK8sStepInfo | undefined });
  }
  return out;
}

test('executor-only changes are live: the spark-k8s target matches the embedded one step for step', () => {
  const scale = (i: number, a: Action): Action => ({ ...a, executors: 2 + (i % 5) });
  const a = run('embedded', scale);
  const b = run('spark-k8s', scale);
  assert.deepEqual(b.map(({ k8s: _k, ...r }) => r), a.map(({ k8s: _k, ...r }) => r));
  assert.ok(b.every((r) => r.k8s && !r.k8s.restarted && r.k8s.restarts === 0));
  assert.ok(a.every((r) => r.k8s === undefined), 'embedded adds nothing to info');
});

test('a memory change restarts: processing stops for the restart, the backlog builds, then the query resumes', () => {
  const change = (i: number, a: Action): Action => (i === 10 ? { ...a, memoryGb: a.memoryGb === 8 ? 7 : 8 } : a);
  const emb = run('embedded', change);
  const k8s = run('spark-k8s', change);
  for (let i = 0; i < 10; i++) assert.deepEqual({ ...k8s[i], k8s: undefined }, { ...emb[i], k8s: undefined }, `step ${i} before the change`);
  assert.equal(k8s[10]!.k8s!.restarted, true);
  assert.equal(k8s[10]!.k8s!.restarts, 1);
  // driverRestartS 30 + checkpointRecoveryS 10 = 40 s = four 10 s steps with nothing processed.
  for (let i = 10; i < 14; i++) assert.equal(k8s[i]!.processedRateMsgsPerS, 0, `step ${i} is inside the restart`);
  assert.ok(emb[10]!.processedRateMsgsPerS > 0, 'the embedded world keeps serving during a rolling replacement');
  assert.ok(k8s[13]!.backlogMsgs > 30 * k8s[9]!.arrivalRateMsgsPerS, 'about 40 s of arrivals wait');
  assert.ok(k8s[13]!.p95LatencyMs > 30_000);
  const resumed = k8s.slice(14).findIndex((r) => r.processedRateMsgsPerS > r.arrivalRateMsgsPerS);
  assert.ok(resumed >= 0, 'the query resumes and works the backlog off');
  assert.ok(k8s.slice(10).every((r) => r.k8s!.restarts === 1));
});

test('codec and tier changes restart too; the same action again does not', () => {
  const k8s = run('spark-k8s', (i, a) => (i === 3 ? { ...a, codec: a.codec === 'zstd' ? 'lz4' : 'zstd' } : i === 12 ? { ...a, tier: a.tier === 's3' ? 'nvme' : 's3' } : a), 20);
  assert.deepEqual(k8s.filter((r) => r.k8s!.restarted).map((r) => r.step), [3, 12]);
  assert.equal(k8s.at(-1)!.k8s!.restarts, 2);
});

test('the target option is validated', () => {
  assert.throws(() => new SparkIotEnv({ target: 'yarn' as 'embedded' }), /target must be one of embedded, spark-k8s/);
});
