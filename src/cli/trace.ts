/**
 * `edgepilot trace <file>`: a look at a workload trace before benchmarking on it. The file is read exactly as
 * `bench --trace` reads it (the same flags, parser and gaps), and the command prints how it was read, then per
 * scenario the load shape of its replay (src/workload/load-shape.ts) next to that of the scenario's synthetic
 * process, the worlds the agents were trained on. `--plot` draws the rate as read. Nothing is simulated.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { DEFAULT_CONTROL_INTERVAL_S } from '../env/spark-iot-env.ts';
import { renderSvg, svgToPng } from '../bench/plots.ts';
import { compareShapes, shapeLengthS, type LoadShape, type ScenarioShapes } from '../workload/load-shape.ts';
import { loadTraceCsv, traceSpanS, type Trace, type TraceOptions } from '../workload/trace.ts';
import { MAX_STEPS } from './bench.ts';
import { describeConfigFile, type ConfigFile } from '../core/config-file.ts';
import { CONFIG_FLAG_HELP, configFileFlag } from './config-flag.ts';
import { checkInputFile, didYouMean, ensureOutputFile, parseFloatOption, parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { addTraceReadOptions, addTraceReplayOptions, describeTraceReplay, readTraceWithProgress, resolveTraceFlags, resolveTraceReplayFlags, traceParseOptions } from './trace-flags.ts';

export interface TraceCommandFlags {
  traceStepS?: string;
  traceFormat?: string;
  traceColumns?: string;
  traceGaps?: string | boolean;
  traceGapsBoth?: boolean;
  traceRescale?: boolean;
  scenario?: string;
  hours?: string;
  seed?: string;
  plot?: string;
  config?: string;
  json?: boolean;
}

export interface TracePlan {
  file: string;
  options: TraceOptions;
  rescale: boolean;
  scenarios: ScenarioName[];
  /** The --hours asked for, in whole control intervals (s); unset: the trace's own span, capped (shapeLengthS). */
  lengthS?: number;
  seed: number;
  plot?: string;
  /** --config: the world model whose scenarios the trace is replayed into and compared with. */
  configFile?: ConfigFile;
}

const INTERVAL_S = DEFAULT_CONTROL_INTERVAL_S;
/** The longest replay: the longest bench run (--steps 100,000 of 10 s); the series are allocated up front. */
const MAX_LENGTH_S = MAX_STEPS * INTERVAL_S;
/** Points per line of --plot: enough for a wide PNG, few enough for vega to draw fast. */
export const PLOT_MAX_POINTS = 2000;

/** Flags -> a checked plan (UsageError, exit 2); an unusable --plot fails here, before the trace is read. */
export function resolveTraceCommand(file: string, f: TraceCommandFlags): TracePlan {
  // The file is the argument, not a --trace flag: named as given.
  checkInputFile(null, file);
  const parse = resolveTraceFlags({ trace: file, traceStepS: f.traceStepS, traceFormat: f.traceFormat, traceColumns: f.traceColumns });
  const { traceGaps, traceRescale } = resolveTraceReplayFlags({ trace: file, traceGaps: f.traceGaps, traceRescale: f.traceRescale, traceGapsBoth: f.traceGapsBoth });
  const scenarioArg = f.scenario ?? 'all';
  const valid = SCENARIOS as readonly string[];
  if (scenarioArg !== 'all' && !valid.includes(scenarioArg)) throw new UsageError(`unknown scenario '${scenarioArg}'; valid scenarios: ${valid.join(', ')}, all${didYouMean(scenarioArg, [...valid, 'all'])}`);
  let lengthS: number | undefined;
  if (f.hours !== undefined) {
    const hours = parseFloatOption('--hours', f.hours);
    const intervals = Math.floor((hours * 3600) / INTERVAL_S);
    if (intervals < 1) throw new UsageError(`--hours must cover at least one control interval (${INTERVAL_S} s, ${(INTERVAL_S / 3600).toFixed(4)} h), got '${f.hours}'`);
    const maxHours = Math.floor((10 * MAX_LENGTH_S) / 3600) / 10;
    if (hours > maxHours) throw new UsageError(`--hours must be <= ${maxHours} (the longest bench run: ${MAX_STEPS.toLocaleString('en-US')} steps of ${INTERVAL_S} s), got '${f.hours}'`);
    lengthS = intervals * INTERVAL_S;
  }
  const seed = parseIntOption('--seed', f.seed ?? '1', 0);
  const configFile = f.config === undefined ? undefined : configFileFlag(f.config);
  if (f.plot !== undefined) {
    if (existsSync(f.plot) && statSync(f.plot).isDirectory()) throw new UsageError(`--plot ${f.plot}: is a folder; give a file path (e.g. ${f.plot.replace(/\/+$/, '')}/trace.png)`);
    // Its folder is created as every other output's is (runs/ is not in a fresh clone); a file in the way, or a folder
    // we cannot write to, is refused here, before the trace is read.
    ensureOutputFile('--plot', f.plot);
  }
  return {
    file,
    options: { ...traceParseOptions(parse), ...(traceGaps !== undefined ? { gaps: traceGaps } : {}) },
    rescale: traceRescale,
    scenarios: scenarioArg === 'all' ? [...SCENARIOS] : [scenarioArg as ScenarioName],
    ...(lengthS !== undefined ? { lengthS } : {}),
    seed,
    ...(f.plot !== undefined ? { plot: f.plot } : {}),
    ...(configFile !== undefined ? { configFile } : {}),
  };
}

