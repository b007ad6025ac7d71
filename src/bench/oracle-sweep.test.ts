import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFeasibility, formatFeasibility, sweepOracle, sweepSettings, type WorldSweep } from './oracle-sweep.ts';
import { ORACLE_DEFAULTS } from '../policies/oracle.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { ScenarioName } from '../env/spark-iot-types.ts';
import type { SummaryRow } from './summary.ts';

const row = (policy: string, sla: number, cost: number): SummaryRow => ({
  policy, scenario: 'balanced', trace: '', seeds: 2, steps: 10, slaViolationPct: sla, slaViolationCi95: 0, costUsd: cost, costCi95: 0,
  p95LatencyMs: 900, p95LatencyCi95: 0, droppedMsgs: 0, scalingActions: 1, runs: [],
});
const pt = (capacityMargin: number, latencyShareOfSla: number, slaViolationPct: number, costUsd: number) => ({ capacityMargin, latencyShareOfSla, slaViolationPct, costUsd });

test('the grid holds the default oracle setting', () => {
  const grid = sweepSettings();
  assert.equal(grid.length, 40);
  assert.ok(grid.some((s) => s.capacityMargin === ORACLE_DEFAULTS.capacityMargin && s.latencyShareOfSla === ORACLE_DEFAULTS.latencyShareOfSla));
});

test('feasibility counts the settings that clear each bar and matches the agent to the cheapest setting with no more violations', () => {
  const rows = [row('fixed', 0, 5), row('keda-lag', 3, 3), row('spark-dra', 6, 1.5), row('oracle', 0.05, 2), row('edge-rl', 0.5, 2)];
  const sweep: WorldSweep = {
    scenario: 'balanced',
    trace: '',
    points: [
      pt(1.0, 0.6, 1.2, 1.0), // one-third bar: 1.2 > 1 -> no
      pt(1.15, 0.6, 0.05, 2.0), // the default: one-third yes, Pareto no (fixed has 0)
      pt(1.4, 0.6, 0.4, 1.6), // one-third yes; no more violations than edge-rl (0.4 <= 0.5)
      pt(2.0, 0.6, 0, 1.4), // dominates fixed (0, cheaper), keda-lag, spark-dra (fewer violations, cheaper): Pareto yes
    ],
  };
  const [w] = checkFeasibility(rows, [sweep], 'edge-rl');
  assert.ok(w);
  assert.equal(w.paretoMet, 1);
  assert.equal(w.thirdMet, 3);
  assert.deepEqual(w.defaultPoint, sweep.points[1]);
  assert.deepEqual(w.matched?.point, sweep.points[3]); // the cheapest with <= 0.5 %: 0 % at 1.4
  assert.ok(Math.abs(w.matched!.costRatio! - 2 / 1.4) < 1e-12);
  const text = formatFeasibility([w], 'edge-rl');
  assert.match(text, /\| balanced \| 1 of 4 \| 3 of 4 \| 0\.05 % \/ 2\.000 USD \| 2\.00 \/ 0\.60: 0\.00 % \/ 1\.400 USD \| 0\.50 % \/ 2\.000 USD \| 1\.43x \|/);
  // No setting has as few violations as a perfect agent; without the agent the columns say n/a.
  const [none] = checkFeasibility([...rows.slice(0, 4), row('edge-rl', 0, 1)], [{ ...sweep, points: sweep.points.slice(0, 3) }], 'edge-rl');
  assert.equal(none?.matched?.point, null);
  assert.match(formatFeasibility([none!], 'edge-rl'), /none has as few violations/);
  const [noAgent] = checkFeasibility(rows.slice(0, 4), [sweep], undefined);
  assert.equal(noAgent?.matched, null);
  assert.equal(formatFeasibility([], 'edge-rl'), '');
});

test('the sweep runs every setting on the paired seeds, reproducibly, and the default setting scores as the tournament oracle', async () => {
  const makeEnv = (o: { scenario: string; maxSteps: number; exposeFuture?: boolean }) => new SparkIotEnv({ ...o, scenario: o.scenario as ScenarioName });
  let calls = 0;
  const a = sweepOracle({ scenarios: ['balanced'], seeds: 2, steps: 8, makeEnv, onRunDone: () => calls++ });
  const b = sweepOracle({ scenarios: ['balanced'], seeds: 2, steps: 8, makeEnv });
  assert.equal(calls, 80);
  assert.deepEqual(a, b);
  assert.equal(a[0]!.points.length, 40);
  const { runTournament } = await import('./tournament.ts');
  const [oracle] = runTournament({ scenarios: ['balanced'], policies: ['oracle'], seeds: 2, steps: 8, makeEnv }).summary;
  const dflt = a[0]!.points.find((p) => p.capacityMargin === ORACLE_DEFAULTS.capacityMargin && p.latencyShareOfSla === ORACLE_DEFAULTS.latencyShareOfSla)!;
  assert.equal(dflt.costUsd, oracle!.costUsd);
  assert.equal(dflt.slaViolationPct, oracle!.slaViolationPct);
});
