/**
 * How much any mode-aware choice of weights could gain on the mode-switch story over a given lower-level PPO, before
 * a meta-controller is trained over it: every fixed vector of the grid (step 0.2) on the story, the best single
 * vector picked in-sample, and the hindsight ceiling (the best vector of each phase; hindsightPhaseCeiling in
 * src/bench/reports/meta.ts), paired over the seeds. Per phase it prints the winner's violation rate and cost. Use
 * development worlds (default seed base 30000), never the tournament's 10000+.
 * `--incident-factor F` (session 12's question: would an incident that brings load make the modes disagree?)
 * multiplies the arrivals of the critical phase by F, capped at the scenario's peak (the synthetic generator's cap);
 * the default 1 is the story as benchmarked.
 * `--rescore MODE.KEY=V1,V2,...` (session 26, input to the product decision docs/STATUS.md "Next" (a)) scores the
 * same runs again with one numeric parameter of one mode's objective (config `modes`, e.g. `normal.slaWeight=2,8` or
 * `critical.slaWeight=1,5,20`) at each value, the rest as configured: the runs do not depend on the objective (every
 * policy here is a fixed vector), only the scores and so the ceiling do.
 * Run: node --import tsx scripts/experiments/mode-switch-ceiling.mts [--checkpoint models/edge-rl-ppo.json]
 *      [--scenario balanced] [--seeds 20] [--seed-base 30000] [--incident-factor 1] [--rescore normal.slaWeight=2,8]
 */
import './stdout-pipe.ts';
import { ModeScheduleEnv } from '../../src/meta/mode-env.ts';
import { createFixedWeightsPolicy } from '../../src/meta/hierarchical-policy.ts';
import { modeSwitchSchedule } from '../../src/meta/modes.ts';
import { weightGrid } from '../../src/meta/weights.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { combinedObjective, hindsightPhaseCeiling, scoreRun, type RunScore } from '../../src/bench/reports/meta.ts';
import { loadConfig } from '../../src/core/config.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { pairedDifference } from '../../src/bench/stats.ts';
import { flag } from './flag.ts';

