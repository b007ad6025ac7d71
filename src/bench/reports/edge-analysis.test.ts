/**
 * The edge report's analysis and Markdown on hand-made steps: 3 seeds x 12 steps of 10 s, the edge variant E and its
 * no-edge twin N in the same world. Every expected number is worked out by hand in the comments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { analyzeEdge, burstsSpec, edgeMarkdown, edgeSummaryNumbers, runEdgeMetrics, timelineSpec } from './edge.ts';

const STEPS = 12;
/** The same world for both variants: onsets, arrivals and the forecast each decision saw (it is exogenous). */
const ONSETS: Record<number, number[]> = { 1: [5], 2: [2, 9], 3: [1, 10] };
// Arrival rate of step i: 1000 + 100 i. The predicted rate of step i is the arrival rate 4 steps (40 s) later, except
// at step 7, where it is twice that: one APE of 1 in the 8 scored steps (i + 4 < 12) of each run -> MAPE 12.5 %.
const arrival = (i: number): number => 1000 + 100 * i;
const predicted = (i: number): number => (i + 4 < STEPS ? (i === 7 ? 2 : 1) * arrival(i + 4) : 1000);
// Burst probability per seed. Seed 1: exactly 0.5 at steps 3-4 (a detection at 30 s, 20 s before its onset at 50 s) and
// a false alarm at step 11. Seed 2: one alarm from step 0 (20 s before the onset at 20 s) and one from step 6 (30 s
// before the onset at 90 s: the earliest a match may be, edge lead 25 s + 5 s), held to the end. Seed 3: a false alarm at
// step 5 and a late one at step 11 (10 s after the onset at 100 s); its onset at 10 s goes undetected.
const BURST: Record<number, Record<number, number>> = { 1: { 3: 0.5, 4: 0.5, 11: 0.8 }, 2: { 0: 0.9, 1: 0.9, 6: 0.7, 7: 0.7, 8: 0.7, 9: 0.7, 10: 0.7, 11: 0.7 }, 3: { 5: 0.6, 11: 0.6 } };

/** One variant's runs: requested executors and violated steps per seed, executors serving, cost per step per seed. */
function variant(policy: string, requested: Record<number, number[]>, violated: Record<number, number[]>, serving: number, costUsdPerStep: Record<number, number>): StepRecord[] {
  return [1, 2, 3].flatMap((seed) =>
    Array.from({ length: STEPS }, (_, i): StepRecord => ({
      step: i, tSeconds: 10 * (i + 1), scenario: 'balanced', trace: '', seed, policy,
      arrivalRateMsgsPerS: arrival(i), processedRateMsgsPerS: arrival(i), backlogMsgs: 0, droppedMsgs: 0, p95LatencyMs: 1000, slaTargetMs: 4000,
      slaViolated: violated[seed]!.includes(i), requestedExecutors: requested[seed]![i]!, requestedMemoryGb: 4, requestedTier: 'nvme', requestedCodec: 'lz4',
      executorsRunning: serving, executorsStarting: 0, memoryGb: 4, tier: 'nvme', codec: 'lz4', scaled: false, costUsd: costUsdPerStep[seed]!, costRateUsdPerHour: 1,
      predictedRateMsgsPerS: predicted(i), burstProbability: BURST[seed]![i] ?? 0,
      // burstActive is left false: the windows must come from the onsets.
      burstActive: false, burstOnset: ONSETS[seed]!.includes(i), reuseProbability: 0.5, shuffleBytes: 1e6, reward: 0, alpha: 1 / 3, beta: 1 / 3, gamma: 1 / 3,
    })),
  );
}

const steady = (from: number[]): number[] => [...from, ...Array.from({ length: STEPS - from.length }, () => from[from.length - 1]!)];
// E's first scale-ups. Seed 1: step 3 (onset 5: lead 20 s, proactive). Seed 2: step 2 (onset 2: lead 0 s, proactive;
// a scale-up at the onset step counts) and step 10 (onset 9: lead -10 s). Seed 3: step 1 (onset 1: lead 0 s, proactive);
// none in onset 10's window [7, 11].
const E = variant('E', { 1: steady([2, 2, 2, 3]), 2: [2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5], 3: steady([2, 3]) }, { 1: [0, 6], 2: [4], 3: [] }, 7, { 1: 0.5, 2: 0.25, 3: 0.125 });
// N's. Seed 1: step 6 (onset 5: lead -10 s). Seed 2: none for onset 2, step 10 for onset 9 (-10 s). Seed 3: none.
const N = variant('N', { 1: steady([2, 2, 2, 2, 2, 2, 3]), 2: steady([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3]), 3: steady([2]) }, { 1: [5, 6, 7], 2: [3, 4, 10], 3: [11] }, 6, { 1: 0.25, 2: 0.25, 3: 0.25 });
const records = [...E, ...N];

