import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStepsFile } from '../steps-log.ts';
import { frontOf, runWeightsReport, sensitivityFromCsv, simplexGrid, sweepPoints, weightsLabel, SENSITIVITY_HEADER } from './weights.ts';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { loadTraceCsv } from '../../workload/trace.ts';

test('simplexGrid: multiples of the step that sum to 1; bad steps are refused', () => {
  const g = simplexGrid(0.5);
  assert.equal(g.length, 6);
  for (const w of g) assert.ok(Math.abs(w.alpha + w.beta + w.gamma - 1) < 1e-12);
  assert.equal(simplexGrid(0.25).length, 15);
  assert.throws(() => simplexGrid(0.3), /gridStep must divide 1/);
});

test('sweepPoints: per-run metrics, means over runs and the non-dominated front', () => {
  const rec = (policy: string, seed: number, violated: boolean, costUsd: number): StepRecord => ({ policy, seed, scenario: 'balanced', slaViolated: violated, costUsd, alpha: 1, beta: 0, gamma: 0 }) as StepRecord;
  const records = [
    rec('cheap', 0, true, 1), rec('cheap', 0, false, 1), rec('cheap', 1, false, 1), rec('cheap', 1, false, 1), // 50 % and 0 % -> 25 %, cost 2
    rec('safe', 0, false, 3), rec('safe', 0, false, 3), rec('safe', 1, false, 3), rec('safe', 1, false, 3), // 0 %, cost 6
    rec('bad', 0, true, 4), rec('bad', 0, true, 4), rec('bad', 1, false, 4), rec('bad', 1, false, 4), // 100/0 -> 50 %, cost 8
  ];
  const pts = new Map(sweepPoints(records).map((p) => [p.label, p]));
  assert.equal(pts.get('cheap')!.slaViolationPct, 25);
  assert.equal(pts.get('bad')!.slaViolationPct, 50);
  assert.equal(pts.get('cheap')!.costUsd, 2);
  assert.equal(pts.get('safe')!.costUsd, 6);
  assert.deepEqual([...pts.values()].filter((p) => p.onFront).map((p) => p.label).sort(), ['cheap', 'safe']);
});

test('sensitivityFromCsv counts states whose action depends on the weights', () => {
  const csv = [SENSITIVITY_HEADER, '0,b,1,0,1,0,0,5,2,nvme,lz4', '0,b,1,0,0,1,0,5,2,nvme,lz4', '1,b,1,5,1,0,0,3,2,nvme,lz4', '1,b,1,5,0,1,0,9,2,redis,lz4'].join('\n');
  const s = sensitivityFromCsv(csv);
  assert.equal(s.states, 2);
  assert.equal(s.weightVectors, 2);
  assert.equal(s.anyChangeShare, 0.5);
  assert.equal(s.componentShare.executors, 0.5);
  assert.equal(s.componentShare.tier, 0.5);
  assert.equal(s.componentShare.memoryGb, 0);
  assert.equal(s.meanDistinctExecutors, 1.5);
  assert.throws(() => sensitivityFromCsv('nope\n'), /header/);
});

test('runWeightsReport on a tiny run writes the steps file, the probe, Markdown and a PNG computed from them', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'edgepilot-weights-'));
  const res = await runWeightsReport({ outDir, seeds: 1, steps: 12, quick: true });
  assert.ok(existsSync(res.markdownPath));
  assert.equal(res.pngPaths.length, 1);
  assert.deepEqual([...readFileSync(res.pngPaths[0]!).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const records = readStepsFile(join(outDir, 'weights-steps.csv.gz'));
  assert.equal(records.length, 6 * 12, 'quick: 6 weight vectors x 1 seed x 12 steps on balanced');
  const md = readFileSync(res.markdownPath, 'utf8');
  const s = res.summary as { weightVectors: number; frontSize: number; sensitivity: { states: number; anyChangeShare: number } };
  assert.equal(s.weightVectors, 6);
  assert.ok(s.frontSize >= 1);
  assert.ok(s.sensitivity.states >= 1);
  // One seed: the CI is undefined and printed as +- 0.00, not NaN.
  assert.match(md, /\| 0\.00\/0\.00\/1\.00 \| 1 \| \d+\.\d\d \+- 0\.00 \| \d+\.\d\d \+- 0\.00 \| (yes)? \|/);
  assert.doesNotMatch(md, /NaN/);
  assert.match(md, new RegExp(`in \\*\\*${(100 * s.sensitivity.anyChangeShare).toFixed(1)} %\\*\\*`));
});

