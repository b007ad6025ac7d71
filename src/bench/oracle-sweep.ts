/**
 * How far foresight gets in a world: the clairvoyant oracle's rule (src/policies/oracle.ts) run at a grid of its two
 * settings (capacity margin over the peak it sees coming, share of the SLA its batch latency may use) on the bench's
 * paired seeds, and set against the same bars as the agent (src/bench/claims.ts). The tournament's `oracle` is one
 * setting of this grid; where it fails a bar, another setting may not, so "the oracle fails it too" alone says less
 * than it seems. `edgepilot bench --oracle-sweep` (docs/BENCHMARKS.md "How far foresight gets").
 * Not a proof either way: the grid is one family of rules, not the optimum over all policies.
 */
import { ORACLE_DEFAULTS, OraclePolicy, type OracleSettings } from '../policies/oracle.ts';
import { CLAIM_BARS, baselineRows, bestReactiveRow, dominance, moreViolations } from './claims.ts';
import { streamEpisode, seedFor, type BenchEnvOptions, type EnvFactory } from './tournament.ts';
import { RunAccumulator, summarizeRuns, type SummaryRow } from './summary.ts';
import type { Trace } from '../workload/trace.ts';

/** The grid: 8 margins x 5 latency shares (40 settings; the default oracle, 1.15 / 0.6, is one of them). */
export const SWEEP_CAPACITY_MARGINS = [1.0, 1.05, 1.1, 1.15, 1.25, 1.4, 1.6, 2.0] as const;
export const SWEEP_LATENCY_SHARES = [0.3, 0.45, 0.6, 0.75, 0.9] as const;

export interface SweepPoint extends OracleSettings {
  slaViolationPct: number;
  costUsd: number;
}

export interface WorldSweep {
  scenario: string;
  /** The summary rows' trace label ('' for synthetic arrivals), so a sweep pairs with its world's rows. */
  trace: string;
  points: SweepPoint[];
}

export interface OracleSweepOptions {
  scenarios: readonly string[];
  seeds: number;
  steps: number;
  trace?: Trace;
  makeEnv: EnvFactory;
  /** Called after each run (progress bar); total = scenarios x 40 settings x seeds. */
  onRunDone?: (done: number, total: number, label: string) => void;
}

export const sweepSettings = (): OracleSettings[] =>
  SWEEP_CAPACITY_MARGINS.flatMap((capacityMargin) => SWEEP_LATENCY_SHARES.map((latencyShareOfSla) => ({ capacityMargin, latencyShareOfSla })));

/** Every setting of the grid in every scenario, on the tournament's seeds (seedFor(i)): means per setting. */
export function sweepOracle(opts: OracleSweepOptions): WorldSweep[] {
  const settings = sweepSettings();
  const total = opts.scenarios.length * settings.length * opts.seeds;
  let done = 0;
  return opts.scenarios.map((scenario) => {
    const envOpts: BenchEnvOptions = { scenario, maxSteps: opts.steps, exposeFuture: true };
    if (opts.trace) envOpts.trace = opts.trace;
    const env = opts.makeEnv(envOpts);
    let trace = '';
    const points = settings.map((s) => {
      const policy = new OraclePolicy(s);
      const runs = Array.from({ length: opts.seeds }, (_, i) => {
        const run = new RunAccumulator();
        streamEpisode(env, policy, policy.id, seedFor(i), opts.steps, (r) => run.add(r));
        opts.onRunDone?.(++done, total, `${scenario}/oracle ${s.capacityMargin}/${s.latencyShareOfSla}`);
        return run.finish();
      });
      const [row] = summarizeRuns(runs);
      trace = row!.trace;
      return { ...s, slaViolationPct: row!.slaViolationPct, costUsd: row!.costUsd };
    });
    return { scenario, trace, points };
  });
}

export interface WorldFeasibility {
  world: string;
  settings: number;
  /** Settings that Pareto-dominate every non-oracle baseline of the run. */
  paretoMet: number;
  /** Settings with at most one third of the best reactive baseline's violations at no higher cost (null: no reactive baseline ran). */
  thirdMet: number | null;
  /** The tournament's oracle setting's point (null when the grid lacks it). */
  defaultPoint: SweepPoint | null;
  /** The agent against the cheapest setting with no more violations than it (null: the agent did not run). */
  matched: { agent: SummaryRow; point: SweepPoint | null; costRatio: number | null } | null;
  points: SweepPoint[];
}

