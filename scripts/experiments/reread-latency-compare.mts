/**
 * Compares two bench output folders of the same world run under two simulator models (reread-latency.sh: the re-read
 * latency models; drain-time.sh: the drain-time models): per policy and scenario, SLA violation % and cost in each,
 * and the share of steps on which the policy's shuffle tier differs from the step before (how often a tier change
 * makes the two models disagree).
 * Usage: node --import tsx scripts/experiments/reread-latency-compare.mts <write-tier dir> <resident-tier(s) dir>
 */
import './stdout-pipe.ts';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { csvRows as csv, readSummary as summary } from './summary-csv.ts';

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: reread-latency-compare.mts <write-tier bench dir> <resident-tier bench dir>\n');
  process.exit(2);
}
const sa = summary(a);
const sb = summary(b);

// Tier switches per policy and scenario, from the write-tier run's steps file.
const switches = new Map<string, { changed: number; steps: number }>();
const last = new Map<string, string>();
for (const r of csv(gunzipSync(readFileSync(join(a, 'steps.csv.gz'))).toString('utf8'))) {
  const run = `${r.policy} ${r.scenario} ${r.seed}`;
  const key = `${r.policy} ${r.scenario}`;
  const s = switches.get(key) ?? { changed: 0, steps: 0 };
  const prev = last.get(run);
  if (prev !== undefined) {
    s.steps++;
    if (prev !== r.tier) s.changed++;
  }
  last.set(run, r.tier!);
  switches.set(key, s);
}

let maxPp = 0;
let maxCostPct = 0;
process.stdout.write(`\n${a} vs ${b}\n`);
process.stdout.write('policy              scenario      SLA % write / resident   cost USD write / resident   tier changed on\n');
for (const [key, ra] of sa) {
  const rb = sb.get(key);
  if (!rb) throw new Error(`${key} is missing from ${b}`);
  const pp = Number(rb.sla_violation_pct) - Number(ra.sla_violation_pct);
  const costPct = (100 * (Number(rb.cost_usd) - Number(ra.cost_usd))) / Number(ra.cost_usd);
  maxPp = Math.max(maxPp, Math.abs(pp));
  maxCostPct = Math.max(maxCostPct, Math.abs(costPct));
  const sw = switches.get(key)!;
  const [policy, scenario] = key.split(' ');
  const same = ra.sla_violation_pct === rb.sla_violation_pct && ra.cost_usd === rb.cost_usd;
  process.stdout.write(`${policy!.padEnd(19)} ${scenario!.padEnd(12)} ${ra.sla_violation_pct!.padStart(8)} / ${rb.sla_violation_pct!.padEnd(8)}  ${ra.cost_usd!.padStart(10)} / ${rb.cost_usd!.padEnd(10)}     ${((100 * sw.changed) / sw.steps).toFixed(1).padStart(5)} % of steps${same ? '' : '  (differs)'}\n`);
}
process.stdout.write(`largest change: ${maxPp.toFixed(2)} SLA points, ${maxCostPct.toFixed(2)} % of cost\n`);
