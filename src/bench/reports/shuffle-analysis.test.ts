/**
 * The shuffle report's analysis and Markdown on hand-made steps (2 seeds x 4 steps), every expected number worked out
 * by hand in the comments; and its summary on a stand-in agent that changes its tier every step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import type { Codec, Tier } from '../../core/types.ts';
import { registerPolicy } from '../../policies/registry.ts';
import { analyzeShuffle, choicesSpec, costSlaSpec, runShuffleReport, shuffleMarkdown, variantsBeatingAgent } from './shuffle.ts';

/** A StepRecord with neutral values, overridden by `o`. The tier/codec IN FORCE is archive/none throughout, so only
 * the requested ones can produce the choice shares below. */
function rec(o: Partial<StepRecord>): StepRecord {
  return {
    step: 0, tSeconds: 10, scenario: 'balanced', trace: '', seed: 1, policy: 'A',
    arrivalRateMsgsPerS: 1000, processedRateMsgsPerS: 1000, backlogMsgs: 0, droppedMsgs: 0, p95LatencyMs: 100, slaTargetMs: 4000, slaViolated: false,
    requestedExecutors: 2, requestedMemoryGb: 4, requestedTier: 'redis', requestedCodec: 'lz4', executorsRunning: 2, executorsStarting: 0, memoryGb: 4,
    tier: 'archive', codec: 'none', scaled: false, costUsd: 0, costRateUsdPerHour: 1, predictedRateMsgsPerS: 1000, burstProbability: 0,
    burstActive: false, burstOnset: false, reuseProbability: 0.5, shuffleBytes: 1e6, reward: 0, alpha: 1 / 3, beta: 1 / 3, gamma: 1 / 3,
    ...o,
  };
}

// The same world for every variant: reuse probability per step. Seed 1: cold, cold, warm, hot; seed 2: cold, warm, warm, warm.
const REUSE: Record<number, number[]> = { 1: [0.1, 0.1, 0.6, 0.9], 2: [0.1, 0.6, 0.6, 0.6] };
const V = (s: string): boolean => s === 'T';

/** One variant's two runs: violations per step ('TFFT'), cost USD per step, and per-step overrides per seed. */
function variant(policy: string, violated: Record<number, string>, costUsdPerStep: number, perStep: Record<number, Partial<StepRecord>[]> = {}): StepRecord[] {
  return [1, 2].flatMap((seed) =>
    [0, 1, 2, 3].map((step) =>
      rec({ policy, seed, step, tSeconds: 10 * (step + 1), reuseProbability: REUSE[seed]![step]!, slaViolated: V(violated[seed]![step]!), costUsd: costUsdPerStep, ...(perStep[seed]?.[step] ?? {}) }),
    ),
  );
}

const pick = (tier: Tier, codec: Codec): Partial<StepRecord> => ({ requestedTier: tier, requestedCodec: codec });
/** The full agent: its own choices, and cost rate / p95 that differ per step (for the temperature buckets). */
const agent = variant('A', { 1: 'FTFT', 2: 'FFTT' }, 0.25, {
  1: [pick('nvme', 'lz4'), pick('redis', 'lz4'), pick('redis', 'zstd'), pick('nvme', 'zstd')].map((p, i) => ({ ...p, costRateUsdPerHour: [1, 3, 5, 7][i]!, p95LatencyMs: [100, 300, 500, 700][i]! })),
  2: [0, 1, 2, 3].map((i) => ({ ...pick('nvme', 'lz4'), costRateUsdPerHour: [2, 4, 6, 8][i]!, p95LatencyMs: [200, 400, 600, 800][i]! })),
});
// Per run: SLA % and cost USD (4 steps x the cost per step).
const records = [
  ...agent, // 50 %, 1.00
  ...variant('A+size-threshold', { 1: 'TFFF', 2: 'FTFF' }, 0.125), // 25 %, 0.50
  ...variant('A+nvme/lz4', { 1: 'TTFF', 2: 'FTTF' }, 0.25), // 50 %, 1.00
  ...variant('A+redis/lz4', { 1: 'TFTF', 2: 'TFFT' }, 0.1875), // 50 %, 0.75
  ...variant('A+redis/zstd', { 1: 'FFTT', 2: 'TTFF' }, 0.125), // 50 %, 0.50
  ...variant('A+s3/zstd', { 1: 'TTTF', 2: 'FTTT' }, 0.0625), // 75 %, 0.25
];
const analysis = analyzeShuffle(records, 'A');
const md = shuffleMarkdown(analysis, { command: 'test', notes: [] }, { costSla: 'c.png', choices: 'k.png' });
const lines = md.split('\n');
const row = (start: string): string => {
  const found = lines.filter((l) => l.startsWith(start));
  assert.equal(found.length, 1, `exactly one line starting with ${start}`);
  return found[0]!;
};
// Student-t 95 % half-width for two values a, b: t(0.975, 1) x |a - b| / 2.
const T1 = 12.7062047361747;

