import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummaryCsv, RunAccumulator, SUMMARY_HEADER, summarize, summarizeRuns, type FinishedRun, type RunMetrics } from './summary.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';

/** A step record with neutral values; the tests set the fields they count. */
const step = (i: number, s: Partial<StepRecord> = {}): StepRecord => ({
  step: i, tSeconds: 10 * (i + 1), scenario: 'balanced', trace: '', seed: 7, policy: 'fixed',
  arrivalRateMsgsPerS: 100, processedRateMsgsPerS: 100, backlogMsgs: 0, droppedMsgs: 0, p95LatencyMs: 500, slaTargetMs: 1000, slaViolated: false,
  requestedExecutors: 4, requestedMemoryGb: 4, requestedTier: 'nvme', requestedCodec: 'lz4',
  executorsRunning: 4, executorsStarting: 0, memoryGb: 4, tier: 'nvme', codec: 'lz4', scaled: false,
  costUsd: 0, costRateUsdPerHour: 1, predictedRateMsgsPerS: 100, burstProbability: 0, burstActive: false, burstOnset: false,
  reuseProbability: 0.5, shuffleBytes: 0, reward: 0, alpha: 0.5, beta: 0.3, gamma: 0.2,
  ...s,
});

const finish = (steps: readonly StepRecord[]): FinishedRun => {
  const acc = new RunAccumulator();
  for (const s of steps) acc.add(s);
  return acc.finish();
};

test("a run's cost and dropped messages are summed over its steps, scaling actions and violations counted", () => {
  const run = [
    step(0, { costUsd: 0.25, droppedMsgs: 0, scaled: true, slaViolated: false }),
    step(1, { costUsd: 0.5, droppedMsgs: 30, scaled: false, slaViolated: true }),
    step(2, { costUsd: 0.125, droppedMsgs: 12, scaled: true, slaViolated: true }),
    step(3, { costUsd: 1, droppedMsgs: 0, scaled: true, slaViolated: false }),
  ];
  const m = finish(run).metrics;
  assert.equal(m.steps, 4);
  assert.equal(m.costUsd, 1.875); // 0.25 + 0.5 + 0.125 + 1 (exact in binary)
  assert.equal(m.droppedMsgs, 42); // 0 + 30 + 12 + 0
  assert.equal(m.scalingActions, 3);
  assert.equal(m.slaViolationPct, 50); // 2 of 4 steps
  assert.equal(m.seed, 7);
});

test('a record of another policy, scenario or trace is refused by the run it does not belong to', () => {
  for (const other of [{ policy: 'keda-lag' }, { scenario: 'healthcare' }, { trace: 'rate.csv' }, { seed: 8 }]) {
    const acc = new RunAccumulator();
    acc.add(step(0));
    assert.throws(() => acc.add(step(1, other)), /step 1 belongs to another run/, JSON.stringify(other));
  }
});

test('the burst-window flags survive the growth of the per-step buffer at every power of two (512, 1024)', () => {
  // Onsets at 512 and 1024, the first indices of a grown buffer; a violation at each. Windows [509, 518] and
  // [1021, 1030]: 20 steps, 2 violated -> 10 %.
  const run = Array.from({ length: 1100 }, (_, i) => step(i, { burstOnset: i === 512 || i === 1024, slaViolated: i === 512 || i === 1024 }));
  const m = finish(run).metrics;
  assert.equal(m.windowSlaViolationPct, 10);
  assert.equal(m.slaViolationPct, (100 * 2) / 1100);
});

test("a row's steps is the longest run's, whichever seed it is", () => {
  const runs: FinishedRun[] = [3, 1, 2].map((seed) => ({
    policy: 'fixed', scenario: 'balanced', trace: '',
    metrics: { seed, steps: seed === 3 ? 40 : 25, slaViolationPct: 0, costUsd: 0, p95LatencyMs: 0, droppedMsgs: 0, scalingActions: 0 },
  }));
  assert.equal(summarizeRuns(runs)[0]!.steps, 40);
});

test('a row whose runs are only partly measured in the burst windows reports no window figure (not a mean over a subset of seeds)', () => {
  const run = (seed: number, w?: number): FinishedRun => {
    const metrics: RunMetrics = { seed, steps: 10, slaViolationPct: 0, costUsd: 0, p95LatencyMs: 0, droppedMsgs: 0, scalingActions: 0 };
    if (w !== undefined) metrics.windowSlaViolationPct = w;
    return { policy: 'fixed', scenario: 'balanced', trace: '', metrics };
  };
  const [mixed] = summarizeRuns([run(1, 20), run(2)]);
  assert.equal('windowSlaViolationPct' in mixed!, false);
  const [none] = summarizeRuns([run(1), run(2)]);
  assert.equal('windowSlaViolationPct' in none!, false);
  assert.equal(summarizeRuns([run(1, 20), run(2, 30)])[0]!.windowSlaViolationPct, 25);
});

test('summaries from records keep the groups apart by policy, scenario and trace, and runs in seed order', () => {
  const records = [
    ...[0, 1].map((i) => step(i, { seed: 2, costUsd: 1 })),
    ...[0, 1].map((i) => step(i, { seed: 1, costUsd: 2 })),
    ...[0, 1].map((i) => step(i, { trace: 'rate.csv', costUsd: 4 })),
  ];
  const rows = summarize(records);
  assert.deepEqual(rows.map((r) => [r.policy, r.scenario, r.trace, r.seeds]), [['fixed', 'balanced', '', 2], ['fixed', 'balanced', 'rate.csv', 1]]);
  assert.deepEqual(rows[0]!.runs.map((m) => [m.seed, m.costUsd]), [[1, 4], [2, 2]]);
  assert.equal(rows[1]!.costUsd, 8);
});

test('results_summary.csv quotes a name holding a comma or a quote (RFC 4180) and ends with a newline', () => {
  const run = (policy: string, trace: string): FinishedRun => ({
    policy, scenario: 'balanced', trace,
    metrics: { seed: 1, steps: 10, slaViolationPct: 2.5, costUsd: 1.25, p95LatencyMs: 900, droppedMsgs: 3, scalingActions: 4 },
  });
  const csv = formatSummaryCsv(summarizeRuns([run('fixed w(0.20,0.40)', 'rate,60s.csv'), run('say "hi"', '')]));
  // One seed: the CIs are NaN. Fields: 3 decimals for violations, 4 for cost, 1 for p95 and dropped, 2 for scalings.
  assert.equal(
    csv,
    `${SUMMARY_HEADER}\n` +
      '"fixed w(0.20,0.40)",balanced,"rate,60s.csv",1,10,2.500,NaN,1.2500,NaN,900.0,3.0,4.00\n' +
      '"say ""hi""",balanced,,1,10,2.500,NaN,1.2500,NaN,900.0,3.0,4.00\n',
  );
});
