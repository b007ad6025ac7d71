/**
 * The meta-controller report (`edgepilot report meta`, docs/META.md): the hierarchical `edge-rl` policy (TD3
 * meta-controller + PPO) against a grid of fixed weight vectors for the same PPO, on each operating mode alone and
 * on the mode-switch story (normal -> budget nearly exhausted -> critical -> normal), on the combined objective.
 *
 * Every run is streamed to <outDir>/steps.csv.gz as it is produced (StepsFileWriter; its alpha/beta/gamma columns hold
 * the weights the PPO acted with, not the env's) and each world's scenario, budget rate and mode schedule go to
 * <outDir>/worlds.json; every number in the Markdown and the plots is then computed from those two files read back
 * from disk, the steps file as a stream of runs (streamStepsFile, streamStepRuns): the report holds no more than one
 * run's records, the per-run scores and the mode-switch runs of the lowest seed (the timeline plot), so its size is
 * bounded by time and disk, not by the heap. Worlds: the mode-switch story on the balanced scenario (the
 * world of `bench --scenario mode-switch`), the same story on the other three IoT scenarios, and each mode alone on
 * balanced. Seeds are the tournament's (seedFor(i)), which the meta-env and
 * the PPO never trained on. The best fixed vector is picked on the same seeds it is scored on (in-sample), which
 * favours the grid: the comparison is conservative for the meta-controller.
 *
 * Combined objective of a run: each phase (a maximal stretch of one mode) is scored with its mode's J over the
 * phase's steps (src/meta/modes.ts; v counts violations of the mode's SLA: p95 over slaTargetFactor x the target, or
 * drops), and the run's score is the step-weighted mean over its phases.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { loadConfig } from '../../core/config.ts';
import { validateAction } from '../../core/action.ts';
import type { ScenarioName, StepRecord } from '../../env/spark-iot-types.ts';
import type { Policy } from '../../policies/types.ts';
import { createEdgeRlPolicy, createFixedWeightsPolicy, HierarchicalPolicy, type MetaController } from '../../meta/hierarchical-policy.ts';
import { ModeScheduleEnv, MODE_SWITCH_BASE_SCENARIO, MODE_SWITCH_SCENARIO } from '../../meta/mode-env.ts';
import { MODES, modeObjective, modeSwitchSchedule, phaseIndexAt, singleModeSchedule, validateSchedule, windowStats, type ModeName, type ModePhase } from '../../meta/modes.ts';
import { normalizeWeights, weightGrid, weightsLabel } from '../../meta/weights.ts';
import { meanCi, pairedDifference, type MeanCi } from '../stats.ts';
import { seedFor } from '../tournament.ts';
import { fillStepsFile, streamStepRuns, streamStepsFile, StepsFileWriter } from '../steps-log.ts';
import { renderSvg, svgToPng } from '../plots.ts';
import { describeTrace, type Trace } from '../../workload/trace.ts';

export interface MetaReportOptions {
  outDir: string;
  seeds: number;
  steps: number;
  quick: boolean;
  /** Tests: a stand-in lower policy and meta-controller instead of the checkpoints in models/. */
  lower?: Policy;
  meta?: MetaController;
  /** Lattice resolution of the fixed grid (default 5: 21 vectors). */
  gridN?: number;
  onProgress?: (done: number, total: number, label: string) => void;
  /** Replay this trace in every world instead of the synthetic processes (rescaled to each scenario's peak). */
  trace?: Trace;
  /** Experiments: the hierarchical policy scored as `edge-rl` (default: the registered edge-rl, or lower + meta above). */
  makeMetaPolicy?: () => HierarchicalPolicy;
  /** How the trace is replayed, in one line for the report (the CLI's describeTraceReplay). */
  traceNote?: string;
}

export interface MetaReportResult {
  markdownPath: string;
  pngPaths: string[];
  summary: Record<string, unknown>;
}

export const META_POLICY_ID = 'edge-rl';
/**
 * A reference, not a contender: on mode-switch, the PPO with the best fixed vector OF EACH MODE (picked on the
 * single-mode worlds with the same seeds, so in-sample): what a meta-controller restricted to the grid and told the
 * mode could reach.
 */
export const LOOKUP_POLICY_ID = 'per-mode best fixed (in-sample reference)';
/** The mode-switch story on the three other IoT scenarios (world names 'mode-switch/<scenario>'). */
export const OTHER_STORY_SCENARIOS: readonly ScenarioName[] = ['smart-city', 'healthcare', 'industrial'];
export const STORY_WORLDS = [MODE_SWITCH_SCENARIO, ...OTHER_STORY_SCENARIOS.map((s) => `${MODE_SWITCH_SCENARIO}/${s}`)];
export const WORLDS = [...STORY_WORLDS, ...MODES.map((m) => `mode-${m}`)];
/** Single-mode worlds are run first: the per-mode lookup reference needs their results. */
const RUN_ORDER = [...MODES.map((m) => `mode-${m}`), ...STORY_WORLDS];

