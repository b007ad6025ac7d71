/**
 * The normal mode's own objective, J = -(c + 2v) (src/meta/modes.ts), for `edge-rl` with each meta checkpoint (or
 * ensemble manifest) given, over a whole 500-step run in the normal mode on one scenario (the tournament's worlds:
 * the bench's 20 paired seeds), and each one's paired difference to the first. Asks whether a meta-controller that
 * spends less and violates more is the objective's choice or a learning miss (docs/META.md "An ensemble of seeds").
 * Run: node --import tsx scripts/experiments/meta-normal-mode.mts --metas models/meta-td3.json,X.json[,...] [--scenario industrial] [--seeds 20]
 *      [--seed-base 30000 (development worlds instead of the tournament's)]
 */
import './stdout-pipe.ts';
import { ModeScheduleEnv } from '../../src/meta/mode-env.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { singleModeSchedule } from '../../src/meta/modes.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { runEpisode, seedFor } from '../../src/bench/tournament.ts';
import { combinedObjective, scoreRun } from '../../src/bench/reports/meta.ts';
import { loadConfig } from '../../src/core/config.ts';
import { pairedDifference } from '../../src/bench/stats.ts';
import { flag } from './flag.ts';

const metas = flag('--metas', 'models/meta-td3.json').split(',');
const scenario = flag('--scenario', 'industrial') as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, got '${scenario}'`);
const seeds = Number(flag('--seeds', '20'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
const seedBase = process.argv.includes('--seed-base') ? Number(flag('--seed-base', '0')) : undefined;
if (seedBase !== undefined && !(Number.isInteger(seedBase) && seedBase >= 0)) throw new Error(`--seed-base must be an integer >= 0, got ${seedBase}`);
const STEPS = 500;
const budgetUsdPerHour = loadConfig().scenarios[scenario].budgetUsdPerHour;
const schedule = singleModeSchedule('normal');
const scores = metas.map((meta) =>
  Array.from({ length: seeds }, (_, i) => {
    const env = new ModeScheduleEnv({ scenario, maxSteps: STEPS, schedule });
    const policy = new HierarchicalPolicy({ id: 'edge-rl', metaCheckpointPath: meta });
    return combinedObjective(scoreRun(runEpisode(env, policy, policy.id, seedBase === undefined ? seedFor(i) : seedBase + i, STEPS), schedule, budgetUsdPerHour));
  }),
);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(`normal mode on ${scenario}, ${seeds} ${seedBase === undefined ? 'tournament seeds' : `worlds from ${seedBase}`} x ${STEPS} steps: J per step, and the paired difference to ${metas[0]}\n`);
metas.forEach((meta, k) => {
  const d = pairedDifference(scores[k]!, scores[0]!);
  process.stdout.write(`${meta}: J ${mean(scores[k]!).toFixed(4)}${k === 0 ? '' : `, minus the first ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} ± ${d.ci95.toFixed(4)}`}\n`);
});
