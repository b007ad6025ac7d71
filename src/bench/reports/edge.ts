/**
 * The edge-cloud report: what the edge forecast buys. The agent (default `edge-rl`) against the same agent trained
 * with the edge features masked (its twin in src/policies/ablations.ts: `rl-no-edge-meta` for the hierarchical `edge-rl`,
 * `rl-no-edge` for the PPO alone; run in an env with maskEdgeFeatures), on paired seeds:
 * - SLA violations in windows around burst onsets (ground truth StepRecord.burstOnset; from BEFORE steps before to
 *   AFTER steps after each onset), next to the whole-run figures;
 * - provisioning lead time: per onset, the first scale-up (requested executors up from the previous step) in the
 *   window, as seconds before the onset step (negative = after it), and the share of onsets with a scale-up requested
 *   no later than the onset step;
 * - forecaster accuracy from the forecast recorded in the steps (src/edge/accuracy.ts forecastMetrics): MAPE of the
 *   predicted rate against the arrival rate round(horizon / interval) steps ahead, burst precision/recall and mean lead time
 *   of the alarm (burst probability >= 0.5, i.e. CUSUM at its threshold, docs/SIMULATOR.md) against the onsets.
 * Flow: run -> stream each run to steps.csv.gz as it is produced -> read the file back as a stream of runs, keeping
 * per-run aggregates (EdgeRunDigest), the forecaster's running score and the lowest seed's runs (the timeline) ->
 * Markdown + PNGs. The report holds at most one run's records plus those.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import { DEFAULT_CONFIG } from '../../core/config.ts';
import { MapeAccumulator, detectionMetrics, type ForecastAccuracy } from '../../edge/accuracy.ts';
import type { Action } from '../../core/types.ts';
import type { Policy, PolicyContext } from '../../policies/types.ts';
import { createPolicy } from '../../policies/registry.ts';
import { NO_EDGE_TWINS } from '../../policies/ablations.ts';
import { streamStepRuns, streamStepsFile } from '../steps-log.ts';
import {
  RunDigests,
  controlIntervalOf,
  mdTable,
  meanCi,
  num,
  pairedDifference,
  pm,
  policyProblem,
  reportScenarios,
  resolveAgent,
  runVariantsToFile,
  runsInFileOrder,
  slaViolationPct,
  specBase,
  totalCostUsd,
  writePng,
  type AgentReportOptions,
  type MeanCi,
  type ReportResult,
  type Variant,
} from './common.ts';
import { WINDOW_AFTER_STEPS, WINDOW_BEFORE_STEPS, windowViolationPct } from '../burst-window.ts';
import { describeTrace } from '../../workload/trace.ts';

/** Burst window (src/bench/burst-window.ts): the summary of every tournament counts the same steps. */
export { WINDOW_BEFORE_STEPS, WINDOW_AFTER_STEPS };
/** The forecaster's alarm: burstProbability = S / (S + h) >= 0.5 exactly when the CUSUM S reaches h (docs/SIMULATOR.md). */
export const ALARM_PROBABILITY = 0.5;
/** A detection counts from lead + 5 s before an onset to 30 s after it, as evaluateForecaster does (src/edge/accuracy.ts). */
export const DETECTION_MAX_LATE_S = 30;
export const DETECTION_EARLY_SLACK_S = 5;

export const MASKED_SUFFIX = '+masked-edge';

/**
 * A policy with the edge forecast removed from its context as well as from its observation (the env zeroes obs
 * 11-12): the forecast becomes persistence (predicted = current arrival rate) with burst probability 0, so a rule that
 * reads the context (e.g. threshold-forecast) loses the edge exactly as a learned agent does.
 */
export class MaskedEdgePolicy implements Policy {
  constructor(
    readonly inner: Policy,
    readonly id: string,
  ) {}

  reset(seed: number): void {
    this.inner.reset(seed);
  }