/** What worlds.json holds per world. */
export interface WorldSpec {
  scenario: ScenarioName;
  budgetUsdPerHour: number;
  schedule: ModePhase[];
}

function worldSpec(world: string, steps: number): WorldSpec {
  const config = loadConfig();
  const scenario: ScenarioName = world.startsWith(`${MODE_SWITCH_SCENARIO}/`) ? (world.slice(MODE_SWITCH_SCENARIO.length + 1) as ScenarioName) : MODE_SWITCH_BASE_SCENARIO;
  const schedule = world.startsWith(MODE_SWITCH_SCENARIO) ? modeSwitchSchedule(steps) : singleModeSchedule(world.replace(/^mode-/, '') as ModeName);
  return { scenario, budgetUsdPerHour: config.scenarios[scenario].budgetUsdPerHour, schedule: validateSchedule(schedule, `meta report world ${world}`) };
}

interface PolicySpec {
  id: string;
  /** Raw weights for the fixed ones; null for the meta-controller. */
  raw: number[] | null;
  make: () => HierarchicalPolicy;
}

/** One run: like the tournament's runEpisode, but alpha/beta/gamma record the weights the PPO acted with. */
function runOne(env: ModeScheduleEnv, policy: HierarchicalPolicy, id: string, seed: number, steps: number): StepRecord[] {
  let { obs, info } = env.reset({ seed });
  policy.reset(seed);
  const out: StepRecord[] = [];
  for (let t = 0; t < steps; t++) {
    const action = policy.act(obs, { ...info.context, future: undefined });
    validateAction(action);
    const w = policy.currentWeights()!;
    const r = env.stepAction(action);
    out.push({ ...r.info.record!, policy: id, seed, alpha: w.alpha, beta: w.beta, gamma: w.gamma });
    obs = r.obs;
    info = r.info;
    if (r.truncated || r.terminated) break;
  }
  return out;
}

export interface RunScore {
  policy: string;
  world: string;
  seed: number;
  objective: number;
  phases: { mode: ModeName; steps: number; violationRate: number; costOverBudget: number; objective: number }[];
}

/** The combined objective of one run (records sorted by step), from its schedule; see the module comment. */
export function scoreRun(records: readonly StepRecord[], schedule: readonly ModePhase[], budgetUsdPerHour: number, modes = loadConfig().modes): RunScore['phases'] {
  const phases: RunScore['phases'] = [];
  let start = 0;
  while (start < records.length) {
    const k = phaseIndexAt(schedule, records[start]!.step);
    let end = start;
    while (end < records.length && phaseIndexAt(schedule, records[end]!.step) === k) end++;
    const mode = schedule[k]!.mode;
    const stats = windowStats(records.slice(start, end), budgetUsdPerHour, modes[mode]);
    phases.push({ mode, steps: end - start, ...stats, objective: modeObjective(modes[mode], stats) });
    start = end;
  }
  return phases;
}

export function combinedObjective(phases: RunScore['phases']): number {
  const n = phases.reduce((s, p) => s + p.steps, 0);
  return phases.reduce((s, p) => s + p.steps * p.objective, 0) / n;
}

/** The score of one run: `records` are all of one (policy, world, seed), in any order. */
function scoreOneRun(records: readonly StepRecord[], worlds: Record<string, WorldSpec>, modes = loadConfig().modes): RunScore {
  const { policy, scenario: world, seed } = records[0]!;
  const spec = worlds[world];
  if (!spec) throw new Error(`meta report: no world '${world}' in worlds.json`);
  const sorted = [...records].sort((a, b) => a.step - b.step);
  const phases = scoreRun(sorted, spec.schedule, spec.budgetUsdPerHour, modes);
  return { policy, world, seed, objective: combinedObjective(phases), phases };
}

