/**
 * What the budget phase costs the meta-controller on the bench's mode-switch world (docs/META.md, "Why the budget
 * phase is lost"): the shipped edge-rl against the same policy with its weights replaced by a fixed vector in the
 * budget phase only, on the tournament's paired seeds (10000 + i), scored by the meta report's combined objective.
 * Run: node --import tsx scripts/experiments/meta-budget-swap.mts [seeds, default 20]
 */
import './stdout-pipe.ts';
import { ModeScheduleEnv } from '../../src/meta/mode-env.ts';
import { HierarchicalPolicy, loadMetaController } from '../../src/meta/hierarchical-policy.ts';
import { modeSwitchSchedule } from '../../src/meta/modes.ts';
import { runEpisode, seedFor } from '../../src/bench/tournament.ts';
import { combinedObjective, scoreRun } from '../../src/bench/reports/meta.ts';
import { loadConfig } from '../../src/core/config.ts';
import { pairedDifference } from '../../src/bench/stats.ts';

const STEPS = 500;
const seeds = Number(process.argv[2] ?? 20);
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`seeds must be an integer >= 2, got ${process.argv[2]}`);
const budgetUsdPerHour = loadConfig().scenarios.balanced.budgetUsdPerHour;
const schedule = modeSwitchSchedule(STEPS);
const meta = loadMetaController();
const BUDGET_MODE_FEATURE = 1; // meta observation: mode_budget one-hot
const variants: Record<string, number[] | null> = { shipped: null, '(1,0,0)': [1, 0, 0], '(0.8,0.1,0.1)': [0.8, 0.1, 0.1], '(0.6,0,0.4)': [0.6, 0, 0.4], '(0.6,0.4,0)': [0.6, 0.4, 0] };
const scores: Record<string, number[]> = {};
for (const [name, fixed] of Object.entries(variants)) {
  scores[name] = [];
  for (let i = 0; i < seeds; i++) {
    const env = new ModeScheduleEnv({ scenario: 'balanced', maxSteps: STEPS, schedule });
    const policy = new HierarchicalPolicy({ id: 'edge-rl', meta: (o) => (fixed && o[BUDGET_MODE_FEATURE] === 1 ? fixed : meta(o)) });
    const records = runEpisode(env, policy, policy.id, seedFor(i), STEPS);
    scores[name]!.push(combinedObjective(scoreRun(records, schedule, budgetUsdPerHour)));
  }
}
console.log(`mode-switch (balanced), ${seeds} paired seeds x ${STEPS} steps: combined objective J per step, and the change from the shipped meta-controller`);
for (const [name, v] of Object.entries(scores)) {
  const d = pairedDifference(v, scores['shipped']!);
  const label = name === 'shipped' ? 'shipped edge-rl' : `budget phase at ${name}`;
  console.log(`${label.padEnd(30)} J ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(4)}  change ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(4)} ± ${d.ci95.toFixed(4)}`);
}