test('variants table: means, paired Δ variant − agent (— for the agent), p95 = 95th percentile of the per-step p95, Pareto with ties', () => {
  // Agent p95 per run: type-7 percentile of [100, 300, 500, 700] = 500 + 0.85 x 200 = 670, of [200..800] = 770 -> 720 ± T1 x 50.
  assert.equal(row('| A (full agent) |'), `| A (full agent) | 50.00 ± 0.00 | 1.0000 ± 0.0000 | 720 ± ${(T1 * 50).toFixed(0)} | — | — |  |`);
  // The rule dominates the agent, nvme/lz4, redis/lz4 and (equal cost, fewer violations) redis/zstd; s3/zstd is the cheapest.
  assert.equal(row('| +size-threshold |'), '| +size-threshold | 25.00 ± 0.00 | 0.5000 ± 0.0000 | 100 ± 0 | -25.00 ± 0.00 | -0.5000 ± 0.0000 | yes |');
  assert.equal(row('| +redis/zstd |'), '| +redis/zstd | 50.00 ± 0.00 | 0.5000 ± 0.0000 | 100 ± 0 | 0.00 ± 0.00 | -0.5000 ± 0.0000 |  |');
  assert.equal(row('| +s3/zstd |'), '| +s3/zstd | 75.00 ± 0.00 | 0.2500 ± 0.0000 | 100 ± 0 | 25.00 ± 0.00 | -0.7500 ± 0.0000 | yes |');
  assert.deepEqual(analysis.variants.map((v) => [v.variant, v.pareto]), [
    ['A', false], ['A+size-threshold', true], ['A+nvme/lz4', false], ['A+redis/lz4', false], ['A+redis/zstd', false], ['A+s3/zstd', true],
  ]);
});

test('best fixed pair: the cheapest fixed pair with SLA % no higher than the agent\'s (ties count), never the rule or the agent', () => {
  // No worse than the agent's 50 %: nvme/lz4 (1.00), redis/lz4 (0.75), redis/zstd (0.50); the rule (0.50, 25 %) is not a fixed pair.
  assert.deepEqual(analysis.bestFixed, { balanced: 'A+redis/zstd' });
  assert.ok(md.includes('else the lowest SLA %): `+redis/zstd`.'), 'the best fixed pair line names +redis/zstd');
  // When every fixed pair violates more than the agent: the one with the lowest SLA %.
  const worse = [
    ...variant('A', { 1: 'FFFF', 2: 'FFFF' }, 1),
    ...variant('A+s3/zstd', { 1: 'TTFF', 2: 'TTTF' }, 0.0625), // 62.5 %
    ...variant('A+nvme/lz4', { 1: 'TFFF', 2: 'FFTF' }, 0.5), // 25 %
    ...variant('A+redis/none', { 1: 'TTTT', 2: 'TTTT' }, 0.125), // 100 %
  ];
  assert.deepEqual(analyzeShuffle(worse, 'A').bestFixed, { balanced: 'A+nvme/lz4' });
});

