/** The meta report's tables and verdicts on hand-made run scores; every expected number is worked out in the comments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { LOOKUP_POLICY_ID, META_POLICY_ID, STORY_WORLDS, bestFixedRaw, beatsBestFixed, claimSummary, hindsightPhaseCeiling, objectiveSpec, pooledStory, scoreSteps, tabulate, timelineSpec, verdictOf, type RunScore } from './meta.ts';

/** Student-t 95 % half-width of two values: t(0.975, 1) x |a - b| / 2. */
const ci2 = (a: number, b: number): number => (12.7062047361747 * Math.abs(a - b)) / 2;

/** A run of one step-1 phase and one step-3 phase (v = violation rate, c = cost over budget of each). */
function run(policy: string, world: string, seed: number, objective: number, v: [number, number] = [0, 0], c: [number, number] = [0, 0]): RunScore {
  return {
    policy, world, seed, objective,
    phases: [
      { mode: 'normal', steps: 1, violationRate: v[0], costOverBudget: c[0], objective },
      { mode: 'budget', steps: 3, violationRate: v[1], costOverBudget: c[1], objective },
    ],
  };
}

test('tabulate: best first, the best fixed vector is never the lookup reference, rank 1-based, paired difference meta - best fixed by seed', () => {
  // Seeds listed out of order: the per-seed columns must come out in seed order.
  const scores = [
    run(META_POLICY_ID, 'w', 2, -0.4, [1, 0], [0.5, 0.5]),
    run(META_POLICY_ID, 'w', 1, -0.2, [0, 0.5], [2, 1]),
    run('fixed a', 'w', 2, -0.2),
    run('fixed a', 'w', 1, -0.3),
    run('fixed b', 'w', 1, -0.6),
    run('fixed b', 'w', 2, -0.2),
    run(LOOKUP_POLICY_ID, 'w', 1, -0.1),
    run(LOOKUP_POLICY_ID, 'w', 2, -0.1),
    run('fixed a', 'other world', 1, 5),
  ];
  const t = tabulate(scores, 'w', [META_POLICY_ID, 'fixed a', 'fixed b', LOOKUP_POLICY_ID, 'not in w']);
  // Means: lookup -0.1, a -0.25, meta -0.3, b -0.4.
  assert.deepEqual(t.rows.map((r) => [r.policy, r.objective.mean.toFixed(4)]), [[LOOKUP_POLICY_ID, '-0.1000'], ['fixed a', '-0.2500'], [META_POLICY_ID, '-0.3000'], ['fixed b', '-0.4000']]);
  assert.equal(t.bestFixed, 'fixed a');
  assert.equal(t.metaRank, 3);
  const meta = t.rows.find((r) => r.policy === META_POLICY_ID)!;
  assert.deepEqual(meta.perSeed, [-0.2, -0.4]);
  // Per seed meta - a: -0.2 - -0.3 = 0.1, -0.4 - -0.2 = -0.2.
  assert.ok(Math.abs(t.diff.mean - -0.05) < 1e-12 && Math.abs(t.diff.ci95 - ci2(0.1, -0.2)) < 1e-9 && t.diff.n === 2, JSON.stringify(t.diff));
  // Step-weighted over both runs' phases (8 steps): violations 0 x 1 + 0.5 x 3 + 1 x 1 + 0 x 3 = 2.5 -> 31.25 %;
  // cost over budget (2 x 1 + 1 x 3 + 0.5 x 1 + 0.5 x 3) / 8 = 0.875.
  assert.equal(meta.violationPct, 31.25);
  assert.equal(meta.costOverBudget, 0.875);
});

test('pooledStory: per seed the mean over the four story worlds only; the best pooled fixed vector (not the lookup); rank among the contenders', () => {
  const scores: RunScore[] = [];
  const add = (policy: string, seed: number, perWorld: number[]): void => {
    STORY_WORLDS.forEach((w, k) => scores.push(run(policy, w, seed, perWorld[k]!)));
    scores.push(run(policy, 'mode-normal', seed, 9)); // not a story world: never pooled
  };
  add(META_POLICY_ID, 1, [-0.125, -0.25, -0.375, -0.5]); // pooled -0.3125
  add(META_POLICY_ID, 2, [-0.4375, -0.4375, -0.4375, -0.4375]); // -0.4375 -> mean -0.375
  add('fixed a', 1, [-0.3125, -0.3125, -0.3125, -0.3125]);
  add('fixed a', 2, [-0.375, -0.375, -0.375, -0.375]); // mean -0.34375: ahead of the meta-controller
  add('fixed b', 1, [-0.25, -0.25, -0.25, -0.25]);
  add('fixed b', 2, [-0.5, -0.5, -0.5, -0.5]); // mean -0.375: a tie, not ahead
  // The lookup reference runs on mode-switch only and would top the pooled table if it counted.
  scores.push(run(LOOKUP_POLICY_ID, STORY_WORLDS[0]!, 1, 0), run(LOOKUP_POLICY_ID, STORY_WORLDS[0]!, 2, 0));
  const p = pooledStory(scores, [META_POLICY_ID, 'fixed a', 'fixed b', LOOKUP_POLICY_ID], [1, 2]);
  assert.deepEqual([p.meta.mean, p.bestFixed, p.bestFixedObjective.mean, p.rank, p.contenders], [-0.375, 'fixed a', -0.34375, 2, 3]);
  // meta - a per seed: 0 and -0.0625.
  assert.deepEqual(p.diff.diffs, [0, -0.0625]);
  assert.ok(Math.abs(p.diff.ci95 - ci2(0, -0.0625)) < 1e-12, JSON.stringify(p.diff));
});

