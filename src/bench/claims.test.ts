import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClaims, dominance, formatClaims } from './claims.ts';
import { paretoFront } from './report.ts';
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

test('equal violation counts are equal though their means differ by an ulp: in dominance, the claims and the Pareto front', () => {
  // The same violated steps (0.2, 0.4, 0.6 % over three 500-step runs) summed in two orders.
  const [hi, lo] = [(0.2 + 0.4 + 0.6) / 3, (0.6 + 0.4 + 0.2) / 3];
  assert.ok(hi > lo && hi - lo < 1e-12, `${hi} vs ${lo}`);
  assert.equal(dominance({ slaViolationPct: hi, costUsd: 2 }, { slaViolationPct: lo, costUsd: 3 }), 'dominates');
  assert.equal(dominance({ slaViolationPct: hi, costUsd: 3 }, { slaViolationPct: lo, costUsd: 3 }), 'equal');
  assert.equal(dominance({ slaViolationPct: lo, costUsd: 3 }, { slaViolationPct: hi, costUsd: 3 }), 'equal');
  // One violated step more is never a tie.
  assert.equal(dominance({ slaViolationPct: lo + 0.2 / 3, costUsd: 2 }, { slaViolationPct: lo, costUsd: 3 }), 'worse-sla');
  const rows = [row('keda-lag', lo, 3), row('fixed', 5, 5), row('edge-rl', hi, 2)];
  const [c] = checkClaims(rows, 'edge-rl');
  assert.ok(c);
  assert.deepEqual(c.notDominated, []);
  assert.equal(c.ordering.fewerViolationsThanReactive, 0);
  assert.equal(c.ordering.violationRank, 1);
  assert.deepEqual(paretoFront(rows).get('balanced'), ['edge-rl']);
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
  // Ordering: 0.5 % is third of five (fixed 0 and threshold-forecast 0.1 are below); of the reactive keda-lag and
  // spark-dra it has fewer violations than both and costs less than keda-lag only.
  assert.deepEqual(c.ordering, { violationRank: 3, of: 5, fewerViolationsThanReactive: 2, cheaperThanReactive: 1, reactive: 2 });
  assert.match(text, /\| balanced \| 3 of 5 \| 2 of 2 \| 1 of 2 \|/);
});