test('verdict: the variants with SLA % no higher than the agent\'s and a lower cost, cheapest first (the rule counts, equal cost does not)', () => {
  // Agent 50 % at 1.00: the rule (25 %, 0.50) and redis/zstd (50 %, 0.50) tie on cost and keep the table's order,
  // then redis/lz4 (0.75); nvme/lz4 costs the same (1.00) and s3/zstd violates more (75 %).
  assert.deepEqual(variantsBeatingAgent(analysis, 'balanced').map((v) => v.variant), ['A+size-threshold', 'A+redis/zstd', 'A+redis/lz4']);
  assert.ok(md.includes("The agent's own choice is beaten in 1 of 1 scenario."), md);
  // The cheapest one's paired differences: -0.5 USD on both seeds (a zero-width CI, below 0), -25 points.
  assert.equal(row('| balanced | 3: '), '| balanced | 3: `+size-threshold`, `+redis/zstd`, `+redis/lz4` | `+size-threshold` | -0.5000 ± 0.0000 (CI below 0) | -25.00 ± 0.00 |');
  // An agent nothing beats: every other variant violates more or costs as much.
  const unbeaten = [
    ...variant('A', { 1: 'FFFF', 2: 'FFFF' }, 0.5),
    ...variant('A+s3/zstd', { 1: 'TFFF', 2: 'FFFF' }, 0.0625),
    ...variant('A+nvme/lz4', { 1: 'FFFF', 2: 'FFFF' }, 0.5),
  ];
  const a = analyzeShuffle(unbeaten, 'A');
  assert.deepEqual(variantsBeatingAgent(a, 'balanced'), []);
  const text = shuffleMarkdown(a, { command: 'test', notes: [] }, { costSla: 'c.png', choices: 'k.png' });
  assert.ok(text.includes("No variant beats the agent's own choice in any scenario."), text);
  assert.ok(text.includes('| balanced | none | — | — | — |'), text);
});

test('by data temperature: per seed over the bucket\'s steps, then mean ± CI over the seeds with steps there; empty buckets are left out', () => {
  assert.ok(md.includes('cold [0, 0.25), cool [0.25, 0.5), warm [0.5, 0.75), hot [0.75, 1]. Per seed:'), 'the bucket bounds are printed');
  const bucketRows = lines.filter((l) => /^\| (cold|cool|warm|hot) \|/.test(l));
  // Shown: the agent, the rule, Spark's default nvme/lz4 and the best fixed pair; the cool bucket has no steps.
  assert.deepEqual(
    bucketRows.map((l) => l.split(' | ').slice(0, 3).join(' | ')),
    ['cold', 'warm', 'hot'].flatMap((b) => ['A (full agent)', '+size-threshold', '+nvme/lz4', '+redis/zstd'].map((v) => `| ${b} | ${v} | ${b === 'cold' ? 3 : b === 'warm' ? 4 : 1}`)),
  );
  // Agent, cold: seed 1 steps 0-1 (cost rate 1, 3; p95 100, 300; violated F, T), seed 2 step 0 (2; 200; F).
  assert.equal(row('| cold | A (full agent) |'), `| cold | A (full agent) | 3 | 2.000 ± 0.000 | 200 ± 0 | 25.00 ± ${(T1 * 25).toFixed(2)} |`);
  // Agent, warm: seed 1 step 2 (5; 500; F) and seed 2 steps 1-3 (4, 6, 8; 400, 600, 800; F, T, T).
  assert.equal(row('| warm | A (full agent) |'), `| warm | A (full agent) | 4 | 5.500 ± ${(T1 * 0.5).toFixed(3)} | 550 ± ${(T1 * 50).toFixed(0)} | 33.33 ± ${((T1 * 100) / 3).toFixed(2)} |`);
  // Agent, hot: seed 1 step 3 only (7; 700; T): one seed, no CI.
  assert.equal(row('| hot | A (full agent) |'), '| hot | A (full agent) | 1 | 7.000 ± n/a | 700 ± n/a | 100.00 ± n/a |');
});

