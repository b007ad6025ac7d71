/**
 * Is the mode-switch tie an artifact of picking the best fixed vector in-sample (on the very seeds it is scored on)?
 * Picks the grid's best fixed weight vector on held-out validation seeds (20000 + i), then compares the shipped
 * edge-rl with it, and with the in-sample best, on the tournament's seeds (10000 + i), paired (docs/META.md).
 * Run: node --import tsx scripts/experiments/meta-oos-best-fixed.mts [validation seeds, default 50] [test seeds, default 30]
 */
import './stdout-pipe.ts';
import { ModeScheduleEnv } from '../../src/meta/mode-env.ts';
import { HierarchicalPolicy, createFixedWeightsPolicy } from '../../src/meta/hierarchical-policy.ts';
import { modeSwitchSchedule } from '../../src/meta/modes.ts';
import { weightGrid } from '../../src/meta/weights.ts';
import { runEpisode, seedFor } from '../../src/bench/tournament.ts';
import { combinedObjective, scoreRun } from '../../src/bench/reports/meta.ts';
import { loadConfig } from '../../src/core/config.ts';
import { pairedDifference } from '../../src/bench/stats.ts';

const STEPS = 500;
const VALIDATION_SEED_BASE = 20_000;
const validationSeeds = Number(process.argv[2] ?? 50);
const testSeeds = Number(process.argv[3] ?? 30);
for (const [name, n] of [['validation seeds', validationSeeds], ['test seeds', testSeeds]] as const) {
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`${name} must be an integer >= 2, got ${n}`);
}
const budgetUsdPerHour = loadConfig().scenarios.balanced.budgetUsdPerHour;
const schedule = modeSwitchSchedule(STEPS);
const score = (make: () => HierarchicalPolicy, seed: number): number => {
  const env = new ModeScheduleEnv({ scenario: 'balanced', maxSteps: STEPS, schedule });
  const policy = make();
  return combinedObjective(scoreRun(runEpisode(env, policy, policy.id, seed, STEPS), schedule, budgetUsdPerHour));
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const grid = weightGrid(5);
const onValidation = grid.map((w) => mean(Array.from({ length: validationSeeds }, (_, i) => score(() => createFixedWeightsPolicy(w), VALIDATION_SEED_BASE + i))));
const picked = onValidation.indexOf(Math.max(...onValidation));
const onTest = (make: () => HierarchicalPolicy): number[] => Array.from({ length: testSeeds }, (_, i) => score(make, seedFor(i)));
const meta = onTest(() => new HierarchicalPolicy({ id: 'edge-rl' }));
const grids = grid.map((w) => onTest(() => createFixedWeightsPolicy(w)));
const inSample = grids.map(mean).indexOf(Math.max(...grids.map(mean)));
const line = (label: string, i: number): string => {
  const d = pairedDifference(meta, grids[i]!);
  return `${label} (${grid[i]!.join(', ')}): meta - it = ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} ± ${d.ci95.toFixed(4)}`;
};
process.stdout.write(
  [
    `mode-switch (balanced), ${STEPS} steps; best fixed vector picked on ${validationSeeds} validation seeds (${VALIDATION_SEED_BASE}..), scored on ${testSeeds} test seeds (${seedFor(0)}..):`,
    line('out-of-sample best', picked),
    line('in-sample best', inSample),
    '',
  ].join('\n'),
);
