/** The tournament against the real SparkIotEnv: determinism, common random numbers, and the oracle's sanity. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName, type StepRecord } from '../env/spark-iot-types.ts';
import { defaultPolicyIds, getPolicyEntry } from '../policies/registry.ts';
import { runTournament, seedFor, type EnvFactory, type TournamentOptions, type TournamentResult } from './tournament.ts';
import { formatSummaryCsv, summarize } from './summary.ts';
import { readStepsFile, writeStepsFile, STEP_FIELDS } from './steps-log.ts';

const makeEnv: EnvFactory = (opts) => new SparkIotEnv({ ...opts, scenario: opts.scenario as ScenarioName });
const quick: TournamentOptions = { scenarios: [...SCENARIOS], policies: defaultPolicyIds(), seeds: 3, steps: 120, makeEnv };
/** The tournament with a sink that keeps every record (the tests' stand-in for the steps file). */
function runCollecting(opts: TournamentOptions): TournamentResult & { records: StepRecord[] } {
  const records: StepRecord[] = [];
  return { ...runTournament({ ...opts, onRecord: (r) => records.push(r) }), records };
}
const result = runCollecting(quick);

test('real env: byte-identical summary on a second run', () => {
  assert.ok(defaultPolicyIds().includes('oracle'));
  assert.equal(formatSummaryCsv(runTournament(quick).summary), formatSummaryCsv(result.summary));
});

test('real env: every policy (the oracle included) faces the identical arrival series within a seed', () => {
  for (const scenario of quick.scenarios) {
    for (let i = 0; i < quick.seeds; i++) {
      const seed = seedFor(i);
      const series = quick.policies.map((p) =>
        JSON.stringify(result.records.filter((r) => r.scenario === scenario && r.seed === seed && r.policy === p).map((r) => [r.arrivalRateMsgsPerS, r.burstActive])),
      );
      assert.equal(JSON.parse(series[0]!).length, quick.steps);
      for (let k = 1; k < series.length; k++) assert.equal(series[k], series[0], `${scenario} seed ${seed}: ${quick.policies[k]} saw another world`);
    }
  }
});

test('real env: the summary recomputed from steps.csv.gz equals the written one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-real-'));
  try {
    assert.deepEqual(Object.keys(result.records[0]!).sort(), STEP_FIELDS.map(([k]) => k).sort(), 'every StepRecord field has a column');
    writeStepsFile(join(dir, 'steps.csv.gz'), result.records);
    assert.equal(formatSummaryCsv(summarize(readStepsFile(join(dir, 'steps.csv.gz')))), formatSummaryCsv(result.summary));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The oracle is a clairvoyant heuristic, not a proven optimum: a trained agent may match it on a small sample (the
// 20-seed bench has edge-rl at 0.95-1.10x its cost), so this sanity check of the foresight covers the baselines.
// A leak check: an autoscaler that beats a policy reading the future may be reading it too. forecast-sizing is left
// out: it is the oracle's own rule fed the present (src/policies/forecast-sizing.ts), so where the load is flat the
// oracle's look at the true peak only adds cost, and in these short runs it can undercut the oracle without any
// leak (over the bench's 20 x 500 the oracle is cheaper). Its own test runs it with the future removed.
const ORACLE_RULE_ON_THE_PRESENT = 'forecast-sizing';
// A leak shows as fewer violations than the policy that reads the future, at no more cost. A tie on violations with a
// lower cost is not one: since session 23 the oracle's tier switches pay nvme's drain, which its steady-state drain
// estimate leaves out (docs/SIMULATOR.md "Drain time"), and on these 3 x 120 steps threshold-forecast ties its
// healthcare violations 2 % cheaper. (An estimate of the resident drain made the oracle 3-10 % dearer over the
// bench's 20 x 500: once on nvme every tier looked as slow to drain, so it never left.)

test('real env: no autoscaler baseline has fewer SLA violations than the oracle at no more cost, in any scenario', () => {
  for (const scenario of quick.scenarios) {
    const rows = result.summary.filter((r) => r.scenario === scenario);
    const oracle = rows.find((r) => r.policy === 'oracle')!;
    assert.ok(rows.filter((r) => (getPolicyEntry(r.policy).role ?? 'baseline') === 'baseline').length >= 9, 'the baselines ran');
    for (const r of rows) {
      if ((getPolicyEntry(r.policy).role ?? 'baseline') !== 'baseline' || r.policy === ORACLE_RULE_ON_THE_PRESENT) continue;
      const beatsOnSla = r.slaViolationPct < oracle.slaViolationPct && r.costUsd <= oracle.costUsd;
      assert.ok(!beatsOnSla, `${scenario}: ${r.policy} (${r.slaViolationPct.toFixed(2)} %, $${r.costUsd.toFixed(3)}) has fewer violations than the oracle (${oracle.slaViolationPct.toFixed(2)} %, $${oracle.costUsd.toFixed(3)}) at no more cost`);
    }
  }
});

test('real env: a replayed trace is recorded in every step and shared by all policies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
  try {
    const file = join(dir, 'bursty.csv');
    const rows = ['t,rate'];
    for (let m = 0; m < 60; m++) rows.push(`${m},${(100 + 80 * Math.sin(m / 5) + (m % 20 === 10 ? 400 : 0)).toFixed(1)}`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    const { records, summary } = runCollecting({ scenarios: ['balanced'], policies: ['fixed', 'keda-lag', 'oracle'], seeds: 2, steps: 40, trace: file, traceStepS: 60, makeEnv });
    assert.ok(records.every((r) => r.trace === 'bursty.csv'));
    assert.deepEqual(summary.map((r) => r.trace), ['bursty.csv', 'bursty.csv', 'bursty.csv']);
    const arrivals = (p: string) => JSON.stringify(records.filter((r) => r.policy === p && r.seed === seedFor(1)).map((r) => r.arrivalRateMsgsPerS));
    assert.equal(arrivals('keda-lag'), arrivals('fixed'));
    assert.equal(arrivals('oracle'), arrivals('fixed'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
