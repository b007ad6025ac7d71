import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, formatTable, mainAgent, paretoFront, type ReportMeta } from './report.ts';
import type { RunMetrics, SummaryRow } from './summary.ts';

const runs = (seeds: number[], sla: number[], cost: number[]): RunMetrics[] =>
  seeds.map((seed, i) => ({ seed, steps: 10, slaViolationPct: sla[i]!, costUsd: cost[i]!, p95LatencyMs: 900, droppedMsgs: 0, scalingActions: 1 }));
const row = (policy: string, r: RunMetrics[], trace = ''): SummaryRow => ({
  policy, scenario: 'balanced', trace, seeds: r.length, steps: 10,
  slaViolationPct: r.reduce((a, m) => a + m.slaViolationPct, 0) / r.length, slaViolationCi95: 0.5,
  costUsd: r.reduce((a, m) => a + m.costUsd, 0) / r.length, costCi95: 0.1, p95LatencyMs: 900, p95LatencyCi95: 10, droppedMsgs: 0, scalingActions: 1, runs: r,
});
const meta = (policies: string[], extra: Partial<ReportMeta> = {}): ReportMeta => ({
  command: 'edgepilot bench', scenarios: ['balanced'], policies, seeds: [10_000, 10_001, 10_002], steps: 10, controlIntervalS: 15, envName: 'test', ...extra,
});

test('paired differences: policy minus reference per seed, mean ± t-CI95, only for runs on the same seeds, never the reference itself', () => {
  const rows = [
    row('keda-lag', runs([1, 2, 3], [2, 4, 6], [2, 2.5, 3])),
    row('fixed', runs([1, 2, 3], [1, 2, 3], [1, 1, 1])),
    row('spark-dra', runs([1, 2, 4], [9, 9, 9], [9, 9, 9])), // another seed set: not paired
    row('keda-lag', runs([1, 2, 3], [7, 7, 7], [7, 7, 7]), 'rate.csv'), // another world, without its fixed: not paired
  ];
  const text = buildReport(rows, meta(['keda-lag', 'fixed', 'spark-dra']), 'plots.png');
  // The reference is fixed when it ran, whatever its place in the list.
  assert.match(text, /## Paired differences against `fixed` \(same seeds; positive = more than fixed\)/);
  // SLA: d = [1, 2, 3], mean 2, s = 1 -> t(0.975, 2) x 1 / sqrt(3) = 4.302653 / 1.732051 = 2.484138.
  // Cost: d = [1, 1.5, 2], mean 1.5, s = 0.5 -> 4.302653 x 0.5 / 1.732051 = 1.242069.
  const lines = text.split('\n').filter((l) => /^\| [a-z-]+ \| balanced \|/.test(l));
  assert.deepEqual(lines, ['| keda-lag | balanced | 2.00 ± 2.48 | 1.500 ± 1.242 |']);
});

test('the report states its settings: seed range, trace, config, and the baselines\' time constants in control steps', () => {
  const rows = [row('fixed', runs([1, 2, 3], [1, 2, 3], [1, 1, 1])), row('keda-lag', runs([1, 2, 3], [2, 4, 6], [2, 2.5, 3]))];
  const text = buildReport(rows, meta(['fixed', 'keda-lag', 'spark-dra']), 'plots.png');
  assert.ok(text.includes('trace: none (synthetic arrivals);'));
  assert.ok(text.includes('10 control steps of 15 s per run; seeds 10000..10002 (3, paired'));
  assert.ok(!text.includes('Config:'));
  // At a 15 s interval: 0 s stays 0 s, 1 s is within a step, 15 s is one step, 300 s is 20; other numbers stay plain.
  for (const s of ['tolerance=0.1,', 'scaleUpStabilizationS=0 s,', 'schedulerBacklogTimeoutS=1 s (within a step)', 'lagThresholdDrainS=7,', 'scaleUpPeriodS=15 s (1 steps)', 'cooldownPeriodS=300 s (20 steps)', 'partitions=20,']) {
    assert.ok(text.includes(s), s);
  }
  const traced = buildReport(rows, meta(['fixed', 'keda-lag'], { trace: 'rate.csv', config: 'world.json (cluster)' }), 'plots.png');
  assert.ok(traced.includes('trace: rate.csv;'));
  assert.ok(traced.includes(' Config: world.json (cluster); the agents were trained on the built-in one.'));
});

test('the main agent is edge-rl when it ran, else the first agent that is not a no-edge ablation', () => {
  assert.equal(mainAgent(['fixed', 'edge-rl-fixed', 'edge-rl']), 'edge-rl');
  assert.equal(mainAgent(['rl-no-edge', 'rl-no-edge-meta', 'edge-rl-fixed']), 'edge-rl-fixed');
  assert.equal(mainAgent(['fixed', 'rl-no-edge']), undefined);
});

test('the console table: names left-aligned, numbers right-aligned, a trace world labelled, a CI from one seed shown as n/a', () => {
  const one = { ...row('keda-lag', runs([1], [3.5], [2.25]), 'rate.csv'), slaViolationCi95: Number.NaN, costCi95: Number.NaN };
  const lines = formatTable([row('fixed', runs([1, 2], [1, 2], [1, 2])), one]).split('\n');
  // Widths: policy 8, scenario 19 ('balanced (rate.csv)'), then the headers' 17, 15, 6, 7, 8; two spaces between.
  assert.equal(lines[0], 'policy    scenario             SLA viol % ± CI95  cost USD ± CI95  p95 ms  dropped  scalings');
  assert.equal(lines[2], 'fixed     balanced                   1.50 ± 0.50    1.500 ± 0.100     900        0       1.0');
  assert.equal(lines[3], 'keda-lag  balanced (rate.csv)         3.50 ± n/a      2.250 ± n/a     900        0       1.0');
});

test('no paired section when only the reference ran; the claims section for the main agent when one ran', () => {
  const fixed = row('fixed', runs([1, 2, 3], [1, 2, 3], [1, 1, 1]));
  const alone = buildReport([fixed], meta(['fixed']), 'plots.png');
  assert.ok(!alone.includes('Paired differences'));
  assert.ok(!alone.includes("## The issue's claims"));
  const agent = row('edge-rl-fixed', runs([1, 2, 3], [0, 1, 2], [1, 1, 1]));
  assert.ok(buildReport([fixed, agent], meta(['fixed', 'edge-rl-fixed']), 'plots.png').includes("## The issue's claims for `edge-rl-fixed`"));
});

test('the Pareto front is per world: a trace world does not dominate the synthetic one of the same scenario', () => {
  const a = { ...row('a', runs([1], [1], [1])), slaViolationPct: 1, costUsd: 1 };
  const b = { ...row('b', runs([1], [0], [0]), 'rate.csv'), slaViolationPct: 0, costUsd: 0 };
  const front = paretoFront([a, b]);
  assert.deepEqual(front.get('balanced'), ['a']);
  assert.deepEqual(front.get('balanced (rate.csv)'), ['b']);
});

test('a paired row of a trace world names the trace, as the table does', () => {
  const rows = [row('fixed', runs([1, 2, 3], [1, 2, 3], [1, 1, 1]), 'rate.csv'), row('keda-lag', runs([1, 2, 3], [2, 4, 6], [2, 2.5, 3]), 'rate.csv')];
  const text = buildReport(rows, meta(['fixed', 'keda-lag'], { trace: 'rate.csv' }), 'plots.png');
  assert.ok(text.includes('| keda-lag | balanced (rate.csv) | 2.00 ± 2.48 | 1.500 ± 1.242 |'), text);
});
