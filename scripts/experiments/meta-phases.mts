/**
 * Per-phase means (violation rate v, cost over budget c, the mode's J) of the meta-controller and of one fixed vector
 * in one world of a meta report's folder (steps.csv.gz + worlds.json, streamed one run at a time). The report prints
 * this table for `mode-switch` only; this prints it for any world, e.g. `mode-switch/smart-city`.
 * Run: node --import tsx scripts/experiments/meta-phases.mts --dir runs/x/meta --world mode-switch/smart-city [--fixed 'fixed w(1.00,0.00,0.00)']
 */
import './stdout-pipe.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scoreRun, META_POLICY_ID, type WorldSpec } from '../../src/bench/reports/meta.ts';
import { streamStepRuns, streamStepsFile } from '../../src/bench/steps-log.ts';
import { flag } from './flag.ts';

const dir = flag('--dir', '');
const world = flag('--world', 'mode-switch');
const fixed = flag('--fixed', 'fixed w(1.00,0.00,0.00)');
if (!dir) throw new Error('--dir DIR (a meta report folder) is required');
const worlds = JSON.parse(readFileSync(join(dir, 'worlds.json'), 'utf8')) as Record<string, WorldSpec>;
const spec = worlds[world];
if (!spec) throw new Error(`no world '${world}' in ${join(dir, 'worlds.json')} (has ${Object.keys(worlds).join(', ')})`);
const sums = new Map<string, { runs: number; phases: { v: number; c: number; j: number }[] }>();
const path = join(dir, 'steps.csv.gz');
for await (const run of streamStepRuns(streamStepsFile(path), path)) {
  const first = run[0]!;
  if (first.scenario !== world || (first.policy !== META_POLICY_ID && first.policy !== fixed)) continue;
  const acc = sums.get(first.policy) ?? { runs: 0, phases: [] };
  sums.set(first.policy, acc);
  acc.runs++;
  scoreRun([...run].sort((a, b) => a.step - b.step), spec.schedule, spec.budgetUsdPerHour).forEach((p, k) => {
    const s = (acc.phases[k] ??= { v: 0, c: 0, j: 0 });
    s.v += p.violationRate;
    s.c += p.costOverBudget;
    s.j += p.objective;
  });
}
if (!sums.has(fixed)) throw new Error(`no runs of '${fixed}' in ${world}`);
for (const [policy, acc] of sums) {
  const cells = acc.phases.map((p, k) => `${spec.schedule[k]!.mode}: v ${(p.v / acc.runs).toFixed(3)} c ${(p.c / acc.runs).toFixed(3)} J ${(p.j / acc.runs).toFixed(3)}`);
  process.stdout.write(`${policy} (${acc.runs} runs) | ${cells.join(' | ')}\n`);
}
