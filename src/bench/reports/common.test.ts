import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { RunDigests, ReportUnavailableError, TEMPERATURE_BUCKETS, controlIntervalOf, groupRuns, mdTable, num, pm, policyProblem, reportScenarios, resolveAgent, runVariantsToFile, slaViolationPct, totalCostUsd, variantRuns, temperatureBucket } from './common.ts';
import { createPolicy, registerPolicy } from '../../policies/registry.ts';
import type { Policy } from '../../policies/types.ts';
import { readStepsFile } from '../steps-log.ts';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A StepRecord with neutral values, overridden by `o`. */
function fakeRecord(o: Partial<StepRecord>): StepRecord {
  return {
    step: 0, tSeconds: 10, scenario: 'balanced', trace: '', seed: 1, policy: 'p',
    arrivalRateMsgsPerS: 1000, processedRateMsgsPerS: 1000, backlogMsgs: 0, droppedMsgs: 0, p95LatencyMs: 1000, slaTargetMs: 4000, slaViolated: false,
    requestedExecutors: 2, requestedMemoryGb: 4, requestedTier: 'nvme', requestedCodec: 'lz4', executorsRunning: 2, executorsStarting: 0, memoryGb: 4,
    tier: 'nvme', codec: 'lz4', scaled: false, costUsd: 0.001, costRateUsdPerHour: 0.36, predictedRateMsgsPerS: 1000, burstProbability: 0,
    burstActive: false, burstOnset: false, reuseProbability: 0.5, shuffleBytes: 1e6, reward: 0, alpha: 1 / 3, beta: 1 / 3, gamma: 1 / 3,
    ...o,
  };
}

test('temperature buckets: [0, .25) cold, [.25, .5) cool, [.5, .75) warm, [.75, 1] hot; out of range is an error', () => {
  assert.deepEqual([0, 0.2499, 0.25, 0.4999, 0.5, 0.75, 0.99, 1].map(temperatureBucket), ['cold', 'cold', 'cool', 'cool', 'warm', 'hot', 'hot', 'hot']);
  assert.throws(() => temperatureBucket(1.2), /reuse probability must be in \[0, 1\], got 1.2/);
  assert.throws(() => temperatureBucket(Number.NaN), /got NaN/);
});


test('groupRuns: policy -> scenario -> seed, each run sorted by step; control interval from tSeconds', () => {
  const recs = [fakeRecord({ policy: 'a', seed: 2, step: 1, tSeconds: 20 }), fakeRecord({ policy: 'a', seed: 2, step: 0, tSeconds: 10 }), fakeRecord({ policy: 'b', seed: 1 })];
  const g = groupRuns(recs);
  assert.deepEqual([...g.keys()], ['a', 'b']);
  const run = g.get('a')!.get('balanced')!.get(2)!;
  assert.deepEqual(run.map((r) => r.step), [0, 1]);
  assert.equal(controlIntervalOf(run), 10);
  assert.throws(() => controlIntervalOf([]), /empty run/);
});

test('resolveAgent: an explicit id must run; the default falls back to edge-rl-fixed or names both problems', () => {
  assert.deepEqual(resolveAgent('threshold-forecast'), { id: 'threshold-forecast', notes: [] });
  assert.throws(() => resolveAgent('no-such-policy'), (e: Error) => e instanceof ReportUnavailableError && /--agent no-such-policy: policy 'no-such-policy' is not registered/.test(e.message));
  assert.match(policyProblem('no-such-policy')!, /not registered/);
  assert.equal(policyProblem('fixed'), null);
  // Whatever the state of the trained models: the default either runs, falls back with a note, or explains both.
  try {
    const r = resolveAgent(undefined);
    assert.ok(r.id === 'edge-rl' ? r.notes.length === 0 : r.id === 'edge-rl-fixed' && /fell back to 'edge-rl-fixed'/.test(r.notes[0]!));
  } catch (err) {
    assert.ok(err instanceof ReportUnavailableError && /no trained agent available: .*edge-rl.*edge-rl-fixed/.test(err.message));
  }
});