  act(obs: Float32Array, ctx: PolicyContext): Action {
    const masked = new Float32Array(obs);
    masked[11] = 0;
    masked[12] = 0;
    const forecast = { predictedRateMsgsPerS: ctx.snapshot.arrivalRateMsgsPerS, burstProbability: 0, horizonS: ctx.forecast.horizonS, gatewayId: 'masked' };
    return this.inner.act(masked, { ...ctx, forecast });
  }
}

/**
 * The no-edge variant for an agent: its trained ablation (src/policies/ablations.ts: `rl-no-edge-meta` for `edge-rl`,
 * `rl-no-edge` for `edge-rl-fixed`) when one can run, else the agent itself with the edge masked.
 */
export function noEdgeVariant(agent: string, requested?: string): { variant: Variant; notes: string[] } {
  const masked = (id: string, label: string): Variant => ({ label, maskEdgeFeatures: true, makePolicy: () => new MaskedEdgePolicy(createPolicy(id), label) });
  if (requested !== undefined) {
    const problem = policyProblem(requested);
    if (problem) throw new Error(`--masked-agent ${requested}: ${problem}`);
    return { variant: masked(requested, requested), notes: [] };
  }
  const twins = NO_EDGE_TWINS[agent];
  if (twins) {
    const problems: string[] = [];
    for (const twin of twins) {
      const problem = policyProblem(twin);
      if (!problem) return { variant: masked(twin, twin), notes: problems.map((p) => `${p}; using '${twin}' instead.`) };
      problems.push(problem);
    }
    return {
      variant: masked(agent, `${agent}${MASKED_SUFFIX}`),
      notes: [`${problems.join('; ')}; the no-edge variant is '${agent}' with its edge inputs masked at run time (not an agent trained without them).`],
    };
  }
  return {
    variant: masked(agent, `${agent}${MASKED_SUFFIX}`),
    notes: [`the no-edge variant is '${agent}' with its edge inputs masked (observation features 11-12 zeroed, forecast replaced by persistence).`],
  };
}

export interface RunEdgeMetrics {
  seed: number;
  slaViolationPct: number;
  costUsd: number;
  onsets: number;
  /** SLA violation % over the steps in burst windows; NaN when the run has no onset. */
  windowSlaViolationPct: number;
  /** Mean over onsets with a scale-up in the window of (onset step - first scale-up step) x interval, s; NaN if none. */
  meanLeadS: number;
  /** Share of onsets with a scale-up requested at or before the onset step; NaN when the run has no onset. */
  proactiveShare: number;
  /** Share of onsets with any scale-up in their window; NaN when the run has no onset. */
  scaledShare: number;
  /** Mean executors serving at the end of the onset steps (provisioned ahead or not); NaN when the run has no onset. */
  executorsAtOnset: number;
}

/** First step in [o - before, o + after] (index >= 1) whose requested executors exceed the previous step's. */
export function firstScaleUp(run: readonly StepRecord[], onsetIndex: number, before = WINDOW_BEFORE_STEPS, after = WINDOW_AFTER_STEPS): number | null {
  for (let j = Math.max(1, onsetIndex - before); j <= Math.min(run.length - 1, onsetIndex + after); j++) {
    if (run[j]!.requestedExecutors > run[j - 1]!.requestedExecutors) return j;
  }
  return null;
}

export function runEdgeMetrics(run: readonly StepRecord[]): RunEdgeMetrics {
  if (run.length === 0) throw new Error('edge report: an empty run');
  const intervalS = controlIntervalOf(run);
  const onsetIdx = run.flatMap((s, i) => (s.burstOnset ? [i] : []));
  const leads: number[] = [];
  let proactive = 0;
  let executorsSum = 0;
  for (const o of onsetIdx) {
    executorsSum += run[o]!.executorsRunning;
    const s = firstScaleUp(run, o);
    if (s === null) continue;
    leads.push((o - s) * intervalS);
    if (s <= o) proactive++;
  }
  return {
    seed: run[0]!.seed,
    slaViolationPct: slaViolationPct(run),
    costUsd: totalCostUsd(run),
    onsets: onsetIdx.length,
    windowSlaViolationPct: windowViolationPct(run.map((s) => s.burstOnset), run.map((s) => s.slaViolated)),
    meanLeadS: leads.length > 0 ? leads.reduce((a, x) => a + x, 0) / leads.length : Number.NaN,
    proactiveShare: onsetIdx.length > 0 ? proactive / onsetIdx.length : Number.NaN,
    scaledShare: onsetIdx.length > 0 ? leads.length / onsetIdx.length : Number.NaN,
    executorsAtOnset: onsetIdx.length > 0 ? executorsSum / onsetIdx.length : Number.NaN,
  };
}

