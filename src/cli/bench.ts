/**
 * `edgepilot bench`: the benchmark tournament. Runs every selected policy over N paired seeds on every selected
 * scenario, prints the table and writes results_summary.csv, steps.csv.gz, benchmark_plots.png and report.md.
 * The steps file is written as the runs produce it and the summary is built run by run, so no step records are held
 * in memory: a run's length is bounded by time and disk, not by the heap.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { defaultPolicyIds, policyIds, UnknownPolicyError, getPolicyEntry } from '../policies/registry.ts';
import { runTournament, seedFor, type EnvFactory } from '../bench/tournament.ts';
import { formatSummaryCsv } from '../bench/summary.ts';
import { StepsFileWriter, fillStepsFile } from '../bench/steps-log.ts';
import { renderBenchmarkPng } from '../bench/plots.ts';
import { buildReport, formatTable, mainAgent } from '../bench/report.ts';
import { checkFeasibility, sweepOracle, sweepSettings, type WorldFeasibility } from '../bench/oracle-sweep.ts';
import { didYouMean, ensureOutputDir, parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { ProgressBar } from './progress.ts';
import type { Trace, TraceFormat } from '../workload/trace.ts';
import { compareShapes, describeShapeContrast, shapeLengthS, type ShapeScenario } from '../workload/load-shape.ts';
import { addTraceReadOptions, addTraceReplayOptions, describeTraceReplay, loadTraceFlag, resolveTraceFlags, resolveTraceReplayFlags, TRACE_FLAG_HELP, traceFlagError, traceParseOptions } from './trace-flags.ts';
import { CONFIG_FLAG_HELP, configFileFlag } from './config-flag.ts';
import { describeConfigFile, type ConfigFile } from '../core/config-file.ts';
import type { Policy } from '../policies/types.ts';
import { RestartGatedPolicy } from '../policies/restart-gated.ts';
// The one line that wires the real simulator in (src/env/spark-iot-env.ts).
import { DEFAULT_CONTROL_INTERVAL_S, SparkIotEnv, SPARK_IOT_TARGETS, type SparkIotTarget } from '../env/spark-iot-env.ts';
import { ModeScheduleEnv, MODE_SWITCH_BASE_SCENARIO, MODE_SWITCH_SCENARIO } from '../meta/mode-env.ts';

// `--scenario mode-switch` (docs/META.md): the balanced world with the normal -> budget -> critical -> normal story;
// runnable by name, not part of `all` (the four IoT scenarios).
const makeEnv: EnvFactory = (opts) =>
  opts.scenario === MODE_SWITCH_SCENARIO
    ? new ModeScheduleEnv({ ...opts, scenario: MODE_SWITCH_BASE_SCENARIO, recordScenario: MODE_SWITCH_SCENARIO })
    : new SparkIotEnv({ ...opts, scenario: opts.scenario as ScenarioName });
const ENV_NAME = 'SparkIotEnv (src/env/spark-iot-env.ts)';

/**
 * Bounds of --steps and --seeds (bench, report, reproduce-seed, select-meta). A run's workload series is allocated up
 * front, about 240 bytes per step (three float arrays, one slot per simulated second, 10 s per step): 100,000 steps is
 * 24 MB and 11.6 simulated days, where 10^12 would fail with a RangeError deep in the simulator. 100,000 seeds of
 * the 14 default policies are 1.4 million runs, days of work.
 */
export const MAX_STEPS = 100_000;
export const MAX_SEEDS = 100_000;
export const MAX_STEPS_WHY = 'each run allocates its workload up front, 240 bytes per step';
export const MAX_SEEDS_WHY = 'more would run for days';

/** The policy ids, checked: an unknown one is a UsageError listing the valid ones, with the close name if any. */
export function checkPolicyId(flag: string, id: string): void {
  try {
    getPolicyEntry(id);
  } catch (err) {
    if (err instanceof UnknownPolicyError) throw new UsageError(`${flag}: ${err.message}${didYouMean(id, policyIds())}`);
    throw err;
  }
}

