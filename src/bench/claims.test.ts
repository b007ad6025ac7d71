import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClaims, dominance, formatClaims } from './claims.ts';
import type { SummaryRow } from './summary.ts';

const row = (policy: string, sla: number, cost: number, scenario = 'balanced'): SummaryRow => ({
  policy, scenario, trace: '', seeds: 2, steps: 10, slaViolationPct: sla, slaViolationCi95: 0.5, costUsd: cost, costCi95: 0.1,
  p95LatencyMs: 900, p95LatencyCi95: 10, droppedMsgs: 0, scalingActions: 3, runs: [],
});

test('dominance needs both axes no worse and one strictly better', () => {
  assert.equal(dominance({ slaViolationPct: 1, costUsd: 2 }, { slaViolationPct: 1, costUsd: 3 }), 'dominates');
  assert.equal(dominance({ slaViolationPct: 1, costUsd: 3 }, { slaViolationPct: 1, costUsd: 3 }), 'equal');
  assert.equal(dominance({ slaViolationPct: 2, costUsd: 1 }, { slaViolationPct: 1, costUsd: 3 }), 'worse-sla');
  assert.equal(dominance({ slaViolationPct: 0, costUsd: 4 }, { slaViolationPct: 1, costUsd: 3 }), 'worse-cost');
  assert.equal(dominance({ slaViolationPct: 2, costUsd: 4 }, { slaViolationPct: 1, costUsd: 3 }), 'worse-both');
});

test('claims name the baselines the agent fails to dominate and test the oracle the same way', () => {
  const rows = [
    row('fixed', 0, 5), row('keda-lag', 3, 3), row('spark-dra', 6, 1.5), row('threshold-forecast', 0.1, 2.5),
    row('oracle', 0.05, 1.8), row('rl-no-edge', 2, 2.4), row('edge-rl', 0.5, 2),
  ];
  const [c] = checkClaims(rows, 'edge-rl');
  assert.ok(c);
  assert.equal(c.baselines, 4); // fixed, keda-lag, spark-dra, threshold-forecast: agents and the oracle are not baselines
  assert.deepEqual(c.notDominated, [{ policy: 'fixed', result: 'worse-sla' }, { policy: 'spark-dra', result: 'worse-cost' }, { policy: 'threshold-forecast', result: 'worse-sla' }]);
  assert.deepEqual(c.oracleNotDominated, [{ policy: 'fixed', result: 'worse-sla' }, { policy: 'spark-dra', result: 'worse-cost' }]);
  assert.equal(c.reactive?.policy, 'keda-lag'); // the reactive baseline with the fewest violations
  assert.equal(c.reactive?.met, true); // 0.5 <= 3 / 3 and 2 <= 3
  assert.deepEqual(c.oracleReactive, { policy: 'keda-lag', slaRatio: 0.05 / 3, costRatio: 1.8 / 3, met: true });
  assert.equal(c.oracle?.met, true); // 2 / 1.8 = 1.11 <= 1.15 and +0.45 pp
  assert.equal(c.ablation?.met, true); // 75 % fewer violations than rl-no-edge
  const text = formatClaims([c], 'edge-rl');
  assert.match(text, /\*\*not met\*\*: not fixed \(worse sla\), spark-dra \(worse cost\), threshold-forecast \(worse sla\) of 4/);
});

test('a cheaper but not better-enough agent misses the reactive and oracle bars', () => {
  const rows = [row('keda-lag', 3, 3), row('oracle', 0, 1), row('edge-rl', 1.5, 2.9)];
  const [c] = checkClaims(rows, 'edge-rl');
  assert.equal(c?.reactive?.met, false); // 1.5 > 1
  assert.equal(c?.oracle?.met, false); // cost 2.9x the oracle's
  assert.equal(c?.oracleReactive?.met, true);
  // A world where foresight costs more than the reactive baseline: the oracle fails the cost side of that bar.
  const [d] = checkClaims([row('keda-lag', 6, 2), row('oracle', 0.2, 2.6), row('edge-rl', 1, 2.4)], 'edge-rl');
  assert.equal(d?.oracleReactive?.met, false);
  assert.match(formatClaims([d!], 'edge-rl'), /\| \*\*not met\*\*: keda-lag 0\.17, 1\.20 \| no: 0\.03, 1\.30 \|/);
  assert.equal(c?.ablation, null);
  const [z] = checkClaims([row('rl-no-edge', 0, 2), row('edge-rl', 0.1, 1.5)], 'edge-rl');
  assert.equal(z?.ablation?.met, false);
  assert.match(formatClaims([z!], 'edge-rl'), /\*\*not met\*\*: the twin has 0 % violations; not fewer than rl-no-edge/);
  assert.equal(formatClaims([], 'edge-rl'), '');
});
