/**
 * `report meta` with a variant of `edge-rl` scored in its place (the fixed-vector grid and everything else as the
 * report), for measuring a change to the hierarchy: `--no-guard` scores it without the SLO guard that `edge-rl` has
 * since session 20 (src/meta/slo-guard.ts, docs/META.md "The SLO guard").
 * Run: node --import tsx scripts/experiments/meta-report-variant.mts --out DIR [--seeds 20] [--steps 500] [--no-guard]
 *        [--trace FILE [--trace-step-s S]]
 */
import './stdout-pipe.ts';
import { createEdgeRlPolicy, HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { META_POLICY_ID, runMetaReport } from '../../src/bench/reports/meta.ts';
import { loadTraceCsv } from '../../src/workload/trace.ts';
import { flag } from './flag.ts';

const out = flag('--out', '');
if (!out) throw new Error('--out DIR is required');
const seeds = Number(flag('--seeds', '20'));
const steps = Number(flag('--steps', '500'));
const tracePath = flag('--trace', '');
const traceStepS = Number(flag('--trace-step-s', '1'));
const guard = !process.argv.includes('--no-guard');
const trace = tracePath ? loadTraceCsv(tracePath, { traceStepS }) : undefined;
const r = await runMetaReport({
  outDir: out,
  seeds,
  steps,
  quick: false,
  ...(trace ? { trace } : {}),
  // The shipped edge-rl, or the same hierarchy without its guard.
  makeMetaPolicy: () => (guard ? createEdgeRlPolicy() : new HierarchicalPolicy({ id: META_POLICY_ID })),
});
const ms = r.summary['modeSwitch'] as { diff: { mean: number; ci95: number }; bestFixed: string; metaRank: number };
const all = r.summary['modeSwitchAllScenarios'] as { diff: { mean: number; ci95: number }; bestFixed: string; metaRank: number };
process.stdout.write(`edge-rl${guard ? '' : ' without the SLO guard'}${trace ? ` on ${trace.name}` : ''}: mode-switch meta - best fixed (${ms.bestFixed}) ${ms.diff.mean.toFixed(4)} ± ${ms.diff.ci95.toFixed(4)}, rank ${ms.metaRank}; story on all four ${all.diff.mean.toFixed(4)} ± ${all.diff.ci95.toFixed(4)} (best fixed ${all.bestFixed}), rank ${all.metaRank}; ${r.markdownPath}\n`);