/**
 * The forecast series of runs, pooled on one timeline (runs placed apart so no detection window spans two runs), added
 * one run at a time: keeps the running MAPE sum and the detection and onset times, not the series.
 */
export class ForecastAccumulator {
  private readonly mape = new MapeAccumulator();
  private readonly detections: number[] = [];
  private readonly onsets: number[] = [];
  private offsetS = 0;

  constructor(
    readonly leadTimeS: number,
    readonly horizonS: number,
  ) {}

  add(run: readonly StepRecord[]): void {
    const intervalS = controlIntervalOf(run);
    // The step nearest the forecast's target second (the same step as the one it falls in when the interval divides
    // the horizon, as with the defaults: 40 s and 10 s).
    const k = Math.round(this.horizonS / intervalS);
    let wasAlarm = false;
    run.forEach((s, i) => {
      if (i + k < run.length) this.mape.add(s.predictedRateMsgsPerS, run[i + k]!.arrivalRateMsgsPerS);
      const alarm = s.burstProbability >= ALARM_PROBABILITY;
      if (alarm && !wasAlarm) this.detections.push(this.offsetS + i * intervalS);
      wasAlarm = alarm;
      if (s.burstOnset) this.onsets.push(this.offsetS + i * intervalS);
    });
    this.offsetS += (run.length + 100) * intervalS + this.leadTimeS + DETECTION_MAX_LATE_S;
  }

  result(): ForecastAccuracy {
    return { mapePct: this.mape.pct(), ...detectionMetrics(this.detections, this.onsets, { maxEarlyS: this.leadTimeS + DETECTION_EARLY_SLACK_S, maxLateS: DETECTION_MAX_LATE_S }) };
  }
}

/** Forecast series of runs, pooled on one timeline (runs placed apart so no detection window spans two runs). */
export function forecastAccuracyOf(runs: readonly (readonly StepRecord[])[], leadTimeS: number, horizonS: number): ForecastAccuracy {
  const acc = new ForecastAccumulator(leadTimeS, horizonS);
  for (const run of runs) acc.add(run);
  return acc.result();
}

export interface EdgeVariantStats {
  variant: string;
  scenario: string;
  runs: RunEdgeMetrics[];
  slaViolationPct: MeanCi;
  windowSlaViolationPct: MeanCi;
  costUsd: MeanCi;
  meanLeadS: MeanCi;
  proactiveShare: MeanCi;
  scaledShare: MeanCi;
  executorsAtOnset: MeanCi;
}

export interface EdgeScenarioStats {
  scenario: string;
  edge: EdgeVariantStats;
  noEdge: EdgeVariantStats;
  /** Paired edge - no-edge over seeds where both values are defined. */
  deltaWindowSlaPct: MeanCi;
  deltaSlaPct: MeanCi;
  deltaCostUsd: MeanCi;
  /** Lead time gained: edge - no-edge, s. */
  deltaLeadS: MeanCi;
  forecast: ForecastAccuracy;
  /** The no-edge runs saw exactly the same forecast series (it is exogenous): a consistency check. */
  sameForecastSeries: boolean;
}

export interface EdgeAnalysis {
  edgeLabel: string;
  noEdgeLabel: string;
  seeds: number[];
  steps: number;
  leadTimeS: number;
  horizonS: number;
  scenarios: EdgeScenarioStats[];
}

