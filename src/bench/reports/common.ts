/**
 * What the reports share: the runner signature, resolving the agent policy (with a clear fallback), running paired
 * variants on the real simulator, grouping steps into runs, data-temperature buckets, burst windows, Markdown and PNG
 * helpers. Every number a report prints is computed from the StepRecords it read back from its own steps file.
 */
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { SCENARIOS, type ScenarioName } from '../../env/spark-iot-types.ts';
import { SparkIotEnv } from '../../env/spark-iot-env.ts';
import type { Policy } from '../../policies/types.ts';
import { createPolicy, getPolicyEntry } from '../../policies/registry.ts';
import { runEpisode, seedFor } from '../tournament.ts';
import { StepsFileWriter, fillStepsFile } from '../steps-log.ts';
import { meanCi, pairedDifference, type MeanCi } from '../stats.ts';
import { renderSvg, svgToPng } from '../plots.ts';
import type { Trace } from '../../workload/trace.ts';

/** The options every report runner takes (the CLI passes `<out>/<kind>` as outDir). */
export interface ReportOptions {
  outDir: string;
  seeds: number;
  steps: number;
  quick: boolean;
}

export interface ReportResult {
  markdownPath: string;
  pngPaths: string[];
  summary: Record<string, unknown>;
}

/** A runner may also accept `onProgress` and `scenarios` (the CLI passes them; runners that do not know them ignore them). */
export type ReportRunner = (
  opts: ReportOptions & { onProgress?: (done: number, total: number, label: string) => void; scenarios?: readonly ScenarioName[] },
) => Promise<ReportResult>;

/** Extra options of the shuffle and edge reports (the CLI's --agent, --scenario; tests use stand-in policies). */
export interface AgentReportOptions extends ReportOptions {
  /** Policy id of the agent (default 'edge-rl', falling back to 'edge-rl-fixed'). */
  agent?: string;
  scenarios?: readonly ScenarioName[];
  /** Called after each run (progress bar on stderr). */
  onProgress?: (done: number, total: number, label: string) => void;
  /** The command line, written into the report. */
  command?: string;
  /** The edge report only: replay this trace (loaded by the caller) instead of the synthetic processes. */
  trace?: Trace;
  /** How the trace is replayed, in one line for the report (the CLI's describeTraceReplay). */
  traceNote?: string;
}

export class ReportUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportUnavailableError';
  }
}

export const DEFAULT_AGENT = 'edge-rl';
export const FALLBACK_AGENT = 'edge-rl-fixed';

/** Why a policy id cannot run: not registered, or its factory / reset throws (e.g. a missing checkpoint). Null if it can. */
export function policyProblem(id: string): string | null {
  try {
    getPolicyEntry(id);
  } catch {
    return `policy '${id}' is not registered`;
  }
  try {
    createPolicy(id).reset(seedFor(0));
    return null;
  } catch (err) {
    return `policy '${id}' cannot run: ${(err as Error).message}`;
  }
}

/**
 * The agent a report runs. An explicit id must work; the default 'edge-rl' falls back to 'edge-rl-fixed' with a note
 * that the report prints, and throws ReportUnavailableError naming both problems when neither runs. `problemOf` is
 * policyProblem; tests pass another to reach the fallback while the trained models are in place.
 */
export function resolveAgent(requested: string | undefined, problemOf: (id: string) => string | null = policyProblem): { id: string; notes: string[] } {
  if (requested !== undefined && requested !== DEFAULT_AGENT) {
    const problem = problemOf(requested);
    if (problem) throw new ReportUnavailableError(`--agent ${requested}: ${problem}`);
    return { id: requested, notes: [] };
  }
  const first = problemOf(DEFAULT_AGENT);
  if (!first) return { id: DEFAULT_AGENT, notes: [] };
  const second = problemOf(FALLBACK_AGENT);
  if (!second) return { id: FALLBACK_AGENT, notes: [`${first}; fell back to '${FALLBACK_AGENT}' (the PPO agent without the meta-controller).`] };
  throw new ReportUnavailableError(`no trained agent available: ${first}; ${second}. Train them (docs/RL.md) or pass --agent <policy id> (e.g. threshold-forecast).`);
}

/** One policy configuration of a report; `label` is what the steps file's `policy` column holds. */
export interface Variant {
  label: string;
  makePolicy: () => Policy;
  /** Run in an env with the edge features (obs 11-12) zeroed. */
  maskEdgeFeatures?: boolean;
}

function checkVariants(variants: readonly Variant[], seeds: number, steps: number): void {
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`report: seeds must be an integer >= 1, got ${seeds}`);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`report: steps must be an integer >= 1, got ${steps}`);
  const labels = new Set(variants.map((v) => v.label));
  if (labels.size !== variants.length) throw new Error(`report: variant labels must be unique, got ${variants.map((v) => v.label).join(', ')}`);
}

