/**
 * Each mode's own objective J (src/meta/modes.ts) per (scenario, mode) cell: `edge-rl` with each meta checkpoint
 * given and, with --grid, the PPO under each of the 21 fixed weight vectors, over whole 500-step single-mode runs on
 * world seeds no report or bench uses (default 70000..). Per cell it prints J (mean ± CI95 over seeds), the SLA
 * violation share (the mode's SLA) and the cost per run, best first; then, per checkpoint, the mean J over the cells
 * and its paired difference to the first checkpoint. Asks whether validation can tell TD3 seeds apart, and where a
 * mode's objective puts its optimum (docs/META.md "What the normal mode's objective can tell apart").
 * Run: node --import tsx scripts/experiments/meta-cells.mts [--metas A.json,B.json] [--grid] [--scenarios industrial,...]
 *      [--modes normal,...] [--seeds 30] [--seed-base 70000] [--out FILE.json] [--overrides '{"modes":{...}}']
 * --overrides (a ConfigOverrides JSON) scores J under other mode parameters, e.g. the normal mode before its SLO:
 * '{"modes":{"normal":{"maxSlaViolationRate":1,"penalty":0}}}'. The runs themselves do not change.
 */
import './stdout-pipe.ts';
import { writeFileSync } from 'node:fs';
import { HierarchicalPolicy, createFixedWeightsPolicy } from '../../src/meta/hierarchical-policy.ts';
import { MODES, assertMode, singleModeSchedule, violatesModeSla, type ModeName } from '../../src/meta/modes.ts';
import { weightGrid } from '../../src/meta/weights.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { singleModeRuns } from '../../src/bench/meta-selection.ts';
import { combinedObjective, scoreRun } from '../../src/bench/reports/meta.ts';
import { loadConfig } from '../../src/core/config.ts';
import { mean, meanCi, pairedDifference } from '../../src/bench/stats.ts';
import type { Policy } from '../../src/policies/types.ts';
import { flag } from './flag.ts';

const metas = flag('--metas', 'models/meta-td3.json').split(',').filter(Boolean);
const withGrid = process.argv.includes('--grid');
const scenarios = flag('--scenarios', SCENARIOS.join(',')).split(',') as ScenarioName[];
for (const s of scenarios) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--scenarios: unknown scenario '${s}'; known: ${SCENARIOS.join(', ')}`);
const modes = flag('--modes', MODES.join(',')).split(',').map((m) => assertMode(m, '--modes'));
const seeds = Number(flag('--seeds', '30'));
const seedBase = Number(flag('--seed-base', '70000'));
const out = flag('--out', '');
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
if (!(Number.isInteger(seedBase) && seedBase >= 0)) throw new Error(`--seed-base must be an integer >= 0, got ${seedBase}`);
const STEPS = 500;
const config = loadConfig(JSON.parse(flag('--overrides', '{}')));

interface Contender { name: string; make: () => Policy }
const contenders: Contender[] = metas.map((m) => ({ name: m, make: () => new HierarchicalPolicy({ id: 'edge-rl', metaCheckpointPath: m }) }));
if (withGrid) for (const w of weightGrid(5)) contenders.push({ name: `fixed (${w.join(', ')})`, make: () => createFixedWeightsPolicy(w) });

interface CellRuns { j: number[]; violationPct: number[]; costUsd: number[] }
const result: Record<string, Record<string, CellRuns>> = {};
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

for (const scenario of scenarios) {
  for (const mode of modes as ModeName[]) {
    const cell = `${scenario}/${mode}`;
    const schedule = singleModeSchedule(mode);
    const modeConfig = config.modes[mode];
    const rows: { name: string; runs: CellRuns }[] = [];
    for (const c of contenders) {
      const runs: CellRuns = { j: [], violationPct: [], costUsd: [] };
      for (const records of singleModeRuns(c.make(), scenario, mode, seeds, seedBase, STEPS)) {
        runs.j.push(combinedObjective(scoreRun(records, schedule, config.scenarios[scenario].budgetUsdPerHour, config.modes)));
        runs.violationPct.push((100 * records.filter((r) => violatesModeSla(modeConfig, r)).length) / records.length);
        runs.costUsd.push(records.reduce((a, r) => a + r.costUsd, 0));
      }
      (result[c.name] ??= {})[cell] = runs;
      rows.push({ name: c.name, runs });
    }
    rows.sort((a, b) => mean(b.runs.j) - mean(a.runs.j));
    process.stdout.write(`\n${cell} (seeds ${seedBase}..${seedBase + seeds - 1}): J ± CI95, SLA violation % (the mode's SLA), cost USD per run\n`);
    for (const r of rows) {
      const j = meanCi(r.runs.j);
      process.stdout.write(`  ${r.name.padEnd(40)} ${j.mean.toFixed(4)} ± ${j.ci95.toFixed(4)}  ${mean(r.runs.violationPct).toFixed(2).padStart(6)} %  ${mean(r.runs.costUsd).toFixed(3)}\n`);
    }
  }
}

if (metas.length > 0) {
  const cells = Object.keys(result[metas[0]!]!);
  const perSeed = (name: string): number[] => Array.from({ length: seeds }, (_, i) => mean(cells.map((c) => result[name]![c]!.j[i]!)));
  const first = perSeed(metas[0]!);
  process.stdout.write(`\nmean J over the ${cells.length} cells, and the paired difference to ${metas[0]}\n`);
  for (const m of metas) {
    const own = perSeed(m);
    const d = pairedDifference(own, first);
    process.stdout.write(`  ${m.padEnd(40)} ${mean(own).toFixed(4)}${m === metas[0] ? '' : `  ${signed(d.mean)} ± ${d.ci95.toFixed(4)}`}\n`);
  }
}
if (out) writeFileSync(out, `${JSON.stringify({ seeds, seedBase, steps: STEPS, result })}\n`);