test('the ordering ranks ties together and counts only strictly fewer violations and strictly lower cost', () => {
  const rows = [row('keda-lag', 1, 2), row('knative-kpa', 2, 1), row('fixed', 0.5, 9), row('edge-rl', 1, 2)];
  const [c] = checkClaims(rows, 'edge-rl');
  assert.deepEqual(c!.ordering, { violationRank: 2, of: 4, fewerViolationsThanReactive: 1, cheaperThanReactive: 0, reactive: 2 });
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

test("each agent's ablation is its own no-edge twin: the hierarchy's when it ran, else the PPO's", () => {
  const rows = [row('rl-no-edge', 2, 2.4), row('rl-no-edge-meta', 4, 2.2), row('edge-rl', 1, 2), row('edge-rl-fixed', 1.9, 2.1)];
  const [h] = checkClaims(rows, 'edge-rl');
  assert.deepEqual(h?.ablation, { policy: 'rl-no-edge-meta', reduction: 0.75, met: true });
  const [f] = checkClaims(rows, 'edge-rl-fixed');
  assert.equal(f?.ablation?.policy, 'rl-no-edge');
  assert.equal(f?.ablation?.met, false); // 5 % fewer
  const [fallback] = checkClaims(rows.filter((r) => r.policy !== 'rl-no-edge-meta'), 'edge-rl');
  assert.equal(fallback?.ablation?.policy, 'rl-no-edge');
  assert.equal(checkClaims(rows, 'edge-rl', 'rl-no-edge')[0]?.ablation?.policy, 'rl-no-edge');
});

test('a missed reactive bar with paired seeds says by how much per seed, and whether that is more than noise', () => {
  const withRuns = (policy: string, sla: number[], cost: number[]): SummaryRow => ({
    ...row(policy, sla.reduce((a, b) => a + b) / sla.length, cost.reduce((a, b) => a + b) / cost.length),
    runs: sla.map((s, i) => ({ seed: 10_000 + i, steps: 10, slaViolationPct: s, costUsd: cost[i]!, p95LatencyMs: 900, droppedMsgs: 0, scalingActions: 1 })),
  });
  const keda = withRuns('keda-lag', [3, 3, 3, 3], [2, 3, 2, 3]);
  // Cost: +0.1, -0.1, +0.2, -0.1 per seed -> mean +0.025, CI wide: within noise. SLA 0.5 <= 1: met on that side.
  const [noise] = checkClaims([keda, withRuns('edge-rl', [0.5, 0.5, 0.5, 0.5], [2.1, 2.9, 2.2, 2.9])], 'edge-rl');
  assert.equal(noise?.reactive?.met, false);
  assert.equal(noise?.reactive?.excess?.sla, undefined);
  assert.ok(Math.abs(noise!.reactive!.excess!.cost!.mean - 0.025) < 1e-9);
  assert.match(formatClaims([noise!], 'edge-rl'), /\(paired excess: cost \+0\.025 ± [0-9.]+ USD, within noise\)/);
  // SLA 2 on every seed vs a third of 3 = 1: +1 pp with no spread: significant.
  const [real] = checkClaims([keda, withRuns('edge-rl', [2, 2, 2, 2], [1, 1, 1, 1])], 'edge-rl');
  assert.match(formatClaims([real!], 'edge-rl'), /\(paired excess: SLA vs one third of keda-lag's \+1\.00 ± 0\.00 pp, significant\)/);
  // Met, or seeds that do not pair: no excess.
  assert.equal(checkClaims([keda, withRuns('edge-rl', [0.5, 0.5, 0.5, 0.5], [1, 1, 1, 1])], 'edge-rl')[0]?.reactive?.excess, undefined);
  assert.equal(checkClaims([row('keda-lag', 3, 3), row('edge-rl', 2, 1)], 'edge-rl')[0]?.reactive?.excess, undefined);
});

test('two reactive baselines with the same violations: the cheaper one is the bar (the stricter one), whatever the order', () => {
  for (const order of [['keda-lag', 'knative-kpa'], ['knative-kpa', 'keda-lag']]) {
    const costs: Record<string, number> = { 'keda-lag': 1.63, 'knative-kpa': 1.52 };
    const rows = [...order.map((id) => row(id, 0.54, costs[id]!)), row('edge-rl', 0.06, 1.46)];
    const [c] = checkClaims(rows, 'edge-rl');
    assert.equal(c?.reactive?.policy, 'knative-kpa');
    assert.ok(Math.abs(c!.reactive!.costRatio - 1.46 / 1.52) < 1e-12);
  }
});

test('the ablation is judged in the burst windows when both rows measured them, and says the whole-run cut beside it', () => {
  const w = (policy: string, sla: number, windowPct: number | undefined): SummaryRow => ({ ...row(policy, sla, 2), ...(windowPct === undefined ? {} : { windowSlaViolationPct: windowPct }) });
  // Whole runs: 50 % fewer (met); windows: 2 vs 2.2 = 9 % fewer (not met): the windows decide.
  const [c] = checkClaims([w('rl-no-edge-meta', 1, 2.2), w('edge-rl', 0.5, 2)], 'edge-rl');
  assert.equal(c?.ablation?.met, false);
  assert.ok(Math.abs(c!.ablation!.windowReduction! - (1 - 2 / 2.2)) < 1e-12);
  assert.match(formatClaims([c!], 'edge-rl'), /\*\*not met\*\*: 9 % fewer than rl-no-edge-meta in the burst windows \(whole runs: 50 % fewer\)/);
  // Windows met though whole runs are not.
  const [d] = checkClaims([w('rl-no-edge-meta', 1, 3), w('edge-rl', 0.9, 1)], 'edge-rl');
  assert.equal(d?.ablation?.met, true);
  // No onset in any run (NaN) or not measured: the whole runs decide, as before.
  const [e] = checkClaims([w('rl-no-edge-meta', 1, Number.NaN), w('edge-rl', 0.5, Number.NaN)], 'edge-rl');
  assert.equal(e?.ablation?.windowReduction, undefined);
  assert.equal(e?.ablation?.met, true);
  assert.match(formatClaims([e!], 'edge-rl'), /met: 50 % fewer than rl-no-edge-meta \(whole runs\)/);
});