const defined = (x: number): boolean => Number.isFinite(x);

function variantStats(variant: string, scenario: string, runs: RunEdgeMetrics[]): EdgeVariantStats {
  const col = (f: (m: RunEdgeMetrics) => number): number[] => runs.map(f).filter(defined);
  return {
    variant,
    scenario,
    runs,
    slaViolationPct: meanCi(col((m) => m.slaViolationPct)),
    windowSlaViolationPct: meanCi(col((m) => m.windowSlaViolationPct)),
    costUsd: meanCi(col((m) => m.costUsd)),
    meanLeadS: meanCi(col((m) => m.meanLeadS)),
    proactiveShare: meanCi(col((m) => m.proactiveShare)),
    scaledShare: meanCi(col((m) => m.scaledShare)),
    executorsAtOnset: meanCi(col((m) => m.executorsAtOnset)),
  };
}

function pairedDefined(a: readonly RunEdgeMetrics[], b: readonly RunEdgeMetrics[], f: (m: RunEdgeMetrics) => number): MeanCi {
  const xs: number[] = [];
  const ys: number[] = [];
  a.forEach((m, i) => {
    const other = b[i];
    if (!other || other.seed !== m.seed) throw new Error(`edge report: runs do not pair up by seed (${m.seed} vs ${other?.seed})`);
    if (defined(f(m)) && defined(f(other))) {
      xs.push(f(m));
      ys.push(f(other));
    }
  });
  const d = pairedDifference(xs, ys);
  return { mean: d.mean, ci95: d.ci95, n: d.n };
}

/** What the edge report keeps of one run: its metrics and a hash of the forecast series it saw. */
export interface EdgeRunDigest {
  metrics: RunEdgeMetrics;
  forecastSeries: string;
}

/** The forecast a run saw, hashed: equal series give equal hashes (the no-edge runs must see the edge runs' series). */
const forecastSeriesHash = (run: readonly StepRecord[]): string =>
  createHash('sha256')
    .update(JSON.stringify(run.map((s) => [s.predictedRateMsgsPerS, s.burstProbability])))
    .digest('hex');

/**
 * The edge analysis of a stream of runs, one run at a time: per-run digests, the edge variant's forecast accuracy per
 * scenario (accumulated in seed order, so the edge runs of a scenario must come in ascending seed order, as the steps
 * file has them) and, per scenario, the runs of its lowest seed (the timeline plot).
 */
class EdgeDigester {
  readonly digests = new RunDigests<EdgeRunDigest>((run) => ({ metrics: runEdgeMetrics(run), forecastSeries: forecastSeriesHash(run) }));
  private readonly forecast = new Map<string, { acc: ForecastAccumulator; lastSeed: number }>();
  /** scenario -> the runs (of either label) of the lowest seed seen, in stream order. */
  private readonly firstSeed = new Map<string, { seed: number; runs: StepRecord[][] }>();

  constructor(
    readonly edgeLabel: string,
    readonly noEdgeLabel: string,
    readonly leadTimeS: number,
    readonly horizonS: number,
  ) {}

  add(run: StepRecord[]): void {
    this.digests.add(run); // sorts the run by step
    const { policy, scenario, seed } = run[0]!;
    if (policy === this.edgeLabel) {
      let f = this.forecast.get(scenario);
      if (!f) this.forecast.set(scenario, (f = { acc: new ForecastAccumulator(this.leadTimeS, this.horizonS), lastSeed: -Infinity }));
      if (seed < f.lastSeed) throw new Error(`edge report: the runs of '${policy}' on scenario '${scenario}' are not in seed order (${seed} after ${f.lastSeed})`);
      f.lastSeed = seed;
      f.acc.add(run);
    }
    if (policy === this.edgeLabel || policy === this.noEdgeLabel) {
      const kept = this.firstSeed.get(scenario);
      if (!kept || seed < kept.seed) this.firstSeed.set(scenario, { seed, runs: [run] });
      else if (seed === kept.seed) kept.runs.push(run);
    }
  }

