/**
 * From step records to the per-(policy, scenario, trace) summary and results_summary.csv.
 * Per run (one seed): SLA violation % of steps, total cost USD, the 95th percentile of the per-step p95 latency,
 * dropped messages and scaling actions; then mean and Student-t CI95 over seeds.
 */
import type { StepRecord } from '../env/spark-iot-types.ts';
import { ci95, mean, percentile } from './stats.ts';

export interface RunMetrics {
  seed: number;
  steps: number;
  slaViolationPct: number;
  costUsd: number;
  p95LatencyMs: number;
  droppedMsgs: number;
  scalingActions: number;
}

export interface SummaryRow {
  policy: string;
  scenario: string;
  trace: string;
  seeds: number;
  steps: number;
  slaViolationPct: number;
  slaViolationCi95: number;
  costUsd: number;
  costCi95: number;
  p95LatencyMs: number;
  p95LatencyCi95: number;
  droppedMsgs: number;
  scalingActions: number;
  /** Per-seed metrics in seed order (for paired comparisons and plots). */
  runs: RunMetrics[];
}

export const SUMMARY_HEADER =
  'policy,scenario,trace,seeds,steps,sla_violation_pct,sla_violation_ci95,cost_usd,cost_ci95,p95_latency_ms,dropped_msgs,scaling_actions';

export function runMetrics(steps: readonly StepRecord[]): RunMetrics {
  if (steps.length === 0) throw new Error('runMetrics: a run needs at least one step');
  let violated = 0;
  let costUsd = 0;
  let dropped = 0;
  let scaled = 0;
  for (const s of steps) {
    if (s.slaViolated) violated++;
    costUsd += s.costUsd;
    dropped += s.droppedMsgs;
    if (s.scaled) scaled++;
  }
  return {
    seed: steps[0]!.seed,
    steps: steps.length,
    slaViolationPct: (100 * violated) / steps.length,
    costUsd,
    p95LatencyMs: percentile(steps.map((s) => s.p95LatencyMs), 95),
    droppedMsgs: dropped,
    scalingActions: scaled,
  };
}

const groupKey = (r: StepRecord): string => JSON.stringify([r.policy, r.scenario, r.trace]);

/** Summaries in order of first appearance of each (policy, scenario, trace); runs sorted by seed. */
export function summarize(records: Iterable<StepRecord>): SummaryRow[] {
  const groups = new Map<string, Map<number, StepRecord[]>>();
  for (const r of records) {
    const k = groupKey(r);
    let bySeed = groups.get(k);
    if (!bySeed) groups.set(k, (bySeed = new Map()));
    let steps = bySeed.get(r.seed);
    if (!steps) bySeed.set(r.seed, (steps = []));
    steps.push(r);
  }
  const rows: SummaryRow[] = [];
  for (const [k, bySeed] of groups) {
    const [policy, scenario, trace] = JSON.parse(k) as [string, string, string];
    const runs = [...bySeed.entries()].sort((a, b) => a[0] - b[0]).map(([, steps]) => runMetrics(steps.sort((a, b) => a.step - b.step)));
    const col = (f: (m: RunMetrics) => number): number[] => runs.map(f);
    rows.push({
      policy,
      scenario,
      trace,
      seeds: runs.length,
      steps: Math.max(...col((m) => m.steps)),
      slaViolationPct: mean(col((m) => m.slaViolationPct)),
      slaViolationCi95: ci95(col((m) => m.slaViolationPct)),
      costUsd: mean(col((m) => m.costUsd)),
      costCi95: ci95(col((m) => m.costUsd)),
      p95LatencyMs: mean(col((m) => m.p95LatencyMs)),
      p95LatencyCi95: ci95(col((m) => m.p95LatencyMs)),
      droppedMsgs: mean(col((m) => m.droppedMsgs)),
      scalingActions: mean(col((m) => m.scalingActions)),
      runs,
    });
  }
  return rows;
}

/** Fixed formatting: the same runs give a byte-identical file. NaN (a CI from one seed) is written as NaN. */
const quote = (text: string): string => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : 'NaN');

export function formatSummaryCsv(rows: readonly SummaryRow[]): string {
  const lines = [SUMMARY_HEADER];
  for (const r of rows) {
    lines.push(
      [
        quote(r.policy),
        quote(r.scenario),
        quote(r.trace),
        String(r.seeds),
        String(r.steps),
        fmt(r.slaViolationPct, 3),
        fmt(r.slaViolationCi95, 3),
        fmt(r.costUsd, 4),
        fmt(r.costCi95, 4),
        fmt(r.p95LatencyMs, 1),
        fmt(r.droppedMsgs, 1),
        fmt(r.scalingActions, 2),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