test('runWeightsReport --trace: the sweep replays the trace, and the report says so', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'edgepilot-weights-trace-'));
  const tracePath = join(outDir, 'onoff.csv');
  writeFileSync(tracePath, ['t,rate', ...Array.from({ length: 1200 }, (_, t) => `${t},${Math.floor(t / 60) % 2 === 0 ? 5 : 50}`)].join('\n'));
  const res = await runWeightsReport({ outDir, seeds: 1, steps: 12, quick: true, trace: loadTraceCsv(tracePath), traceNote: 'a test note' });
  const records = readStepsFile(join(outDir, 'weights-steps.csv.gz'));
  assert.ok(records.length === 6 * 12 && records.every((x) => x.trace === 'onoff.csv'), 'every sweep run replays the trace');
  assert.equal((res.summary as { trace?: string }).trace, 'onoff.csv');
  assert.match(readFileSync(res.markdownPath, 'utf8'), /Workload: the trace onoff\.csv, instead of the synthetic processes \(a test note\)\./);
  rmSync(outDir, { recursive: true, force: true });
});

test('sweepPoints: a run is one (scenario, seed); equal cost or equal SLA % with the other metric worse is dominated', () => {
  const rec = (policy: string, scenario: string, seed: number, violated: boolean, costUsd: number): StepRecord => ({ policy, seed, scenario, slaViolated: violated, costUsd, alpha: 0, beta: 1, gamma: 0 }) as StepRecord;
  const records = [
    // Two runs of 'x' on seed 0: balanced 1 of 2 steps violated (50 %, 2 USD), healthcare 0 of 4 (0 %, 12 USD).
    rec('x', 'balanced', 0, true, 1), rec('x', 'balanced', 0, false, 1),
    ...[0, 1, 2, 3].map(() => rec('x', 'healthcare', 0, false, 3)),
  ];
  const x = sweepPoints(records)[0]!;
  assert.deepEqual([x.runs, x.slaViolationPct, x.costUsd], [2, 25, 7]);
  // Ties: A (10 %, 5 USD) dominates B (20 %, 5 USD) and C (10 %, 7 USD); D (0 %, 9 USD) is on the front.
  const point = (policy: string, violatedOf10: number, costPerStep: number): StepRecord[] =>
    Array.from({ length: 10 }, (_, i) => rec(policy, 'balanced', 0, i < violatedOf10, costPerStep / 10));
  const pts = sweepPoints([...point('D', 0, 9), ...point('A', 1, 5), ...point('B', 2, 5), ...point('C', 1, 7)]);
  assert.deepEqual(pts.map((p) => [p.label, p.onFront]), [['D', true], ['A', true], ['B', false], ['C', false]]);
  // The front as the summary lists it: cheapest first.
  assert.deepEqual(frontOf(pts).map((p) => p.label), ['A', 'D']);
});

test('sensitivityFromCsv: weight vectors are told apart by all three weights; a codec-only change counts; rows must have 11 columns', () => {
  // One state, two vectors with the same alpha; only the codec changes.
  const s = sensitivityFromCsv([SENSITIVITY_HEADER, '0,b,1,0,0,1,0,5,4,nvme,lz4', '0,b,1,0,0,0,1,5,4,nvme,zstd'].join('\n'));
  assert.equal(s.weightVectors, 2);
  assert.equal(s.anyChangeShare, 1);
  assert.deepEqual(s.componentShare, { executors: 0, memoryGb: 0, tier: 0, codec: 1 });
  assert.equal(s.meanDistinctExecutors, 1);
  assert.throws(() => sensitivityFromCsv([SENSITIVITY_HEADER, '0,b,1,0,0,1,0,5,4,nvme'].join('\n'), 'probe.csv'), /probe\.csv line 2: expected 11 columns, got 10/);
});