/** Scores every (policy, world, seed) run of records held in memory, in the order of each run's first record. */
export function scoreSteps(records: readonly StepRecord[], worlds: Record<string, WorldSpec>): RunScore[] {
  const groups = new Map<string, StepRecord[]>();
  for (const r of records) {
    const key = JSON.stringify([r.policy, r.scenario, r.seed]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const modes = loadConfig().modes;
  return [...groups.values()].map((g) => scoreOneRun(g, worlds, modes));
}

/** What the report needs from the steps file, gathered in one pass over its runs. */
export interface MetaRunsDigest {
  /** One score per run, in file order (the order scoreSteps gives for the same records). */
  scores: RunScore[];
  /** Policies in order of first appearance in the file. */
  policyIds: string[];
  /** Per mode, the sums of the meta-controller's alpha/beta/gamma over its mode-switch rows in that mode, and their count. */
  metaWeightSums: Record<ModeName, { alpha: number; beta: number; gamma: number; steps: number }>;
  /** The lowest seed in the file. */
  minSeed: number;
  /** The mode-switch records of every policy on the lowest mode-switch seed, in file order (the timeline plot). */
  timelineRecords: StepRecord[];
}

/**
 * Scores a stream of runs (streamStepRuns over the steps file) one run at a time, keeping only each run's score,
 * running sums, and the mode-switch runs of the lowest seed (23 runs): the numbers equal scoreSteps and filters over
 * the whole file in memory, summed in the same order.
 */
export async function digestMetaRuns(runs: AsyncIterable<StepRecord[]>, worlds: Record<string, WorldSpec>): Promise<MetaRunsDigest> {
  const modes = loadConfig().modes;
  const story = worlds[MODE_SWITCH_SCENARIO]?.schedule;
  const scores: RunScore[] = [];
  const policyIds = new Set<string>();
  const metaWeightSums = Object.fromEntries(MODES.map((m) => [m, { alpha: 0, beta: 0, gamma: 0, steps: 0 }])) as MetaRunsDigest['metaWeightSums'];
  let minSeed = Infinity;
  let timelineSeed = Infinity;
  let timelineRuns: StepRecord[][] = [];
  for await (const run of runs) {
    if (run.length === 0) continue;
    const { policy, scenario: world, seed } = run[0]!;
    policyIds.add(policy);
    minSeed = Math.min(minSeed, seed);
    if (world === MODE_SWITCH_SCENARIO) {
      if (policy === META_POLICY_ID && story) {
        for (const r of run) {
          const sums = metaWeightSums[story[phaseIndexAt(story, r.step)]!.mode];
          sums.alpha += r.alpha;
          sums.beta += r.beta;
          sums.gamma += r.gamma;
          sums.steps++;
        }
      }
      if (seed < timelineSeed) {
        timelineSeed = seed;
        timelineRuns = [];
      }
      if (seed === timelineSeed) timelineRuns.push(run);
    }
    scores.push(scoreOneRun(run, worlds, modes));
  }
  return { scores, policyIds: [...policyIds], metaWeightSums, minSeed, timelineRecords: timelineRuns.flat() };
}

/**
 * A ceiling for switching weights at phase boundaries: for each phase of `world`, the fixed vector with the best
 * mean phase objective over the seeds (picked in hindsight, on these very runs), and per seed the step-weighted
 * objective those phase winners scored. It ignores carry-over (a phase starts from the state its own vector left,
 * not the previous winner's), so it is a reference for how much any mode-aware choice among the grid's vectors could
 * gain over the best single vector here, not a policy that was run.
 */
export function hindsightPhaseCeiling(scores: readonly RunScore[], world: string, fixedPolicies: readonly string[]): { perSeed: number[]; winners: string[] } {
  // Each policy's runs on this world, in seed order, gathered once.
  const runsOf = new Map(fixedPolicies.map((p) => [p, scores.filter((s) => s.world === world && s.policy === p).sort((a, b) => a.seed - b.seed)]));
  const first = runsOf.get(fixedPolicies[0]!)!;
  if (first.length === 0) throw new Error(`meta report: no runs of ${fixedPolicies[0]} on ${world}`);
  const phaseCount = first[0]!.phases.length;
  const winners: string[] = [];
  for (let k = 0; k < phaseCount; k++) {
    let best: { policy: string; j: number } | null = null;
    for (const p of fixedPolicies) {
      const runs = runsOf.get(p)!;
      const j = runs.reduce((acc, r) => acc + r.phases[k]!.objective, 0) / runs.length;
      if (!best || j > best.j) best = { policy: p, j };
    }
    winners.push(best!.policy);
  }
  const perSeed = first.map((_, i) => {
    let sum = 0;
    let steps = 0;
    winners.forEach((p, k) => {
      const phase = runsOf.get(p)![i]!.phases[k]!;
      sum += phase.steps * phase.objective;
      steps += phase.steps;
    });
    return sum / steps;
  });
  return { perSeed, winners };
}

export interface WorldTable {
  world: string;
  rows: { policy: string; objective: MeanCi; perSeed: number[]; violationPct: number; costOverBudget: number }[];
  bestFixed: string;
  metaRank: number;
  /** meta - best fixed, paired by seed. */
  diff: MeanCi;
}

/** One world's table: every policy's J over seeds (best first), the best fixed vector, the meta-controller's rank and its paired difference. */
export function tabulate(scores: readonly RunScore[], world: string, allPolicies: readonly string[]): WorldTable {
  const policies = allPolicies.filter((p) => scores.some((x) => x.world === world && x.policy === p));
  const rows = policies.map((policy) => {
    const runs = scores.filter((s) => s.world === world && s.policy === policy).sort((a, b) => a.seed - b.seed);
    if (runs.length === 0) throw new Error(`meta report: no runs of ${policy} on ${world}`);
    const steps = runs.flatMap((r) => r.phases);
    const n = steps.reduce((s, p) => s + p.steps, 0);
    return {
      policy,
      objective: meanCi(runs.map((r) => r.objective)),
      perSeed: runs.map((r) => r.objective),
      violationPct: (100 * steps.reduce((s, p) => s + p.violationRate * p.steps, 0)) / n,
      costOverBudget: steps.reduce((s, p) => s + p.costOverBudget * p.steps, 0) / n,
    };
  });
  rows.sort((a, b) => b.objective.mean - a.objective.mean);
  const fixed = rows.filter((r) => r.policy !== META_POLICY_ID && r.policy !== LOOKUP_POLICY_ID);
  const best = fixed[0]!;
  const meta = rows.find((r) => r.policy === META_POLICY_ID)!;
  return { world, rows, bestFixed: best.policy, metaRank: rows.indexOf(meta) + 1, diff: pairedDifference(meta.perSeed, best.perSeed) };
}

/** The claim holds when the paired difference meta - best fixed is above 0 with its whole CI95. */
export const beatsBestFixed = (d: MeanCi): boolean => d.mean > 0 && Number.isFinite(d.ci95) && d.mean - d.ci95 > 0;

export const verdictOf = (d: MeanCi): string =>
  beatsBestFixed(d) ? '**the meta-controller beats the best fixed vector** (CI95 of the paired difference above 0)' : d.mean > 0 ? 'the meta-controller is ahead on average but the CI95 includes 0: **not shown**' : '**not supported**: the best fixed vector scores at least as well';

/**
 * The story on all four scenarios pooled: per seed, the mean J over the four story worlds; the best fixed vector is the
 * one with the best pooled mean (one vector for every world, as the meta-controller is one policy). `rank` is the
 * meta-controller's among it and the fixed vectors (the lookup reference is not a contender).
 */
export function pooledStory(scores: readonly RunScore[], policyIds: readonly string[], seeds: readonly number[]) {
  const pooledOf = (policy: string): number[] =>
    seeds.map((seed) => {
      const runs = scores.filter((x) => x.policy === policy && x.seed === seed && STORY_WORLDS.includes(x.world));
      return runs.reduce((acc, x) => acc + x.objective, 0) / runs.length;
    });
  const pooledFixed = policyIds.filter((p) => p !== META_POLICY_ID && p !== LOOKUP_POLICY_ID).map((p) => ({ policy: p, perSeed: pooledOf(p) }));
  pooledFixed.sort((a, b) => meanCi(b.perSeed).mean - meanCi(a.perSeed).mean);
  const pooledMeta = pooledOf(META_POLICY_ID);
  const meta = meanCi(pooledMeta);
  return {
    meta,
    bestFixed: pooledFixed[0]!.policy,
    bestFixedObjective: meanCi(pooledFixed[0]!.perSeed),
    diff: pairedDifference(pooledMeta, pooledFixed[0]!.perSeed),
    rank: 1 + pooledFixed.filter((x) => meanCi(x.perSeed).mean > meta.mean).length,
    contenders: pooledFixed.length + 1,
  };
}

/** A claim in the summary: J of both, the paired difference and the verdict flag, all from the one comparison given. */
export function claimSummary(c: { meta: MeanCi; bestFixed: string; bestFixedObjective: MeanCi; diff: MeanCi; rank: number }) {
  return { metaObjective: c.meta, bestFixed: c.bestFixed, bestFixedObjective: c.bestFixedObjective, diff: { mean: c.diff.mean, ci95: c.diff.ci95 }, metaRank: c.rank, metaBeatsBestFixed: beatsBestFixed(c.diff) };
}

/** The fixed vector (raw weights) with the best mean objective over its runs; the first of equals. */
export function bestFixedRaw(specs: readonly { id: string; raw: number[] | null }[], objectives: ReadonlyMap<string, readonly number[]>): number[] {
  let best: { raw: number[]; j: number } | null = null;
  for (const spec of specs) {
    if (!spec.raw) continue;
    const runs = objectives.get(spec.id)!;
    const j = runs.reduce((acc, x) => acc + x, 0) / runs.length;
    if (!best || j > best.j) best = { raw: spec.raw, j };
  }
  if (!best) throw new Error('meta report: no fixed vector to pick from');
  return best.raw;
}

const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pm = (m: MeanCi, d = 3): string => `${f(m.mean, d)} ± ${f(m.ci95, d)}`;

/** Short plot label: 'edge-rl (meta)', 'w 0.60/0.40/0.00', 'per-mode lookup (ref.)'. */
function plotLabel(policy: string): string {
  if (policy === META_POLICY_ID) return 'edge-rl (meta)';
  if (policy === LOOKUP_POLICY_ID) return 'per-mode lookup (ref.)';
  const m = /w\(([^,]+),([^,]+),([^)]+)\)/.exec(policy);
  return m ? `w ${m[1]}/${m[2]}/${m[3]}` : policy;
}

export function objectiveSpec(tables: WorldTable[]): TopLevelSpec {
  const ci = (x: number): number => (Number.isFinite(x) ? x : 0);
  const values = tables.flatMap((t) =>
    t.rows.map((r) => ({
      world: t.world,
      policy: plotLabel(r.policy),
      kind: r.policy === META_POLICY_ID ? 'meta-controller (edge-rl)' : r.policy === t.bestFixed ? 'best fixed vector' : r.policy === LOOKUP_POLICY_ID ? 'per-mode lookup (reference)' : 'fixed vector',
      j: r.objective.mean,
      lo: r.objective.mean - ci(r.objective.ci95),
      hi: r.objective.mean + ci(r.objective.ci95),
    })),
  );
  const y = { field: 'policy', type: 'nominal', sort: { field: 'j', op: 'mean', order: 'descending' }, title: null };
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: ['meta-controller (edge-rl)', 'best fixed vector', 'fixed vector', 'per-mode lookup (reference)'], range: ['#d62728', '#1f77b4', '#aaaaaa', '#2ca02c'] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Combined objective J per policy and world (mean ± CI95 over seeds; higher is better)',
    background: 'white',
    padding: 12,
    config: { font: 'DejaVu Sans' },
    data: { values },
    facet: { field: 'world', type: 'nominal', title: null, sort: [...WORLDS] },
    columns: 2,
    spec: {
      width: 320,
      height: 360,
      layer: [
        { mark: { type: 'rule' }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: 'J' }, x2: { field: 'hi' }, color } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { y, x: { field: 'j', type: 'quantitative' }, color } },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** `records`: at least the mode-switch runs of `seed` (the lowest seed of the file) of the meta-controller and `bestFixed`. */
export function timelineSpec(records: readonly StepRecord[], seed: number, bestFixed: string, schedule: readonly ModePhase[]): TopLevelSpec {
  const mine = records.filter((r) => r.scenario === MODE_SWITCH_SCENARIO && r.seed === seed && (r.policy === META_POLICY_ID || r.policy === bestFixed));
  const weights = mine.filter((r) => r.policy === META_POLICY_ID).flatMap((r) => [
    { step: r.step, weight: 'alpha (cost)', value: r.alpha },
    { step: r.step, weight: 'beta (latency)', value: r.beta },
    { step: r.step, weight: 'gamma (throughput)', value: r.gamma },
  ]);
  const cost = mine.map((r) => ({ step: r.step, policy: r.policy, costRate: r.costRateUsdPerHour, violated: r.slaViolated ? 1 : 0 }));
  const phases = schedule.map((p, i) => ({ start: p.startStep, end: i + 1 < schedule.length ? schedule[i + 1]!.startStep : Math.max(...mine.map((r) => r.step)) + 1, mode: p.mode }));
  const phaseLayer = { data: { values: phases }, mark: { type: 'rect', opacity: 0.12 }, encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' }, color: { field: 'mode', type: 'nominal', scale: { scheme: 'set2' }, title: 'mode' } } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Mode-switch run, seed ${seed}: the meta-controller's weights and the cost rate vs the best fixed vector (${bestFixed})`,
    background: 'white',
    padding: 12,
    config: { font: 'DejaVu Sans' },
    vconcat: [
      { width: 760, height: 160, layer: [phaseLayer, { data: { values: weights }, mark: 'line', encoding: { x: { field: 'step', type: 'quantitative', title: 'control step' }, y: { field: 'value', type: 'quantitative', title: 'weight', scale: { domain: [0, 1] } }, color: { field: 'weight', type: 'nominal', title: 'meta weight', scale: { scheme: 'category10' } } } }], resolve: { scale: { color: 'independent' } } },
      { width: 760, height: 160, layer: [phaseLayer, { data: { values: cost }, mark: 'line', encoding: { x: { field: 'step', type: 'quantitative', title: 'control step' }, y: { field: 'costRate', type: 'quantitative', title: 'cost rate (USD/h)' }, color: { field: 'policy', type: 'nominal', title: 'policy', scale: { scheme: 'dark2' } } } }], resolve: { scale: { color: 'independent' } } },
    ],
  } as unknown as TopLevelSpec;
}

export async function runMetaReport(opts: MetaReportOptions): Promise<MetaReportResult> {
  if (!(Number.isInteger(opts.seeds) && opts.seeds >= 1)) throw new Error(`meta report: seeds must be an integer >= 1, got ${opts.seeds}`);
  if (!(Number.isInteger(opts.steps) && opts.steps >= 4)) throw new Error(`meta report: steps must be an integer >= 4 (four mode phases), got ${opts.steps}`);
  mkdirSync(opts.outDir, { recursive: true });
  const grid = weightGrid(opts.gridN ?? 5);
  const specs: PolicySpec[] = [
    { id: META_POLICY_ID, raw: null, make: opts.makeMetaPolicy ?? (() => (opts.meta ? new HierarchicalPolicy({ id: META_POLICY_ID, meta: opts.meta, lower: opts.lower }) : createEdgeRlPolicy())) },
    ...grid.map((raw) => {
      const id = `fixed ${weightsLabel(normalizeWeights(raw))}`;
      return { id, raw, make: () => createFixedWeightsPolicy(raw, { id, lower: opts.lower }) };
    }),
  ];
  // Fail early with the checkpoint's own message (missing models/meta-td3.json or models/edge-rl-ppo.json).
  specs[0]!.make().reset(seedFor(0));

  const worlds: Record<string, WorldSpec> = {};
  for (const w of WORLDS) worlds[w] = worldSpec(w, opts.steps);
  const total = WORLDS.length * specs.length * opts.seeds + opts.seeds;
  const stepsPath = join(opts.outDir, 'steps.csv.gz');
  const worldsPath = join(opts.outDir, 'worlds.json');
  // Each run's records go to the file as they are produced (under steps.csv.gz.partial until the last run ends,
  // deleted if a run fails); only the single-mode worlds' per-run objectives are kept (the per-mode lookup below).
  const modes = loadConfig().modes;
  let done = 0;
  const lookupRaw: Partial<Record<ModeName, number[]>> = {};
  fillStepsFile(new StepsFileWriter(stepsPath), (writer) => {
    for (const world of RUN_ORDER) {
      const env = new ModeScheduleEnv({ scenario: worlds[world]!.scenario, maxSteps: opts.steps, schedule: worlds[world]!.schedule, recordScenario: world, ...(opts.trace ? { trace: opts.trace } : {}) });
      const worldSpecs = [...specs];
      if (world === MODE_SWITCH_SCENARIO) {
        const table = lookupRaw as Record<ModeName, number[]>;
        const rule: MetaController = (o) => table[MODES[[0, 1, 2].find((i) => o[i] === 1) ?? 0]!];
        worldSpecs.push({ id: LOOKUP_POLICY_ID, raw: null, make: () => new HierarchicalPolicy({ id: LOOKUP_POLICY_ID, meta: rule, lower: opts.lower }) });
      }
      const singleMode = !STORY_WORLDS.includes(world);
      const objectives = new Map<string, number[]>();
      for (const spec of worldSpecs) {
        const policy = spec.make();
        const mine: number[] = [];
        objectives.set(spec.id, mine);
        for (let i = 0; i < opts.seeds; i++) {
          const run = runOne(env, policy, spec.id, seedFor(i), opts.steps);
          for (const r of run) writer.write(r);
          // The best fixed vector of this mode (in memory here; the report's tables below are recomputed from the file).
          if (singleMode && run.length > 0) mine.push(scoreOneRun(run, { [world]: worlds[world]! }, modes).objective);
          opts.onProgress?.(++done, total, `${world}/${spec.id}`);
        }
      }
      if (singleMode) {
        lookupRaw[world.replace(/^mode-/, '') as ModeName] = bestFixedRaw(specs, objectives);
      }
    }
  });
  writeFileSync(worldsPath, `${JSON.stringify(worlds, null, 2)}\n`);

  // From here on, only the files, the steps file streamed one run at a time.
  const worldsFromFile = JSON.parse(readFileSync(worldsPath, 'utf8')) as Record<string, WorldSpec>;
  const digest = await digestMetaRuns(streamStepRuns(streamStepsFile(stepsPath), stepsPath), worldsFromFile);
  const { scores, policyIds } = digest;
  const tables = WORLDS.map((w) => tabulate(scores, w, policyIds));
  const ms = tables[0]!;
  const pooled = pooledStory(scores, policyIds, Array.from({ length: opts.seeds }, (_, i) => seedFor(i)));

  // What the meta-controller chose, per mode (from the alpha/beta/gamma columns of its mode-switch runs).
  const story = worldsFromFile[MODE_SWITCH_SCENARIO]!.schedule;
  const chosen = MODES.map((mode) => {
    const sums = digest.metaWeightSums[mode];
    const m = (k: 'alpha' | 'beta' | 'gamma'): number => sums[k] / Math.max(1, sums.steps);
    return { mode, alpha: m('alpha'), beta: m('beta'), gamma: m('gamma'), steps: sums.steps };
  });

  const pngPaths = [join(opts.outDir, 'meta_objective.png'), join(opts.outDir, 'meta_mode_switch_timeline.png')];
  writeFileSync(pngPaths[0]!, svgToPng(await renderSvg(objectiveSpec(tables))));
  writeFileSync(pngPaths[1]!, svgToPng(await renderSvg(timelineSpec(digest.timelineRecords, digest.minSeed, ms.bestFixed, story))));

  const lines: string[] = [];
  lines.push('# Meta-controller report: TD3 weights vs fixed weight vectors', '');
  lines.push(`Runs: ${WORLDS.length} worlds x ${specs.length} policies (the meta-controller \`edge-rl\` and ${grid.length} fixed weight vectors for the same PPO) x ${opts.seeds} seeds (${seedFor(0)}..${seedFor(opts.seeds - 1)}) x ${opts.steps} control steps. Worlds: \`mode-switch\` = the story normal -> budget nearly exhausted -> critical -> normal on the ${MODE_SWITCH_BASE_SCENARIO} scenario (the world of \`edgepilot bench --scenario mode-switch\`), \`mode-switch/<scenario>\` = the same story on the other IoT scenarios, \`mode-<mode>\` = one mode for the whole run on ${MODE_SWITCH_BASE_SCENARIO}. Every number below is computed from \`steps.csv.gz\` and \`worlds.json\` in this folder (docs/META.md).${opts.quick ? ' Quick run: few seeds and steps, wide CIs.' : ''}`, '');
  if (opts.trace) lines.push(`Workload: the trace ${opts.trace.name} in every world, instead of the synthetic processes (${opts.traceNote ?? describeTrace(opts.trace)}). The meta-controller and the PPO never trained on it.`, '');
  lines.push('Objective of a phase (src/meta/modes.ts, config `modes`): c = mean cost rate / budget rate, v = share of steps violating the mode\'s SLA (p95 > slaTargetFactor x target, or drops),');
  lines.push('J = -(costWeight c + slaWeight v) - penalty (max(0, v - vCap) + max(0, c - cCap)); a run scores the step-weighted mean of its phases.', '');
  lines.push('| mode | costWeight | slaWeight | SLA cap vCap | cost cap cCap (x budget) | penalty | slaTargetFactor |', '|---|---|---|---|---|---|---|');
  for (const m of MODES) lines.push(`| ${m} | ${modes[m].costWeight} | ${modes[m].slaWeight} | ${modes[m].maxSlaViolationRate} | ${modes[m].costCapOverBudget} | ${modes[m].penalty} | ${modes[m].slaTargetFactor} |`);
  lines.push('');
  lines.push('## The claim: on mode-switch the meta-controller beats the best fixed weight vector', '');
  lines.push(`- meta-controller J = ${pm(ms.rows.find((r) => r.policy === META_POLICY_ID)!.objective)}, rank ${ms.metaRank} of ${ms.rows.length}`);
  lines.push(`- best fixed vector (picked in-sample on these seeds): ${ms.bestFixed}, J = ${pm(ms.rows.find((r) => r.policy === ms.bestFixed)!.objective)}`);
  lines.push(`- paired difference meta - best fixed: ${pm(ms.diff)} (CI95 over ${ms.diff.n} seeds)`);
  const lookupRow = ms.rows.find((r) => r.policy === LOOKUP_POLICY_ID);
  if (lookupRow) lines.push(`- reference, not a contender: the best fixed vector of each mode switched by mode (in-sample) J = ${pm(lookupRow.objective)}`);
  const fixedIds = ms.rows.map((r) => r.policy).filter((p) => p !== META_POLICY_ID && p !== LOOKUP_POLICY_ID);
  const ceiling = hindsightPhaseCeiling(scores, MODE_SWITCH_SCENARIO, fixedIds);
  const ceilingGain = pairedDifference(ceiling.perSeed, ms.rows.find((r) => r.policy === ms.bestFixed)!.perSeed);
  lines.push(
    `- ceiling, not a policy: the best fixed vector of each phase picked in hindsight on these runs (${ceiling.winners.join(' -> ')}), ignoring carry-over between phases: ` +
      `J = ${pm(meanCi(ceiling.perSeed))}, ${pm(ceilingGain)} above the best single vector (paired): how much any phase-wise choice among the grid's vectors could gain here`,
  );
  lines.push(`- verdict: ${verdictOf(ms.diff)}`, '');
  lines.push(`On the story over all four IoT scenarios (per seed, the mean J of the four story worlds; one fixed vector for all of them, picked in-sample):`, '');
  lines.push(`- meta-controller J = ${pm(pooled.meta)}, rank ${pooled.rank} of ${pooled.contenders}; best fixed ${pooled.bestFixed}, J = ${pm(pooled.bestFixedObjective)}`);
  lines.push(`- paired difference meta - best fixed: ${pm(pooled.diff)}; verdict: ${verdictOf(pooled.diff)}`, '');
  lines.push('| story world | meta J | best fixed in that world | its J | meta - best (paired CI95) | meta rank |', '|---|---|---|---|---|---|');
  for (const t of tables.filter((x) => STORY_WORLDS.includes(x.world))) {
    lines.push(`| ${t.world} | ${pm(t.rows.find((r) => r.policy === META_POLICY_ID)!.objective)} | ${t.bestFixed} | ${pm(t.rows.find((r) => r.policy === t.bestFixed)!.objective)} | ${pm(t.diff)} | ${t.metaRank} of ${t.rows.length} |`);
  }
  lines.push('');
  lines.push('Weights the meta-controller put in force on mode-switch, mean per mode:', '', '| mode | alpha (cost) | beta (latency) | gamma (throughput) | steps |', '|---|---|---|---|---|');
  for (const c of chosen) lines.push(`| ${c.mode} | ${f(c.alpha)} | ${f(c.beta)} | ${f(c.gamma)} | ${c.steps} |`);
  lines.push('');
  for (const t of tables) {
    lines.push(`## ${t.world}`, '');
    lines.push(`meta-controller rank ${t.metaRank} of ${t.rows.length}; meta - best fixed (${t.bestFixed}) = ${pm(t.diff)} (paired, CI95)`, '');
    lines.push('| rank | policy | J (mean ± CI95) | SLA violation % | cost / budget |', '|---|---|---|---|---|');
    t.rows.forEach((r, i) => lines.push(`| ${i + 1} | ${r.policy === META_POLICY_ID ? '**edge-rl (meta)**' : r.policy === LOOKUP_POLICY_ID ? `_${r.policy}_` : r.policy} | ${pm(r.objective)} | ${f(r.violationPct, 2)} | ${f(r.costOverBudget)} |`));
    lines.push('');
  }
  if (ms.rows.length) {
    lines.push('## Mode-switch phases: meta-controller vs best fixed vector (means over seeds)', '', '| policy | phase | mode | steps | v | c | J |', '|---|---|---|---|---|---|---|');
    for (const pid of [META_POLICY_ID, ms.bestFixed]) {
      const runs = scores.filter((s) => s.world === MODE_SWITCH_SCENARIO && s.policy === pid);
      runs[0]!.phases.forEach((p, k) => {
        const avg = (g: (x: RunScore['phases'][number]) => number): number => runs.reduce((s, r) => s + g(r.phases[k]!), 0) / runs.length;
        lines.push(`| ${pid} | ${k} | ${p.mode} | ${p.steps} | ${f(avg((x) => x.violationRate))} | ${f(avg((x) => x.costOverBudget))} | ${f(avg((x) => x.objective))} |`);
      });
    }
    lines.push('');
  }
  lines.push('![combined objective](meta_objective.png)', '', '![mode-switch timeline](meta_mode_switch_timeline.png)', '');
  const markdownPath = join(opts.outDir, 'meta.md');
  writeFileSync(markdownPath, `${lines.join('\n')}\n`);

  const summary: Record<string, unknown> = {
    stepsFile: stepsPath,
    ...(opts.trace ? { trace: opts.trace.name } : {}),
    seeds: opts.seeds,
    steps: opts.steps,
    policies: specs.length,
    fixedVectors: grid.length,
    modeSwitchAllScenarios: claimSummary(pooled),
    modeSwitch: claimSummary({ meta: ms.rows.find((r) => r.policy === META_POLICY_ID)!.objective, bestFixed: ms.bestFixed, bestFixedObjective: ms.rows.find((r) => r.policy === ms.bestFixed)!.objective, diff: ms.diff, rank: ms.metaRank }),
    worlds: Object.fromEntries(tables.map((t) => [t.world, { metaRank: t.metaRank, bestFixed: t.bestFixed, diff: { mean: t.diff.mean, ci95: t.diff.ci95 } }])),
    metaWeightsByMode: chosen,
    lookupReference: lookupRow ? { objective: lookupRow.objective, vectors: lookupRaw } : null,
    phaseCeiling: { objective: meanCi(ceiling.perSeed), overBestFixed: { mean: ceilingGain.mean, ci95: ceilingGain.ci95 }, winners: ceiling.winners },
  };
  return { markdownPath, pngPaths, summary };
}