export interface BenchOptions {
  scenario?: string;
  policies?: string;
  seeds?: string;
  steps?: string;
  trace?: string;
  traceStepS?: string;
  /** auto (default), series, events, wide or access-log: how the trace's rows are read (src/workload/trace.ts traceReading). */
  traceFormat?: string;
  /** Comma-separated columns (names or 1-based numbers) in the reading's order. */
  traceColumns?: string;
  /** A gaps file (string), or false from --no-trace-gaps; unset: gaps.csv beside the trace, if any. */
  traceGaps?: string | boolean;
  /** false from --no-trace-rescale: the trace's rates are replayed as msgs/s. */
  traceRescale?: boolean;
  /** Both --trace-gaps and --no-trace-gaps were given (refused). */
  traceGapsBoth?: boolean;
  out?: string;
  quick?: boolean;
  json?: boolean;
  /** 'embedded' (default) or 'spark-k8s': memory/codec/tier changes restart the application (docs/SPARK.md). */
  target?: string;
  /** Every policy behind the restart gate of the Spark actuator (src/policies/restart-gated.ts); spark-k8s target only. */
  restartGate?: boolean;
  /** Also run the oracle's rule at 40 settings and say in the report which bars foresight can clear (src/bench/oracle-sweep.ts). */
  oracleSweep?: boolean;
  /** A JSON file of config overrides (src/core/config-file.ts). */
  config?: string;
}

export interface ResolvedBench {
  scenarios: string[];
  policies: string[];
  seeds: number;
  steps: number;
  trace?: string;
  traceStepS?: number;
  traceFormat?: TraceFormat;
  traceColumns?: string[];
  traceGaps?: string | false;
  /** False: the trace's rates as msgs/s, not rescaled so that its p99 is the scenario's peak. */
  traceRescale: boolean;
  out: string;
  target: SparkIotTarget;
  restartGate: boolean;
  oracleSweep: boolean;
  configFile?: ConfigFile;
}

/** Flags -> a validated run plan (UsageError, exit 2, on anything wrong). */
export function resolveBenchOptions(o: BenchOptions): ResolvedBench {
  const scenarioArg = o.scenario ?? (o.quick ? 'all' : 'balanced');
  const valid = [...SCENARIOS] as string[];
  // One name, not a list (report --scenario takes lists): a list here would be called an unknown scenario.
  if (scenarioArg.includes(',')) throw new UsageError(`--scenario takes one scenario (${valid.join(', ')}, ${MODE_SWITCH_SCENARIO}) or all, not a list: '${scenarioArg}'`);
  if (scenarioArg !== 'all' && scenarioArg !== MODE_SWITCH_SCENARIO && !valid.includes(scenarioArg)) {
    throw new UsageError(`unknown scenario '${scenarioArg}'; valid scenarios: ${valid.join(', ')}, all, ${MODE_SWITCH_SCENARIO}${didYouMean(scenarioArg, [...valid, 'all', MODE_SWITCH_SCENARIO])}`);
  }
  const scenarios = scenarioArg === 'all' ? valid : [scenarioArg];
  // An empty --policies is an error, not the defaults (`--policies ""` is falsy).
  const policies = o.policies !== undefined ? o.policies.split(',').map((p) => p.trim()).filter((p) => p.length > 0) : defaultPolicyIds();
  if (policies.length === 0) throw new UsageError(`--policies is empty; valid policies: ${policyIds().join(', ')}`);
  for (const p of policies) checkPolicyId('--policies', p);
  if (new Set(policies).size !== policies.length) throw new UsageError(`--policies lists a policy twice: ${policies.join(',')}`);
  const seeds = o.seeds !== undefined ? parseIntOption('--seeds', o.seeds, 1, MAX_SEEDS, MAX_SEEDS_WHY) : o.quick ? 3 : 10;
  const steps = o.steps !== undefined ? parseIntOption('--steps', o.steps, 1, MAX_STEPS, MAX_STEPS_WHY) : o.quick ? 120 : 500;
  const { traceStepS, traceFormat, traceColumns } = resolveTraceFlags(o);
  const { traceGaps, traceRescale } = resolveTraceReplayFlags(o);
  const target = (o.target ?? 'embedded') as SparkIotTarget;
  if (!(SPARK_IOT_TARGETS as readonly string[]).includes(target)) throw new UsageError(`unknown --target '${o.target}'; valid targets: ${SPARK_IOT_TARGETS.join(', ')}${didYouMean(target, SPARK_IOT_TARGETS)}`);
  const restartGate = o.restartGate === true;
  if (restartGate && target !== 'spark-k8s') throw new UsageError(`--restart-gate: only with --target spark-k8s (the embedded engine changes memory, codec and tier without a restart)`);
  const tag = o.quick && o.scenario === undefined ? 'quick' : scenarioArg;
  const out = o.out ?? join('runs', `bench-${tag}${o.trace ? `-${basename(o.trace).replace(/(\.[^.]*)?(\.gz)?$/, '')}` : ''}${target === 'embedded' ? '' : `-${target}`}${restartGate ? '-gated' : ''}`);
  const oracleSweep = o.oracleSweep === true;
  if (oracleSweep && scenarios.includes(MODE_SWITCH_SCENARIO)) throw new UsageError(`--oracle-sweep: not for ${MODE_SWITCH_SCENARIO} (the oracle has no notion of the modes' objectives); use it with the IoT scenarios`);
  if (oracleSweep && restartGate) throw new UsageError('--oracle-sweep: not with --restart-gate (the sweep runs the oracle\'s rule ungated)');
  const configFile = o.config === undefined ? undefined : configFileFlag(o.config);
  return { ...(configFile ? { configFile } : {}), scenarios, policies, seeds, steps, trace: o.trace, traceStepS, ...(traceFormat !== undefined ? { traceFormat } : {}), ...(traceColumns !== undefined ? { traceColumns } : {}), ...(traceGaps !== undefined ? { traceGaps } : {}), traceRescale, out, target, restartGate, oracleSweep };
}

