/**
 * Two folders written by rerun-agent-figures.sh (before, after), or any two holding bench runs in like-named
 * subfolders: every results_summary.csv row whose SLA violation % or cost changed, with both values, and each
 * report.md's claims table where it changed. What a change to a policy
 * moved, row by row (docs/BENCHMARKS.md "Session 31").
 * Run: node --import tsx scripts/experiments/compare-figures.mts --before runs/s31/figs-after --after runs/s31/figs-trend
 */
import './stdout-pipe.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flag } from './flag.ts';
import { readSummary } from './summary-csv.ts';

const before = flag('--before', '');
const after = flag('--after', '');
if (before === '' || after === '') throw new Error('--before DIR and --after DIR are required (folders of rerun-agent-figures.sh)');

function rows(benchDir: string): Map<string, { sla: number; cost: number }> {
  return new Map([...readSummary(benchDir)].map(([key, r]) => [key, { sla: Number(r.sla_violation_pct), cost: Number(r.cost_usd) }] as const));
}

function claims(path: string): string[] {
  const text = readFileSync(path, 'utf8').split('\n');
  const i = text.findIndex((l) => l.startsWith('| world | Pareto'));
  if (i < 0) return [];
  const out: string[] = [];
  for (let k = i + 2; k < text.length && text[k]!.startsWith('|'); k++) out.push(text[k]!);
  return out;
}

for (const run of readdirSync(before).sort()) {
  const a = join(before, run);
  const b = join(after, run);
  if (!existsSync(join(a, 'results_summary.csv')) || !existsSync(join(b, 'results_summary.csv'))) continue;
  const ra = rows(a);
  const rb = rows(b);
  const changed: string[] = [];
  for (const [key, x] of ra) {
    const y = rb.get(key);
    if (!y) { changed.push(`${key}: missing after`); continue; }
    if (x.sla !== y.sla || x.cost !== y.cost) {
      const pct = (100 * (y.cost - x.cost)) / x.cost;
      changed.push(`${key.padEnd(44)} ${x.sla.toFixed(2)} % / ${x.cost.toFixed(4)} -> ${y.sla.toFixed(2)} % / ${y.cost.toFixed(4)} (${pct >= 0 ? '+' : ''}${pct.toFixed(2)} %)`);
    }
  }
  process.stdout.write(`== ${run}: ${changed.length} of ${ra.size} rows changed\n${changed.map((l) => `  ${l}\n`).join('')}`);
  const ca = claims(join(before, run, 'report.md'));
  const cb = claims(join(after, run, 'report.md'));
  cb.forEach((line, k) => {
    if (line !== ca[k]) process.stdout.write(`  claims before: ${ca[k] ?? '(none)'}\n  claims after:  ${line}\n`);
  });
}
