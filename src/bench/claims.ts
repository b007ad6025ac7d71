/**
 * The issue's tournament claims, checked from a summary (means over paired seeds), so the bench report says for
 * each scenario which bar the agent clears and which it does not, instead of leaving that to prose:
 *  - Pareto: the agent is no worse than each non-oracle baseline in both SLA violation % and cost, strictly
 *    better in one. The same test is applied to the clairvoyant oracle, to show whether the bar can be cleared at all
 *    in that world (the oracle knows the future; if even it fails, the bar asks for more than foresight gives).
 *  - Best reactive baseline (the lowest SLA violation % among the policies marked `reactive`): the agent has at most
 *    one third of its violations at no higher cost. Also applied to the oracle, for the same reason.
 *  - Oracle: the agent's cost within 15 % of the oracle's and its SLA violations within 2 percentage points.
 *  - Ablation: the agent against its edge-masked twin over whole runs (the burst-onset-window version of this claim
 *    is in the edge report, `edgepilot report edge`).
 * Which policy is a baseline, the oracle or an agent comes from the registry (`role`, `reactive`).
 */
import { getPolicyEntry, type PolicyEntry } from '../policies/registry.ts';
import { pairedDifference, type MeanCi } from './stats.ts';
import type { SummaryRow } from './summary.ts';
import { noEdgeTwinOf } from '../policies/ablations.ts';

/** Thresholds from the issue text. */
export const CLAIM_BARS = { reactiveViolationRatio: 1 / 3, oracleCostRatio: 1.15, oracleSlaPp: 2, ablationReduction: 0.3 } as const;

/**
 * SLA violation % means closer than this are equal: the same violated steps can average to means an ulp apart (the
 * same per-run shares summed in another order), and one violated step is 100 / steps points, far above it.
 */
export const VIOLATION_PCT_TIE = 1e-9;
/** a has fewer violations than b (by more than a tie). */
export const fewerViolations = (a: number, b: number): boolean => a < b - VIOLATION_PCT_TIE;
/** a has more violations than b (by more than a tie). */
export const moreViolations = (a: number, b: number): boolean => a > b + VIOLATION_PCT_TIE;

export type Dominance = 'dominates' | 'equal' | 'worse-sla' | 'worse-cost' | 'worse-both';

/** a against b on (SLA violation %, cost), lower is better on both. */
export function dominance(a: Pick<SummaryRow, 'slaViolationPct' | 'costUsd'>, b: Pick<SummaryRow, 'slaViolationPct' | 'costUsd'>): Dominance {
  const worseSla = moreViolations(a.slaViolationPct, b.slaViolationPct);
  const worseCost = a.costUsd > b.costUsd;
  if (worseSla && worseCost) return 'worse-both';
  if (worseSla) return 'worse-sla';
  if (worseCost) return 'worse-cost';
  return fewerViolations(a.slaViolationPct, b.slaViolationPct) || a.costUsd < b.costUsd ? 'dominates' : 'equal';
}

export interface WorldClaims {
  world: string;
  /** Non-oracle baselines the agent does not Pareto-dominate, with the axis it loses on. */
  notDominated: { policy: string; result: Dominance }[];
  baselines: number;
  /** The same Pareto test for the oracle (null when the oracle did not run). */
  oracleNotDominated: { policy: string; result: Dominance }[] | null;
  reactive: ReactiveCheck | null;
  /** The same check for the oracle (null when the oracle or a reactive baseline did not run). */
  oracleReactive: ReactiveCheck | null;
  oracle: { costRatio: number; slaPp: number; met: boolean } | null;
  /**
   * The agent against its edge-masked twin: `reduction` over whole runs; `windowReduction` in the burst-onset windows
   * (the issue's form, src/bench/burst-window.ts) when both rows measured them. `met` is the windows' verdict when
   * there is one, else the whole runs'.
   */
  ablation: { policy: string; reduction: number; windowReduction?: number; met: boolean } | null;
  /**
   * The ordering the generalization claim asks to hold on every world: the agent's rank by SLA violation % among
   * itself and the non-oracle baselines (1 = fewest; ties share the better rank), and against how many of the
   * reactive baselines it has fewer violations and how many it costs less than.
   */
  ordering: { violationRank: number; of: number; fewerViolationsThanReactive: number; cheaperThanReactive: number; reactive: number };
}

