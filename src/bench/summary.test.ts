import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummaryCsv, RunAccumulator, summarize, summarizeRuns, type FinishedRun } from './summary.ts';
import { runEpisode, seedFor } from './tournament.ts';
import { makeFakeEnv } from './test-fake-env.ts';
import { createPolicy } from '../policies/registry.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';

const episode = (policy: string, i: number): StepRecord[] =>
  runEpisode(makeFakeEnv({ scenario: 'balanced', maxSteps: 30 }), createPolicy(policy), policy, seedFor(i), 30);

const finish = (run: readonly StepRecord[]): FinishedRun => {
  const acc = new RunAccumulator();
  for (const r of run) acc.add(r);
  return acc.finish();
};

test('runs accumulated as they finish give the same summary as the records grouped afterwards, in any order', () => {
  const runs = [episode('fixed', 0), episode('fixed', 1), episode('keda-lag', 0), episode('keda-lag', 1)];
  const expected = formatSummaryCsv(summarize(runs.flat()));
  assert.equal(formatSummaryCsv(summarizeRuns(runs.map(finish))), expected);
  // Seeds are sorted within a group; groups keep their order of first appearance.
  assert.equal(formatSummaryCsv(summarizeRuns([runs[1]!, runs[0]!, runs[3]!, runs[2]!].map(finish))), expected);
});

test('a run mixed with another, an empty run, or a run counted twice is an error, not a silently different summary', () => {
  const a = episode('fixed', 0);
  const b = episode('fixed', 1);
  const acc = new RunAccumulator();
  acc.add(a[0]!);
  assert.throws(() => acc.add(b[1]!), /run policy=fixed scenario=balanced seed=10000: step 1 belongs to another run \(.*seed=10001\)/);
  assert.throws(() => new RunAccumulator().finish(), /a run needs at least one step/);
  assert.throws(() => summarizeRuns([finish(a), finish(b), finish(a)]), /summary: run policy=fixed scenario=balanced trace= seed=10000 appears twice/);
});

test('each run counts its SLA violations in the burst-onset windows; the row averages the runs that had an onset', () => {
  const base = episode('fixed', 0)[0]!;
  // 1200 steps (past the accumulator's first 512-step buffer), onsets at 100 and 1000: the windows are [97, 106] and
  // [997, 1006]; violations at 97, 99, 106 fall inside, 107 and 500 outside.
  const run = (seed: number, onsets: number[], violated: number[]): StepRecord[] =>
    Array.from({ length: 1200 }, (_, i) => ({ ...base, seed, step: i, burstOnset: onsets.includes(i), slaViolated: violated.includes(i) }));
  const a = finish(run(1, [100, 1000], [97, 99, 106, 107, 500]));
  // Window steps: 10 + 10 = 20; violated in them: 97, 99, 106 = 3 -> 15 %. Whole run: 5 of 1200.
  assert.equal(a.metrics.windowSlaViolationPct, 15);
  assert.equal(a.metrics.slaViolationPct, (100 * 5) / 1200);
  const calm = finish(run(2, [], [5]));
  assert.ok(Number.isNaN(calm.metrics.windowSlaViolationPct!));
  const b = finish(run(3, [1195], [1199]));
  // The window is cut at the run's end: [1192, 1199], 8 steps, 1 violated.
  assert.equal(b.metrics.windowSlaViolationPct, 12.5);
  const [row] = summarizeRuns([a, calm, b]);
  assert.equal(row!.windowSlaViolationPct, (15 + 12.5) / 2);
  assert.ok(Number.isNaN(summarizeRuns([calm])[0]!.windowSlaViolationPct!));
});
