import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, paretoFront } from './report.ts';
import type { SummaryRow } from './summary.ts';

const row = (policy: string, sla: number, cost: number, scenario = 'balanced'): SummaryRow => ({
  policy, scenario, trace: '', seeds: 2, steps: 10, slaViolationPct: sla, slaViolationCi95: 0.5, costUsd: cost, costCi95: 0.1,
  p95LatencyMs: 900, p95LatencyCi95: 10, droppedMsgs: 0, scalingActions: 3, runs: [],
});

test('Pareto front keeps exactly the non-dominated policies per scenario', () => {
  const rows = [row('a', 0, 5), row('b', 2, 2), row('c', 3, 3), row('d', 2, 2.5), row('e', 9, 1), row('a', 1, 1, 'healthcare'), row('b', 1, 1, 'healthcare')];
  const front = paretoFront(rows);
  assert.deepEqual(front.get('balanced'), ['a', 'b', 'e']); // c and d are dominated by b
  assert.deepEqual(front.get('healthcare'), ['a', 'b']); // ties dominate nobody
});

test('the console table shows mean ± CI95 per policy and scenario', () => {
  const text = formatTable([row('keda-lag', 3.5, 2.25)]);
  assert.match(text, /keda-lag\s+balanced\s+3\.50 ± 0\.50\s+2\.250 ± 0\.100\s+900\s+0\s+3\.0/);
});
