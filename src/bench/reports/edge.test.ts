/** The edge-cloud report on a tiny run: its files, and its numbers recomputed from its own steps file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStepsFile, streamStepRuns, streamStepsFile } from '../steps-log.ts';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import type { Action } from '../../core/types.ts';
import type { Policy, PolicyContext } from '../../policies/types.ts';
import { MaskedEdgePolicy, analyzeEdge, analyzeEdgeRuns, firstScaleUp, forecastAccuracyOf, noEdgeVariant, runEdgeReport } from './edge.ts';

const AGENT = 'threshold-forecast'; // stand-in: it reads the edge forecast from its context
const MASKED = `${AGENT}+masked-edge`;
const SCENARIOS = ['healthcare', 'balanced'] as const;
const SEEDS = 3;
const STEPS = 120;
const dir = mkdtempSync(join(tmpdir(), 'report-edge-'));
const result = await runEdgeReport({ outDir: dir, seeds: SEEDS, steps: STEPS, quick: true, agent: AGENT, scenarios: [...SCENARIOS] });
const md = readFileSync(result.markdownPath, 'utf8');
const records = readStepsFile(join(dir, 'steps.csv.gz'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const runs = (label: string, scenario: string): StepRecord[][] =>
  [10000, 10001, 10002].map((seed) => records.filter((r) => r.policy === label && r.scenario === scenario && r.seed === seed).sort((a, b) => a.step - b.step));
const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;

/** Naive burst-window SLA %: a step counts when some onset lies within 6 steps before it or 3 steps after it. */
function windowSla(run: StepRecord[]): number {
  const onsets = run.map((r, i) => (r.burstOnset ? i : -1)).filter((i) => i >= 0);
  const inWin = run.filter((_, i) => onsets.some((o) => i >= o - 3 && i <= o + 6));
  return (100 * inWin.filter((r) => r.slaViolated).length) / inWin.length;
}

