import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFeasibility, formatFeasibility, sweepOracle, sweepSettings, SWEEP_CAPACITY_MARGINS, SWEEP_LATENCY_SHARES, type WorldSweep } from './oracle-sweep.ts';
import { ORACLE_DEFAULTS } from '../policies/oracle.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import type { ScenarioName } from '../env/spark-iot-types.ts';
import type { SummaryRow } from './summary.ts';

const row = (policy: string, sla: number, cost: number, scenario = 'balanced', trace = ''): SummaryRow => ({
  policy, scenario, trace, seeds: 2, steps: 10, slaViolationPct: sla, slaViolationCi95: 0, costUsd: cost, costCi95: 0,
  p95LatencyMs: 900, p95LatencyCi95: 0, droppedMsgs: 0, scalingActions: 1, runs: [],
});
const pt = (capacityMargin: number, latencyShareOfSla: number, slaViolationPct: number, costUsd: number) => ({ capacityMargin, latencyShareOfSla, slaViolationPct, costUsd });

// Another world's rows come first: they are stricter than this world's and must not count for it.
const decoys = [
  row('fixed', 0, 0.1, 'balanced', 'rate.csv'), row('keda-lag', 0.3, 0.2, 'balanced', 'rate.csv'), row('edge-rl', 0.01, 0.1, 'balanced', 'rate.csv'),
  row('fixed', 0, 0.1, 'healthcare'), row('keda-lag', 0.3, 0.2, 'healthcare'), row('edge-rl', 0.01, 0.1, 'healthcare'),
];
// This world: baselines fixed (0 %, 5), keda-lag (3 %, 3; the best reactive one), spark-dra (6 %, 1.5); the agent (0.5 %, 2).
const rows = [...decoys, row('fixed', 0, 5), row('keda-lag', 3, 3), row('spark-dra', 6, 1.5), row('oracle', 0.05, 2), row('edge-rl', 0.5, 2)];
const world: WorldSweep = {
  scenario: 'balanced',
  trace: '',
  points: [
    pt(1.0, 0.3, 0.5, 1.0), // as few violations as the agent (0.5 = 0.5), the cheapest such: the match, cost ratio 2 / 1
    pt(1.15, 0.3, 1.0, 3.0), // one-third bar exactly at both edges: 1.0 <= 3 / 3 and 3.0 <= 3
    pt(1.15, 0.6, 0.05, 2.0), // the default setting
    pt(2.0, 0.3, 2.0, 2.5), // fewer violations than keda-lag but more than a third of them: not met
    pt(2.0, 0.6, 0, 1.4), // dominates all three baselines (ties fixed's 0 % at lower cost)
    pt(1.0, 0.6, 1.0, 1.6), // dominates keda-lag only: not Pareto over every baseline
  ],
};

test('the bars count each setting against its own world only, at the bars\' edges inclusive', () => {
  const [w] = checkFeasibility(rows, [world], 'edge-rl');
  assert.equal(w!.world, 'balanced');
  assert.equal(w!.settings, 6);
  assert.equal(w!.paretoMet, 1);
  assert.equal(w!.thirdMet, 5); // all but (2.0, 0.3)
  assert.deepEqual(w!.defaultPoint, world.points[2]);
  assert.equal(w!.matched!.agent, rows[rows.length - 1]);
  assert.deepEqual(w!.matched!.point, world.points[0]);
  assert.equal(w!.matched!.costRatio, 2);
});

