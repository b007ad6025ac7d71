/**
 * `edgepilot report weights`: what the reward weights do to the lower-level PPO agent.
 *
 * 1. Sweep: alpha/beta/gamma over a grid on the simplex; for every weight vector run the PPO (deterministic,
 *    weights held fixed for the whole episode) on the same paired seeds of every scenario, and trace the
 *    cost-vs-SLA-violation front over the weight vectors.
 * 2. Sensitivity: on states the agent actually visits (its own runs with the scenario's default weights), re-ask it
 *    with every grid weight vector (the observation's alpha/beta/gamma replaced via withWeights) and measure the
 *    share of states in which changing the weights changes the chosen action (and per action component).
 *
 * Both parts write their raw data first (weights-steps.csv.gz: StepRecords; weights-sensitivity.csv: one row per
 * (state, weight vector) with the chosen action) and every number in the Markdown is computed from those files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Action, Weights } from '../../core/types.ts';
import { SparkIotEnv } from '../../env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName, type StepRecord } from '../../env/spark-iot-types.ts';
import { PpoAgentPolicy, EDGE_RL_CHECKPOINT, withWeights } from '../../policies/rl-agent.ts';
import type { PolicyContext } from '../../policies/types.ts';
import { renderSvg, svgToPng } from '../plots.ts';
import { meanCi } from '../stats.ts';
import { dominance } from '../claims.ts';
import { readStepsFile, writeStepsFile } from '../steps-log.ts';
import { runEpisode, seedFor } from '../tournament.ts';
import { describeTrace, type Trace } from '../../workload/trace.ts';

export interface WeightsReportOptions {
  outDir: string;
  seeds: number;
  steps: number;
  quick: boolean;
  /** The PPO checkpoint (default: the shipped models/edge-rl-ppo.json). */
  checkpointPath?: string;
  /** Scenarios to sweep (default: all four; quick: balanced only). */
  scenarios?: readonly ScenarioName[];
  /** Grid step on the simplex (default 0.25; quick 0.5). */
  gridStep?: number;
  /** Replay this trace instead of the synthetic processes (rescaled to each scenario's peak). */
  trace?: Trace;
  /** How the trace is replayed, in one line for the report (the CLI's describeTraceReplay). */
  traceNote?: string;
}

export interface WeightsReportResult {
  markdownPath: string;
  pngPaths: string[];
  summary: Record<string, unknown>;
}

/** Every (alpha, beta, gamma) with components in multiples of `step` summing to 1. */
export function simplexGrid(step: number): Weights[] {
  const n = Math.round(1 / step);
  if (!(step > 0) || Math.abs(n * step - 1) > 1e-9) throw new Error(`weights report: gridStep must divide 1 (e.g. 0.25, 0.5), got ${step}`);
  const out: Weights[] = [];
  for (let a = 0; a <= n; a++) for (let b = 0; b <= n - a; b++) out.push({ alpha: a / n, beta: b / n, gamma: (n - a - b) / n });
  return out;
}

export const weightsLabel = (w: Weights): string => `${w.alpha.toFixed(2)}/${w.beta.toFixed(2)}/${w.gamma.toFixed(2)}`;

/** One point of the sweep, computed from the steps file. */
export interface WeightPoint {
  label: string;
  weights: Weights;
  runs: number;
  slaViolationPct: number;
  slaViolationCi95: number;
  costUsd: number;
  costCi95: number;
  onFront: boolean;
}

/** Per weight vector: mean over (scenario, seed) runs of SLA-violation % and cost; the front is the non-dominated set. */
export function sweepPoints(records: readonly StepRecord[]): WeightPoint[] {
  const runs = new Map<string, { weights: Weights; viol: number[]; cost: number[] }>();
  const perRun = new Map<string, { label: string; weights: Weights; steps: number; violated: number; cost: number }>();
  for (const r of records) {
    const label = r.policy;
    const key = `${label}|${r.scenario}|${r.seed}`;
    let run = perRun.get(key);
    if (!run) perRun.set(key, (run = { label, weights: { alpha: r.alpha, beta: r.beta, gamma: r.gamma }, steps: 0, violated: 0, cost: 0 }));
    run.steps++;
    if (r.slaViolated) run.violated++;
    run.cost += r.costUsd;
  }
  for (const run of perRun.values()) {
    let agg = runs.get(run.label);
    if (!agg) runs.set(run.label, (agg = { weights: run.weights, viol: [], cost: [] }));
    agg.viol.push((100 * run.violated) / run.steps);
    agg.cost.push(run.cost);
  }
  const points: WeightPoint[] = [...runs.entries()].map(([label, a]) => {
    const v = meanCi(a.viol);
    const c = meanCi(a.cost);
    return { label, weights: a.weights, runs: a.viol.length, slaViolationPct: v.mean, slaViolationCi95: v.ci95, costUsd: c.mean, costCi95: c.ci95, onFront: false };
  });
  for (const p of points) {
    p.onFront = !points.some((q) => dominance(q, p) === 'dominates');
  }
  return points;
}

