import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClaims, formatClaims } from './claims.ts';
import type { SummaryRow } from './summary.ts';

const oneSeed = (policy: string, sla: number, cost: number): SummaryRow => ({
  policy, scenario: 'balanced', trace: '', seeds: 1, steps: 10, slaViolationPct: sla, slaViolationCi95: Number.NaN, costUsd: cost, costCi95: Number.NaN,
  p95LatencyMs: 900, p95LatencyCi95: Number.NaN, droppedMsgs: 0, scalingActions: 1,
  runs: [{ seed: 10_000, steps: 10, slaViolationPct: sla, costUsd: cost, p95LatencyMs: 900, droppedMsgs: 0, scalingActions: 1 }],
});

test('one seed has no paired excess: a single difference has no CI, so no verdict on noise is given', () => {
  const rows = [oneSeed('keda-lag', 3, 2), oneSeed('edge-rl', 2, 3)];
  const [c] = checkClaims(rows, 'edge-rl');
  assert.equal(c!.reactive!.met, false);
  assert.equal(c!.reactive!.excess, undefined);
  assert.ok(!formatClaims([c!], 'edge-rl').includes('paired excess'));
});