test('a swept trace world is labelled with its trace and set against that world\'s rows; without a reactive baseline the one-third bar is n/a', () => {
  const traced: WorldSweep = { scenario: 'balanced', trace: 'rate.csv', points: [pt(1.0, 0.3, 0, 0.05)] };
  const [w] = checkFeasibility(rows, [traced], 'edge-rl');
  assert.equal(w!.world, 'balanced (rate.csv)');
  assert.equal(w!.paretoMet, 1); // 0 % at 0.05 dominates fixed (0 %, 0.1) and keda-lag (0.3 %, 0.2)
  assert.equal(w!.thirdMet, 1); // 0 <= 0.3 / 3 and 0.05 <= 0.2
  assert.equal(w!.matched!.costRatio, 2); // the agent's 0.1 over 0.05
  assert.equal(w!.defaultPoint, null);
  const calm = [row('fixed', 0, 1, 'industrial'), row('edge-rl', 0, 1, 'industrial')];
  const [n] = checkFeasibility(calm, [{ scenario: 'industrial', trace: '', points: [pt(1.0, 0.3, 0, 0.5)] }], 'edge-rl');
  assert.equal(n!.thirdMet, null);
  assert.match(formatFeasibility([n!], 'edge-rl'), /\| industrial \| 1 of 1 \| n\/a \| n\/a \| 1\.00 \/ 0\.30: 0\.00 % \/ 0\.500 USD \| 0\.00 % \/ 1\.000 USD \| 2\.00x \|/);
});

test('the foresight section: one line per world, n/a without the agent, and each world\'s grid cell by cell', () => {
  const [w] = checkFeasibility(rows, [world], 'edge-rl');
  const text = formatFeasibility([w!], 'edge-rl');
  assert.ok(text.includes('| balanced | 1 of 6 | 5 of 6 | 0.05 % / 2.000 USD | 1.00 / 0.30: 0.50 % / 1.000 USD | 0.50 % / 2.000 USD | 2.00x |'), text);
  // Rows are margins and columns latency shares, each in order of first appearance; a missing setting is an empty cell.
  assert.ok(text.includes(['| margin | 0.30 | 0.60 |', '|---|---|---|', '| 1.00 | 0.50 / 1.000 | 1.00 / 1.600 |', '| 1.15 | 1.00 / 3.000 | 0.05 / 2.000 |', '| 2.00 | 2.00 / 2.500 | 0.00 / 1.400 |'].join('\n')), text);
  const partial = formatFeasibility(checkFeasibility(rows, [{ ...world, points: world.points.slice(0, 4) }], 'edge-rl'), 'edge-rl');
  assert.ok(partial.includes('| 2.00 | 2.00 / 2.500 |  |'), partial);
  const [alone] = checkFeasibility(rows, [world], undefined);
  assert.ok(formatFeasibility([alone!], undefined).includes('| balanced | 1 of 6 | 5 of 6 | 0.05 % / 2.000 USD | n/a | n/a | n/a |'));
});

test('the grid is 8 margins from 1.00 to 2.00 by 5 latency shares from 0.30 to 0.90, ascending, with the default among them', () => {
  assert.deepEqual([...SWEEP_CAPACITY_MARGINS], [1.0, 1.05, 1.1, 1.15, 1.25, 1.4, 1.6, 2.0]);
  assert.deepEqual([...SWEEP_LATENCY_SHARES], [0.3, 0.45, 0.6, 0.75, 0.9]);
  const grid = sweepSettings();
  assert.equal(new Set(grid.map((s) => `${s.capacityMargin}/${s.latencyShareOfSla}`)).size, 40);
  assert.ok(SWEEP_CAPACITY_MARGINS.includes(ORACLE_DEFAULTS.capacityMargin as never));
  assert.ok(SWEEP_LATENCY_SHARES.includes(ORACLE_DEFAULTS.latencyShareOfSla as never));
});

test('the sweep reports progress 1..total, total = worlds x 40 settings x seeds', () => {
  const makeEnv = (o: { scenario: string; maxSteps: number; exposeFuture?: boolean }) => new SparkIotEnv({ ...o, scenario: o.scenario as ScenarioName });
  const calls: Array<[number, number]> = [];
  sweepOracle({ scenarios: ['balanced', 'industrial'], seeds: 1, steps: 2, makeEnv, onRunDone: (done, total) => calls.push([done, total]) });
  assert.deepEqual(calls, Array.from({ length: 80 }, (_, i) => [i + 1, 80]));
});