const checkpoint = flag('--checkpoint', 'models/edge-rl-ppo.json');
const scenario = flag('--scenario', 'balanced') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario: unknown scenario '${scenario}' (known: ${SCENARIOS.join(', ')})`);
const seeds = Number(flag('--seeds', '20'));
const seedBase = Number(flag('--seed-base', '30000'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
if (!(Number.isInteger(seedBase) && seedBase >= 0)) throw new Error(`--seed-base must be an integer >= 0, got ${seedBase}`);
const incidentFactor = Number(flag('--incident-factor', '1'));
if (!(incidentFactor > 0 && Number.isFinite(incidentFactor))) throw new Error(`--incident-factor must be a number > 0, got ${incidentFactor}`);
const configuredModes = loadConfig().modes;
const rescoreArg = flag('--rescore', '');
const rescore = /^(normal|budget|critical)\.(costWeight|slaWeight|maxSlaViolationRate|costCapOverBudget|penalty|slaTargetFactor)=([0-9.,]+)$/.exec(rescoreArg);
if (rescoreArg !== '' && rescore === null) throw new Error(`--rescore must be MODE.KEY=V1,V2,... with MODE normal|budget|critical and KEY a numeric parameter of its objective, got '${rescoreArg}'`);
const rescoreMode = (rescore?.[1] ?? 'normal') as keyof typeof configuredModes;
const rescoreKey = (rescore?.[2] ?? 'slaWeight') as 'slaWeight';
const rescoreValues = rescore === null ? [configuredModes.normal.slaWeight] : rescore[3]!.split(',').map(Number);
if (!rescoreValues.every((x) => Number.isFinite(x) && x >= 0)) throw new Error(`--rescore values must be numbers >= 0, got '${rescoreArg}'`);
const STEPS = 500;
const budgetUsdPerHour = loadConfig().scenarios[scenario].budgetUsdPerHour;
const schedule = modeSwitchSchedule(STEPS);
/** The story's world, with the critical phase's arrivals multiplied by the incident factor after each reset. */
class IncidentEnv extends ModeScheduleEnv {
  override reset(opts: Parameters<ModeScheduleEnv['reset']>[0] = {}): ReturnType<ModeScheduleEnv['reset']> {
    const r = super.reset(opts);
    if (incidentFactor === 1) return r;
    const s = this.inner.exogenous();
    const k = schedule.findIndex((p) => p.mode === 'critical');
    const intervalS = this.inner.controlIntervalS;
    const from = s.offsetS + schedule[k]!.startStep * intervalS;
    const to = s.offsetS + (schedule[k + 1]?.startStep ?? STEPS) * intervalS;
    const peak = this.inner.config.scenarios[scenario].peakRateMsgsPerS;
    for (let i = from; i < to; i++) s.arrivalsMsgs[i] = Math.min(peak, s.arrivalsMsgs[i]! * incidentFactor);
    return r;
  }
}
const grid = weightGrid(5);
const runs: { id: string; seed: number; records: ReturnType<typeof runEpisode> }[] = [];
for (const w of grid) {
  const id = `(${w.map((x) => x.toFixed(1)).join(', ')})`;
  for (let i = 0; i < seeds; i++) {
    const env = new IncidentEnv({ scenario, maxSteps: STEPS, schedule });
    const policy = createFixedWeightsPolicy(w, { id, lowerCheckpointPath: checkpoint });
    runs.push({ id, seed: seedBase + i, records: runEpisode(env, policy, id, seedBase + i, STEPS) });
  }
  process.stderr.write('.');
}
process.stderr.write('\n');
for (const value of rescoreValues) {
  const modes = { ...configuredModes, [rescoreMode]: { ...configuredModes[rescoreMode], [rescoreKey]: value } };
  const scores: RunScore[] = runs.map((r) => {
    const phases = scoreRun(r.records, schedule, budgetUsdPerHour, modes);
    return { policy: r.id, world: scenario, seed: r.seed, objective: combinedObjective(phases), phases };
  });
  if (rescore !== null) process.stdout.write(`\n== ${rescoreMode}.${rescoreKey} = ${value}${value === configuredModes[rescoreMode][rescoreKey] ? ' (as configured)' : ''} ==\n`);
  report(scores);
}
function report(scores: RunScore[]): void {
  const ids = [...new Set(scores.map((s) => s.policy))];
  const runsOf = (p: string): RunScore[] => scores.filter((s) => s.policy === p).sort((a, b) => a.seed - b.seed);
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const byJ = ids.map((p) => ({ p, j: mean(runsOf(p).map((r) => r.objective)) })).sort((a, b) => b.j - a.j);
  const best = byJ[0]!;
  const ceiling = hindsightPhaseCeiling(scores, scenario, ids);
  const d = pairedDifference(ceiling.perSeed, runsOf(best.p).map((r) => r.objective));
  const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
  process.stdout.write(`${checkpoint}: mode-switch/${scenario}, seeds ${seedBase}..${seedBase + seeds - 1}${incidentFactor === 1 ? '' : `, critical-phase arrivals x${incidentFactor}`}\n`);
  process.stdout.write(`best single vector ${best.p}: J ${best.j.toFixed(4)}; next ${byJ.slice(1, 4).map((b) => `${b.p} ${b.j.toFixed(4)}`).join(', ')}\n`);
  process.stdout.write(`hindsight ceiling (${ceiling.winners.join(' -> ')}) - best single = ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} ± ${d.ci95.toFixed(4)}\n`);
  process.stdout.write('phase | mode | best single: viol, cost/budget, J | phase winner: viol, cost/budget, J\n');
  schedule.forEach((ph, k) => {
    const at = (p: string): { v: number; c: number; j: number } => {
      const rs = runsOf(p).map((r) => r.phases[k]!);
      return { v: mean(rs.map((x) => x.violationRate)), c: mean(rs.map((x) => x.costOverBudget)), j: mean(rs.map((x) => x.objective)) };
    };
    const a = at(best.p);
    const b = at(ceiling.winners[k]!);
    process.stdout.write(`${k} | ${ph.mode} | ${pct(a.v)}, ${a.c.toFixed(3)}, ${a.j.toFixed(4)} | ${ceiling.winners[k]} ${pct(b.v)}, ${b.c.toFixed(3)}, ${b.j.toFixed(4)}\n`);
  });
}