  analysis(): EdgeAnalysis {
    const { digests, edgeLabel, noEdgeLabel, leadTimeS, horizonS } = this;
    if (digests.empty) throw new Error('edge report: the steps file is empty');
    const grouped = digests.groups;
    for (const label of [edgeLabel, noEdgeLabel]) {
      if (!grouped.has(label)) throw new Error(`edge report: the steps file has no runs of '${label}' (policies: ${[...grouped.keys()].join(', ')})`);
    }
    const scenarios = [...grouped.get(edgeLabel)!.keys()];
    const out: EdgeScenarioStats[] = [];
    for (const scenario of scenarios) {
      const edgeRuns = digests.of(edgeLabel, scenario);
      const noEdgeRuns = digests.of(noEdgeLabel, scenario);
      const e = edgeRuns.map((d) => d.metrics);
      const n = noEdgeRuns.map((d) => d.metrics);
      out.push({
        scenario,
        edge: variantStats(edgeLabel, scenario, e),
        noEdge: variantStats(noEdgeLabel, scenario, n),
        deltaWindowSlaPct: pairedDefined(e, n, (m) => m.windowSlaViolationPct),
        deltaSlaPct: pairedDefined(e, n, (m) => m.slaViolationPct),
        deltaCostUsd: pairedDefined(e, n, (m) => m.costUsd),
        deltaLeadS: pairedDefined(e, n, (m) => m.meanLeadS),
        forecast: this.forecast.get(scenario)!.acc.result(),
        sameForecastSeries: edgeRuns.length === noEdgeRuns.length && edgeRuns.every((d, i) => d.forecastSeries === noEdgeRuns[i]!.forecastSeries),
      });
    }
    return { edgeLabel, noEdgeLabel, seeds: digests.seeds, steps: digests.steps, leadTimeS, horizonS, scenarios: out };
  }

  /** The kept records of (scenario, seed) in stream order: empty unless seed is the scenario's lowest. */
  rowsOf(scenario: string, seed: number): StepRecord[] {
    const kept = this.firstSeed.get(scenario);
    return kept && kept.seed === seed ? kept.runs.flat() : [];
  }
}

/** Everything the report prints, from step records held in memory (the tests' form of analyzeEdgeRuns). */
export function analyzeEdge(records: readonly StepRecord[], edgeLabel: string, noEdgeLabel: string, leadTimeS: number, horizonS: number): EdgeAnalysis {
  const d = new EdgeDigester(edgeLabel, noEdgeLabel, leadTimeS, horizonS);
  for (const run of runsInFileOrder(records)) d.add(run);
  return d.analysis();
}

/**
 * Everything the report prints, from a stream of runs (streamStepRuns over the steps file), one run at a time; with the
 * records of the timeline plot (the lowest seed's runs of the scenario with the most onsets in it).
 */
export async function analyzeEdgeRuns(
  runs: AsyncIterable<StepRecord[]> | Iterable<StepRecord[]>,
  edgeLabel: string,
  noEdgeLabel: string,
  leadTimeS: number,
  horizonS: number,
): Promise<{ analysis: EdgeAnalysis; timelineRows: StepRecord[] }> {
  const d = new EdgeDigester(edgeLabel, noEdgeLabel, leadTimeS, horizonS);
  for await (const run of runs) d.add(run);
  const analysis = d.analysis();
  const best = timelineScenario(analysis);
  return { analysis, timelineRows: d.rowsOf(best.scenario, analysis.seeds[0]!) };
}

/** The scenario whose first-seed edge run has the most onsets (the timeline plot). */
const timelineScenario = (a: EdgeAnalysis): EdgeScenarioStats => [...a.scenarios].sort((x, y) => y.edge.runs[0]!.onsets - x.edge.runs[0]!.onsets)[0]!;

export interface EdgeReportMeta {
  command: string;
  notes: string[];
}