test('variantRuns pairs seeds: every variant sees the same world; labels must be unique', () => {
  const runs = [...variantRuns([{ label: 'x', makePolicy: () => createPolicy('fixed') }, { label: 'y', makePolicy: () => createPolicy('keda-lag') }], ['smart-city'], 2, 15)];
  assert.equal(runs.length, 2 * 2);
  const recs = runs.flat();
  assert.equal(recs.length, 2 * 2 * 15);
  const world = (label: string) => JSON.stringify(recs.filter((r) => r.policy === label).map((r) => [r.seed, r.arrivalRateMsgsPerS, r.reuseProbability, r.burstOnset]));
  assert.equal(world('x'), world('y'));
  assert.deepEqual([...new Set(recs.map((r) => r.seed))], [10000, 10001]);
  // No size limit up front (the reports stream their runs): a run of 10^12 step records is accepted and simply not started here.
  assert.doesNotThrow(() => variantRuns([{ label: 'x', makePolicy: () => createPolicy('fixed') }], ['balanced'], 1_000_000, 1_000_000));
  // Checked on the call, before any run.
  assert.throws(() => variantRuns([{ label: 'x', makePolicy: () => createPolicy('fixed') }, { label: 'x', makePolicy: () => createPolicy('fixed') }], ['balanced'], 1, 1), /labels must be unique/);
  assert.throws(() => variantRuns([], ['balanced'], 0, 1), /seeds must be an integer >= 1, got 0/);
});

