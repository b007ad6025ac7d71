/**
 * The human-readable outputs of a tournament: the console table and report.md (table, settings, plot).
 * Everything here is computed from the summary rows, which are computed from the steps file.
 */
import type { SummaryRow } from './summary.ts';
import { getPolicyEntry, SHARED_RESOURCE_SETTINGS } from '../policies/registry.ts';
import { pairedDifference } from './stats.ts';
import { checkClaims, dominance, formatClaims } from './claims.ts';
import { formatFeasibility, type WorldFeasibility } from './oracle-sweep.ts';
import { secondsToSteps } from '../policies/timing.ts';
import { NO_EDGE_ABLATIONS } from '../policies/ablations.ts';

/** A row's world as the table names it: the scenario, and the trace it ran on if any. */
const worldName = (r: SummaryRow): string => (r.trace ? `${r.scenario} (${r.trace})` : r.scenario);

const pm = (m: number, c: number, digits: number): string => `${m.toFixed(digits)} ± ${Number.isFinite(c) ? c.toFixed(digits) : 'n/a'}`;

/** One line per policy x scenario: SLA violation % ± CI95, cost ± CI95, p95, dropped, scaling actions. */
export function formatTable(rows: readonly SummaryRow[]): string {
  const header = ['policy', 'scenario', 'SLA viol % ± CI95', 'cost USD ± CI95', 'p95 ms', 'dropped', 'scalings'];
  const body = rows.map((r) => [
    r.policy,
    worldName(r),
    pm(r.slaViolationPct, r.slaViolationCi95, 2),
    pm(r.costUsd, r.costCi95, 3),
    r.p95LatencyMs.toFixed(0),
    r.droppedMsgs.toFixed(0),
    r.scalingActions.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export interface ReportMeta {
  command: string;
  scenarios: string[];
  policies: string[];
  seeds: number[];
  steps: number;
  trace?: string;
  /** A --config file and the keys it sets (describeConfigFile); unset = the built-in config. */
  config?: string;
  controlIntervalS: number;
  envName: string;
  /**
   * What the oracle's rule at every setting of the grid says of the bars, against the main agent (`bench
   * --oracle-sweep`, checkFeasibility in src/bench/oracle-sweep.ts, with mainAgent(policies)).
   */
  oracleFeasibility?: readonly WorldFeasibility[];
}

/** Settings that are periods or windows in seconds; the report shows them with their control-step equivalent. */
const PERIOD_SUFFIXES = ['PeriodS', 'StabilizationS', 'IntervalS', 'TimeoutS', 'WindowS', 'historyS'];

function settingsText(o: Record<string, unknown>, controlIntervalS?: number): string {
  return Object.entries(o)
    .map(([k, v]) => {
      const isPeriod = typeof v === 'number' && controlIntervalS !== undefined && PERIOD_SUFFIXES.some((suf) => k.endsWith(suf));
      if (!isPeriod) return `${k}=${String(v)}`;
      if (v === 0) return `${k}=0 s`;
      return v < controlIntervalS ? `${k}=${v} s (within a step)` : `${k}=${v} s (${secondsToSteps(v, controlIntervalS)} steps)`;
    })
    .join(', ');
}

/** Paired (same seed) differences of every policy against a reference, per scenario (and trace, named as in the table). */
function pairedSection(rows: readonly SummaryRow[], reference: string): string {
  const lines: string[] = [];
  for (const ref of rows.filter((r) => r.policy === reference)) {
    for (const r of rows.filter((x) => x.scenario === ref.scenario && x.trace === ref.trace && x.policy !== reference)) {
      if (r.runs.length !== ref.runs.length || r.runs.some((m, i) => m.seed !== ref.runs[i]!.seed)) continue;
      const dSla = pairedDifference(r.runs.map((m) => m.slaViolationPct), ref.runs.map((m) => m.slaViolationPct));
      const dCost = pairedDifference(r.runs.map((m) => m.costUsd), ref.runs.map((m) => m.costUsd));
      lines.push(`| ${r.policy} | ${worldName(r)} | ${pm(dSla.mean, dSla.ci95, 2)} | ${pm(dCost.mean, dCost.ci95, 3)} |`);
    }
  }
  if (lines.length === 0) return '';
  return [
    `## Paired differences against \`${reference}\` (same seeds; positive = more than ${reference})`,
    '',
    '| policy | scenario | Δ SLA viol % ± CI95 | Δ cost USD ± CI95 |',
    '|---|---|---|---|',
    ...lines,
    '',
  ].join('\n');
}

/** Policies on the (SLA violation %, cost) Pareto front of each scenario, by mean over seeds. */
export function paretoFront(rows: readonly SummaryRow[]): Map<string, string[]> {
  const front = new Map<string, string[]>();
  for (const r of rows) {
    const key = worldName(r);
    const peers = rows.filter((x) => x.scenario === r.scenario && x.trace === r.trace);
    const dominated = peers.some((x) => dominance(x, r) === 'dominates');
    if (!front.has(key)) front.set(key, []);
    if (!dominated) front.get(key)!.push(r.policy);
  }
  return front;
}

/** The main agent in the run: edge-rl if it ran, else the first agent (no-edge ablations aside). */
export function mainAgent(policies: readonly string[]): string | undefined {
  const agents = policies.filter((id) => getPolicyEntry(id).role === 'agent' && !NO_EDGE_ABLATIONS.includes(id));
  return agents.includes('edge-rl') ? 'edge-rl' : agents[0];
}

/** The claims check for the main agent in the run. */
function claimsSection(rows: readonly SummaryRow[], policies: readonly string[]): string {
  const agent = mainAgent(policies);
  return agent ? formatClaims(checkClaims(rows, agent), agent) : '';
}

export function buildReport(rows: readonly SummaryRow[], meta: ReportMeta, plotFile: string): string {
  const policyRows = meta.policies.map((id) => {
    const e = getPolicyEntry(id);
    return `| \`${id}\` | ${e.description} | ${settingsText(e.settings, meta.controlIntervalS)} | ${e.source} |`;
  });
  const reference = meta.policies.includes('fixed') ? 'fixed' : meta.policies[0]!;
  return [
    '# Benchmark tournament',
    '',
    `Command: \`${meta.command}\``,
    '',
    `Environment: ${meta.envName}; scenarios: ${meta.scenarios.join(', ')}; trace: ${meta.trace ?? 'none (synthetic arrivals)'}; ` +
      `${meta.steps} control steps of ${meta.controlIntervalS} s per run; seeds ${meta.seeds[0]}..${meta.seeds[meta.seeds.length - 1]} ` +
      `(${meta.seeds.length}, paired: seed i is the same world for every policy).` +
      (meta.config ? ` Config: ${meta.config}; the agents were trained on the built-in one.` : ''),
    '',
    'SLA violation = a step whose p95 latency exceeds the scenario target or that dropped messages (the env\'s `slaViolated`, the same definition for every policy). ' +
      'Cost = total USD of the run. p95 = the 95th percentile over steps of the per-step p95 latency. Mean over seeds ± Student-t CI95.',
    '',
    '```',
    formatTable(rows),
    '```',
    '',
    `![benchmark plots](${plotFile})`,
    '',
    'Pareto front (no other policy has both a lower-or-equal SLA violation % and a lower-or-equal cost, by means):',
    '',
    ...[...paretoFront(rows)].map(([scenario, ids]) => `- ${scenario}: ${ids.join(', ')}`),
    '',
    pairedSection(rows, reference),
    claimsSection(rows, meta.policies),
    meta.oracleFeasibility ? formatFeasibility(meta.oracleFeasibility, mainAgent(meta.policies)) : '',
    '## Settings used (time constants in seconds, converted to control steps as max(1, round(s / interval)))',
    '',
    '| policy | what | settings | source |',
    '|---|---|---|---|',
    ...policyRows,
    '',
    `Every baseline chooses memory/tier/codec the same way: ${settingsText(SHARED_RESOURCE_SETTINGS)} (VPA-like memory sizing, Spark's shuffle defaults; see docs/BASELINES.md).`,
    '',
    'Source of every number above: `steps.csv.gz` in this folder (one row per control step of every run); `results_summary.csv` is recomputed from it.',
    '',
  ].join('\n');
}