/** The weight vectors on the front, cheapest first (the summary lists them so). */
export function frontOf(points: readonly WeightPoint[]): WeightPoint[] {
  return points.filter((p) => p.onFront).sort((a, b) => a.costUsd - b.costUsd);
}

export const SENSITIVITY_HEADER = 'state,scenario,seed,step,alpha,beta,gamma,executors,memory_gb,tier,codec';

export interface Sensitivity {
  states: number;
  weightVectors: number;
  /** Share of states whose chosen action differs between at least two weight vectors. */
  anyChangeShare: number;
  /** The same per action component. */
  componentShare: { executors: number; memoryGb: number; tier: number; codec: number };
  /** Mean over states of the number of distinct executor counts chosen across the weight vectors. */
  meanDistinctExecutors: number;
}

/** From the rows of weights-sensitivity.csv. */
export function sensitivityFromCsv(text: string, where = 'weights-sensitivity.csv'): Sensitivity {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== SENSITIVITY_HEADER) throw new Error(`${where}: header must be '${SENSITIVITY_HEADER}'`);
  const byState = new Map<string, string[][]>();
  const weightSet = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i]!.split(',');
    if (c.length !== 11) throw new Error(`${where} line ${i + 1}: expected 11 columns, got ${c.length}`);
    weightSet.add(`${c[4]}/${c[5]}/${c[6]}`);
    const rows = byState.get(c[0]!) ?? [];
    rows.push(c.slice(7));
    byState.set(c[0]!, rows);
  }
  const n = byState.size;
  if (n === 0) throw new Error(`${where}: no states`);
  let any = 0;
  const comp = [0, 0, 0, 0];
  let distinctEx = 0;
  for (const rows of byState.values()) {
    const keys = new Set(rows.map((r) => r.join(',')));
    if (keys.size > 1) any++;
    for (let k = 0; k < 4; k++) if (new Set(rows.map((r) => r[k])).size > 1) comp[k]!++;
    distinctEx += new Set(rows.map((r) => r[0])).size;
  }
  return {
    states: n,
    weightVectors: weightSet.size,
    anyChangeShare: any / n,
    componentShare: { executors: comp[0]! / n, memoryGb: comp[1]! / n, tier: comp[2]! / n, codec: comp[3]! / n },
    meanDistinctExecutors: distinctEx / n,
  };
}

const actionCells = (a: Action): string => `${a.executors},${a.memoryGb},${a.tier},${a.codec}`;