export async function runBench(o: BenchOptions, baseFactory: EnvFactory = makeEnv, envName = ENV_NAME): Promise<void> {
  const plan = resolveBenchOptions(o);
  // The spark-k8s target prices restarts in (src/env/spark-iot-env.ts); the default leaves the env options untouched.
  const targeted: EnvFactory = plan.target === 'embedded' ? baseFactory : (opts) => baseFactory({ ...opts, target: plan.target });
  const rescaled: EnvFactory = plan.traceRescale ? targeted : (opts) => targeted({ ...opts, rescaleTrace: false });
  const config = plan.configFile?.config;
  const factory: EnvFactory = config ? (opts) => rescaled({ ...opts, config }) : rescaled;
  if (plan.configFile) process.stderr.write(`config ${describeConfigFile(plan.configFile)}\n`);
  // The trace is loaded once here (not by each env the tournament builds) and handed down parsed.
  let trace: Trace | undefined;
  let traceNote: string | undefined;
  if (plan.trace !== undefined) {
    // Load the trace and build one env up front so a malformed trace is a usage error (exit 2), not a crash in the
    // middle of the run.
    trace = loadTraceFlag(plan.trace, { ...traceParseOptions(plan), gaps: plan.traceGaps });
    try {
      factory({ scenario: plan.scenarios[0]!, maxSteps: plan.steps, trace });
      traceNote = describeTraceReplay(trace, plan.traceRescale, plan.steps * DEFAULT_CONTROL_INTERVAL_S);
      // How far the trace is from the worlds the agents trained on, beside the results it explains: seed 1's replay
      // over the trace's span (up to a day, as `edgepilot trace`); mode-switch runs on its base scenario.
      const shapeScenarios = [...new Set(plan.scenarios.map((sc) => (sc === MODE_SWITCH_SCENARIO ? MODE_SWITCH_BASE_SCENARIO : sc)))] as ShapeScenario[];
      const shapes = compareShapes(trace, shapeScenarios, shapeLengthS(trace, DEFAULT_CONTROL_INTERVAL_S), 1, plan.traceRescale, DEFAULT_CONTROL_INTERVAL_S, config);
      traceNote += `; ${describeShapeContrast(shapes, DEFAULT_CONTROL_INTERVAL_S)}`;
    } catch (err) {
      throw traceFlagError(plan.trace, (err as Error).message);
    }
    process.stderr.write(`trace ${plan.trace}: ${traceNote}\n`);
  }
  // The output folder and the steps file are opened before simulating: an unusable --out fails now, not at the end.
  let steps: StepsFileWriter;
  ensureOutputDir('--out', plan.out);
  try {
    steps = new StepsFileWriter(join(plan.out, 'steps.csv.gz'));
  } catch (err) {
    throw new UsageError(`--out ${plan.out}: ${(err as Error).message}`);
  }
  const total = plan.scenarios.length * plan.policies.length * plan.seeds;
  // --json: stdout is for a program, and so is the quiet stderr.
  const bar = new ProgressBar({ label: 'bench', total, silent: o.json === true });
  // The report's control interval: the env's clock between the first run's first two steps (a 1-step run has none).
  const firstRunTimesS: number[] = [];
  let runsDone = 0;
  // No truncated steps.csv.gz on a failure: the partial file is deleted (an older complete one is left as it was).
  const { summary } = fillStepsFile(steps, () =>
    runTournament({
      scenarios: plan.scenarios,
      policies: plan.policies,
      seeds: plan.seeds,
      steps: plan.steps,
      ...(trace ? { trace } : {}),
      ...(config ? { config } : {}),
      makeEnv: factory,
      ...(plan.restartGate ? { wrapPolicy: (p: Policy) => new RestartGatedPolicy(p, config) } : {}),
      onRecord: (r) => {
        steps.write(r);
        if (runsDone === 0 && firstRunTimesS.length < 2) firstRunTimesS.push(r.tSeconds);
      },
      onRunDone: (done, _total, label) => {
        runsDone = done;
        bar.set(done, label);
      },
    }),
  );
  bar.finish();
  const agent = mainAgent(plan.policies);
  // The sweep's verdicts, once, for both the report and the JSON summary.
  let feasibility: WorldFeasibility[] | undefined;
  if (plan.oracleSweep) {
    const sweepBar = new ProgressBar({ label: 'oracle sweep', total: plan.scenarios.length * sweepSettings().length * plan.seeds, silent: o.json === true });
    const sweep = sweepOracle({ scenarios: plan.scenarios, seeds: plan.seeds, steps: plan.steps, ...(trace ? { trace } : {}), makeEnv: factory, onRunDone: (done, _t, label) => sweepBar.set(done, label) });
    sweepBar.finish();
    feasibility = checkFeasibility(summary, sweep, agent);
  }

  writeFileSync(join(plan.out, 'results_summary.csv'), formatSummaryCsv(summary));
  const title = `Edgepilot tournament: ${plan.scenarios.join(', ')} (${plan.seeds} seeds x ${plan.steps} steps)`;
  writeFileSync(join(plan.out, 'benchmark_plots.png'), await renderBenchmarkPng(summary, title));
  const controlIntervalS = firstRunTimesS.length === 2 ? firstRunTimesS[1]! - firstRunTimesS[0]! : DEFAULT_CONTROL_INTERVAL_S;
  const report = buildReport(
    summary,
    {
      command: `edgepilot bench ${process.argv.slice(2).filter((a) => a !== 'bench').join(' ')}`.trim(),
      scenarios: plan.scenarios,
      policies: plan.policies,
      seeds: Array.from({ length: plan.seeds }, (_, i) => seedFor(i)),
      steps: plan.steps,
      trace: plan.trace === undefined ? undefined : `${plan.trace} (${traceNote})`,
      ...(plan.configFile ? { config: describeConfigFile(plan.configFile) } : {}),
      controlIntervalS,
      ...(feasibility ? { oracleFeasibility: feasibility } : {}),
      envName: (plan.target === 'embedded' ? '' : `[target ${plan.target}${plan.restartGate ? ', every policy behind the restart gate' : ''}] `) + (plan.scenarios.includes(MODE_SWITCH_SCENARIO) ? `${envName} with the mode schedule of ModeScheduleEnv (src/meta/mode-env.ts, docs/META.md)` : envName),
    },
    'benchmark_plots.png',
  );
  writeFileSync(join(plan.out, 'report.md'), report);

  process.stdout.write(`${formatTable(summary)}\n\nwrote ${plan.out}/{results_summary.csv,steps.csv.gz,benchmark_plots.png,report.md}\n`);
  // The sweep's verdicts are only in the report (and --json): say where, or a user sees no trace of the sweep.
  if (feasibility) process.stdout.write(`oracle sweep: ${sweepSettings().length} settings x ${feasibility.length} ${feasibility.length === 1 ? 'world' : 'worlds'}; which bars foresight clears: ${join(plan.out, 'report.md')}, section "How far foresight gets"\n`);
  if (o.json) {
    printJsonSummary({
      out: plan.out,
      rows: summary.map(({ runs: _runs, ...row }) => row),
      ...(feasibility
        ? {
            oracleSweep: feasibility.map((w) => ({
              world: w.world,
              settings: w.settings,
              paretoMet: w.paretoMet,
              thirdMet: w.thirdMet,
              agent: agent ?? null,
              matchedCostRatio: w.matched?.costRatio ?? null,
            })),
          }
        : {}),
    });
  }
}