export interface ReactiveCheck {
  policy: string;
  slaRatio: number;
  costRatio: number;
  met: boolean;
  /**
   * When the bar is missed and both rows have the same seeds: the paired per-seed excess on each missed side (SLA:
   * x's violation % minus one third of r's; cost: x's USD minus r's), mean and CI95, to tell a miss by noise from a
   * real one.
   */
  excess?: { sla?: MeanCi; cost?: MeanCi };
}

/** x against the best reactive baseline r: at most one third of its SLA violations, at no higher cost. */
function reactiveCheck(x: SummaryRow, r: SummaryRow): ReactiveCheck {
  const slaMissed = x.slaViolationPct > CLAIM_BARS.reactiveViolationRatio * r.slaViolationPct;
  const costMissed = x.costUsd > r.costUsd;
  const check: ReactiveCheck = { policy: r.policy, slaRatio: x.slaViolationPct / r.slaViolationPct, costRatio: x.costUsd / r.costUsd, met: !slaMissed && !costMissed };
  const paired = x.runs.length > 1 && x.runs.length === r.runs.length && x.runs.every((m, i) => m.seed === r.runs[i]!.seed);
  if (!check.met && paired) {
    const excess: NonNullable<ReactiveCheck['excess']> = {};
    if (slaMissed) excess.sla = pairedDifference(x.runs.map((m) => m.slaViolationPct), r.runs.map((m) => CLAIM_BARS.reactiveViolationRatio * m.slaViolationPct));
    if (costMissed) excess.cost = pairedDifference(x.runs.map((m) => m.costUsd), r.runs.map((m) => m.costUsd));
    check.excess = excess;
  }
  return check;
}

/** Reduction of a's violations against the twin's (NaN when the twin has none: a share of zero is undefined), and the bar. */
const cut = (agentPct: number, twinPct: number): { reduction: number; met: boolean } => ({
  reduction: twinPct > 0 ? 1 - agentPct / twinPct : Number.NaN,
  met: twinPct > 0 && agentPct <= (1 - CLAIM_BARS.ablationReduction) * twinPct,
});

/** The agent against its edge-masked twin, in the burst windows when both rows measured them, and over whole runs. */
function ablationCheck(a: SummaryRow, masked: SummaryRow): NonNullable<WorldClaims['ablation']> {
  const whole = cut(a.slaViolationPct, masked.slaViolationPct);
  const aw = a.windowSlaViolationPct;
  const mw = masked.windowSlaViolationPct;
  if (aw === undefined || mw === undefined || !Number.isFinite(aw) || !Number.isFinite(mw)) return { policy: masked.policy, reduction: whole.reduction, met: whole.met };
  const windows = cut(aw, mw);
  return { policy: masked.policy, reduction: whole.reduction, windowReduction: windows.reduction, met: windows.met };
}

/** The registry entry, or null for a policy from another registry (the seed family: baselines, not reactive). */
const entryOf = (id: string): PolicyEntry | null => {
  try {
    return getPolicyEntry(id);
  } catch {
    return null;
  }
};
const role = (id: string): string => entryOf(id)?.role ?? 'baseline';
const isReactive = (id: string): boolean => entryOf(id)?.reactive === true;

/** The non-oracle baselines among one world's rows. */
export const baselineRows = (peers: readonly SummaryRow[]): SummaryRow[] => peers.filter((r) => role(r.policy) === 'baseline');

/**
 * The best reactive baseline among one world's rows, if any ran: the lowest SLA violation %, and on a tie (the same
 * violated steps) the cheaper one, which is the stricter bar (before, registry order broke ties). Equal on both: the
 * first in the rows' order (the sort is stable).
 */