test('writes edge.md, two PNGs and a steps file of both variants', () => {
  assert.deepEqual(result.pngPaths, [join(dir, 'edge_bursts.png'), join(dir, 'edge_timeline.png')]);
  for (const p of result.pngPaths) assert.deepEqual([...readFileSync(p).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual([...new Set(records.map((r) => r.policy))], [AGENT, MASKED]);
  assert.equal(records.length, SCENARIOS.length * 2 * SEEDS * STEPS);
  assert.match(md, /Note: the no-edge variant is 'threshold-forecast' with its edge inputs masked/);
});

test('burst-window and overall SLA % in edge.md match a recomputation from the steps file; the edge helps the stand-in', () => {
  for (const scenario of SCENARIOS) {
    for (const label of [AGENT, MASKED]) {
      const rs = runs(label, scenario).filter((r) => r.some((s) => s.burstOnset));
      assert.ok(rs.length >= 2, `${scenario}: runs with bursts`);
      const w = mean(rs.map(windowSla));
      const overall = mean(runs(label, scenario).map((r) => (100 * r.filter((s) => s.slaViolated).length) / r.length));
      const line = md.split('\n').find((l) => l.startsWith(`| ${scenario} | \`${label}\` |`))!;
      const cells = line.split(' | ');
      assert.equal(cells[3]!.split(' ± ')[0], w.toFixed(2), `${scenario} ${label} window SLA`);
      assert.equal(cells[4]!.split(' ± ')[0], overall.toFixed(2), `${scenario} ${label} overall SLA`);
    }
    const sum = result.summary['windowSlaViolationPct'] as Record<string, { edge: number; noEdge: number }>;
    assert.ok(sum[scenario]!.edge < sum[scenario]!.noEdge, `${scenario}: the forecast must cut burst-window violations of threshold-forecast`);
  }
});

test('lead time gained in the summary: the paired mean lead edge − no-edge, recomputed naively from the steps file', () => {
  /** Mean over onsets with a rise of the requested executors in [onset - 3, onset + 6] of (onset - first rise) x 10 s. */
  const meanLead = (r: StepRecord[]): number => {
    const leads = r.flatMap((s, o) => {
      if (!s.burstOnset) return [];
      const j = r.findIndex((x, i) => i >= Math.max(1, o - 3) && i <= o + 6 && x.requestedExecutors > r[i - 1]!.requestedExecutors);
      return j < 0 ? [] : [(o - j) * 10];
    });
    return leads.length ? mean(leads) : Number.NaN;
  };
  for (const scenario of SCENARIOS) {
    const e = runs(AGENT, scenario).map(meanLead);
    const n = runs(MASKED, scenario).map(meanLead);
    const d = e.map((x, i) => x - n[i]!).filter((x) => Number.isFinite(x));
    assert.ok(d.length >= 1, `${scenario}: seeds where both variants scaled up around an onset`);
    const gained = (result.summary['leadTimeGainedS'] as Record<string, number>)[scenario]!;
    assert.ok(Math.abs(gained - mean(d)) < 1e-9, `${scenario}: ${gained} vs ${mean(d)}`);
  }
});

test('forecaster accuracy in edge.md matches a naive recomputation (pooled over seeds)', () => {
  for (const scenario of SCENARIOS) {
    const rs = runs(AGENT, scenario);
    let ape = 0;
    let n = 0;
    let tp = 0;
    let det = 0;
    let found = 0;
    let onsets = 0;
    let leadSum = 0;
    for (const r of rs) {
      for (let i = 0; i + 4 < r.length; i++) {
        const actual = r[i + 4]!.arrivalRateMsgsPerS;
        if (actual > 0) { ape += Math.abs(r[i]!.predictedRateMsgsPerS - actual) / actual; n++; }
      }
      const dets = r.map((s, i) => (s.burstProbability >= 0.5 && (i === 0 || r[i - 1]!.burstProbability < 0.5) ? i * 10 : -1)).filter((t) => t >= 0);
      const ons = r.map((s, i) => (s.burstOnset ? i * 10 : -1)).filter((t) => t >= 0);
      det += dets.length;
      onsets += ons.length;
      tp += dets.filter((d) => ons.some((o) => d >= o - 30 && d <= o + 30)).length;
      for (const o of ons) {
        const d = dets.find((x) => x >= o - 30 && x <= o + 30);
        if (d !== undefined) { found++; leadSum += o - d; }
      }
    }
    const line = md.split('\n').find((l) => l.startsWith(`| ${scenario} |`) && l.endsWith('| yes |'))!;
    const cells = line.split(' | ');
    assert.equal(cells[1], ((100 * ape) / n).toFixed(1), `${scenario} MAPE`);
    assert.equal(cells[2], (det > 0 ? tp / det : 0).toFixed(2), `${scenario} precision`);
    assert.equal(cells[3], (onsets > 0 ? found / onsets : 0).toFixed(2), `${scenario} recall`);
    assert.equal(cells[4], (found > 0 ? leadSum / found : 0).toFixed(1), `${scenario} lead`);
    assert.equal(cells[5], String(det));
    assert.equal(cells[6], String(onsets));
    // The summary carries the same accuracy, each field under its own name.
    const f = (result.summary['forecast'] as Record<string, { mapePct: number; precision: number; recall: number; meanLeadTimeS: number }>)[scenario]!;
    assert.deepEqual([f.mapePct, f.precision, f.recall, f.meanLeadTimeS].map((x) => x.toFixed(9)), [(100 * ape) / n, det > 0 ? tp / det : 0, onsets > 0 ? found / onsets : 0, found > 0 ? leadSum / found : 0].map((x) => x.toFixed(9)));
  }
  // The forecast is exogenous: both variants saw the same one.
  assert.ok(analyzeEdge(records, AGENT, MASKED, 25, 40).scenarios.every((s) => s.sameForecastSeries));
});

test('the streamed analysis (the steps file read back one run at a time) equals the in-memory one; the timeline keeps one seed', async () => {
  const { analysis, timelineRows } = await analyzeEdgeRuns(streamStepRuns(streamStepsFile(join(dir, 'steps.csv.gz'), 101)), AGENT, MASKED, 25, 40);
  assert.deepEqual(analysis, analyzeEdge(records, AGENT, MASKED, 25, 40));
  // In memory, records in another order (seeds and steps descending) give the same analysis.
  assert.deepEqual(analyzeEdge([...records].sort((a, b) => b.seed - a.seed || b.step - a.step), AGENT, MASKED, 25, 40), analysis);
  const best = [...analysis.scenarios].sort((x, y) => y.edge.runs[0]!.onsets - x.edge.runs[0]!.onsets)[0]!.scenario;
  assert.deepEqual(timelineRows, records.filter((r) => r.scenario === best && r.seed === 10000));
  // A changed forecast in one no-edge run is caught; edge runs out of seed order are refused (the forecaster's pooled score is summed in seed order).
  const changed = records.map((r) => (r.policy === MASKED && r.seed === 10001 && r.step === 7 ? { ...r, burstProbability: r.burstProbability + 0.125 } : r));
  assert.ok(analyzeEdge(changed, AGENT, MASKED, 25, 40).scenarios.some((s) => !s.sameForecastSeries));
  const runsOfFile = [];
  for await (const run of streamStepRuns(records)) runsOfFile.push(run);
  await assert.rejects(analyzeEdgeRuns([...runsOfFile].reverse(), AGENT, MASKED, 25, 40), /not in seed order/);
});

/** Minimal records for unit tests. */
const rec = (i: number, o: Partial<StepRecord>): StepRecord => ({ ...records[0]!, step: i, tSeconds: 10 * (i + 1), seed: 1, burstOnset: false, requestedExecutors: 2, burstProbability: 0, ...o });

test('first scale-up: the first step in [onset - 3, onset + 6] whose request exceeds the previous one', () => {
  const run = Array.from({ length: 15 }, (_, i) => rec(i, { requestedExecutors: [2, 2, 2, 2, 3, 3, 5, 5, 2, 2, 2, 4, 4, 4, 4][i]! }));
  assert.equal(firstScaleUp(run, 6), 4); // 2 steps (20 s) ahead
  assert.equal(firstScaleUp(run, 9), 6); // the scale-up at 6 is inside [6, 15]
  assert.equal(firstScaleUp(run, 12), 11); // [9, 18]: 11 is the first step above its predecessor
  assert.equal(firstScaleUp(run, 0), 4); // [1, 6]: after the onset (a reactive scale-up)
  assert.equal(firstScaleUp(run, 14), 11); // [11, 14], clipped to the run
  assert.equal(firstScaleUp(run, 9, 0, 1), null); // [9, 10]: no rise
  assert.equal(firstScaleUp(run, 5, 0, 1), 6); // [5, 6]: the rise at the window's last step counts
  assert.equal(firstScaleUp(run, 8, 0, 0), null); // [8, 8]: a drop is not a scale-up
  assert.equal(firstScaleUp(run.map((r) => ({ ...r, requestedExecutors: 3 })), 5), null);
});

test('forecast accuracy on a hand-made series: one early alarm, one missed onset, one false alarm', () => {
  const p = Array.from({ length: 40 }, () => 0);
  p[8] = 0.6; // detection at 80 s, onset at 100 s -> lead 20 s
  p[30] = 0.9; // false alarm at 300 s
  const run = Array.from({ length: 40 }, (_, i) => rec(i, { burstProbability: p[i]!, burstOnset: i === 10 || i === 20, arrivalRateMsgsPerS: 100, predictedRateMsgsPerS: 110 }));
  const acc = forecastAccuracyOf([run], 25, 40);
  assert.equal(acc.detections, 2);
  assert.equal(acc.onsets, 2);
  assert.equal(acc.burstPrecision, 0.5);
  assert.equal(acc.burstRecall, 0.5);
  assert.equal(acc.meanLeadTimeS, 20);
  assert.ok(Math.abs(acc.mapePct - 10) < 1e-9);
});

test('MaskedEdgePolicy: the inner policy sees zeroed edge features and a persistence forecast', () => {
  let seenObs: Float32Array | null = null;
  let seenCtx: PolicyContext | null = null;
  const inner: Policy = { id: 'in', reset: () => {}, act: (o, c) => { seenObs = o; seenCtx = c; return { executors: 1, memoryGb: 1, tier: 'nvme', codec: 'lz4' } as Action; } };
  const obs = new Float32Array(27).fill(0.5);
  const ctx = { snapshot: { arrivalRateMsgsPerS: 1234 }, forecast: { predictedRateMsgsPerS: 9999, burstProbability: 0.9, horizonS: 40, gatewayId: 'g' } } as unknown as PolicyContext;
  new MaskedEdgePolicy(inner, 'm').act(obs, ctx);
  assert.equal(seenObs![11], 0);
  assert.equal(seenObs![12], 0);
  assert.equal(seenObs![10], 0.5);
  assert.equal(obs[11], 0.5, 'the caller\'s observation is not modified');
  assert.deepEqual(seenCtx!.forecast, { predictedRateMsgsPerS: 1234, burstProbability: 0, horizonS: 40, gatewayId: 'masked' });
  assert.throws(() => noEdgeVariant(AGENT, 'no-such-policy'), /--masked-agent no-such-policy: policy 'no-such-policy' is not registered/);
});

test("each trained agent's no-edge variant is its own trained twin", () => {
  assert.equal(noEdgeVariant('edge-rl').variant.label, 'rl-no-edge-meta');
  assert.equal(noEdgeVariant('edge-rl-fixed').variant.label, 'rl-no-edge');
  assert.equal(noEdgeVariant('edge-rl', 'rl-no-edge').variant.label, 'rl-no-edge');
  assert.deepEqual(noEdgeVariant('edge-rl').notes, []);
});
