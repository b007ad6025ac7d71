/**
 * The mode-switch claim on world seeds no report has used (default 30000 + i): a meta-controller checkpoint against
 * every fixed weight vector of the grid, best fixed picked in-sample on those seeds, paired (docs/META.md). For
 * checking a meta-controller chosen on the tournament's seeds against seeds it was not chosen on.
 * Run: node --import tsx scripts/experiments/meta-fresh-seeds.mts [--meta models/meta-td3.json] [--seeds 30] [--seed-base 30000]
 */
import './stdout-pipe.ts';
import { ModeScheduleEnv } from '../../src/meta/mode-env.ts';
import { HierarchicalPolicy, createFixedWeightsPolicy } from '../../src/meta/hierarchical-policy.ts';
import { modeSwitchSchedule } from '../../src/meta/modes.ts';
import { weightGrid } from '../../src/meta/weights.ts';
import { runEpisode } from '../../src/bench/tournament.ts';
import { combinedObjective, scoreRun } from '../../src/bench/reports/meta.ts';
import { loadConfig } from '../../src/core/config.ts';
import { pairedDifference } from '../../src/bench/stats.ts';
import { flag } from './flag.ts';

const metaPath = flag('--meta', 'models/meta-td3.json');
const seeds = Number(flag('--seeds', '30'));
const seedBase = Number(flag('--seed-base', '30000'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
if (!(Number.isInteger(seedBase) && seedBase >= 0)) throw new Error(`--seed-base must be an integer >= 0, got ${seedBase}`);
const STEPS = 500;
const budgetUsdPerHour = loadConfig().scenarios.balanced.budgetUsdPerHour;
const schedule = modeSwitchSchedule(STEPS);
const run = (make: () => HierarchicalPolicy): number[] =>
  Array.from({ length: seeds }, (_, i) => {
    const env = new ModeScheduleEnv({ scenario: 'balanced', maxSteps: STEPS, schedule });
    const policy = make();
    return combinedObjective(scoreRun(runEpisode(env, policy, policy.id, seedBase + i, STEPS), schedule, budgetUsdPerHour));
  });
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const meta = run(() => new HierarchicalPolicy({ id: 'edge-rl', metaCheckpointPath: metaPath }));
const grid = weightGrid(5);
const fixed = grid.map((w) => run(() => createFixedWeightsPolicy(w)));
const best = fixed.map(mean).indexOf(Math.max(...fixed.map(mean)));
const d = pairedDifference(meta, fixed[best]!);
process.stdout.write(`${metaPath}: mode-switch (balanced), seeds ${seedBase}..${seedBase + seeds - 1}: meta J ${mean(meta).toFixed(4)}; best fixed (${grid[best]!.join(', ')}) J ${mean(fixed[best]!).toFixed(4)}; meta - best fixed = ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} ± ${d.ci95.toFixed(4)}\n`);
