import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClaims } from './claims.ts';
import { ci95 } from './stats.ts';
import type { SummaryRow } from './summary.ts';

const withRuns = (policy: string, seeds: number[], sla: number[], cost: number[]): SummaryRow => ({
  policy, scenario: 'balanced', trace: '', seeds: seeds.length, steps: 10,
  slaViolationPct: sla.reduce((a, b) => a + b) / sla.length, slaViolationCi95: 0.5,
  costUsd: cost.reduce((a, b) => a + b) / cost.length, costCi95: 0.1,
  p95LatencyMs: 900, p95LatencyCi95: 10, droppedMsgs: 0, scalingActions: 3,
  runs: seeds.map((seed, i) => ({ seed, steps: 10, slaViolationPct: sla[i]!, costUsd: cost[i]!, p95LatencyMs: 900, droppedMsgs: 0, scalingActions: 1 })),
});

test('the paired excess pairs each seed with the same seed: its spread is that of the per-seed differences', () => {
  const keda = withRuns('keda-lag', [1, 2, 3, 4], [3, 3, 3, 3], [2, 3, 2, 3]);
  const agent = withRuns('edge-rl', [1, 2, 3, 4], [0.5, 0.5, 0.5, 0.5], [2.1, 2.9, 2.2, 2.9]);
  const cost = checkClaims([keda, agent], 'edge-rl')[0]!.reactive!.excess!.cost!;
  assert.ok(Math.abs(cost.mean - 0.025) < 1e-12);
  assert.equal(cost.n, 4);
  assert.ok(Math.abs(cost.ci95 - ci95([0.1, -0.1, 0.2, -0.1])) < 1e-12, `ci95 ${cost.ci95}`);
  const sla = checkClaims([keda, withRuns('edge-rl', [1, 2, 3, 4], [1, 2, 1, 2], [1, 1, 1, 1])], 'edge-rl')[0]!.reactive!.excess!.sla!;
  assert.ok(Math.abs(sla.mean - 0.5) < 1e-12);
  assert.ok(Math.abs(sla.ci95 - ci95([0, 1, 0, 1])) < 1e-12);
});

test('no paired excess when the seeds differ or the seed counts differ (and no error)', () => {
  const keda = withRuns('keda-lag', [1, 2, 3], [3, 3, 3], [2, 2, 2]);
  const other = withRuns('edge-rl', [4, 5, 6], [2, 2, 2], [3, 3, 3]);
  const [c] = checkClaims([keda, other], 'edge-rl');
  assert.equal(c?.reactive?.met, false);
  assert.equal(c?.reactive?.excess, undefined);
  const longer = withRuns('edge-rl', [1, 2, 3, 4], [2, 2, 2, 2], [3, 3, 3, 3]);
  const [d] = checkClaims([keda, longer], 'edge-rl');
  assert.equal(d?.reactive?.met, false);
  assert.equal(d?.reactive?.excess, undefined);
});
