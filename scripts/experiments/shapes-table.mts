/**
 * The table of docs/BENCHMARKS.md "Load shapes" from a bench-shapes.sh folder: SLA violation % / cost USD per run,
 * one row per shape and scenario, one column per policy (in the order the runs list them), read from each shape's
 * out-<shape>/results_summary.csv. Also counts, per world, the reactive baselines `edge-rl` has no more violations
 * than and is no dearer than.
 * Run: node --import tsx scripts/experiments/shapes-table.mts --dir runs/s31/shapes
 */
import './stdout-pipe.ts';
import { join } from 'node:path';
import { flag } from './flag.ts';
import { readSummary } from './summary-csv.ts';

const dir = flag('--dir', '');
if (dir === '') throw new Error('--dir is required: the folder bench-shapes.sh wrote');
const SHAPES = ['flat', 'diurnal', 'sawtooth', 'onoff', 'spikes'];
const REACTIVE = ['dexter-hpa', 'keda-lag', 'knative-kpa', 'spark-dra'];
const AGENT = 'edge-rl';

interface Row { policy: string; scenario: string; slaPct: number; costUsd: number }

function readRows(benchDir: string): Row[] {
  return [...readSummary(benchDir).values()].map((r) => ({ policy: r.policy!, scenario: r.scenario!, slaPct: Number(r.sla_violation_pct), costUsd: Number(r.cost_usd) }));
}

let policies: string[] | null = null;
const out: string[] = [];
const tallies: string[] = [];
for (const shape of SHAPES) {
  const rows = readRows(join(dir, `out-${shape}`));
  policies ??= [...new Set(rows.map((r) => r.policy))];
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const of = (policy: string): Row => {
      const r = rows.find((x) => x.policy === policy && x.scenario === scenario);
      if (!r) throw new Error(`${shape}: no row for ${policy} on ${scenario}`);
      return r;
    };
    out.push(`| ${shape} | ${scenario} | ${policies.map((p) => `${of(p).slaPct.toFixed(2)} / ${of(p).costUsd.toFixed(2)}`).join(' | ')} |`);
    const agent = of(AGENT);
    const noMoreViol = REACTIVE.filter((p) => agent.slaPct <= of(p).slaPct).length;
    const fewerViol = REACTIVE.filter((p) => agent.slaPct < of(p).slaPct).length;
    const noDearer = REACTIVE.filter((p) => agent.costUsd <= of(p).costUsd).length;
    tallies.push(`| ${shape} | ${scenario} | ${noMoreViol} | ${fewerViol} | ${noDearer} |`);
  }
}
process.stdout.write(`| shape | scenario | ${policies!.map((p) => `\`${p}\``).join(' | ')} |\n|${'---|'.repeat(2 + policies!.length)}\n${out.join('\n')}\n\n`);
process.stdout.write(`\`${AGENT}\` against the ${REACTIVE.length} reactive baselines (${REACTIVE.join(', ')}):\n\n`);
process.stdout.write('| shape | scenario | no more violations than | fewer violations than | no dearer than |\n|---|---|---|---|---|\n');
process.stdout.write(`${tallies.join('\n')}\n`);