export function edgeMarkdown(a: EdgeAnalysis, meta: EdgeReportMeta, png: { bursts: string; timeline: string }): string {
  const E = `\`${a.edgeLabel}\``;
  const N = `\`${a.noEdgeLabel}\``;
  const lines: string[] = [
    '# Edge-cloud report',
    '',
    `Command: \`${meta.command}\``,
    '',
    ...meta.notes.map((n) => `> Note: ${n}`),
    ...(meta.notes.length ? [''] : []),
    `${E} (with the edge forecast) against ${N} (edge features masked: observation 11-12 zeroed by the env, forecast in the context replaced by persistence). ` +
      `Scenarios: ${a.scenarios.map((s) => s.scenario).join(', ')}; ${a.steps} control steps per run; seeds ${a.seeds.join(', ')} (paired: the same worlds for both).`,
    '',
    `Burst window: from ${WINDOW_BEFORE_STEPS} steps before to ${WINDOW_AFTER_STEPS} steps after each ground-truth burst onset (StepRecord.burstOnset). ` +
      `Lead time: per onset, the first step in the window whose requested executors exceed the previous step's; (onset step − that step) × control interval, ` +
      'positive = requested before the onset step started (n/a when no onset had a scale-up: e.g. an agent already provisioned for bursts); ' +
      '"onsets with a scale-up" = share of onsets with any scale-up in their window, "proactive" = with one requested no later than the onset step; ' +
      '"executors at onset" = executors serving at the end of the onset step. ' +
      'Mean over seeds ± Student-t 95 % CI; Δ = paired difference edge − no-edge over seeds where both are defined (runs without onsets have no window).',
    '',
    `![burst-window SLA violations and lead times](${png.bursts})`,
    '',
    '## SLA around bursts and provisioning lead time',
    '',
    mdTable(
      ['scenario', 'variant', 'onsets (all seeds)', 'SLA viol % in burst windows', 'SLA viol % overall', 'cost USD', 'executors at onset', 'onsets with a scale-up', 'proactive share', 'first scale-up lead s'],
      a.scenarios.flatMap((s) =>
        [s.edge, s.noEdge].map((v) => [
          s.scenario,
          `\`${v.variant}\``,
          String(v.runs.reduce((x, r) => x + r.onsets, 0)),
          pm(v.windowSlaViolationPct, 2),
          pm(v.slaViolationPct, 2),
          pm(v.costUsd, 4),
          pm(v.executorsAtOnset, 1),
          pm(v.scaledShare, 2),
          pm(v.proactiveShare, 2),
          pm(v.meanLeadS, 1),
        ]),
      ),
    ),
    '',
    'Paired differences (edge − no-edge; negative SLA Δ = the edge helps, positive lead Δ = lead time gained):',
    '',
    mdTable(
      ['scenario', 'Δ SLA viol % in windows', 'Δ SLA viol % overall', 'Δ cost USD', 'lead time gained s'],
      a.scenarios.map((s) => [s.scenario, pm(s.deltaWindowSlaPct, 2), pm(s.deltaSlaPct, 2), pm(s.deltaCostUsd, 4), pm(s.deltaLeadS, 1)]),
    ),
    '',
    `![a run around its bursts](${png.timeline})`,
    '',
    '## Forecaster accuracy',
    '',
    `From the forecast each step's decision saw (StepRecord.predictedRateMsgsPerS, burstProbability), pooled over seeds, with src/edge/accuracy.ts forecastMetrics: ` +
      `MAPE of the predicted rate against the arrival rate of the step the ${a.horizonS} s horizon falls in (step index + round(${a.horizonS} s / control interval)); ` +
      `detections = steps where the burst probability first reaches ${ALARM_PROBABILITY} (the CUSUM alarm); a detection matches an onset from ` +
      `${a.leadTimeS + DETECTION_EARLY_SLACK_S} s before (edge lead ${a.leadTimeS} s + ${DETECTION_EARLY_SLACK_S} s) to ${DETECTION_MAX_LATE_S} s after it; ` +
      'lead = onset time − first matching detection (both at step resolution, so each lead is a multiple of the control interval).',
    '',
    mdTable(
      ['scenario', 'MAPE %', 'burst precision', 'burst recall', 'mean lead s', 'detections', 'onsets', 'no-edge runs saw the same forecast'],
      a.scenarios.map((s) => [
        s.scenario,
        num(s.forecast.mapePct, 1),
        num(s.forecast.burstPrecision, 2),
        num(s.forecast.burstRecall, 2),
        num(s.forecast.meanLeadTimeS, 1),
        String(s.forecast.detections),
        String(s.forecast.onsets),
        s.sameForecastSeries ? 'yes' : 'NO',
      ]),
    ),
    '',
    'Source of every number above: `steps.csv.gz` in this folder (one row per control step of every run; the `policy` column holds the variant).',
    '',
  ];
  return lines.join('\n');
}