/** Mean ± Student-t 95 % half-width, by hand: t(0.975, 1) = 12.7062047361747, t(0.975, 2) = 4.302652729749464. */
function pmHand(xs: number[], digits: number): string {
  const m = xs.reduce((a, x) => a + x, 0) / xs.length;
  if (xs.length === 1) return `${m.toFixed(digits)} ± n/a`;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  const t = xs.length === 2 ? 12.7062047361747 : 4.302652729749464;
  return `${m.toFixed(digits)} ± ${((t * sd) / Math.sqrt(xs.length)).toFixed(digits)}`;
}

const analysis = analyzeEdge(records, 'E', 'N', 25, 40);
const md = edgeMarkdown(analysis, { command: 'test', notes: [] }, { bursts: 'b.png', timeline: 't.png' });
const row = (start: string): string => {
  const found = md.split('\n').filter((l) => l.startsWith(start));
  assert.equal(found.length, 1, `exactly one line starting with ${start}`);
  return found[0]!;
};

test('per-run lead time, proactive and scaled shares, executors serving at the onset', () => {
  const run = (policy: string, seed: number) => records.filter((r) => r.policy === policy && r.seed === seed);
  assert.deepEqual(runEdgeMetrics(run('E', 2)), {
    seed: 2, slaViolationPct: 100 / 12, costUsd: 3, onsets: 2,
    windowSlaViolationPct: 100 / 12, // the windows [0, 8] and [6, 11] merge into the whole run
    meanLeadS: -5, proactiveShare: 0.5, scaledShare: 1, executorsAtOnset: 7,
  });
  // Two onsets, one with a scale-up: the mean lead is over that one, the shares over both.
  const e3 = runEdgeMetrics(run('E', 3));
  assert.deepEqual([e3.meanLeadS, e3.proactiveShare, e3.scaledShare], [0, 0.5, 0.5]);
  const n2 = runEdgeMetrics(run('N', 2));
  assert.deepEqual([n2.meanLeadS, n2.proactiveShare, n2.scaledShare], [-10, 0, 0.5]);
  // No scale-up in any window: no lead.
  assert.ok(Number.isNaN(runEdgeMetrics(run('N', 3)).meanLeadS), 'no scale-up around any onset: no lead');
  // Seed 1's window is steps [2, 11]: E's violation at step 0 counts overall only.
  const e1 = runEdgeMetrics(run('E', 1));
  assert.deepEqual([e1.slaViolationPct, e1.windowSlaViolationPct, e1.meanLeadS], [200 / 12, 10, 20]);
});

test('the table of both variants: means over seeds with an undefined value left out, onsets summed over seeds', () => {
  // Columns: onsets, window SLA %, overall SLA %, cost, executors at onset, onsets with a scale-up, proactive, lead.
  assert.equal(
    row('| balanced | `E` |'),
    `| balanced | \`E\` | 5 | ${pmHand([10, 100 / 12, 0], 2)} | ${pmHand([200 / 12, 100 / 12, 0], 2)} | ${pmHand([6, 3, 1.5], 4)} | 7.0 ± 0.0 | ${pmHand([1, 1, 0.5], 2)} | ${pmHand([1, 0.5, 0.5], 2)} | ${pmHand([20, -5, 0], 1)} |`,
  );
  // N's lead is defined on seeds 1 and 2 only (-10 s each).
  assert.equal(
    row('| balanced | `N` |'),
    `| balanced | \`N\` | 5 | ${pmHand([30, 25, 100 / 12], 2)} | ${pmHand([25, 25, 100 / 12], 2)} | 3.0000 ± 0.0000 | 6.0 ± 0.0 | ${pmHand([1, 0.5, 0], 2)} | 0.00 ± 0.00 | -10.0 ± 0.0 |`,
  );
});

test('paired differences edge − no-edge: over the seeds where both are defined (the lead on seeds 1 and 2)', () => {
  const s = analysis.scenarios[0]!;
  assert.equal(s.deltaLeadS.n, 2);
  assert.equal(
    row('| balanced | -'),
    `| balanced | ${pmHand([10 - 30, 100 / 12 - 25, 0 - 100 / 12], 2)} | ${pmHand([200 / 12 - 25, 100 / 12 - 25, 0 - 100 / 12], 2)} | ${pmHand([3, 0, -1.5], 4)} | ${pmHand([20 - -10, -5 - -10], 1)} |`,
  );
});