test('choices and switches: requested tier/codec shares pooled over seeds per bucket, switches per 100 steps, for the agent and the rule only', () => {
  // Agent seed 1: nvme/lz4, redis/lz4, redis/zstd, nvme/zstd -> 2 tier switches, 1 codec switch, 3 changes in 4 steps;
  // seed 2: nvme/lz4 throughout -> 0.
  assert.equal(row('| balanced | A (full agent) | 2'), `| balanced | A (full agent) | 25.00 ± ${(T1 * 25).toFixed(2)} | 12.50 ± ${(T1 * 12.5).toFixed(2)} | 37.50 ± ${(T1 * 37.5).toFixed(2)} |`);
  const choiceRows = lines.filter((l) => /^\| balanced \| (A \(full agent\)|\+size-threshold) \| (cold|cool|warm|hot) \|/.test(l));
  // Columns: steps, redis, nvme, s3, archive, none, lz4, zstd.
  assert.deepEqual(choiceRows, [
    '| balanced | A (full agent) | cold | 3 | 33 % | 67 % | 0 % | 0 % | 0 % | 100 % | 0 % |',
    '| balanced | A (full agent) | warm | 4 | 25 % | 75 % | 0 % | 0 % | 0 % | 75 % | 25 % |',
    '| balanced | A (full agent) | hot | 1 | 0 % | 100 % | 0 % | 0 % | 0 % | 0 % | 100 % |',
    '| balanced | +size-threshold | cold | 3 | 100 % | 0 % | 0 % | 0 % | 0 % | 100 % | 0 % |',
    '| balanced | +size-threshold | warm | 4 | 100 % | 0 % | 0 % | 0 % | 0 % | 100 % | 0 % |',
    '| balanced | +size-threshold | hot | 1 | 100 % | 0 % | 0 % | 0 % | 0 % | 100 % | 0 % |',
  ]);
  assert.equal(row('| balanced | +size-threshold | 0'), '| balanced | +size-threshold | 0.00 ± 0.00 | 0.00 ± 0.00 | 0.00 ± 0.00 |');
  assert.deepEqual(analysis.choices.map((c) => c.variant).filter((v, i, all) => all.indexOf(v) === i), ['A', 'A+size-threshold']);
});

