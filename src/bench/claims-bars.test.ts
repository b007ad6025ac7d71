import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLAIM_BARS, checkClaims } from './claims.ts';
import type { SummaryRow } from './summary.ts';

const row = (policy: string, sla: number, cost: number, extra: Partial<SummaryRow> = {}): SummaryRow => ({
  policy, scenario: 'balanced', trace: '', seeds: 2, steps: 10, slaViolationPct: sla, slaViolationCi95: 0.5, costUsd: cost, costCi95: 0.1,
  p95LatencyMs: 900, p95LatencyCi95: 10, droppedMsgs: 0, scalingActions: 3, runs: [], ...extra,
});

test('the bars are the issue text: one third, 15 %, 2 points, 30 %', () => {
  assert.deepEqual(CLAIM_BARS, { reactiveViolationRatio: 1 / 3, oracleCostRatio: 1.15, oracleSlaPp: 2, ablationReduction: 0.3 });
});

test('reactive bar: exactly one third of the violations at exactly the same cost is met; a hair over either is not', () => {
  // 1 = 3 / 3 and 2 = 2: "at most one third, at no higher cost".
  assert.equal(checkClaims([row('keda-lag', 3, 2), row('edge-rl', 1, 2)], 'edge-rl')[0]?.reactive?.met, true);
  assert.equal(checkClaims([row('keda-lag', 3, 2), row('edge-rl', 1.01, 2)], 'edge-rl')[0]?.reactive?.met, false);
  assert.equal(checkClaims([row('keda-lag', 3, 2), row('edge-rl', 1, 2.01)], 'edge-rl')[0]?.reactive?.met, false);
  // Half the violations is not enough.
  assert.equal(checkClaims([row('keda-lag', 3, 2), row('edge-rl', 1.5, 1)], 'edge-rl')[0]?.reactive?.met, false);
});

test('oracle bar: cost within 15 % and SLA within 2 points, both inclusive; the ratio is agent over oracle', () => {
  const oracleOf = (sla: number, cost: number): NonNullable<ReturnType<typeof checkClaims>[number]['oracle']> =>
    checkClaims([row('oracle', 0.5, 1), row('edge-rl', sla, cost)], 'edge-rl')[0]!.oracle!;
  // On both edges: 1.15x the cost, +2 pp.
  assert.deepEqual(oracleOf(2.5, 1.15), { costRatio: 1.15, slaPp: 2, met: true });
  // 20 % dearer, or 2.5 pp more violations: not met.
  assert.equal(oracleOf(0.5, 1.2).met, false);
  assert.equal(oracleOf(0.5, 1.16).met, false);
  assert.equal(oracleOf(3, 1).met, false);
  assert.equal(oracleOf(2.51, 1).met, false);
  // Far more violations than the oracle is a miss even when cheaper; the ratio and the pp are the agent's against the oracle's.
  assert.deepEqual(oracleOf(5.5, 2), { costRatio: 2, slaPp: 5, met: false });
  assert.deepEqual(oracleOf(5.5, 0.5), { costRatio: 0.5, slaPp: 5, met: false });
});

test('ablation bar: at least 30 % fewer violations than the twin, inclusive; a twin with none is never beaten', () => {
  const abl = (agent: number, twin: number): NonNullable<ReturnType<typeof checkClaims>[number]['ablation']> =>
    checkClaims([row('rl-no-edge', twin, 2), row('edge-rl-fixed', agent, 2)], 'edge-rl-fixed')[0]!.ablation!;
  assert.equal(abl(7, 10).met, true); // exactly 30 %
  assert.equal(abl(7.01, 10).met, false);
  assert.equal(abl(0.75, 1).met, false); // 25 %
  assert.equal(abl(0.6, 1).met, true); // 40 %
  // Both at zero: no cut to claim (NaN reduction), not met.
  const zero = abl(0, 0);
  assert.ok(Number.isNaN(zero.reduction));
  assert.equal(zero.met, false);
  // The same in the burst windows.
  const [w] = checkClaims(
    [row('rl-no-edge', 1, 2, { windowSlaViolationPct: 0 }), row('edge-rl-fixed', 0.1, 2, { windowSlaViolationPct: 0 })],
    'edge-rl-fixed',
  );
  assert.ok(Number.isNaN(w!.ablation!.windowReduction!));
  assert.equal(w!.ablation!.met, false);
  const [w2] = checkClaims(
    [row('rl-no-edge', 1, 2, { windowSlaViolationPct: 10 }), row('edge-rl-fixed', 1, 2, { windowSlaViolationPct: 7 })],
    'edge-rl-fixed',
  );
  assert.equal(w2!.ablation!.met, true);
});