test('forecaster accuracy: MAPE at the step the horizon falls in, detections where the alarm first reaches 0.5, matched from 30 s before to 30 s after an onset', () => {
  // Detections: seed 1 at 30 and 110 s, seed 2 at 0 and 60 s, seed 3 at 50 and 110 s (6). Onsets: 50; 20, 90; 10, 100 (5).
  // Matched detections: 30 (onset 50), 0 (20), 60 (90), 110 of seed 3 (100): precision 4/6. Detected onsets: all but
  // seed 3's at 10 s: recall 4/5, leads 20, 20, 30, -10: mean 15 s. Runs are apart on the pooled timeline, so seed 1's
  // false alarm at 110 s does not match seed 2's first onset.
  assert.deepEqual(analysis.scenarios[0]!.forecast, { mapePct: 12.5, burstPrecision: 4 / 6, burstRecall: 0.8, meanLeadTimeS: 15, detections: 6, onsets: 5 });
  assert.equal(row('| balanced | 12.5 |'), '| balanced | 12.5 | 0.67 | 0.80 | 15.0 | 6 | 5 | yes |');
});

test('a no-edge run that saw another forecast is flagged NO; the accuracy is still the edge variant\'s', () => {
  const changed = records.map((r) => (r.policy === 'N' && r.seed === 2 && r.step === 4 ? { ...r, burstProbability: 0.95, predictedRateMsgsPerS: 1 } : r));
  const a = analyzeEdge(changed, 'E', 'N', 25, 40);
  assert.equal(a.scenarios[0]!.sameForecastSeries, false);
  assert.deepEqual(a.scenarios[0]!.forecast, analysis.scenarios[0]!.forecast);
  assert.match(edgeMarkdown(a, { command: 'test', notes: [] }, { bursts: 'b.png', timeline: 't.png' }), /^\| balanced \| 12\.5 \| 0\.67 \| 0\.80 \| 15\.0 \| 6 \| 5 \| NO \|$/m);
});

test('plots: bars at the means with mean ± CI95 rules, a metric left out when no seed defines it; the timeline at the step starts', () => {
  // A no-edge twin that never scales up has no lead time at all: its lead bar is left out, not drawn at NaN.
  const flat = records.map((r) => (r.policy === 'N' ? { ...r, requestedExecutors: 2 } : r));
  const a = analyzeEdge(flat, 'E', 'N', 25, 40);
  const s = a.scenarios[0]!;
  const bar = (variant: string, metric: string, m: { mean: number; ci95: number }) => ({ scenario: 'balanced', variant, metric, value: m.mean, lo: m.mean - m.ci95, hi: m.mean + m.ci95 });
  assert.deepEqual((burstsSpec(a) as unknown as { data: { values: unknown[] } }).data.values, [
    bar('E', 'SLA viol % in burst windows', s.edge.windowSlaViolationPct),
    bar('E', 'SLA viol % overall', s.edge.slaViolationPct),
    bar('E', 'first scale-up lead (s)', s.edge.meanLeadS),
    bar('N', 'SLA viol % in burst windows', s.noEdge.windowSlaViolationPct),
    bar('N', 'SLA viol % overall', s.noEdge.slaViolationPct),
  ]);
  assert.ok(s.edge.meanLeadS.ci95 > 0, 'the lead bar has a CI to draw');

  // Timeline of seed 1: a step is drawn from its start (tSeconds - 10 s); the onset at step 5 at 50 s; executors serving.
  type Panel = { layer: { data: { values: { t: number; series?: string; value?: number }[] } }[] };
  const tl = timelineSpec(records.filter((r) => r.seed === 1), analysis) as unknown as { vconcat: Panel[] };
  const [rates, execs] = tl.vconcat;
  assert.deepEqual(rates!.layer[0]!.data.values, [{ t: 50 }]);
  assert.deepEqual(rates!.layer[1]!.data.values.slice(0, 2), [{ t: 0, series: 'arrival rate', value: 1000 }, { t: 0, series: 'edge predicted rate (seen at the step start)', value: 1400 }]);
  const served = execs!.layer[1]!.data.values;
  assert.equal(served.length, 2 * STEPS);
  assert.deepEqual(served.filter((v) => v.t === 110), [{ t: 110, series: 'E', value: 7 }, { t: 110, series: 'N', value: 6 }]);
});

test('the summary\'s numbers: burst-window SLA % of both variants, lead time gained, and the accuracy under the right names', () => {
  const fixed9 = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_, v: unknown) => (typeof v === 'number' ? v.toFixed(9) : v)));
  assert.deepEqual(fixed9(edgeSummaryNumbers(analysis)), fixed9({
    windowSlaViolationPct: { balanced: { edge: (10 + 100 / 12 + 0) / 3, noEdge: (30 + 25 + 100 / 12) / 3 } },
    leadTimeGainedS: { balanced: (30 + 5) / 2 },
    forecast: { balanced: { mapePct: 12.5, precision: 4 / 6, recall: 0.8, meanLeadTimeS: 15 } },
  }));
});
