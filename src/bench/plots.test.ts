/** benchmark_plots.png's spec: the numbers it draws and which axis/panel shows which metric, from hand-made rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchmarkSpec } from './plots.ts';
import type { SummaryRow } from './summary.ts';

function row(o: Partial<SummaryRow>): SummaryRow {
  return {
    policy: 'p', scenario: 'balanced', trace: '', seeds: 3, steps: 10,
    slaViolationPct: 0, slaViolationCi95: 0, costUsd: 0, costCi95: 0, p95LatencyMs: 0, p95LatencyCi95: 0,
    droppedMsgs: 0, scalingActions: 0, runs: [],
    ...o,
  };
}

/** The parts of the spec read here (it is plain JSON under the vega-lite type). */
interface Encoding { field: string; title?: string; sort?: string[] }
interface Layer { encoding: Record<string, Encoding> }
interface Spec { data: { values: unknown[] }; vconcat: [{ hconcat: { title: string; layer: Layer[] }[] }, { spec: { layer: Layer[] } }] }

test('benchmarkSpec data: bars at the means, error bars mean ± CI95 clipped at 0, an undefined CI drawn as 0, the trace in the scenario', () => {
  const spec = benchmarkSpec(
    [
      row({ policy: 'b', scenario: 'healthcare', slaViolationPct: 2, slaViolationCi95: 0.5, costUsd: 1.5, costCi95: 0.25, p95LatencyMs: 900, p95LatencyCi95: 100 }),
      // CIs wider than the means: the lower ends stop at 0 (no negative violations, costs or latencies).
      row({ policy: 'a', scenario: 'healthcare', trace: 'azure.csv', slaViolationPct: 0.5, slaViolationCi95: 2, costUsd: 0.1, costCi95: 0.3, p95LatencyMs: 50, p95LatencyCi95: 70 }),
      // One seed: the CI is NaN and drawn as a zero-length bar, not NaN.
      row({ policy: 'b', scenario: 'balanced', seeds: 1, slaViolationPct: 3, slaViolationCi95: Number.NaN, costUsd: 2, costCi95: Number.NaN, p95LatencyMs: 700, p95LatencyCi95: Number.NaN }),
    ],
    't',
  ) as unknown as Spec;
  assert.deepEqual(spec.data.values, [
    { policy: 'b', scenario: 'healthcare', sla: 2, slaLo: 1.5, slaHi: 2.5, cost: 1.5, costLo: 1.25, costHi: 1.75, p95: 900, p95Lo: 800, p95Hi: 1000 },
    { policy: 'a', scenario: 'healthcare (azure.csv)', sla: 0.5, slaLo: 0, slaHi: 2.5, cost: 0.1, costLo: 0, costHi: 0.4, p95: 50, p95Lo: 0, p95Hi: 120 },
    { policy: 'b', scenario: 'balanced', sla: 3, slaLo: 3, slaHi: 3, cost: 2, costLo: 2, costHi: 2, p95: 700, p95Lo: 700, p95Hi: 700 },
  ]);
});

test('benchmarkSpec panels: each bar panel plots its own metric and error bar; the Pareto view has SLA % on x and cost on y', () => {
  const spec = benchmarkSpec([row({ policy: 'zeta' }), row({ policy: 'alpha' }), row({ policy: 'zeta', scenario: 'healthcare' })], 't') as unknown as Spec;
  const bars = spec.vconcat[0].hconcat;
  const enc = (l: Layer | undefined, channel: string): Encoding => l!.encoding[channel]!;
  assert.deepEqual(
    bars.map((p) => [p.title, enc(p.layer[0], 'y').field, enc(p.layer[0], 'y').title, enc(p.layer[1], 'y').field, enc(p.layer[1], 'y2').field]),
    [
      ['SLA violation % of steps', 'sla', 'SLA violation % of steps', 'slaLo', 'slaHi'],
      ['cost per run (USD)', 'cost', 'cost per run (USD)', 'costLo', 'costHi'],
      ['p95 latency (ms)', 'p95', 'p95 latency (ms)', 'p95Lo', 'p95Hi'],
    ],
  );
  // Policies stay in the order of the rows (the tournament's order), not sorted by name.
  assert.deepEqual(enc(bars[0]!.layer[0], 'x').sort, ['zeta', 'alpha']);
  const [ciX, ciY, points] = spec.vconcat[1].spec.layer;
  // Horizontal CI of the SLA %, vertical CI of the cost, then the points.
  assert.deepEqual([enc(ciX, 'x').field, enc(ciX, 'x2').field, enc(ciX, 'y').field], ['slaLo', 'slaHi', 'cost']);
  assert.deepEqual([enc(ciY, 'x').field, enc(ciY, 'y').field, enc(ciY, 'y2').field], ['sla', 'costLo', 'costHi']);
  assert.deepEqual([enc(points, 'x').field, enc(points, 'x').title, enc(points, 'y').field, enc(points, 'y').title], ['sla', 'SLA violation % of steps', 'cost', 'cost per run (USD)']);
});