export const bestReactiveRow = (peers: readonly SummaryRow[]): SummaryRow | undefined =>
  peers
    .filter((r) => isReactive(r.policy))
    .sort((x, y) => (Math.abs(x.slaViolationPct - y.slaViolationPct) > VIOLATION_PCT_TIE ? x.slaViolationPct - y.slaViolationPct : x.costUsd - y.costUsd))[0];

function orderingCheck(a: SummaryRow, baselines: readonly SummaryRow[], reactive: readonly SummaryRow[]): WorldClaims['ordering'] {
  return {
    violationRank: 1 + baselines.filter((b) => fewerViolations(b.slaViolationPct, a.slaViolationPct)).length,
    of: baselines.length + 1,
    fewerViolationsThanReactive: reactive.filter((r) => fewerViolations(a.slaViolationPct, r.slaViolationPct)).length,
    cheaperThanReactive: reactive.filter((r) => a.costUsd < r.costUsd).length,
    reactive: reactive.length,
  };
}

/**
 * Claims for `agent` in every (scenario, trace) the rows cover; `ablation` is its edge-masked twin (default: the first
 * of its twins, src/policies/ablations.ts, that ran).
 */
export function checkClaims(rows: readonly SummaryRow[], agent: string, ablation?: string): WorldClaims[] {
  ablation ??= noEdgeTwinOf(agent, (id) => rows.some((r) => r.policy === id)) ?? undefined;
  const out: WorldClaims[] = [];
  for (const a of rows.filter((r) => r.policy === agent)) {
    const peers = rows.filter((r) => r.scenario === a.scenario && r.trace === a.trace);
    const baselines = baselineRows(peers);
    const oracle = peers.find((r) => role(r.policy) === 'oracle') ?? null;
    const losses = (x: SummaryRow): { policy: string; result: Dominance }[] =>
      baselines.map((b) => ({ policy: b.policy, result: dominance(x, b) })).filter((d) => d.result !== 'dominates');
    const reactive = bestReactiveRow(peers);
    const masked = peers.find((r) => r.policy === ablation);
    out.push({
      world: a.trace ? `${a.scenario} (${a.trace})` : a.scenario,
      notDominated: losses(a),
      baselines: baselines.length,
      oracleNotDominated: oracle ? losses(oracle) : null,
      reactive: reactive ? reactiveCheck(a, reactive) : null,
      oracleReactive: reactive && oracle ? reactiveCheck(oracle, reactive) : null,
      oracle: oracle
        ? {
            costRatio: a.costUsd / oracle.costUsd,
            slaPp: a.slaViolationPct - oracle.slaViolationPct,
            met: a.costUsd <= CLAIM_BARS.oracleCostRatio * oracle.costUsd && a.slaViolationPct - oracle.slaViolationPct <= CLAIM_BARS.oracleSlaPp,
          }
        : null,
      ablation: masked && masked.policy !== agent ? ablationCheck(a, masked) : null,
      ordering: orderingCheck(a, baselines, peers.filter((r) => isReactive(r.policy))),
    });
  }
  return out;
}

const yes = (met: boolean): string => (met ? 'met' : '**not met**');
const lossText = (l: { policy: string; result: Dominance }[]): string =>
  l.length === 0 ? 'all' : `not ${l.map((d) => `${d.policy} (${d.result === 'equal' ? 'equal' : d.result.replace('worse-', 'worse ')})`).join(', ')}`;
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : 'n/a');

/** ' (paired excess: cost +0.03 ± 0.10 USD, within noise)' for a missed bar with paired seeds; '' otherwise. */
const excessText = (c: ReactiveCheck): string => {
  if (!c.excess) return '';
  const part = (d: MeanCi, unit: string, what: string): string =>
    `${what} ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(unit === 'USD' ? 3 : 2)} ± ${d.ci95.toFixed(unit === 'USD' ? 3 : 2)} ${unit}, ${d.mean - d.ci95 > 0 ? 'significant' : 'within noise'}`;
  const parts = [c.excess.sla ? part(c.excess.sla, 'pp', `SLA vs one third of ${c.policy}'s`) : '', c.excess.cost ? part(c.excess.cost, 'USD', 'cost') : ''].filter((x) => x);
  return ` (paired excess: ${parts.join('; ')})`;
};