export function register(program: Command): void {
  addTraceReplayOptions(addTraceReadOptions(
    program
      .command('bench')
      .description('benchmark tournament: every policy x scenario x paired seed; writes summary, steps, plots and report')
      .option('--scenario <name>', `scenario (${SCENARIOS.join(', ')}), all (those four), or ${MODE_SWITCH_SCENARIO} (normal -> budget -> critical -> normal on balanced; docs/META.md) (default: balanced; all with --quick)`)
      .option('--policies <ids>', `comma-separated policy ids (default: ${defaultPolicyIds().join(',')}; also available: ${policyIds().filter((p) => !defaultPolicyIds().includes(p)).join(',') || 'none'})`)
      .option('--seeds <n>', `seeds per policy and scenario, 1-${MAX_SEEDS.toLocaleString('en-US')} (default 10; 3 with --quick)`)
      .option('--steps <n>', `control steps per run (${DEFAULT_CONTROL_INTERVAL_S} s each), 1-${MAX_STEPS.toLocaleString('en-US')} (default 500; 120 with --quick)`)
      .option('--trace <file.csv>', TRACE_FLAG_HELP.file),
  ))
    .option('--target <name>', "embedded (default) or spark-k8s: memory, codec and tier changes restart the application (docs/SPARK.md)")
    .option('--restart-gate', 'with --target spark-k8s: every policy runs behind the restart gate of the Spark actuator, as deployed (a memory, codec or tier change passes only when it pays; docs/SPARK.md)')
    .option('--out <dir>', 'output folder (default runs/bench-<scenario>, runs/bench-quick with --quick alone; -<trace file name>, -<target> and -gated appended when given)')
    .option('--quick', 'small run: all scenarios, 3 seeds, 120 steps')
    .option('--oracle-sweep', "also run the clairvoyant oracle's rule at 40 settings (capacity margin x latency share) and report which bars any of them clears (40 more runs per scenario and seed; the oracle is cheap to run)")
    .option('--config <file.json>', CONFIG_FLAG_HELP)
    .option('--json', 'print one JSON summary object as the last stdout line (and no progress bar)')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot bench --quick                                   all scenarios, 3 seeds x 120 steps
  edgepilot bench --scenario healthcare --policies fixed,edge-rl --seeds 5 --steps 200 --out runs/hc
  edgepilot bench --trace ../shared/traces/twitter-stream-2021/rate_60s.csv --trace-step-s 60 --policies threshold-forecast,edge-rl
  edgepilot bench --scenario all --target spark-k8s --restart-gate --policies keda-lag,edge-rl`,
    )
    .action(async (opts: BenchOptions) => {
      await runBench(opts);
    });
}