test('the verdict: "beats" only with the whole CI95 of the paired difference above 0; ahead on average is "not shown"; 0 is "not supported"', () => {
  assert.equal(beatsBestFixed({ mean: 0.1, ci95: 0.05, n: 3 }), true);
  assert.equal(beatsBestFixed({ mean: 0.1, ci95: 0.1, n: 3 }), false, 'a CI touching 0');
  assert.equal(beatsBestFixed({ mean: 0.1, ci95: 0.2, n: 3 }), false);
  assert.equal(beatsBestFixed({ mean: 0.1, ci95: Number.NaN, n: 1 }), false, 'one seed: no CI, no claim');
  assert.match(verdictOf({ mean: 0.1, ci95: 0.05, n: 3 }), /^\*\*the meta-controller beats the best fixed vector\*\*/);
  assert.match(verdictOf({ mean: 0.1, ci95: 0.2, n: 3 }), /ahead on average but the CI95 includes 0: \*\*not shown\*\*$/);
  assert.match(verdictOf({ mean: 0, ci95: 0.01, n: 3 }), /^\*\*not supported\*\*/);
  assert.match(verdictOf({ mean: -0.1, ci95: 0.01, n: 3 }), /^\*\*not supported\*\*/);
});

test('the per-mode lookup vector: the fixed vector with the best mean objective, the first of equals; the meta-controller is not a candidate', () => {
  const specs = [{ id: 'meta', raw: null }, { id: 'x', raw: [1, 0, 0] }, { id: 'y', raw: [0, 1, 0] }, { id: 'z', raw: [0, 0, 1] }];
  const objectives = new Map([['meta', [0, 0]], ['x', [-1, -3]], ['y', [-1.5, -1.5]], ['z', [-1, -2]]]);
  assert.deepEqual(bestFixedRaw(specs, objectives), [0, 1, 0]);
});

test('the phase ceiling: on a tie in a phase\'s mean objective the first of the given vectors wins (the report gives them best first)', () => {
  const two = (policy: string, seed: number, j0: number, j1: number): RunScore => ({
    policy, world: 'w', seed, objective: (j0 + 3 * j1) / 4,
    phases: [{ mode: 'normal', steps: 1, violationRate: 0, costOverBudget: 0, objective: j0 }, { mode: 'budget', steps: 3, violationRate: 0, costOverBudget: 0, objective: j1 }],
  });
  // Phase 0: a and b both average -1 (a: -0.5, -1.5; b: -1, -1); phase 1: b is better.
  const scores = [two('a', 1, -0.5, -2), two('a', 2, -1.5, -2), two('b', 1, -1, -1), two('b', 2, -1, -1)];
  const c = hindsightPhaseCeiling(scores, 'w', ['a', 'b']);
  assert.deepEqual(c.winners, ['a', 'b']);
  assert.deepEqual(c.perSeed, [(-0.5 + 3 * -1) / 4, (-1.5 + 3 * -1) / 4]);
});