const ablationText = (reduction: number): string =>
  Number.isNaN(reduction) ? 'the twin has 0 % violations; not fewer' : reduction >= 0 ? `${pct(reduction)} fewer` : `${pct(-reduction)} more`;

/** A Markdown section; empty when the agent did not run. */
export function formatClaims(claims: readonly WorldClaims[], agent: string): string {
  if (claims.length === 0) return '';
  const lines = [
    `## The issue's claims for \`${agent}\` (by means over the seeds above)`,
    '',
    '| world | Pareto-dominates non-oracle baselines | oracle would | vs best reactive: SLA ratio, cost ratio (bar <= 1/3, <= 1) | oracle would | vs oracle: cost ratio, SLA pp (bar <= 1.15, <= 2) | SLA cut vs edge-masked twin, in the burst-onset windows (bar >= 30 %) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of claims) {
    const pareto = `${c.notDominated.length === 0 ? 'met' : '**not met**'}: ${lossText(c.notDominated)} of ${c.baselines}`;
    const oracle = c.oracleNotDominated === null ? 'n/a' : `${c.oracleNotDominated.length === 0 ? 'yes' : 'no'}: ${lossText(c.oracleNotDominated)}`;
    const reactive = c.reactive ? `${yes(c.reactive.met)}: ${c.reactive.policy} ${c.reactive.slaRatio.toFixed(2)}, ${c.reactive.costRatio.toFixed(2)}${excessText(c.reactive)}` : 'n/a';
    const oracleReactive = c.oracleReactive ? `${c.oracleReactive.met ? 'yes' : 'no'}: ${c.oracleReactive.slaRatio.toFixed(2)}, ${c.oracleReactive.costRatio.toFixed(2)}` : 'n/a';
    const orc = c.oracle ? `${yes(c.oracle.met)}: ${c.oracle.costRatio.toFixed(2)}, ${c.oracle.slaPp >= 0 ? '+' : ''}${c.oracle.slaPp.toFixed(2)}` : 'n/a';
    const abl = !c.ablation
      ? 'n/a'
      : c.ablation.windowReduction !== undefined
        ? `${yes(c.ablation.met)}: ${ablationText(c.ablation.windowReduction)} than ${c.ablation.policy} in the burst windows (whole runs: ${ablationText(c.ablation.reduction)})`
        : `${yes(c.ablation.met)}: ${ablationText(c.ablation.reduction)} than ${c.ablation.policy} (whole runs)`;
    lines.push(`| ${c.world} | ${pareto} | ${oracle} | ${reactive} | ${oracleReactive} | ${orc} | ${abl} |`);
  }
  lines.push(
    '',
    `Ordering (the generalization claim asks the same ordering on every world): \`${agent}\`'s rank by SLA violation % among itself and the non-oracle baselines, and against the reactive baselines.`,
    '',
    '| world | SLA violation rank | fewer violations than reactive baselines | cheaper than reactive baselines |',
    '|---|---|---|---|',
    ...claims.map((c) => `| ${c.world} | ${c.ordering.violationRank} of ${c.ordering.of} | ${c.ordering.fewerViolationsThanReactive} of ${c.ordering.reactive} | ${c.ordering.cheaperThanReactive} of ${c.ordering.reactive} |`),
  );
  lines.push(
    '',
    '"oracle would" applies the Pareto test, and the best-reactive test, to the clairvoyant oracle at its default setting: it is a planner with perfect foresight, ' +
      'not a proven optimum, and one conservative point of its rule; `--oracle-sweep` runs the rule at 40 settings to tell a bar foresight cannot clear from one the default misses. ' +
      'Burst-onset windows: from 3 steps before to 6 after each ground-truth onset (src/bench/burst-window.ts, the same as `edgepilot report edge`, which adds lead times and forecaster accuracy); the meta-controller claim is in `edgepilot report meta`.',
    '',
  );
  return lines.join('\n');
}