export async function runWeightsReport(opts: WeightsReportOptions): Promise<WeightsReportResult> {
  if (!Number.isInteger(opts.seeds) || opts.seeds < 1) throw new Error(`weights report: seeds must be an integer >= 1, got ${opts.seeds}`);
  if (!Number.isInteger(opts.steps) || opts.steps < 1) throw new Error(`weights report: steps must be an integer >= 1, got ${opts.steps}`);
  const checkpointPath = opts.checkpointPath ?? EDGE_RL_CHECKPOINT;
  const scenarios = opts.scenarios ?? (opts.quick ? (['balanced'] as const) : SCENARIOS);
  const grid = simplexGrid(opts.gridStep ?? (opts.quick ? 0.5 : 0.25));
  mkdirSync(opts.outDir, { recursive: true });
  const agent = new PpoAgentPolicy({ id: 'ppo', checkpointPath });
  agent.load();

  // 1. The sweep: one policy label per weight vector, paired seeds (the tournament's seedFor) in every scenario.
  const records: StepRecord[] = [];
  for (const scenario of scenarios) {
    for (const w of grid) {
      const env = new SparkIotEnv({ scenario, maxSteps: opts.steps, weights: w, ...(opts.trace ? { trace: opts.trace } : {}) });
      for (let i = 0; i < opts.seeds; i++) for (const r of runEpisode(env, agent, weightsLabel(w), seedFor(i), opts.steps)) records.push(r);
    }
  }
  const stepsPath = join(opts.outDir, 'weights-steps.csv.gz');
  writeStepsFile(stepsPath, records);

  // 2. Sensitivity on visited states: the agent's own runs with the scenario's default weights.
  const sensLines = [SENSITIVITY_HEADER];
  const stride = Math.max(1, Math.floor(opts.steps / (opts.quick ? 10 : 25)));
  let state = 0;
  for (const scenario of scenarios) {
    const env = new SparkIotEnv({ scenario, maxSteps: opts.steps, ...(opts.trace ? { trace: opts.trace } : {}) });
    for (let i = 0; i < opts.seeds; i++) {
      let { obs, info } = env.reset({ seed: seedFor(i) });
      for (let t = 0; t < opts.steps; t++) {
        const action = agent.act(obs, (info as { context: PolicyContext }).context);
        if (t % stride === 0) {
          // The same state under every weight vector; a residual agent corrects the same base action (the rule's
          // proposal does not depend on the weights), and probing does not advance the rule's state.
          for (const w of grid) sensLines.push(`${state},${scenario},${seedFor(i)},${t},${w.alpha},${w.beta},${w.gamma},${actionCells(agent.networkAction(withWeights(obs, w), agent.lastBaseAction))}`);
          state++;
        }
        const res = env.stepAction(action);
        obs = res.obs;
        info = res.info;
        if (res.truncated || res.terminated) break;
      }
    }
  }
  const sensPath = join(opts.outDir, 'weights-sensitivity.csv');
  writeFileSync(sensPath, `${sensLines.join('\n')}\n`);

  // Everything below is computed from the two files just written.
  const points = sweepPoints(readStepsFile(stepsPath));
  const sens = sensitivityFromCsv(readFileSync(sensPath, 'utf8'), sensPath);
  const front = frontOf(points);

  const pngPath = join(opts.outDir, 'weights.png');
  writeFileSync(pngPath, svgToPng(await renderSvg(weightsSpec(points, sens))));
  const markdownPath = join(opts.outDir, 'weights.md');
  writeFileSync(markdownPath, weightsMarkdown(points, sens, { ...opts, scenarios, checkpointPath, gridSize: grid.length }));

  return {
    markdownPath,
    pngPaths: [pngPath],
    summary: {
      checkpoint: checkpointPath,
      ...(opts.trace ? { trace: opts.trace.name } : {}),
      scenarios: [...scenarios],
      seeds: opts.seeds,
      steps: opts.steps,
      weightVectors: grid.length,
      frontSize: front.length,
      front: front.map((p) => ({ weights: p.label, slaViolationPct: p.slaViolationPct, costUsd: p.costUsd })),
      costRangeUsd: [Math.min(...points.map((p) => p.costUsd)), Math.max(...points.map((p) => p.costUsd))],
      slaViolationRangePct: [Math.min(...points.map((p) => p.slaViolationPct)), Math.max(...points.map((p) => p.slaViolationPct))],
      sensitivity: sens,
      files: { steps: stepsPath, sensitivity: sensPath },
    },
  };
}