test('summary: the agent\'s tier/codec changes per 100 steps, not the rule\'s', async () => {
  // A stand-in agent that alternates nvme and redis every step: 9 tier changes in 10 steps = 90 per 100 steps.
  let step = 0;
  registerPolicy({
    id: 'test-tier-flipper',
    description: 'test stand-in',
    source: 'shuffle-analysis.test.ts',
    settings: {},
    create: () => ({
      id: 'test-tier-flipper',
      reset: () => { step = 0; },
      act: () => ({ executors: 2, memoryGb: 4, tier: step++ % 2 === 0 ? 'nvme' : 'redis', codec: 'lz4' }),
    }),
    inDefaultSet: false,
  });
  const dir = mkdtempSync(join(tmpdir(), 'shuffle-summary-'));
  try {
    const r = await runShuffleReport({ outDir: dir, seeds: 1, steps: 10, quick: true, agent: 'test-tier-flipper', scenarios: ['balanced'] });
    assert.deepEqual(r.summary['agentShuffleChangesPer100'], { balanced: 90 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plots: cost vs SLA per variant (CI bars clipped at 0), coloured by tier, shaped by codec; the agent\'s choice shares by temperature', () => {
  // The hand-made runs have zero-width CIs; give the agent's row some to see the bars.
  const withCi = { ...analysis, variants: analysis.variants.map((v, i) => (i === 0 ? { ...v, slaViolationPct: { mean: 2, ci95: 3, n: 2 }, costUsd: { mean: 1, ci95: 0.25, n: 2 } } : v)) };
  const cost = costSlaSpec(withCi) as unknown as { vconcat: { data: { values: Record<string, unknown>[] } }[] };
  const values = cost.vconcat[0]!.data.values;
  assert.deepEqual(values[0], { scenario: 'balanced', group: 'full agent', codec: 'chosen', sla: 2, slaLo: 0, slaHi: 5, cost: 1, costLo: 0.75, costHi: 1.25, slaAxisMin: 1 });
  assert.deepEqual(values.map((v) => [v['group'], v['codec'], v['sla'], v['cost']]), [
    ['full agent', 'chosen', 2, 1], ['size-threshold', 'chosen', 25, 0.5], ['tier nvme', 'lz4', 50, 1], ['tier redis', 'lz4', 50, 0.75], ['tier redis', 'zstd', 50, 0.5], ['tier s3', 'zstd', 75, 0.25],
  ]);
  const choices = choicesSpec(analysis) as unknown as { vconcat: { data: { values: { bucket: string; choice: string; share: number }[] } }[] };
  const [tiers, codecs] = choices.vconcat.map((p) => p.data.values.map((v) => `${v.bucket} ${v.choice} ${v.share.toFixed(4)}`));
  // The full agent only (the rule's choices are in the table, not the plot); buckets with steps.
  assert.deepEqual(tiers, [
    'cold redis 0.3333', 'cold nvme 0.6667', 'cold s3 0.0000', 'cold archive 0.0000',
    'warm redis 0.2500', 'warm nvme 0.7500', 'warm s3 0.0000', 'warm archive 0.0000',
    'hot redis 0.0000', 'hot nvme 1.0000', 'hot s3 0.0000', 'hot archive 0.0000',
  ]);
  assert.deepEqual(codecs, ['cold none 0.0000', 'cold lz4 1.0000', 'cold zstd 0.0000', 'warm none 0.0000', 'warm lz4 0.7500', 'warm zstd 0.2500', 'hot none 0.0000', 'hot lz4 0.0000', 'hot zstd 1.0000']);
});

test('verdict and best fixed pair: equal violation counts count as no more violations, though their means differ by an ulp', () => {
  // 500-step runs on 3 seeds with 1, 2, 3 violating steps (0.2, 0.4, 0.6 %) for the agent and 3, 2, 1 for the pair:
  // (0.2 + 0.4) + 0.6 = 1.2000000000000002 but (0.6 + 0.4) + 0.2 = 1.2, so the pair's mean is an ulp below the agent's
  // here; swapped, it would be an ulp above and must still count as no more.
  const run = (policy: string, seed: number, violating: number, costUsdPerStep: number): StepRecord[] =>
    Array.from({ length: 500 }, (_, step) => rec({ policy, seed, step, tSeconds: 10 * (step + 1), slaViolated: step < violating, costUsd: costUsdPerStep }));
  const build = (agentViolating: number[], pairViolating: number[]): StepRecord[] => [
    ...[1, 2, 3].flatMap((seed, i) => run('A', seed, agentViolating[i]!, 0.002)),
    ...[1, 2, 3].flatMap((seed, i) => run('A+s3/zstd', seed, pairViolating[i]!, 0.001)),
  ];
  for (const [agentV, pairV] of [[[1, 2, 3], [3, 2, 1]], [[3, 2, 1], [1, 2, 3]]]) {
    const a = analyzeShuffle(build(agentV!, pairV!), 'A');
    const [agentRow, pairRow] = [a.variants.find((v) => v.variant === 'A')!, a.variants.find((v) => v.variant === 'A+s3/zstd')!];
    assert.equal(Math.abs(agentRow.slaViolationPct.mean - pairRow.slaViolationPct.mean) < 1e-12, true);
    assert.deepEqual(variantsBeatingAgent(a, 'balanced').map((v) => v.variant), ['A+s3/zstd'], `agent ${agentV} pair ${pairV}`);
    assert.deepEqual(a.bestFixed, { balanced: 'A+s3/zstd' });
  }
});