test('runVariantsToFile streams the runs to the steps file: the same records as variantRuns; a failed run leaves no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-common-'));
  try {
    const variants = [{ label: 'x', makePolicy: () => createPolicy('fixed') }, { label: 'y', makePolicy: () => createPolicy('keda-lag') }];
    const path = join(dir, 'steps.csv.gz');
    const progress: string[] = [];
    runVariantsToFile(path, variants, ['smart-city', 'balanced'], 2, 12, (done, total, label) => progress.push(`${done}/${total} ${label}`));
    assert.deepEqual(readStepsFile(path), [...variantRuns(variants, ['smart-city', 'balanced'], 2, 12)].flat());
    assert.equal(progress.length, 8);
    assert.equal(progress[7], '8/8 balanced/y');
    const failing = join(dir, 'failing.csv.gz');
    const boom = {
      label: 'z',
      makePolicy: (): Policy => {
        const inner = createPolicy('fixed');
        return { id: 'z', reset: (seed: number) => inner.reset(seed), act: () => { throw new Error('boom'); } };
      },
    };
    assert.throws(() => runVariantsToFile(failing, [variants[0]!, boom], ['balanced'], 1, 5), /boom/);
    assert.equal(existsSync(failing), false);
    assert.equal(existsSync(`${failing}.partial`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('formatting: mean ± CI, n/a when undefined; Markdown tables escape pipes; scenarios are checked', () => {
  assert.equal(pm({ mean: 1.234, ci95: 0.5, n: 3 }, 2), '1.23 ± 0.50');
  assert.equal(pm({ mean: 1, ci95: Number.NaN, n: 1 }, 1), '1.0 ± n/a');
  assert.equal(pm({ mean: Number.NaN, ci95: Number.NaN, n: 0 }, 1), 'n/a');
  assert.equal(mdTable(['a', 'b'], [['x|y', '1']]), '| a | b |\n|---|---|\n| x\\|y | 1 |');
  assert.throws(() => reportScenarios({ outDir: '', seeds: 1, steps: 1, quick: true, scenarios: ['mars' as 'balanced'] }), /unknown scenario 'mars'/);
  assert.equal(reportScenarios({ outDir: '', seeds: 1, steps: 1, quick: true }).length, 4);
});

test('resolveAgent falls back: edge-rl when it runs, else edge-rl-fixed with a note naming why, else an error naming both', () => {
  const problems = (broken: Record<string, string>) => (id: string): string | null => broken[id] ?? null;
  assert.deepEqual(resolveAgent(undefined, problems({})), { id: 'edge-rl', notes: [] });
  assert.deepEqual(resolveAgent('edge-rl', problems({})), { id: 'edge-rl', notes: [] });
  assert.deepEqual(resolveAgent(undefined, problems({ 'edge-rl': 'no meta checkpoint' })), {
    id: 'edge-rl-fixed',
    notes: ["no meta checkpoint; fell back to 'edge-rl-fixed' (the PPO agent without the meta-controller)."],
  });
  assert.throws(
    () => resolveAgent(undefined, problems({ 'edge-rl': 'no meta checkpoint', 'edge-rl-fixed': 'no PPO checkpoint' })),
    (e: Error) => e instanceof ReportUnavailableError && e.message.startsWith('no trained agent available: no meta checkpoint; no PPO checkpoint.'),
  );
  // An explicit agent never falls back.
  assert.throws(() => resolveAgent('edge-rl-fixed', problems({ 'edge-rl-fixed': 'no PPO checkpoint' })), /--agent edge-rl-fixed: no PPO checkpoint/);
});

test('policyProblem: a registered policy whose reset throws (a missing checkpoint) cannot run, with its own message', () => {
  registerPolicy({
    id: 'test-common-reset-throws',
    description: 'test stand-in',
    source: 'common.test.ts',
    settings: {},
    create: () => ({ id: 'test-common-reset-throws', reset: () => { throw new Error('models/x.json is missing'); }, act: () => ({ executors: 1, memoryGb: 4, tier: 'nvme', codec: 'lz4' }) }),
    inDefaultSet: false,
  });
  assert.equal(policyProblem('test-common-reset-throws'), "policy 'test-common-reset-throws' cannot run: models/x.json is missing");
});

test('variantRuns: a variant with maskEdgeFeatures sees obs 11-12 zeroed; only a clairvoyant policy gets the future', () => {
  /** Records what the policy was shown at each step. */
  const recorder = (clairvoyant: boolean) => {
    const seen: { edge: number[]; future: boolean }[] = [];
    const policy: Policy = {
      id: 'rec',
      ...(clairvoyant ? { clairvoyant: true } : {}),
      reset: () => {},
      act: (obs, ctx) => {
        seen.push({ edge: [obs[11]!, obs[12]!], future: ctx.future !== undefined });
        return { executors: 2, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
      },
    };
    return { seen, policy };
  };
  const plain = recorder(false);
  const masked = recorder(false);
  const seer = recorder(true);
  const runs = [...variantRuns([
    { label: 'plain', makePolicy: () => plain.policy },
    { label: 'masked', makePolicy: () => masked.policy, maskEdgeFeatures: true },
    { label: 'seer', makePolicy: () => seer.policy },
  ], ['smart-city'], 1, 5)];
  assert.equal(runs.length, 3);
  // Traffic is never zero, so the unmasked predicted-rate feature is positive.
  assert.ok(plain.seen.every((s) => s.edge[0]! > 0), 'the unmasked variant sees the forecast');
  assert.deepEqual(masked.seen.map((s) => s.edge), Array.from({ length: 5 }, () => [0, 0]));
  assert.deepEqual([plain.seen.map((s) => s.future), seer.seen.map((s) => s.future)], [[false, false, false, false, false], [true, true, true, true, true]]);
});

test('RunDigests: runs grouped policy -> scenario -> seed, each sorted by step, seeds ascending, run length = max step + 1', () => {
  const d = new RunDigests((run) => run.map((r) => `${r.seed}:${r.step}`));
  const run = (seed: number, steps: number[], policy = 'p') => steps.map((step) => fakeRecord({ policy, seed, step }));
  d.add(run(12, [1, 0]));
  d.add(run(10, [0, 2, 1]));
  d.add(run(11, [0]));
  d.add(run(10, [0], 'q'));
  assert.deepEqual(d.of('p', 'balanced'), [['10:0', '10:1', '10:2'], ['11:0'], ['12:0', '12:1']]);
  assert.deepEqual(d.seeds, [10, 11, 12]);
  assert.equal(d.steps, 3);
  assert.deepEqual([...d.groups.keys()], ['p', 'q']);
  assert.throws(() => d.add(run(11, [0, 1])), /run policy=p scenario=balanced seed=11 appears twice/);
  assert.throws(() => d.add([]), /an empty run/);
  assert.throws(() => d.of('p', 'healthcare'), /no runs of policy 'p' on scenario 'healthcare'/);
});

test('run metrics: SLA violation % of steps, cost summed over steps, control interval from consecutive steps or the first step\'s end', () => {
  const run = [0.5, 0.25, 0.125, 0.125].map((costUsd, i) => fakeRecord({ step: i, costUsd, costRateUsdPerHour: 99, slaViolated: i === 2 }));
  assert.equal(slaViolationPct(run), 25);
  assert.equal(totalCostUsd(run), 1);
  assert.equal(controlIntervalOf([fakeRecord({ step: 0, tSeconds: 15 })]), 15, 'one step: it ends one interval after time 0');
  assert.equal(controlIntervalOf([fakeRecord({ step: 3, tSeconds: 120 }), fakeRecord({ step: 4, tSeconds: 180 })]), 60);
});

test('temperature buckets tile [0, 1]: each starts where the previous ends (the report prints these bounds)', () => {
  assert.deepEqual(TEMPERATURE_BUCKETS.map((b) => [b.name, b.lo, b.hi]), [['cold', 0, 0.25], ['cool', 0.25, 0.5], ['warm', 0.5, 0.75], ['hot', 0.75, 1]]);
});

test('formatting: an infinite number prints as n/a; an empty scenario list is refused', () => {
  assert.equal(num(Number.POSITIVE_INFINITY, 2), 'n/a');
  assert.equal(num(-1.005, 1), '-1.0');
  assert.equal(pm({ mean: 2, ci95: Number.POSITIVE_INFINITY, n: 2 }, 1), '2.0 ± n/a');
  assert.throws(() => reportScenarios({ outDir: '', seeds: 1, steps: 1, quick: true, scenarios: [] }), /at least one scenario is needed/);
});
