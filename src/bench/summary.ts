/**
 * From step records to the per-(policy, scenario, trace) summary and results_summary.csv: run by run as runs finish
 * (RunAccumulator -> summarizeRuns, the tournament) or from records read back (summarize); both give the same bytes.
 * Per run (one seed): SLA violation % of steps, total cost USD, the 95th percentile of the per-step p95 latency,
 * dropped messages and scaling actions; then mean and Student-t CI95 over seeds.
 */
import type { StepRecord } from '../env/spark-iot-types.ts';
import { ci95, mean, percentile } from './stats.ts';
import { windowViolationPct } from './burst-window.ts';

export interface RunMetrics {
  seed: number;
  steps: number;
  slaViolationPct: number;
  costUsd: number;
  p95LatencyMs: number;
  droppedMsgs: number;
  scalingActions: number;
  /** SLA violation % over the run's burst-onset windows (src/bench/burst-window.ts); NaN when it has no onset; absent when not measured. */
  windowSlaViolationPct?: number;
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
  /**
   * Mean SLA violation % in the burst-onset windows over the runs that had an onset (NaN when none had one; absent
   * when not measured). Not in results_summary.csv, whose columns stay as they were.
   */
  windowSlaViolationPct?: number;
  /** Per-seed metrics in seed order (for paired comparisons and plots). */
  runs: RunMetrics[];
}

export const SUMMARY_HEADER =
  'policy,scenario,trace,seeds,steps,sla_violation_pct,sla_violation_ci95,cost_usd,cost_ci95,p95_latency_ms,dropped_msgs,scaling_actions';

/**
 * One run's metrics, fed step by step (the tournament streams its records and keeps only this per run: the p95
 * latencies, 8 bytes a step, for the percentile, and a flag byte a step for the burst windows). Every record must
 * belong to the run of the first one.
 */
export class RunAccumulator {
  private first: StepRecord | undefined;
  private violated = 0;
  private costUsd = 0;
  private dropped = 0;
  private scaled = 0;
  private readonly p95sMs: number[] = [];
  /** Per step, bit 0 = SLA violated, bit 1 = burst onset: one byte a step, for the burst-window violation share. */
  private flags = new Uint8Array(512);

  add(s: StepRecord): void {
    const first = (this.first ??= s);
    if (s.policy !== first.policy || s.scenario !== first.scenario || s.trace !== first.trace || s.seed !== first.seed) {
      throw new Error(
        `run policy=${first.policy} scenario=${first.scenario} seed=${first.seed}: step ${s.step} belongs to another run (policy=${s.policy} scenario=${s.scenario} trace=${s.trace} seed=${s.seed})`,
      );
    }
    if (s.slaViolated) this.violated++;
    this.costUsd += s.costUsd;
    this.dropped += s.droppedMsgs;
    if (s.scaled) this.scaled++;
    const i = this.p95sMs.length;
    if (i === this.flags.length) {
      const grown = new Uint8Array(2 * this.flags.length);
      grown.set(this.flags);
      this.flags = grown;
    }
    this.flags[i] = (s.slaViolated ? 1 : 0) | (s.burstOnset ? 2 : 0);
    this.p95sMs.push(s.p95LatencyMs);
  }

  /** The run's identity and metrics (summation in step order, as runMetrics always did: the same floats). */
  finish(): FinishedRun {
    const first = this.first;
    if (!first) throw new Error('runMetrics: a run needs at least one step');
    const steps = this.p95sMs.length;
    return {
      policy: first.policy,
      scenario: first.scenario,
      trace: first.trace,
      metrics: {
        seed: first.seed,
        steps,
        slaViolationPct: (100 * this.violated) / steps,
        costUsd: this.costUsd,
        p95LatencyMs: percentile(this.p95sMs, 95),
        droppedMsgs: this.dropped,
        scalingActions: this.scaled,
        windowSlaViolationPct: this.windowViolationPct(steps),
      },
    };
  }

  private windowViolationPct(steps: number): number {
    const flags = this.flags.subarray(0, steps);
    return windowViolationPct(flags.map((f) => f & 2), flags.map((f) => f & 1));
  }
}

/** A finished run: the summary group it belongs to and its metrics. */
export interface FinishedRun {
  policy: string;
  scenario: string;
  trace: string;
  metrics: RunMetrics;
}

/** One run's steps, in the order given, through a RunAccumulator. */
function finishRun(steps: Iterable<StepRecord>): FinishedRun {
  const acc = new RunAccumulator();
  for (const s of steps) acc.add(s);
  return acc.finish();
}

export function runMetrics(steps: readonly StepRecord[]): RunMetrics {
  return finishRun(steps).metrics;
}

const groupKey = (r: { policy: string; scenario: string; trace: string }): string => JSON.stringify([r.policy, r.scenario, r.trace]);

/** The mean burst-window violation % over the runs with an onset (NaN if none has one); nothing if no run measured it. */
function windowMean(runs: readonly RunMetrics[]): { windowSlaViolationPct?: number } {
  if (runs.some((m) => m.windowSlaViolationPct === undefined)) return {};
  const defined = runs.map((m) => m.windowSlaViolationPct!).filter((x) => Number.isFinite(x));
  return { windowSlaViolationPct: defined.length > 0 ? mean(defined) : Number.NaN };
}

/**
 * Summaries from finished runs, in order of first appearance of each (policy, scenario, trace); runs sorted by seed.
 * A (group, seed) seen twice is an error: from records, summarize would have merged the two into one run.
 */
export function summarizeRuns(finished: Iterable<FinishedRun>): SummaryRow[] {
  const groups = new Map<string, RunMetrics[]>();
  const seen = new Set<string>();
  for (const f of finished) {
    const k = groupKey(f);
    const runKey = JSON.stringify([k, f.metrics.seed]);
    if (seen.has(runKey)) throw new Error(`summary: run policy=${f.policy} scenario=${f.scenario} trace=${f.trace} seed=${f.metrics.seed} appears twice`);
    seen.add(runKey);
    let runs = groups.get(k);
    if (!runs) groups.set(k, (runs = []));
    runs.push(f.metrics);
  }
  const rows: SummaryRow[] = [];
  for (const [k, unsorted] of groups) {
    const [policy, scenario, trace] = JSON.parse(k) as [string, string, string];
    const runs = [...unsorted].sort((a, b) => a.seed - b.seed);
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
      ...windowMean(runs),
      runs,
    });
  }
  return rows;
}

/** Summaries of records in any order (e.g. a steps file read back): grouped into runs, each run's steps in step order. */
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
  const finished: FinishedRun[] = [];
  for (const bySeed of groups.values()) {
    for (const [, steps] of [...bySeed.entries()].sort((a, b) => a[0] - b[0])) finished.push(finishRun(steps.sort((a, b) => a.step - b.step)));
  }
  return summarizeRuns(finished);
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