test('runWeightsReport: the sweep runs each vector with its own weights on every seed; the table and summary match the steps file', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'edgepilot-weights-check-'));
  try {
    const steps = 20;
    const res = await runWeightsReport({ outDir, seeds: 2, steps, quick: true });
    const records = readStepsFile(join(outDir, 'weights-steps.csv.gz'));
    // Every record ran under the weights its label names (the env's weights, which the PPO reads).
    assert.ok(records.every((r) => weightsLabel({ alpha: r.alpha, beta: r.beta, gamma: r.gamma }) === r.policy), 'every record ran under the weights of its label');
    assert.deepEqual([...new Set(records.map((r) => r.seed))], [10000, 10001]);
    // Independent recomputation per vector: mean over the two seeds' runs, Student-t CI95 for n = 2 (t = 12.7062047361747).
    const expected = [...new Set(records.map((r) => r.policy))].map((label) => {
      const per = [10000, 10001].map((seed) => records.filter((r) => r.policy === label && r.seed === seed));
      const sla = per.map((run) => (100 * run.filter((r) => r.slaViolated).length) / run.length);
      const cost = per.map((run) => run.reduce((a, r) => a + r.costUsd, 0));
      const ci = (xs: number[]): number => (12.7062047361747 * Math.abs(xs[0]! - xs[1]!)) / 2;
      return { label, sla: (sla[0]! + sla[1]!) / 2, slaCi: ci(sla), cost: (cost[0]! + cost[1]!) / 2, costCi: ci(cost) };
    });
    const byCost = [...expected].sort((a, b) => a.cost - b.cost);
    const md = readFileSync(res.markdownPath, 'utf8');
    const tableRows = md.split('\n').filter((l) => /^\| \d\.\d\d\/\d\.\d\d\/\d\.\d\d \|/.test(l));
    // The table lists the vectors by cost, cheapest first.
    assert.deepEqual(
      tableRows.map((l) => l.split(' | ').slice(0, 4).join(' | ')),
      byCost.map((e) => `| ${e.label} | 2 | ${e.sla.toFixed(2)} +- ${e.slaCi.toFixed(2)} | ${e.cost.toFixed(2)} +- ${e.costCi.toFixed(2)}`),
    );
    const costs = expected.map((e) => e.cost);
    const slas = expected.map((e) => e.sla);
    assert.match(md, new RegExp(`Cost spans ${Math.min(...costs).toFixed(2)}-${Math.max(...costs).toFixed(2)} USD per run and SLA violations ${Math.min(...slas).toFixed(2)}-${Math.max(...slas).toFixed(2)} %`));
    const summary = res.summary as { costRangeUsd: number[]; front: { costUsd: number }[] };
    assert.deepEqual(summary.costRangeUsd.map((x) => x.toFixed(9)), [Math.min(...costs), Math.max(...costs)].map((x) => x.toFixed(9)));
    const frontCosts = summary.front.map((p) => p.costUsd);
    assert.deepEqual(frontCosts, [...frontCosts].sort((a, b) => a - b), 'the front is listed cheapest first');

    // The probe: every 2nd step (quick: steps / 10) of each seed's own run, each state asked with all 6 vectors.
    const probe = readFileSync(join(outDir, 'weights-sensitivity.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.equal(probe.length, 2 * 10 * 6);
    assert.deepEqual([...new Set(probe.map((c) => `${c[2]}@${c[3]}`))], [10000, 10001].flatMap((seed) => Array.from({ length: 10 }, (_, i) => `${seed}@${2 * i}`)));
    // The shipped PPO reads its weights (docs/AGENT.md: the action changes in 99.8 % of visited states): a probe that
    // did not pass the weights to it would see no change at all.
    assert.ok((res.summary as { sensitivity: { anyChangeShare: number } }).sensitivity.anyChangeShare > 0, 'the action changes with the weights in some probed state');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
