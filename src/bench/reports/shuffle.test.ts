/** The shuffle report on a tiny run: its files, and its numbers recomputed from its own steps file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStepsFile, streamStepRuns, streamStepsFile } from '../steps-log.ts';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { CODECS, TIERS } from '../../core/types.ts';
import { runShuffleReport, analyzeShuffle, analyzeShuffleRuns, fixedLabel, thresholdLabel } from './shuffle.ts';
import { loadTraceCsv } from '../../workload/trace.ts';

const AGENT = 'threshold-forecast'; // stand-in agent: no trained model needed
const SEEDS = 2;
const STEPS = 40;
const dir = mkdtempSync(join(tmpdir(), 'report-shuffle-'));
const result = await runShuffleReport({ outDir: dir, seeds: SEEDS, steps: STEPS, quick: true, agent: AGENT, scenarios: ['healthcare'] });
const md = readFileSync(result.markdownPath, 'utf8');
const records = readStepsFile(join(dir, 'steps.csv.gz'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Independent recomputation: Student-t 95 % half-width for n = 2 (t = 12.7062047361747). */
function meanCi2(xs: number[]): [number, number] {
  assert.equal(xs.length, 2);
  const m = (xs[0]! + xs[1]!) / 2;
  const sd = Math.abs(xs[0]! - xs[1]!) / Math.SQRT2;
  return [m, (12.7062047361747 * sd) / Math.SQRT2];
}
const runsOf = (label: string): StepRecord[][] =>
  [10000, 10001].map((seed) => records.filter((r) => r.policy === label && r.seed === seed).sort((a, b) => a.step - b.step));
const rowOf = (name: string): string => {
  const line = md.split('\n').find((l) => l.startsWith(`| ${name} |`));
  assert.ok(line, `no table row for ${name}`);
  return line;
};

