import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummaryCsv, RunAccumulator, summarize, summarizeRuns, type FinishedRun, type RunMetrics } from './summary.ts';
import { runEpisode, seedFor } from './tournament.ts';
import { makeFakeEnv } from './test-fake-env.ts';
import { createPolicy } from '../policies/registry.ts';
import { ci95 } from './stats.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';

const close = (a: number, b: number, msg?: string): void => assert.ok(Math.abs(a - b) <= 1e-12, `${msg ?? ''} ${a} vs ${b}`);

const run = (seed: number, m: Partial<RunMetrics>): FinishedRun => ({
  policy: 'fixed', scenario: 'balanced', trace: '',
  metrics: { seed, steps: 10, slaViolationPct: 0, costUsd: 0, p95LatencyMs: 0, droppedMsgs: 0, scalingActions: 0, ...m },
});

test('a summary row is the mean over seeds of each metric, with the CI95 of that same metric', () => {
  const [r] = summarizeRuns([
    run(1, { slaViolationPct: 1, costUsd: 2, p95LatencyMs: 800, droppedMsgs: 10, scalingActions: 1 }),
    run(2, { slaViolationPct: 3, costUsd: 5, p95LatencyMs: 1000, droppedMsgs: 30, scalingActions: 5 }),
    run(3, { slaViolationPct: 8, costUsd: 2, p95LatencyMs: 1200, droppedMsgs: 20, scalingActions: 3 }),
  ]);
  assert.equal(r!.seeds, 3);
  close(r!.slaViolationPct, 4);
  close(r!.slaViolationCi95, ci95([1, 3, 8]));
  close(r!.costUsd, 3);
  close(r!.costCi95, ci95([2, 5, 2]));
  close(r!.p95LatencyMs, 1000);
  close(r!.p95LatencyCi95, ci95([800, 1000, 1200]));
  close(r!.droppedMsgs, 20);
  close(r!.scalingActions, 3);
  assert.equal(formatSummaryCsv([r!]).split('\n')[1], `fixed,balanced,,3,10,4.000,${ci95([1, 3, 8]).toFixed(3)},3.0000,${ci95([2, 5, 2]).toFixed(4)},1000.0,20.0,3.00`);
});

test('runs are kept in seed order whatever order they finished in (the pairing of seeds relies on it); steps is the longest run', () => {
  const [r] = summarizeRuns([run(30, { steps: 7 }), run(10, { steps: 12 }), run(20, { steps: 9 })]);
  assert.deepEqual(r!.runs.map((m) => m.seed), [10, 20, 30]);
  assert.equal(r!.steps, 12);
});

test("a run's p95 latency is the 95th percentile (numpy type 7) of its per-step p95s", () => {
  const base = runEpisode(makeFakeEnv({ scenario: 'balanced', maxSteps: 1 }), createPolicy('fixed'), 'fixed', seedFor(0), 1)[0]!;
  const acc = new RunAccumulator();
  // Per-step p95 of 0, 10, ..., 1000 ms in a shuffled order: the 95th percentile is 950.
  const order = Array.from({ length: 101 }, (_, i) => (i * 37) % 101);
  order.forEach((k, i) => acc.add({ ...base, step: i, p95LatencyMs: 10 * k }));
  close(acc.finish().metrics.p95LatencyMs, 950);
});

test('records read back in any order are put in step order before the burst windows are counted', () => {
  const base = runEpisode(makeFakeEnv({ scenario: 'balanced', maxSteps: 1 }), createPolicy('fixed'), 'fixed', seedFor(0), 1)[0]!;
  // 40 steps, onset at 20: window [17, 26] (10 steps); violations at 0, 1, 18 -> 10 % in the window.
  const records: StepRecord[] = Array.from({ length: 40 }, (_, i) => ({ ...base, step: i, burstOnset: i === 20, slaViolated: i === 0 || i === 1 || i === 18 }));
  const inOrder = summarize(records)[0]!;
  assert.equal(inOrder.windowSlaViolationPct, 10);
  const reversed = summarize([...records].reverse())[0]!;
  assert.equal(reversed.windowSlaViolationPct, 10);
  const shuffled = summarize(records.map((_, i) => records[(i * 17) % 40]!))[0]!;
  assert.equal(shuffled.windowSlaViolationPct, 10);
});