test('plots: J per policy (mean ± CI95) coloured by kind; the timeline\'s meta weights, both policies\' cost rates and the phases', () => {
  const best = 'fixed w(0.60,0.40,0.00)';
  const scores = [
    run(META_POLICY_ID, 'w', 1, -0.2), run(META_POLICY_ID, 'w', 2, -0.4),
    run(best, 'w', 1, -0.1), run(best, 'w', 2, -0.1),
    run('fixed w(1.00,0.00,0.00)', 'w', 1, -0.5), run('fixed w(1.00,0.00,0.00)', 'w', 2, -0.5),
    run(LOOKUP_POLICY_ID, 'w', 1, -0.35), run(LOOKUP_POLICY_ID, 'w', 2, -0.35),
  ];
  const spec = objectiveSpec([tabulate(scores, 'w', [META_POLICY_ID, best, 'fixed w(1.00,0.00,0.00)', LOOKUP_POLICY_ID])]) as unknown as { data: { values: { policy: string; kind: string; j: number; lo: number; hi: number }[] } };
  assert.deepEqual(spec.data.values.map((v) => [v.policy, v.kind, v.j.toFixed(4), v.lo.toFixed(4), v.hi.toFixed(4)]), [
    ['w 0.60/0.40/0.00', 'best fixed vector', '-0.1000', '-0.1000', '-0.1000'],
    // meta: -0.3 ± t(0.975, 1) x 0.2 / 2.
    ['edge-rl (meta)', 'meta-controller (edge-rl)', '-0.3000', (-0.3 - ci2(-0.2, -0.4)).toFixed(4), (-0.3 + ci2(-0.2, -0.4)).toFixed(4)],
    ['per-mode lookup (ref.)', 'per-mode lookup (reference)', '-0.3500', '-0.3500', '-0.3500'],
    ['w 1.00/0.00/0.00', 'fixed vector', '-0.5000', '-0.5000', '-0.5000'],
  ]);

  const rec = (policy: string, seed: number, step: number, o: Partial<StepRecord> = {}): StepRecord =>
    ({ policy, seed, step, scenario: 'mode-switch', alpha: 0.5, beta: 0.3, gamma: 0.2, costRateUsdPerHour: 1 + step, slaViolated: step === 1, ...o }) as StepRecord;
  const records = [
    ...[0, 1, 2, 3].map((i) => rec(META_POLICY_ID, 7, i)),
    ...[0, 1, 2, 3].map((i) => rec(best, 7, i, { costRateUsdPerHour: 10 })),
    rec('fixed w(1.00,0.00,0.00)', 7, 0), rec(META_POLICY_ID, 8, 0), rec(META_POLICY_ID, 7, 0, { scenario: 'mode-budget' }),
  ];
  type Layer = { data: { values: Record<string, unknown>[] } };
  const tl = timelineSpec(records, 7, best, [{ startStep: 0, mode: 'normal' }, { startStep: 2, mode: 'budget' }]) as unknown as { vconcat: { layer: Layer[] }[] };
  const [weights, cost] = tl.vconcat.map((p) => p.layer[1]!.data.values);
  assert.deepEqual(weights!.slice(0, 3), [{ step: 0, weight: 'alpha (cost)', value: 0.5 }, { step: 0, weight: 'beta (latency)', value: 0.3 }, { step: 0, weight: 'gamma (throughput)', value: 0.2 }]);
  assert.equal(weights!.length, 4 * 3);
  assert.deepEqual(cost!.map((c) => [c['policy'], c['step'], c['costRate'], c['violated']]), [
    [META_POLICY_ID, 0, 1, 0], [META_POLICY_ID, 1, 2, 1], [META_POLICY_ID, 2, 3, 0], [META_POLICY_ID, 3, 4, 0],
    [best, 0, 10, 0], [best, 1, 10, 1], [best, 2, 10, 0], [best, 3, 10, 0],
  ]);
  assert.deepEqual(tl.vconcat[0]!.layer[0]!.data.values, [{ start: 0, end: 2, mode: 'normal' }, { start: 2, end: 4, mode: 'budget' }]);
});

test('scoreSteps: a run is scored phase by phase in step order, whatever the order of its records', () => {
  const worlds = { w: { scenario: 'balanced' as const, budgetUsdPerHour: 2, schedule: [{ startStep: 0, mode: 'normal' as const }, { startStep: 2, mode: 'budget' as const }] } };
  const rec = (step: number, costRateUsdPerHour: number, p95LatencyMs: number): StepRecord =>
    ({ policy: 'p', scenario: 'w', seed: 1, step, costRateUsdPerHour, p95LatencyMs, slaTargetMs: 4000, droppedMsgs: 0 }) as StepRecord;
  const records = [rec(0, 1, 100), rec(1, 3, 10_000), rec(2, 2, 100), rec(3, 2, 100)];
  const [score] = scoreSteps([...records].reverse(), worlds);
  // normal (steps 0-1): v = 1/2, c = (1 + 3) / 2 / 2 = 1, J = -(1 + 2 x 0.5) - 10 x (0.5 - 0.01) = -6.9;
  // budget (steps 2-3): v = 0, c = 1, J = -1. The run: (2 x -6.9 + 2 x -1) / 4 = -3.95.
  assert.deepEqual(score!.phases.map((p) => [p.mode, p.steps, p.violationRate, p.costOverBudget, p.objective.toFixed(9)]), [['normal', 2, 0.5, 1, (-6.9).toFixed(9)], ['budget', 2, 0, 1, (-1).toFixed(9)]]);
  assert.equal(score!.objective.toFixed(9), (-3.95).toFixed(9));
});

test('claimSummary: the verdict flag comes from the same comparison as the numbers it sits with', () => {
  const objective = (mean: number) => ({ mean, ci95: 0.01, n: 3 });
  assert.deepEqual(claimSummary({ meta: objective(-0.2), bestFixed: 'fixed a', bestFixedObjective: objective(-0.3), diff: { mean: 0.1, ci95: 0.05, n: 3 }, rank: 1 }), {
    metaObjective: objective(-0.2), bestFixed: 'fixed a', bestFixedObjective: objective(-0.3), diff: { mean: 0.1, ci95: 0.05 }, metaRank: 1, metaBeatsBestFixed: true,
  });
  assert.equal(claimSummary({ meta: objective(-0.2), bestFixed: 'fixed a', bestFixedObjective: objective(-0.3), diff: { mean: 0.1, ci95: 0.15, n: 3 }, rank: 1 }).metaBeatsBestFixed, false);
});