test('writes shuffle.md, two PNGs and the steps file of 14 variants x seeds x steps', () => {
  assert.equal(result.markdownPath, join(dir, 'shuffle.md'));
  assert.deepEqual(result.pngPaths, [join(dir, 'shuffle_cost_sla.png'), join(dir, 'shuffle_choices.png')]);
  for (const p of result.pngPaths) assert.deepEqual([...readFileSync(p).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${p} is a PNG`);
  assert.ok(existsSync(join(dir, 'steps.csv.gz')));
  const labels = [...new Set(records.map((r) => r.policy))];
  assert.equal(labels.length, 14);
  assert.deepEqual(labels.slice(0, 2), [AGENT, thresholdLabel(AGENT)]);
  assert.equal(records.length, 14 * SEEDS * STEPS);
  for (const t of TIERS) for (const c of CODECS) assert.ok(records.filter((r) => r.policy === fixedLabel(AGENT, t, c)).every((r) => r.requestedTier === t && r.requestedCodec === c));
});

test('every variant\'s SLA % and cost in shuffle.md match a recomputation from the steps file', () => {
  for (const label of [AGENT, thresholdLabel(AGENT), fixedLabel(AGENT, 's3', 'zstd'), fixedLabel(AGENT, 'archive', 'none')]) {
    const runs = runsOf(label);
    const [slaM, slaC] = meanCi2(runs.map((r) => (100 * r.filter((s) => s.slaViolated).length) / r.length));
    const [costM, costC] = meanCi2(runs.map((r) => r.reduce((a, s) => a + s.costUsd, 0)));
    const name = label === AGENT ? `${AGENT} (full agent)` : `+${label.slice(AGENT.length + 1)}`;
    const cells = rowOf(name).split(' | ');
    assert.equal(cells[1], `${slaM.toFixed(2)} ± ${slaC.toFixed(2)}`, `${label} SLA`);
    assert.equal(cells[2], `${costM.toFixed(4)} ± ${costC.toFixed(4)}`, `${label} cost`);
  }
});

test('the override isolates the shuffle: +nvme/lz4 (what the stand-in picks anyway) is the agent run itself, Δ = 0', () => {
  const strip = (runs: StepRecord[][]) => runs.map((r) => r.map(({ policy: _p, ...rest }) => rest));
  assert.deepEqual(strip(runsOf(fixedLabel(AGENT, 'nvme', 'lz4'))), strip(runsOf(AGENT)));
  const cells = rowOf('+nvme/lz4').split(' | ');
  assert.equal(cells[4], '0.00 ± 0.00');
  assert.equal(cells[5], '0.0000 ± 0.0000');
  assert.equal(result.summary['agent'], AGENT);
  const agentCost = (result.summary['agentCostUsd'] as Record<string, number>)['healthcare']!;
  assert.ok(Math.abs(agentCost - meanCi2(runsOf(AGENT).map((r) => r.reduce((a, s) => a + s.costUsd, 0)))[0]) < 1e-12);
});

test('temperature buckets, choice shares and switch counts match the steps file', () => {
  const a = analyzeShuffle(records, AGENT);
  const rule = thresholdLabel(AGENT);
  const ruleSteps = records.filter((r) => r.policy === rule);
  for (const bucket of ['cold', 'cool', 'warm', 'hot'] as const) {
    const inBucket = ruleSteps.filter((r) => (bucket === 'cold' ? r.reuseProbability < 0.25 : bucket === 'cool' ? r.reuseProbability >= 0.25 && r.reuseProbability < 0.5 : bucket === 'warm' ? r.reuseProbability >= 0.5 && r.reuseProbability < 0.75 : r.reuseProbability >= 0.75));
    const choice = a.choices.find((c) => c.variant === rule && c.bucket === bucket)!;
    assert.equal(choice.steps, inBucket.length, bucket);
    if (inBucket.length > 0) assert.equal(choice.tierShare.redis, inBucket.filter((r) => r.requestedTier === 'redis').length / inBucket.length);
  }
  // Switches per 100 steps of the rule, recomputed.
  const per100 = runsOf(rule).map((r) => (100 * r.filter((s, i) => i > 0 && s.requestedTier !== r[i - 1]!.requestedTier).length) / r.length);
  const [m, c] = meanCi2(per100);
  const line = md.split('\n').find((l) => l.startsWith(`| healthcare | +size-threshold |`) && l.split(' | ').length === 5)!;
  assert.equal(line.split(' | ')[2], `${m.toFixed(2)} ± ${c.toFixed(2)}`);
  // The stand-in never changes its tier or codec.
  assert.equal(a.switches.find((s) => s.variant === AGENT)!.shuffleChangesPer100.mean, 0);
});

test('the streamed analysis (the steps file read back one run at a time) equals the in-memory one', async () => {
  const streamed = await analyzeShuffleRuns(streamStepRuns(streamStepsFile(join(dir, 'steps.csv.gz'), 97)), AGENT);
  assert.deepEqual(streamed, analyzeShuffle(records, AGENT));
  // The in-memory form groups records in any order; the seeds are sorted either way.
  assert.deepEqual(analyzeShuffle([...records].reverse(), AGENT).variants.map((v) => [v.variant, v.costUsd]).sort(), streamed.variants.map((v) => [v.variant, v.costUsd]).sort());
  await assert.rejects(analyzeShuffleRuns([], AGENT), /steps file is empty/);
});

test('analysis errors name what is missing', () => {
  assert.throws(() => analyzeShuffle([], AGENT), /steps file is empty/);
  assert.throws(() => analyzeShuffle(records, 'other-agent'), /no runs of the agent 'other-agent'/);
});

test('a full-size steps file (> 200k rows) is analysed without exhausting the call stack', () => {
  const big: StepRecord[] = [];
  for (let copy = 0; big.length < 200_000; copy++) for (const r of records) big.push({ ...r, seed: r.seed + 100 * copy });
  const a = analyzeShuffle(big, AGENT);
  assert.equal(a.steps, STEPS);
  assert.ok(a.seeds.length > 300);
});

test('--trace: every variant replays the trace, and the report says so and that temperature stays the model', async () => {
  const tracePath = join(dir, 'onoff.csv');
  writeFileSync(tracePath, ['t,rate', ...Array.from({ length: 1200 }, (_, t) => `${t},${Math.floor(t / 60) % 2 === 0 ? 5 : 50}`)].join('\n'));
  const out = join(dir, 'trace');
  const r = await runShuffleReport({ outDir: out, seeds: 1, steps: 12, quick: true, agent: AGENT, scenarios: ['balanced'], trace: loadTraceCsv(tracePath), traceNote: 'a test note' });
  const rows = readStepsFile(join(out, 'steps.csv.gz'));
  assert.ok(rows.length > 0 && rows.every((x) => x.trace === 'onoff.csv'), 'every run replays the trace');
  assert.equal(r.summary['trace'], 'onoff.csv');
  assert.match(readFileSync(r.markdownPath, 'utf8'), /> Note: workload: the trace onoff\.csv \(a test note\); data temperature \(the reuse probability\) is the scenario's model/);
  assert.ok(records.every((x) => x.trace === ''), 'the run without --trace is synthetic');
});