/**
 * Every variant x scenario x seed on the real simulator, paired: seed i (10000 + i) is the same exogenous world for
 * every variant. Yields one run at a time (its records in step order, `policy` = the variant's label), in the order
 * scenario -> variant -> seed. The arguments are checked on the call, before any run (a generator function would
 * check them only at the first next()).
 */
export function variantRuns(
  variants: readonly Variant[],
  scenarios: readonly ScenarioName[],
  seeds: number,
  steps: number,
  onProgress?: (done: number, total: number, label: string) => void,
  /** Replay this trace instead of the scenarios' synthetic processes (rescaled to each scenario's peak). */
  trace?: Trace,
): Generator<StepRecord[], void, undefined> {
  checkVariants(variants, seeds, steps);
  const total = scenarios.length * variants.length * seeds;
  return (function* () {
    let done = 0;
    for (const scenario of scenarios) {
      for (const v of variants) {
        const policy = v.makePolicy();
        const env = new SparkIotEnv({ scenario, maxSteps: steps, maskEdgeFeatures: v.maskEdgeFeatures === true, exposeFuture: policy.clairvoyant === true, ...(trace ? { trace } : {}) });
        for (let i = 0; i < seeds; i++) {
          yield runEpisode(env, policy, v.label, seedFor(i), steps);
          onProgress?.(++done, total, `${scenario}/${v.label}`);
        }
      }
    }
  })();
}

/**
 * Runs the variants (variantRuns) and streams each run's records to the steps file at `path` as they are produced
 * (StepsFileWriter: under `<path>.partial` until the last run ends, deleted if a run fails). Holds one run at a time,
 * so the size of a report is bounded by time and disk, not by the heap.
 */
export function runVariantsToFile(
  path: string,
  variants: readonly Variant[],
  scenarios: readonly ScenarioName[],
  seeds: number,
  steps: number,
  onProgress?: (done: number, total: number, label: string) => void,
  trace?: Trace,
): void {
  const runs = variantRuns(variants, scenarios, seeds, steps, onProgress, trace);
  fillStepsFile(new StepsFileWriter(path), (writer) => {
    for (const run of runs) for (const r of run) writer.write(r);
  });
}

export const ALL_SCENARIOS: readonly ScenarioName[] = SCENARIOS;

/** Runs of one (policy, scenario): seed -> steps in step order. */
export type Runs = Map<number, StepRecord[]>;

/**
 * policy -> scenario -> seed -> steps, in order of first appearance (the steps file's order). Holds every record:
 * the reports stream their files (RunDigests); this is the in-memory form their tests compare against.
 */
export function groupRuns(records: readonly StepRecord[]): Map<string, Map<string, Runs>> {
  const out = new Map<string, Map<string, Runs>>();
  for (const r of records) {
    let byScenario = out.get(r.policy);
    if (!byScenario) out.set(r.policy, (byScenario = new Map()));
    let bySeed = byScenario.get(r.scenario);
    if (!bySeed) byScenario.set(r.scenario, (bySeed = new Map()));
    let steps = bySeed.get(r.seed);
    if (!steps) bySeed.set(r.seed, (steps = []));
    steps.push(r);
  }
  for (const byScenario of out.values()) for (const bySeed of byScenario.values()) for (const steps of bySeed.values()) steps.sort((a, b) => a.step - b.step);
  return out;
}

/** The runs of (policy, scenario), sorted by seed; throws naming what is missing. */
export function runsOf(grouped: Map<string, Map<string, Runs>>, policy: string, scenario: string): StepRecord[][] {
  const bySeed = grouped.get(policy)?.get(scenario);
  if (!bySeed) throw new Error(`report: the steps file has no runs of policy '${policy}' on scenario '${scenario}'`);
  return [...bySeed.entries()].sort((a, b) => a[0] - b[0]).map(([, steps]) => steps);
}

/**
 * The runs of records held in memory (groupRuns), one at a time in the order a report's steps file has them: policies
 * and scenarios in order of first appearance, seeds ascending (as runsOf), each run sorted by step.
 */
export function* runsInFileOrder(records: readonly StepRecord[]): Generator<StepRecord[], void, undefined> {
  const grouped = groupRuns(records);
  for (const [policy, byScenario] of grouped) for (const scenario of byScenario.keys()) yield* runsOf(grouped, policy, scenario);
}

/**
 * Per-run digests of a stream of runs (streamStepRuns over a steps file), grouped policy -> scenario -> seed in order
 * of first appearance like groupRuns, with the seeds and the run length over all records. Holds only the digests.
 */