export function burstsSpec(a: EdgeAnalysis): TopLevelSpec {
  const ci = (x: number): number => (Number.isFinite(x) ? x : 0);
  const values = a.scenarios.flatMap((s) =>
    [s.edge, s.noEdge].flatMap((v) =>
      (
        [
          ['SLA viol % in burst windows', v.windowSlaViolationPct],
          ['SLA viol % overall', v.slaViolationPct],
          ['first scale-up lead (s)', v.meanLeadS],
        ] as const
      )
        .filter(([, m]) => m.n > 0)
        .map(([metric, m]) => ({ scenario: s.scenario, variant: v.variant, metric, value: m.mean, lo: m.mean - ci(m.ci95), hi: m.mean + ci(m.ci95) })),
    ),
  );
  const x = { field: 'scenario', type: 'nominal', title: null, axis: { labelAngle: 0 } };
  return {
    ...specBase(`${a.edgeLabel} vs ${a.noEdgeLabel} around burst onsets (mean ± CI95 over seeds)`),
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 220,
      layer: [
        { mark: 'bar', encoding: { x, xOffset: { field: 'variant' }, y: { field: 'value', type: 'quantitative', title: null }, color: { field: 'variant', type: 'nominal', legend: { labelLimit: 400 } } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { x, xOffset: { field: 'variant' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/**
 * The first seed's run of the scenario with the most onsets: arrivals, forecast, and both variants' executors. `rows`:
 * the records of that scenario and seed, in file order (analyzeEdgeRuns' timelineRows).
 */
export function timelineSpec(rows: readonly StepRecord[], a: EdgeAnalysis): TopLevelSpec {
  const best = timelineScenario(a);
  const seed = a.seeds[0]!;
  const edgeRun = rows.filter((r) => r.policy === a.edgeLabel);
  // Drawn at the start of each step (tSeconds is its end), so an onset line sits where its step begins.
  const intervalS = controlIntervalOf(edgeRun);
  const start = (r: StepRecord): number => r.tSeconds - intervalS;
  const rate = edgeRun.flatMap((r) => [
    { t: start(r), series: 'arrival rate', value: r.arrivalRateMsgsPerS },
    { t: start(r), series: 'edge predicted rate (seen at the step start)', value: r.predictedRateMsgsPerS },
  ]);
  const execs = rows.filter((r) => r.policy === a.edgeLabel || r.policy === a.noEdgeLabel).map((r) => ({ t: start(r), series: r.policy, value: r.executorsRunning }));
  const onsets = edgeRun.filter((r) => r.burstOnset).map((r) => ({ t: start(r) }));
  const panel = (values: object[], title: string): object => ({
    width: 900,
    height: 170,
    layer: [
      { data: { values: onsets }, mark: { type: 'rule', color: '#999', strokeDash: [4, 3] }, encoding: { x: { field: 't', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: { x: { field: 't', type: 'quantitative', title: 'simulated time (s); dashed = burst onsets' }, y: { field: 'value', type: 'quantitative', title }, color: { field: 'series', type: 'nominal', legend: { title: null, labelLimit: 400 } } },
      },
    ],
  });
  return {
    ...specBase(`${best.scenario}, seed ${seed}: arrivals, the edge forecast, and executors serving`),
    vconcat: [panel(rate, 'msgs/s'), panel(execs, 'executors running')],
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** The per-scenario numbers of the report's summary (the CLI's --json line). */
export function edgeSummaryNumbers(analysis: EdgeAnalysis) {
  const per = <T>(f: (s: EdgeScenarioStats) => T): Record<string, T> => Object.fromEntries(analysis.scenarios.map((s) => [s.scenario, f(s)]));
  return {
    windowSlaViolationPct: per((s) => ({ edge: s.edge.windowSlaViolationPct.mean, noEdge: s.noEdge.windowSlaViolationPct.mean })),
    leadTimeGainedS: per((s) => s.deltaLeadS.mean),
    forecast: per((s) => ({ mapePct: s.forecast.mapePct, precision: s.forecast.burstPrecision, recall: s.forecast.burstRecall, meanLeadTimeS: s.forecast.meanLeadTimeS })),
  };
}

/** `edgepilot report edge`: runs both variants, writes steps.csv.gz, edge.md and two PNGs into opts.outDir. */
export async function runEdgeReport(opts: AgentReportOptions & { noEdgeAgent?: string }): Promise<ReportResult> {
  const scenarios = reportScenarios(opts);
  const { id: agent, notes } = resolveAgent(opts.agent);
  const noEdge = noEdgeVariant(agent, opts.noEdgeAgent);
  const allNotes = [...notes, ...noEdge.notes];
  const edgeVariant: Variant = { label: agent, makePolicy: () => createPolicy(agent) };
  mkdirSync(opts.outDir, { recursive: true });
  const stepsPath = join(opts.outDir, 'steps.csv.gz');
  // Each run goes to the file as it is produced; the analysis reads the file back as a stream, one run at a time.
  runVariantsToFile(stepsPath, [edgeVariant, noEdge.variant], scenarios, opts.seeds, opts.steps, opts.onProgress, opts.trace);
  if (opts.trace) allNotes.push(`workload: the trace ${opts.trace.name} (${opts.traceNote ?? describeTrace(opts.trace)}); bursts are its rate over twice a trailing 300 s average (docs/SIMULATOR.md)`);

  // The edge lead and the forecast horizon are the simulator's configuration (src/core/config.ts, docs/SIMULATOR.md).
  const { analysis, timelineRows } = await analyzeEdgeRuns(
    streamStepRuns(streamStepsFile(stepsPath), stepsPath),
    agent,
    noEdge.variant.label,
    DEFAULT_CONFIG.sim.edgeLeadTimeS,
    DEFAULT_CONFIG.sim.forecastHorizonS,
  );
  const png = { bursts: 'edge_bursts.png', timeline: 'edge_timeline.png' };
  await writePng(join(opts.outDir, png.bursts), burstsSpec(analysis));
  await writePng(join(opts.outDir, png.timeline), timelineSpec(timelineRows, analysis));
  const command = opts.command ?? `edgepilot report edge --seeds ${opts.seeds} --steps ${opts.steps}${opts.agent ? ` --agent ${opts.agent}` : ''}`;
  const markdownPath = join(opts.outDir, 'edge.md');
  writeFileSync(markdownPath, edgeMarkdown(analysis, { command, notes: allNotes }, png));

  const summary: Record<string, unknown> = {
    agent,
    noEdgeAgent: noEdge.variant.label,
    notes: allNotes,
    seeds: analysis.seeds.length,
    steps: analysis.steps,
    stepsFile: stepsPath,
    ...(opts.trace ? { trace: opts.trace.name } : {}),
    ...edgeSummaryNumbers(analysis),
  };
  return { markdownPath, pngPaths: [join(opts.outDir, png.bursts), join(opts.outDir, png.timeline)], summary };
}