const isDefault = (p: OracleSettings): boolean => p.capacityMargin === ORACLE_DEFAULTS.capacityMargin && p.latencyShareOfSla === ORACLE_DEFAULTS.latencyShareOfSla;

/** The bars for each swept world, against the baselines (and the agent) of the summary rows of that world. */
export function checkFeasibility(rows: readonly SummaryRow[], sweeps: readonly WorldSweep[], agent: string | undefined): WorldFeasibility[] {
  return sweeps.map((w) => {
    const peers = rows.filter((r) => r.scenario === w.scenario && r.trace === w.trace);
    const baselines = baselineRows(peers);
    const reactive = bestReactiveRow(peers);
    const paretoMet = w.points.filter((p) => baselines.every((b) => dominance(p, b) === 'dominates')).length;
    const thirdMet = reactive
      ? w.points.filter((p) => p.slaViolationPct <= CLAIM_BARS.reactiveViolationRatio * reactive.slaViolationPct && p.costUsd <= reactive.costUsd).length
      : null;
    const a = agent ? peers.find((r) => r.policy === agent) : undefined;
    const point = a ? ([...w.points].filter((p) => !moreViolations(p.slaViolationPct, a.slaViolationPct)).sort((x, y) => x.costUsd - y.costUsd)[0] ?? null) : null;
    return {
      world: w.trace ? `${w.scenario} (${w.trace})` : w.scenario,
      settings: w.points.length,
      paretoMet,
      thirdMet,
      defaultPoint: w.points.find(isDefault) ?? null,
      matched: a ? { agent: a, point, costRatio: point ? a.costUsd / point.costUsd : null } : null,
      points: w.points,
    };
  });
}

const at = (p: { slaViolationPct: number; costUsd: number }): string => `${p.slaViolationPct.toFixed(2)} % / ${p.costUsd.toFixed(3)} USD`;

/** A Markdown section: the counts per world, the agent at matched violations, then each world's grid. */
export function formatFeasibility(worlds: readonly WorldFeasibility[], agent: string | undefined): string {
  if (worlds.length === 0) return '';
  const who = agent ? `\`${agent}\`` : 'the agent';
  const lines = [
    `## How far foresight gets: the oracle's rule at ${worlds[0]!.settings} settings`,
    '',
    `Each setting (capacity margin, latency share) of the clairvoyant oracle's rule ran on the same seeds; the tournament's \`oracle\` is ${ORACLE_DEFAULTS.capacityMargin} / ${ORACLE_DEFAULTS.latencyShareOfSla}. ` +
      'A bar no setting clears asks for more than this kind of foresight buys; a bar some setting clears is within reach of foresight even where the default oracle misses it. ' +
      `The last columns set ${who} against the cheapest setting with no more SLA violations than it: the oracle bar's cost side at matched violations.`,
    '',
    `| world | settings that Pareto-dominate every baseline | settings that meet the one-third bar | default oracle | cheapest setting with no more violations than ${who} | ${who} | cost ratio |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const w of worlds) {
    const m = w.matched;
    const matchedText = !m ? 'n/a' : m.point ? `${m.point.capacityMargin.toFixed(2)} / ${m.point.latencyShareOfSla.toFixed(2)}: ${at(m.point)}` : 'none has as few violations';
    lines.push(
      `| ${w.world} | ${w.paretoMet} of ${w.settings} | ${w.thirdMet === null ? 'n/a' : `${w.thirdMet} of ${w.settings}`} | ${w.defaultPoint ? at(w.defaultPoint) : 'n/a'} | ${matchedText} | ${m ? at(m.agent) : 'n/a'} | ${m?.costRatio != null ? `${m.costRatio.toFixed(2)}x` : 'n/a'} |`,
    );
  }
  lines.push('', 'Each world\'s grid (SLA violation % / cost USD; rows: capacity margin, columns: latency share):', '');
  for (const w of worlds) {
    const shares = [...new Set(w.points.map((p) => p.latencyShareOfSla))];
    const margins = [...new Set(w.points.map((p) => p.capacityMargin))];
    lines.push(`${w.world}:`, '', `| margin | ${shares.map((s) => s.toFixed(2)).join(' | ')} |`, `|---|${shares.map(() => '---|').join('')}`);
    for (const mg of margins) {
      const cells = shares.map((s) => {
        const p = w.points.find((q) => q.capacityMargin === mg && q.latencyShareOfSla === s);
        return p ? `${p.slaViolationPct.toFixed(2)} / ${p.costUsd.toFixed(3)}` : '';
      });
      lines.push(`| ${mg.toFixed(2)} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
