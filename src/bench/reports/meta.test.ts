import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { readStepsFile, streamStepRuns, streamStepsFile, writeStepsFile } from '../steps-log.ts';
import { digestMetaRuns, hindsightPhaseCeiling, runMetaReport, scoreSteps, LOOKUP_POLICY_ID, META_POLICY_ID, type RunScore, type WorldSpec } from './meta.ts';
import { WeightReadingStub, modeRuleMeta } from '../../meta/test-stubs.ts';
import { normalizeWeights, weightGrid, weightsLabel } from '../../meta/weights.ts';
import { MODES, phaseIndexAt, type ModePhase } from '../../meta/modes.ts';
import { loadTraceCsv } from '../../workload/trace.ts';

test('meta report on a tiny run: files, a 21-vector grid, and numbers that match a recomputation from its steps file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meta-report-'));
  try {
    const steps = 12;
    const r = await runMetaReport({ outDir: dir, seeds: 2, steps, quick: true, lower: new WeightReadingStub(), meta: modeRuleMeta });
    assert.ok(existsSync(r.markdownPath));
    for (const p of r.pngPaths) assert.ok(readFileSync(p).subarray(1, 4).toString() === 'PNG', p);
    const records = readStepsFile(join(dir, 'steps.csv.gz'));
    const worlds = JSON.parse(readFileSync(join(dir, 'worlds.json'), 'utf8')) as Record<string, { scenario: string; budgetUsdPerHour: number; schedule: ModePhase[] }>;
    const policies = new Set(records.map((x) => x.policy));
    assert.equal(policies.size, 23, 'the meta-controller, 21 fixed vectors and the per-mode lookup reference');
    assert.deepEqual([...new Set(records.map((x) => x.scenario))].sort(), ['mode-budget', 'mode-critical', 'mode-normal', 'mode-switch', 'mode-switch/healthcare', 'mode-switch/industrial', 'mode-switch/smart-city']);
    assert.equal(worlds['mode-switch/healthcare']!.budgetUsdPerHour, loadConfig().scenarios.healthcare.budgetUsdPerHour);

    // Independent recomputation from the steps file: per phase v, c, J and steps of any policy, and its combined objective.
    const cfg = loadConfig();
    const phasesOf = (policy: string, world: string, seed: number) => {
      const { budgetUsdPerHour: budget, schedule: sched } = worlds[world]!;
      const run = records.filter((x) => x.policy === policy && x.scenario === world && x.seed === seed);
      return sched.map((p, k) => {
        const end = k + 1 < sched.length ? sched[k + 1]!.startStep : steps;
        const rows = run.filter((x) => x.step >= p.startStep && x.step < end);
        const m = cfg.modes[p.mode];
        const v = rows.filter((x) => x.p95LatencyMs > m.slaTargetFactor * x.slaTargetMs || x.droppedMsgs > 0).length / rows.length;
        const c = rows.reduce((acc, x) => acc + x.costRateUsdPerHour, 0) / rows.length / budget;
        const j = -(m.costWeight * c + m.slaWeight * v) - m.penalty * (Math.max(0, v - m.maxSlaViolationRate) + Math.max(0, c - m.costCapOverBudget));
        return { mode: p.mode, steps: rows.length, v, c, j };
      });
    };
    const jOf = (policy: string, world: string, seed: number): number => phasesOf(policy, world, seed).reduce((acc, p) => acc + p.j * p.steps, 0) / steps;
    const recompute = (world: string): number[] =>
      [10_000, 10_001].map((seed) => {
        assert.equal(records.filter((x) => x.policy === META_POLICY_ID && x.scenario === world && x.seed === seed).length, steps);
        return jOf(META_POLICY_ID, world, seed);
      });
    const perSeed = recompute('mode-switch');
    const stories = ['mode-switch', 'mode-switch/smart-city', 'mode-switch/healthcare', 'mode-switch/industrial'].map(recompute);
    const pooled = [0, 1].map((i) => stories.reduce((acc, w) => acc + w[i]!, 0) / 4);
    const gotPooled = (r.summary['modeSwitchAllScenarios'] as { metaObjective: { mean: number } }).metaObjective.mean;
    assert.ok(Math.abs(gotPooled - (pooled[0]! + pooled[1]!) / 2) < 1e-9, `${gotPooled} vs ${pooled}`);
    const got = (r.summary['modeSwitch'] as { metaObjective: { mean: number } }).metaObjective.mean;
    assert.ok(Math.abs(got - (perSeed[0]! + perSeed[1]!) / 2) < 1e-9, `${got} vs ${perSeed}`);
    // The markdown prints that number.
    assert.match(readFileSync(r.markdownPath, 'utf8'), new RegExp(`meta-controller J = ${got.toFixed(3).replace('-', '\\-')}`));
    // The steps file records the weights the PPO acted with: the mode rule's budget weights in the budget phase and
    // its critical weights (latency-heavy: beta, not gamma) in the critical phase.
    const budgetRow = records.find((x) => x.policy === META_POLICY_ID && x.scenario === 'mode-switch' && x.step === 3)!;
    assert.ok(Math.abs(budgetRow.alpha - normalizeWeights([0.9, 0.05, 0.05]).alpha) < 1e-12);
    const criticalRow = records.find((x) => x.policy === META_POLICY_ID && x.scenario === 'mode-switch' && x.step === 6)!;
    const critical = normalizeWeights([0.05, 0.9, 0.05]);
    assert.deepEqual([criticalRow.alpha, criticalRow.beta, criticalRow.gamma].map((x) => x.toFixed(12)), [critical.alpha, critical.beta, critical.gamma].map((x) => x.toFixed(12)));

    // The report scores the file streamed run by run: the same numbers as scoring all its records held in memory,
    // here from a copy written in many small gzip members and read in small chunks.
    const copy = join(dir, 'copy.csv.gz');
    writeStepsFile(copy, records, 7);
    const digest = await digestMetaRuns(streamStepRuns(streamStepsFile(copy, 100), copy), worlds as Record<string, WorldSpec>);
    assert.deepEqual(digest.scores, scoreSteps(records, worlds as Record<string, WorldSpec>));
    assert.equal(digest.scores.length, 7 * 22 * 2 + 2);
    assert.deepEqual(digest.policyIds, [...policies]);
    assert.equal(digest.minSeed, 10_000);
    assert.deepEqual(digest.timelineRecords, records.filter((x) => x.scenario === 'mode-switch' && x.seed === 10_000));
    const story = worlds['mode-switch']!.schedule;
    const byMode = (r.summary['metaWeightsByMode'] as { mode: string; alpha: number; beta: number; gamma: number; steps: number }[]);
    for (const mode of MODES) {
      const rows = records.filter((x) => x.policy === META_POLICY_ID && x.scenario === 'mode-switch' && story[phaseIndexAt(story, x.step)]!.mode === mode);
      const sum = (k: 'alpha' | 'beta' | 'gamma'): number => rows.reduce((acc, x) => acc + x[k], 0);
      assert.deepEqual(digest.metaWeightSums[mode], { alpha: sum('alpha'), beta: sum('beta'), gamma: sum('gamma'), steps: rows.length });
      assert.deepEqual(byMode.find((x) => x.mode === mode), { mode, alpha: sum('alpha') / rows.length, beta: sum('beta') / rows.length, gamma: sum('gamma') / rows.length, steps: rows.length });
    }

    // Every policy's phases come from phasesOf above: per phase v, c, J and steps.
    const seeds = [10_000, 10_001];
    const meanOf = (xs: number[]): number => xs.reduce((acc, x) => acc + x, 0) / xs.length;
    const pm2 = (xs: number[]): string => `${meanOf(xs).toFixed(3)} ± ${((12.7062047361747 * Math.abs(xs[0]! - xs[1]!)) / 2).toFixed(3)}`;
    const md = readFileSync(r.markdownPath, 'utf8');

    // The mode-switch table: every policy ranked by mean J, with its step-weighted violation % and cost / budget.
    const inWorld = [...new Set(records.filter((x) => x.scenario === 'mode-switch').map((x) => x.policy))];
    const fixedIdsInFile = inWorld.filter((p) => p !== META_POLICY_ID && p !== LOOKUP_POLICY_ID);
    const table = inWorld
      .map((policy) => {
        const phases = seeds.flatMap((seed) => phasesOf(policy, 'mode-switch', seed));
        return {
          policy,
          js: seeds.map((seed) => jOf(policy, 'mode-switch', seed)),
          viol: (100 * phases.reduce((acc, p) => acc + p.v * p.steps, 0)) / (2 * steps),
          cost: phases.reduce((acc, p) => acc + p.c * p.steps, 0) / (2 * steps),
        };
      })
      .sort((a, b) => meanOf(b.js) - meanOf(a.js));
    const label = (p: string): string => (p === META_POLICY_ID ? '**edge-rl (meta)**' : p === LOOKUP_POLICY_ID ? `_${p}_` : p);
    const section = md.slice(md.indexOf('\n## mode-switch\n'), md.indexOf('\n## mode-switch/'));
    assert.deepEqual(
      section.split('\n').filter((l) => /^\| \d+ \| /.test(l)),
      table.map((t, i) => `| ${i + 1} | ${label(t.policy)} | ${pm2(t.js)} | ${t.viol.toFixed(2)} | ${t.cost.toFixed(3)} |`),
    );
    const bestFixed = table.find((t) => t.policy !== META_POLICY_ID && t.policy !== LOOKUP_POLICY_ID)!.policy;
    // The summary's mode-switch claim: meta - best fixed paired by seed, and its flag from that same difference.
    const msDiffs = seeds.map((seed) => jOf(META_POLICY_ID, 'mode-switch', seed) - jOf(bestFixed, 'mode-switch', seed));
    const msClaim = r.summary['modeSwitch'] as { bestFixed: string; diff: { mean: number; ci95: number }; metaBeatsBestFixed: boolean };
    const msCi = (12.7062047361747 * Math.abs(msDiffs[0]! - msDiffs[1]!)) / 2;
    assert.equal(msClaim.bestFixed, bestFixed);
    assert.ok(Math.abs(msClaim.diff.mean - meanOf(msDiffs)) < 1e-9 && Math.abs(msClaim.diff.ci95 - msCi) < 1e-6, JSON.stringify(msClaim.diff));
    assert.equal(msClaim.metaBeatsBestFixed, meanOf(msDiffs) - msCi > 0);
    // The pooled claim: per seed the mean J over the four story worlds; the fixed vector with the best pooled mean.
    const storyWorlds = ['mode-switch', 'mode-switch/smart-city', 'mode-switch/healthcare', 'mode-switch/industrial'];
    const pooledOf = (policy: string): number[] => seeds.map((seed) => meanOf(storyWorlds.map((w) => jOf(policy, w, seed))));
    const pooledBest = fixedIdsInFile.reduce((a, b) => (meanOf(pooledOf(b)) > meanOf(pooledOf(a)) ? b : a));
    const pooledDiffs = pooledOf(META_POLICY_ID).map((x, i) => x - pooledOf(pooledBest)[i]!);
    const pooledCi = (12.7062047361747 * Math.abs(pooledDiffs[0]! - pooledDiffs[1]!)) / 2;
    const pooledClaim = r.summary['modeSwitchAllScenarios'] as { bestFixed: string; diff: { mean: number; ci95: number }; metaBeatsBestFixed: boolean };
    assert.equal(pooledClaim.bestFixed, pooledBest);
    assert.ok(Math.abs(pooledClaim.diff.mean - meanOf(pooledDiffs)) < 1e-9 && Math.abs(pooledClaim.diff.ci95 - pooledCi) < 1e-6, JSON.stringify(pooledClaim.diff));
    assert.equal(pooledClaim.metaBeatsBestFixed, meanOf(pooledDiffs) - pooledCi > 0);
    const metaRank = table.findIndex((t) => t.policy === META_POLICY_ID) + 1;
    assert.match(md, new RegExp(`- meta-controller J = \\S+ ± \\S+, rank ${metaRank} of 23\n`));
    const lookupJs = seeds.map((seed) => jOf(LOOKUP_POLICY_ID, 'mode-switch', seed));
    assert.ok(md.includes(`switched by mode (in-sample) J = ${pm2(lookupJs)}\n`), 'the lookup reference line prints the lookup\'s J');
    // The phase table: per phase, the means over seeds of v, c and J, for the meta-controller and the best fixed vector.
    const phaseLines = md.split('\n').filter((l) => l.startsWith(`| ${META_POLICY_ID} | `) || l.startsWith(`| ${bestFixed} | `));
    const expectedPhaseLines = [META_POLICY_ID, bestFixed].flatMap((pid) => {
      const per = seeds.map((seed) => phasesOf(pid, 'mode-switch', seed));
      return per[0]!.map((p, k) => `| ${pid} | ${k} | ${p.mode} | ${p.steps} | ${meanOf(per.map((x) => x[k]!.v)).toFixed(3)} | ${meanOf(per.map((x) => x[k]!.c)).toFixed(3)} | ${meanOf(per.map((x) => x[k]!.j)).toFixed(3)} |`);
    });
    assert.deepEqual(phaseLines, expectedPhaseLines);
    // The phase ceiling: per phase the fixed vector with the best mean phase J (of equals, the first in the table's
    // order), and its gain over the best single vector, paired by seed (ceiling - best).
    const fixedIds = table.map((t) => t.policy).filter((p) => p !== META_POLICY_ID && p !== LOOKUP_POLICY_ID);
    const winners = story.map((_, k) => {
      let w = fixedIds[0]!;
      const phaseJ = (p: string): number => meanOf(seeds.map((seed) => phasesOf(p, 'mode-switch', seed)[k]!.j));
      for (const p of fixedIds) if (phaseJ(p) > phaseJ(w)) w = p;
      return w;
    });
    const ceilingPerSeed = seeds.map((seed) => winners.reduce((acc, p, k) => acc + phasesOf(p, 'mode-switch', seed)[k]!.j * phasesOf(p, 'mode-switch', seed)[k]!.steps, 0) / steps);
    const gains = seeds.map((seed, i) => ceilingPerSeed[i]! - jOf(bestFixed, 'mode-switch', seed));
    const ceiling = r.summary['phaseCeiling'] as { winners: string[]; overBestFixed: { mean: number; ci95: number } };
    assert.deepEqual(ceiling.winners, winners);
    assert.ok(Math.abs(ceiling.overBestFixed.mean - meanOf(gains)) < 1e-9, `${ceiling.overBestFixed.mean} vs ${meanOf(gains)}`);

    // The lookup reference: per mode, the fixed vector with the best mean J on that mode's own world (the first of
    // equals in grid order), put in force in that mode's phases of mode-switch.
    const grid = weightGrid(5);
    const idOf = (raw: number[]): string => `fixed ${weightsLabel(normalizeWeights(raw))}`;
    const lookup = Object.fromEntries(MODES.map((mode) => {
      let best = grid[0]!;
      for (const raw of grid) if (meanOf(seeds.map((seed) => jOf(idOf(raw), `mode-${mode}`, seed))) > meanOf(seeds.map((seed) => jOf(idOf(best), `mode-${mode}`, seed)))) best = raw;
      return [mode, best];
    }));
    assert.deepEqual((r.summary['lookupReference'] as { vectors: Record<string, number[]> }).vectors, lookup);
    for (const x of records.filter((y) => y.policy === LOOKUP_POLICY_ID && y.scenario === 'mode-switch')) {
      const w = normalizeWeights(lookup[story[phaseIndexAt(story, x.step)]!.mode]!);
      assert.deepEqual([x.alpha, x.beta, x.gamma].map((v) => v.toFixed(12)), [w.alpha, w.beta, w.gamma].map((v) => v.toFixed(12)), `lookup weights at step ${x.step}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('meta report --trace: every world replays the trace, and the report and its summary say so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meta-report-trace-'));
  try {
    // On/off load, 60 s quiet and 60 s busy: far from the synthetic processes, so a run on it cannot pass for one.
    const tracePath = join(dir, 'onoff.csv');
    writeFileSync(tracePath, ['t,rate', ...Array.from({ length: 2400 }, (_, t) => `${t},${Math.floor(t / 60) % 2 === 0 ? 5 : 50}`)].join('\n'));
    const trace = loadTraceCsv(tracePath);
    const steps = 8;
    const out = join(dir, 'out');
    const r = await runMetaReport({ outDir: out, seeds: 1, steps, quick: true, lower: new WeightReadingStub(), meta: modeRuleMeta, trace, traceNote: 'a test note' });
    const records = readStepsFile(join(out, 'steps.csv.gz'));
    assert.equal(new Set(records.map((x) => x.scenario)).size, 7, 'all seven worlds ran');
    assert.ok(records.every((x) => x.trace === 'onoff.csv'), 'every run replays the trace');
    assert.equal(r.summary['trace'], 'onoff.csv');
    assert.match(readFileSync(r.markdownPath, 'utf8'), /Workload: the trace onoff\.csv in every world, instead of the synthetic processes \(a test note\)/);
    // One seed: no CI, printed as n/a (not NaN).
    assert.match(readFileSync(r.markdownPath, 'utf8'), /meta-controller J = -?\d+\.\d{3} ± n\/a, rank/);
    assert.doesNotMatch(readFileSync(r.markdownPath, 'utf8'), /NaN/);
    // Without it the same worlds are synthetic.
    const synthetic = await runMetaReport({ outDir: join(dir, 'synthetic'), seeds: 1, steps, quick: true, lower: new WeightReadingStub(), meta: modeRuleMeta });
    assert.equal(synthetic.summary['trace'], undefined);
    assert.ok(readStepsFile(join(dir, 'synthetic', 'steps.csv.gz')).every((x) => x.trace === ''), 'no trace without --trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('meta report: a run that fails leaves no steps file (the partial one is deleted) and the error is the run\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meta-report-'));
  try {
    let calls = 0;
    const failing = (obs: Float32Array): number[] => {
      if (++calls > 40) throw new Error('meta-controller broke');
      return modeRuleMeta(obs);
    };
    await assert.rejects(runMetaReport({ outDir: dir, seeds: 2, steps: 12, quick: true, lower: new WeightReadingStub(), meta: failing }), /meta-controller broke/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('meta report: bad options are named', async () => {
  await assert.rejects(runMetaReport({ outDir: '/tmp/x', seeds: 0, steps: 10, quick: true }), /seeds must be an integer >= 1/);
  await assert.rejects(runMetaReport({ outDir: '/tmp/x', seeds: 1, steps: 2, quick: true }), /steps must be an integer >= 4/);
});

test('the phase ceiling picks, per phase, the fixed vector with the best mean phase objective and scores each seed with them', () => {
  const run = (policy: string, seed: number, j0: number, j1: number): RunScore => ({
    policy,
    world: 'w',
    seed,
    objective: (2 * j0 + 3 * j1) / 5,
    phases: [
      { mode: 'normal', steps: 2, violationRate: 0, costOverBudget: 0, objective: j0 },
      { mode: 'budget', steps: 3, violationRate: 0, costOverBudget: 0, objective: j1 },
    ],
  });
  const scores = [run('a', 1, -1, -5), run('a', 2, -2, -6), run('b', 1, -3, -2), run('b', 2, -4, -1), run('other', 1, -9, -9)];
  const c = hindsightPhaseCeiling(scores, 'w', ['a', 'b']);
  assert.deepEqual(c.winners, ['a', 'b']);
  assert.deepEqual(c.perSeed, [(2 * -1 + 3 * -2) / 5, (2 * -2 + 3 * -1) / 5]);
  assert.throws(() => hindsightPhaseCeiling(scores, 'w', ['nobody']), /no runs of nobody on w/);
});