/**
 * Reads the file as `bench --trace` does (a file of 64 MiB or more with progress bars); a malformed one is a usage
 * error naming the file and the line, once (the parser's message starts with the file).
 */
function loadTraceArgument(file: string, options: TraceOptions): Trace {
  try {
    return readTraceWithProgress(file, (fileOptions) => loadTraceCsv(file, options, fileOptions), undefined, undefined, 'trace');
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(message.startsWith(file) ? message : `${file}: ${message}`);
  }
}

const rate = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
const pct = (share: number): string => (100 * share).toFixed(1);

/** The comparison table: a row per scenario, each cell `trace / synthetic`. */
export function formatShapeTable(rows: readonly ScenarioShapes[]): string {
  const header = ['scenario', 'mean msgs/s', 'p99 msgs/s', 'peak msgs/s', `CV @${INTERVAL_S} s`, 'empty %', 'bursts/h', 'in burst %'];
  const cell = (r: ScenarioShapes, f: (s: LoadShape) => string): string => `${f(r.trace)} / ${f(r.synthetic)}`;
  const body = rows.map((r) => [
    r.scenario,
    cell(r, (s) => rate(s.meanMsgsPerS)),
    cell(r, (s) => rate(s.p99MsgsPerS)),
    cell(r, (s) => rate(s.peakMsgsPerS)),
    cell(r, (s) => s.cv.toFixed(2)),
    cell(r, (s) => pct(s.emptyIntervalShare)),
    cell(r, (s) => s.burstOnsetsPerHour.toFixed(1)),
    cell(r, (s) => pct(s.burstActiveShare)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function formatDuration(s: number): string {
  return s >= 3600 ? `${+(s / 3600).toFixed(2)} h` : s >= 60 ? `${+(s / 60).toFixed(1)} min` : `${s} s`;
}

export interface PlotPoint {
  /** Start of the bucket, seconds from the trace's first row. */
  tS: number;
  /** Largest row rate in the bucket, as read. */
  maxRate: number;
  /** The bucket's rate weighted by how long each row lasts, as read. */
  meanRate: number;
}

/**
 * The trace's rate as read (before any rescaling), in at most `maxPoints` buckets of consecutive rows. Each bucket
 * keeps its max as well as its mean: a mean alone would flatten a one-row burst into its neighbours.
 */
export function plotBuckets(trace: Trace, maxPoints = PLOT_MAX_POINTS): PlotPoint[] {
  const n = trace.rate.length;
  const rowsPerBucket = Math.max(1, Math.ceil(n / maxPoints));
  const t0 = trace.tS[0]!;
  const points: PlotPoint[] = [];
  for (let start = 0; start < n; start += rowsPerBucket) {
    let max = 0;
    let weighted = 0;
    let durationS = 0;
    for (let i = start; i < Math.min(n, start + rowsPerBucket); i++) {
      const rowS = i + 1 < n ? trace.tS[i + 1]! - trace.tS[i]! : trace.stepS;
      max = Math.max(max, trace.rate[i]!);
      weighted += trace.rate[i]! * rowS;
      durationS += rowS;
    }
    points.push({ tS: trace.tS[start]! - t0, maxRate: max, meanRate: durationS > 0 ? weighted / durationS : 0 });
  }
  return points;
}

/** The plot's time unit: the largest that leaves more than two of them over the span. */
function timeUnit(spanS: number): { name: string; s: number } {
  if (spanS > 3 * 86400) return { name: 'days', s: 86400 };
  if (spanS > 2 * 3600) return { name: 'h', s: 3600 };
  if (spanS > 2 * 60) return { name: 'min', s: 60 };
  return { name: 's', s: 1 };
}

export function tracePlotSpec(trace: Trace, file: string): TopLevelSpec {
  const points = plotBuckets(trace);
  const rowsPerBucket = Math.max(1, Math.ceil(trace.rate.length / PLOT_MAX_POINTS));
  const unit = timeUnit(traceSpanS(trace));
  const values = points.flatMap((p) => [
    { t: p.tS / unit.s, rate: p.maxRate, line: rowsPerBucket > 1 ? 'max of the bucket' : 'rate' },
    ...(rowsPerBucket > 1 ? [{ t: p.tS / unit.s, rate: p.meanRate, line: 'mean of the bucket' }] : []),
  ]);
  const skipped = trace.gaps && trace.gaps.skippedRows > 0 ? `; ${trace.gaps.skippedRows} rows in recording gaps skipped, the rest joined` : '';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${basename(file)}: the rate as read, before rescaling`, subtitle: `${rowsPerBucket > 1 ? `each point a bucket of ${rowsPerBucket} rows (${trace.rate.length.toLocaleString('en-US')} in all)` : `${trace.rate.length.toLocaleString('en-US')} rows`}${skipped}` },
    background: 'white',
    padding: 12,
    width: 900,
    height: 300,
    data: { values },
    config: { font: 'DejaVu Sans' },
    mark: { type: 'line', strokeWidth: 1 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: `time from the trace's first row (${unit.name})` },
      y: { field: 'rate', type: 'quantitative', title: "rate (the file's values: msgs/s unless rescaled)" },
      color: { field: 'line', type: 'nominal', title: null, sort: ['max of the bucket', 'mean of the bucket'] },
    },
  };
}

export async function runTraceCommand(file: string, flags: TraceCommandFlags): Promise<void> {
  const plan = resolveTraceCommand(file, flags);
  const trace = loadTraceArgument(plan.file, plan.options);
  const lengthS = plan.lengthS ?? shapeLengthS(trace, INTERVAL_S);
  const reading = describeTraceReplay(trace, plan.rescale, lengthS);
  let rows: ScenarioShapes[];
  try {
    rows = compareShapes(trace, plan.scenarios, lengthS, plan.seed, plan.rescale, INTERVAL_S, plan.configFile?.config);
  } catch (err) {
    throw new UsageError(`${plan.file}: ${(err as Error).message}`);
  }
  const lines = [
    `${plan.file}: ${reading}`,
    ...(plan.configFile ? [`config: ${describeConfigFile(plan.configFile)}`] : []),
    '',
    `Load shape over ${formatDuration(lengthS)} per ${INTERVAL_S} s control interval, seed ${plan.seed}; each cell: the trace replayed / the scenario's synthetic process`,
    formatShapeTable(rows),
    'The agents were trained on the synthetic worlds (right of each /): a trace far from them on CV, empty intervals or bursts is outside their training distribution.',
    // The two sides' bursts are not found the same way (src/workload/synthetic.ts, trace.ts): worth saying beside the figures.
    "Bursts are each side's ground truth: the synthetic process's burst windows (ramps included); on the trace, seconds above twice its trailing 300 s mean.",
  ];
  if (plan.plot !== undefined) {
    writeFileSync(plan.plot, svgToPng(await renderSvg(tracePlotSpec(trace, plan.file))));
    lines.push(`plot: ${plan.plot}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (flags.json) {
    printJsonSummary({
      file: plan.file,
      reading,
      rescaled: plan.rescale,
      traceSpanS: traceSpanS(trace),
      lengthS,
      controlIntervalS: INTERVAL_S,
      seed: plan.seed,
      scenarios: rows,
      plot: plan.plot ?? null,
      config: plan.configFile ? describeConfigFile(plan.configFile) : null,
    });
  }
}

export function register(program: Command): void {
  addTraceReplayOptions(addTraceReadOptions(
    program
      .command('trace')
      .description("look at a workload trace before benchmarking on it: how `bench --trace` reads it, and its load shape per scenario next to the synthetic worlds the agents were trained on")
      .argument('<file>', 'the trace, in any form `bench --trace` reads (docs/SIMULATOR.md "Trace replay")'),
  ))
    .option('--scenario <name>', `scenario (${SCENARIOS.join(', ')}) or all (default: all)`)
    .option('--hours <h>', `hours of replay to compare, in whole ${INTERVAL_S} s control intervals (default: the trace's span, at most 24)`)
    .option('--seed <n>', 'seed of the replay start offset and of the synthetic process, as in an episode of that seed (default 1)')
    .option('--plot <file.png>', "write a PNG of the trace's rate as read (before rescaling); its folder is created if missing")
    .option('--config <file.json>', `${CONFIG_FLAG_HELP}; here: the scenarios' loads the trace is rescaled to and compared with`)
    .option('--json', 'print one JSON summary object (the reading line and every figure) as the last stdout line')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot trace ../shared/traces/twitter-stream-2021/rate_60s.csv --trace-step-s 60
  edgepilot trace ../shared/traces/azure-llm-2023/rate.csv --scenario healthcare --plot runs/azure-rate.png
  edgepilot trace ../shared/traces/twitter-stream-2021/rate_60s.csv --trace-step-s 60 --hours 6 --seed 3 --json
  edgepilot trace <your-trace.csv.gz> --json        (a placeholder: your own trace, in any form bench --trace reads)`,
    )
    .action(async (file: string, flags: TraceCommandFlags) => {
      await runTraceCommand(file, flags);
    });
}
