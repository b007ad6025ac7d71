import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBenchOptions, runBench } from './bench.ts';
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

test('bench --restart-gate: only with --target spark-k8s, not with --oracle-sweep; its default folder says -gated', () => {
  const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test((e as Error).message);
  assert.throws(() => resolveBenchOptions({ quick: true, restartGate: true }), usage(/--restart-gate: only with --target spark-k8s/));
  assert.throws(() => resolveBenchOptions({ quick: true, restartGate: true, target: 'spark-k8s', oracleSweep: true }), usage(/--oracle-sweep: not with --restart-gate/));
  const gated = resolveBenchOptions({ quick: true, restartGate: true, target: 'spark-k8s' });
  assert.equal(gated.restartGate, true);
  assert.match(gated.out, /spark-k8s-gated$/);
  assert.equal(resolveBenchOptions({ quick: true, target: 'spark-k8s' }).restartGate, false);
});

test('bench --target spark-k8s --restart-gate runs every policy behind the gate: the restarts of forecast-sizing are held back and its violations fall', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-bench-gate-'));
  const run = async (restartGate: boolean) => {
    const out = join(dir, restartGate ? 'gated' : 'ungated');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await runBench({ scenario: 'balanced', policies: 'forecast-sizing', seeds: '2', steps: '120', target: 'spark-k8s', restartGate, out, json: true });
    } finally {
      process.stdout.write = write;
    }
    const [header, row] = readFileSync(join(out, 'results_summary.csv'), 'utf8').trim().split('\n');
    const cols = header!.split(',');
    const value = (name: string) => Number(row!.split(',')[cols.indexOf(name)]);
    return { violationPct: value('sla_violation_pct'), report: readFileSync(join(out, 'report.md'), 'utf8') };
  };
  const ungated = await run(false);
  const gated = await run(true);
  assert.match(gated.report, /\[target spark-k8s, every policy behind the restart gate\]/);
  assert.doesNotMatch(ungated.report, /restart gate/);
  // Ungated, the oracle's sizing rule re-sizes memory and codec every few steps, and each is a restart (BENCHMARKS.md).
  assert.ok(ungated.violationPct > 20, `ungated ${ungated.violationPct} %`);
  assert.ok(gated.violationPct < ungated.violationPct / 4, `gated ${gated.violationPct} %, ungated ${ungated.violationPct} %`);
});