export class RunDigests<D> {
  readonly groups = new Map<string, Map<string, Map<number, D>>>();
  private readonly seedSet = new Set<number>();
  /** max(step + 1) over every record. */
  steps = 0;

  constructor(private readonly digest: (run: StepRecord[]) => D) {}

  /** Adds one run (sorted by step here, as groupRuns does); a run seen twice is an error. */
  add(run: StepRecord[]): D {
    if (run.length === 0) throw new Error('report: an empty run');
    run.sort((a, b) => a.step - b.step);
    const { policy, scenario, seed } = run[0]!;
    let byScenario = this.groups.get(policy);
    if (!byScenario) this.groups.set(policy, (byScenario = new Map()));
    let bySeed = byScenario.get(scenario);
    if (!bySeed) byScenario.set(scenario, (bySeed = new Map()));
    if (bySeed.has(seed)) throw new Error(`report: run policy=${policy} scenario=${scenario} seed=${seed} appears twice`);
    this.seedSet.add(seed);
    for (const r of run) if (r.step + 1 > this.steps) this.steps = r.step + 1;
    const d = this.digest(run);
    bySeed.set(seed, d);
    return d;
  }

  get empty(): boolean {
    return this.groups.size === 0;
  }

  /** Every seed seen, ascending. */
  get seeds(): number[] {
    return [...this.seedSet].sort((a, b) => a - b);
  }

  /** The digests of (policy, scenario), sorted by seed; throws naming what is missing (as runsOf). */
  of(policy: string, scenario: string): D[] {
    const bySeed = this.groups.get(policy)?.get(scenario);
    if (!bySeed) throw new Error(`report: the steps file has no runs of policy '${policy}' on scenario '${scenario}'`);
    return [...bySeed.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
  }
}

/** Control interval of a run (s), from consecutive tSeconds. */
export function controlIntervalOf(run: readonly StepRecord[]): number {
  if (run.length >= 2) return run[1]!.tSeconds - run[0]!.tSeconds;
  if (run.length === 1) return run[0]!.tSeconds; // the first step ends one interval after cloud time 0
  throw new Error('report: an empty run has no control interval');
}

export const slaViolationPct = (run: readonly StepRecord[]): number => (100 * run.filter((s) => s.slaViolated).length) / run.length;
export const totalCostUsd = (run: readonly StepRecord[]): number => run.reduce((a, s) => a + s.costUsd, 0);
export const meanOf = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;

/** Data-temperature buckets of StepRecord.reuseProbability (ground truth reuse probability during the step). */
export const TEMPERATURE_BUCKETS = [
  { name: 'cold', lo: 0, hi: 0.25 },
  { name: 'cool', lo: 0.25, hi: 0.5 },
  { name: 'warm', lo: 0.5, hi: 0.75 },
  { name: 'hot', lo: 0.75, hi: 1 },
] as const;
export type TemperatureBucket = (typeof TEMPERATURE_BUCKETS)[number]['name'];

export function temperatureBucket(reuseProbability: number): TemperatureBucket {
  if (!(reuseProbability >= 0 && reuseProbability <= 1)) throw new Error(`temperatureBucket: reuse probability must be in [0, 1], got ${reuseProbability}`);
  for (const b of TEMPERATURE_BUCKETS) if (reuseProbability < b.hi) return b.name;
  return 'hot';
}

// ---- formatting ----

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** "mean ± ci" (n/a when the CI is undefined: fewer than 2 values). */
export function pm(m: MeanCi, digits: number): string {
  if (m.n === 0) return 'n/a';
  return `${fixed(m.mean, digits)} ± ${fixed(m.ci95, digits)}`;
}

export function num(x: number, digits: number): string {
  return fixed(x, digits);
}

export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export { meanCi, pairedDifference, type MeanCi };

/** Render a vega-lite spec to a PNG file (fonts set in plots.ts: without them resvg draws no text). */
export async function writePng(path: string, spec: TopLevelSpec): Promise<void> {
  writeFileSync(path, svgToPng(await renderSvg(spec)));
}

/** The common top-level fields of the reports' vega-lite specs. */
export function specBase(title: string): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    padding: 12,
    config: { font: 'DejaVu Sans', concat: { spacing: 40 } },
  };
}

/** Scenarios to run: the option, or all four. */
export function reportScenarios(opts: AgentReportOptions): ScenarioName[] {
  const s = opts.scenarios ?? ALL_SCENARIOS;
  if (s.length === 0) throw new Error('report: at least one scenario is needed');
  for (const name of s) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`report: unknown scenario '${name}'; valid: ${SCENARIOS.join(', ')}`);
  return [...s];
}