function weightsSpec(points: readonly WeightPoint[], sens: Sensitivity): TopLevelSpec {
  const data = points.map((p) => ({ ...p.weights, label: p.label, sla: p.slaViolationPct, cost: p.costUsd, front: p.onFront ? 'on the front' : 'dominated' }));
  const comp = [
    { component: 'any', share: 100 * sens.anyChangeShare },
    { component: 'executors', share: 100 * sens.componentShare.executors },
    { component: 'memory', share: 100 * sens.componentShare.memoryGb },
    { component: 'tier', share: 100 * sens.componentShare.tier },
    { component: 'codec', share: 100 * sens.componentShare.codec },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'PPO under fixed reward weights (alpha = cost, beta = latency, gamma = throughput)',
    background: 'white',
    padding: 12,
    config: { font: 'DejaVu Sans', concat: { spacing: 40 } },
    hconcat: [
      {
        title: 'cost vs SLA violations per weight vector (mean over runs)',
        width: 360,
        height: 300,
        data: { values: data },
        layer: [
          {
            mark: { type: 'line', color: '#999', strokeDash: [4, 3] },
            transform: [{ filter: "datum.front == 'on the front'" }],
            encoding: { x: { field: 'cost', type: 'quantitative' }, y: { field: 'sla', type: 'quantitative' }, order: { field: 'cost', type: 'quantitative' } },
          },
          {
            mark: { type: 'point', filled: true, size: 80 },
            encoding: {
              x: { field: 'cost', type: 'quantitative', title: 'cost per run (USD)', scale: { zero: false } },
              y: { field: 'sla', type: 'quantitative', title: 'SLA violation % of steps' },
              color: { field: 'alpha', type: 'quantitative', title: 'alpha (cost)', scale: { scheme: 'viridis' } },
              shape: { field: 'front', type: 'nominal', title: '' },
              tooltip: [{ field: 'label' }],
            },
          },
          { mark: { type: 'text', dy: -9, fontSize: 8 }, encoding: { x: { field: 'cost', type: 'quantitative' }, y: { field: 'sla', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
      {
        title: `states where changing the weights changes the action (${sens.states} states)`,
        width: 240,
        height: 300,
        data: { values: comp },
        mark: 'bar',
        encoding: {
          x: { field: 'component', type: 'nominal', sort: null, title: 'action component' },
          y: { field: 'share', type: 'quantitative', title: '% of visited states', scale: { domain: [0, 100] } },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

const f2 = (x: number): string => x.toFixed(2);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function weightsMarkdown(points: readonly WeightPoint[], sens: Sensitivity, meta: WeightsReportOptions & { scenarios: readonly string[]; checkpointPath: string; gridSize: number }): string {
  const sorted = [...points].sort((a, b) => a.costUsd - b.costUsd);
  const lines = [
    '# Reward weights and the lower-level PPO agent',
    '',
    // Relative to the working directory, so the report reads the same from any clone.
    `Checkpoint \`${relative(process.cwd(), meta.checkpointPath) || meta.checkpointPath}\`; scenarios ${meta.scenarios.join(', ')}; ${meta.seeds} paired seed(s) (the tournament's seeds) x ${meta.steps} steps per weight vector and scenario; ${meta.gridSize} weight vectors (alpha/beta/gamma on a simplex grid, held fixed for the episode).`,
    'Every number below is computed from `weights-steps.csv.gz` (the sweep) and `weights-sensitivity.csv` (the state probe) in this folder.',
    ...(meta.trace ? [`Workload: the trace ${meta.trace.name}, instead of the synthetic processes (${meta.traceNote ?? describeTrace(meta.trace)}).`] : []),
    '',
    '## Cost vs SLA violations per weight vector',
    '',
    'Mean over (scenario, seed) runs, +- Student-t CI95. "front" marks the weight vectors no other vector beats on both metrics.',
    '',
    '| alpha/beta/gamma | runs | SLA violation % | cost USD / run | front |',
    '|---|---:|---:|---:|:---:|',
    ...sorted.map((p) => `| ${p.label} | ${p.runs} | ${f2(p.slaViolationPct)} +- ${f2(Number.isFinite(p.slaViolationCi95) ? p.slaViolationCi95 : 0)} | ${f2(p.costUsd)} +- ${f2(Number.isFinite(p.costCi95) ? p.costCi95 : 0)} | ${p.onFront ? 'yes' : ''} |`),
    '',
    `Cost spans ${f2(Math.min(...points.map((p) => p.costUsd)))}-${f2(Math.max(...points.map((p) => p.costUsd)))} USD per run and SLA violations ${f2(Math.min(...points.map((p) => p.slaViolationPct)))}-${f2(Math.max(...points.map((p) => p.slaViolationPct)))} % across the weight vectors.`,
    '',
    '## Do the weights change the decision?',
    '',
    `${sens.states} states visited by the agent under the scenario's default weights (every ${Math.max(1, Math.floor(meta.steps / (meta.quick ? 10 : 25)))}th step), each re-evaluated with all ${sens.weightVectors} weight vectors:`,
    '',
    `- the chosen action differs for at least two weight vectors in **${pct(sens.anyChangeShare)}** of the states;`,
    `- per component: executors ${pct(sens.componentShare.executors)}, memory ${pct(sens.componentShare.memoryGb)}, tier ${pct(sens.componentShare.tier)}, codec ${pct(sens.componentShare.codec)};`,
    `- on average ${f2(sens.meanDistinctExecutors)} distinct executor counts per state across the weight vectors.`,
    '',
    '![weights](weights.png)',
    '',
  ];
  return lines.join('\n');
}
