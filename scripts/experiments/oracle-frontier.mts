/**
 * Can the issue's tournament bars be met at all in a world? The clairvoyant oracle (src/policies/oracle.ts) is one
 * point; this sweeps its two settings (capacity margin over the peak it sees coming, share of the SLA its modelled
 * batch latency may use) and scores every setting on the bench's paired seeds like `bench` does, against every
 * non-oracle baseline of the default set run on the same seeds:
 *  - Pareto: no worse than each baseline on SLA violation % and cost, strictly better on one;
 *  - one third: at most one third of the best reactive baseline's violations at no higher cost.
 * Every setting reads the whole future (arrivals, sizes, cold starts), so a bar that no setting meets asks for a
 * point a foresighted sizing rule of this family cannot reach. Not a proof of infeasibility (the family is one
 * heuristic, not the optimum over all policies), but a far larger search than the single default oracle.
 * docs/BENCHMARKS.md "How far foresight gets: the oracle frontier".
 * Each agent of --agents (default edge-rl) is then set against the cheapest setting with no more violations than it:
 * the oracle bar's cost side at matched violations.
 * Run: node --import tsx scripts/experiments/oracle-frontier.mts [--scenarios all] [--seeds 20] [--agents edge-rl] [--trace file.csv] [--trace-step-s 60]
 */
import { SparkIotEnv } from '../../src/env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName } from '../../src/env/spark-iot-types.ts';
import { ORACLE_DEFAULTS, OraclePolicy } from '../../src/policies/oracle.ts';
import { createPolicy, defaultPolicyIds, getPolicyEntry } from '../../src/policies/registry.ts';
import type { Policy } from '../../src/policies/types.ts';
import { runEpisode, seedFor } from '../../src/bench/tournament.ts';
import { runMetrics } from '../../src/bench/summary.ts';
import { CLAIM_BARS, dominance } from '../../src/bench/claims.ts';
import { loadTraceCsv, type Trace } from '../../src/workload/trace.ts';
import { flag } from './flag.ts';

const seeds = Number(flag('--seeds', '20'));
if (!(Number.isInteger(seeds) && seeds >= 2)) throw new Error(`--seeds must be an integer >= 2, got ${seeds}`);
const scenarioFlag = flag('--scenarios', 'all');
const scenarios = (scenarioFlag === 'all' ? [...SCENARIOS] : scenarioFlag.split(',')) as ScenarioName[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`--scenarios: unknown scenario '${s}' (known: ${SCENARIOS.join(', ')})`);
const tracePath = process.argv.includes('--trace') ? flag('--trace', '') : undefined;
const traceStepS = process.argv.includes('--trace-step-s') ? Number(flag('--trace-step-s', '1')) : undefined;
const trace: Trace | undefined = tracePath ? loadTraceCsv(tracePath, { traceStepS }) : undefined;
const STEPS = 500;
const MARGINS = [1.0, 1.05, 1.1, 1.15, 1.25, 1.4, 1.6, 2.0];
const LATENCY_SHARES = [0.3, 0.45, 0.6, 0.75, 0.9];

interface Point { slaViolationPct: number; costUsd: number }
function score(make: () => Policy, scenario: ScenarioName): Point {
  const env = new SparkIotEnv({ scenario, maxSteps: STEPS, exposeFuture: true, ...(trace ? { trace } : {}) });
  const policy = make();
  const p = { slaViolationPct: 0, costUsd: 0 };
  for (let i = 0; i < seeds; i++) {
    const m = runMetrics(runEpisode(env, policy, policy.id, seedFor(i), STEPS));
    p.slaViolationPct += m.slaViolationPct / seeds;
    p.costUsd += m.costUsd / seeds;
  }
  return p;
}

const baselineIds = defaultPolicyIds().filter((id) => (getPolicyEntry(id).role ?? 'baseline') === 'baseline');
const agents = flag('--agents', 'edge-rl').split(',').filter((a) => a);
const fmt = (p: Point): string => `${p.slaViolationPct.toFixed(2)} % / ${p.costUsd.toFixed(3)} USD`;
process.stdout.write(`oracle frontier, ${seeds} bench seeds x ${STEPS} steps${tracePath ? `, trace ${tracePath}` : ''}; ${MARGINS.length} capacity margins x ${LATENCY_SHARES.length} latency shares (default oracle: ${ORACLE_DEFAULTS.capacityMargin}, ${ORACLE_DEFAULTS.latencyShareOfSla})\n`);
for (const scenario of scenarios) {
  const base = baselineIds.map((id) => ({ id, reactive: getPolicyEntry(id).reactive === true, ...score(() => createPolicy(id), scenario) }));
  const bestReactive = base.filter((b) => b.reactive).sort((a, b) => a.slaViolationPct - b.slaViolationPct)[0]!;
  const points = MARGINS.flatMap((capacityMargin) =>
    LATENCY_SHARES.map((latencyShareOfSla) => {
      const p = score(() => new OraclePolicy({ capacityMargin, latencyShareOfSla }), scenario);
      const pareto = base.every((b) => dominance(p, b) === 'dominates');
      const third = p.slaViolationPct <= CLAIM_BARS.reactiveViolationRatio * bestReactive.slaViolationPct && p.costUsd <= bestReactive.costUsd;
      return { capacityMargin, latencyShareOfSla, ...p, pareto, third };
    }),
  );
  const world = trace ? `${scenario} (${trace.name})` : scenario;
  process.stdout.write(`\n${world}\n  baselines: ${base.map((b) => `${b.id} ${fmt(b)}`).join('; ')}\n`);
  process.stdout.write(`  one-third bar (best reactive ${bestReactive.id}): <= ${(CLAIM_BARS.reactiveViolationRatio * bestReactive.slaViolationPct).toFixed(2)} % at <= ${bestReactive.costUsd.toFixed(3)} USD\n`);
  process.stdout.write(`  clairvoyant settings meeting Pareto: ${points.filter((p) => p.pareto).length} of ${points.length}; meeting the one-third bar: ${points.filter((p) => p.third).length} of ${points.length}\n`);
  process.stdout.write(`  violation % / cost USD by capacity margin (rows) and latency share (columns); P = Pareto met, T = one-third bar met\n`);
  process.stdout.write(`  ${'margin'.padEnd(6)}${LATENCY_SHARES.map((s) => s.toFixed(2).padStart(16)).join('')}\n`);
  for (const m of MARGINS) {
    const cells = points.filter((p) => p.capacityMargin === m).map((p) => `${p.slaViolationPct.toFixed(2)}/${p.costUsd.toFixed(3)}${p.pareto ? 'P' : ' '}${p.third ? 'T' : ' '}`.padStart(16));
    process.stdout.write(`  ${m.toFixed(2).padEnd(6)}${cells.join('')}\n`);
  }
  // Each agent against the cheapest clairvoyant setting with no more violations than it: the oracle bar's cost side
  // at matched violations, instead of at the default oracle's operating point.
  for (const id of agents) {
    const a = score(() => createPolicy(id), scenario);
    const matched = points.filter((p) => p.slaViolationPct <= a.slaViolationPct).sort((x, y) => x.costUsd - y.costUsd)[0];
    process.stdout.write(`  ${id}: ${fmt(a)}; ${matched ? `cheapest clairvoyant setting with no more violations: margin ${matched.capacityMargin.toFixed(2)}, share ${matched.latencyShareOfSla.toFixed(2)}, ${fmt(matched)}: ${id} costs ${(a.costUsd / matched.costUsd).toFixed(2)}x` : 'no clairvoyant setting has as few violations'}\n`);
  }
}
