import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClaims } from './claims.ts';
import type { SummaryRow } from './summary.ts';

const row = (policy: string, sla: number, cost: number, scenario: string, trace = ''): SummaryRow => ({
  policy, scenario, trace, seeds: 2, steps: 10, slaViolationPct: sla, slaViolationCi95: 0.5, costUsd: cost, costCi95: 0.1,
  p95LatencyMs: 900, p95LatencyCi95: 10, droppedMsgs: 0, scalingActions: 3, runs: [],
});

test('each world is judged only against the rows of the same scenario', () => {
  const rows = [
    row('keda-lag', 3, 3, 'balanced'), row('edge-rl', 0.5, 2, 'balanced'),
    row('keda-lag', 0.1, 1, 'industrial'), row('fixed', 0, 0.5, 'industrial'), row('oracle', 0, 1, 'industrial'), row('edge-rl', 1, 1.5, 'industrial'),
  ];
  const [b, i] = checkClaims(rows, 'edge-rl');
  assert.equal(b?.world, 'balanced');
  assert.equal(b?.baselines, 1);
  assert.deepEqual(b?.notDominated, []);
  assert.equal(b?.oracle, null); // the oracle ran in industrial only
  assert.equal(b?.oracleNotDominated, null);
  assert.equal(b?.reactive?.policy, 'keda-lag');
  assert.equal(b?.reactive?.met, true); // against balanced keda-lag (3, 3), not industrial's (0.1, 1)
  assert.deepEqual(b?.ordering, { violationRank: 1, of: 2, fewerViolationsThanReactive: 1, cheaperThanReactive: 1, reactive: 1 });
  assert.equal(i?.world, 'industrial');
  assert.equal(i?.baselines, 2);
  assert.equal(i?.oracle?.costRatio, 1.5);
});

test('each world is judged only against the rows of the same trace', () => {
  const rows = [
    row('keda-lag', 3, 3, 'balanced', 'a.csv'), row('edge-rl', 0.5, 2, 'balanced', 'a.csv'),
    row('keda-lag', 0.1, 1, 'balanced', 'b.csv'), row('oracle', 0, 1, 'balanced', 'b.csv'), row('edge-rl', 1, 1.5, 'balanced', 'b.csv'),
  ];
  const [a, b] = checkClaims(rows, 'edge-rl');
  assert.equal(a?.world, 'balanced (a.csv)');
  assert.equal(a?.baselines, 1);
  assert.equal(a?.oracle, null);
  assert.equal(a?.reactive?.met, true);
  assert.deepEqual(a?.ordering, { violationRank: 1, of: 2, fewerViolationsThanReactive: 1, cheaperThanReactive: 1, reactive: 1 });
  assert.equal(b?.world, 'balanced (b.csv)');
  assert.equal(b?.reactive?.met, false);
  assert.equal(b?.oracle?.costRatio, 1.5);
});
