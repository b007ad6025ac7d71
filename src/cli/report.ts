/**
 * `edgepilot report <meta|shuffle|edge|weights|all>`: the reports, generated from runs. Each kind writes its steps
 * file, Markdown and PNGs into `<out>/<kind>/`; `all` runs the four and writes `<out>/README.md` indexing them.
 * meta (src/bench/reports/meta.ts) and weights (src/bench/reports/weights.ts) are other engineers' modules, loaded
 * dynamically: until they exist, that kind fails with a clear "not available yet" error and `all` carries on.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { runShuffleReport, SHUFFLE_DEFAULTS } from '../bench/reports/shuffle.ts';
import { runEdgeReport } from '../bench/reports/edge.ts';
import { DEFAULT_AGENT, ReportUnavailableError, type ReportOptions, type ReportResult, type ReportRunner } from '../bench/reports/common.ts';
import { didYouMean, ensureOutputDir, parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { checkPolicyId, MAX_SEEDS, MAX_SEEDS_WHY, MAX_STEPS, MAX_STEPS_WHY } from './bench.ts';
import { ProgressBar } from './progress.ts';
import { addTraceReadOptions, describeTraceReplay, loadTraceFlag, resolveTraceFlags, traceParseOptions } from './trace-flags.ts';
import type { Trace } from '../workload/trace.ts';
import { DEFAULT_CONTROL_INTERVAL_S } from '../env/spark-iot-env.ts';

export const REPORT_KINDS = ['meta', 'shuffle', 'edge', 'weights'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** --quick's default --out: not reports/, whose committed full-run reports a quick run would overwrite. */
export const QUICK_OUT = join('runs', 'reports-quick');

/** The meta report runs the four mode phases one after the other (src/bench/reports/meta.ts): a step each at least. */
const META_MIN_STEPS = 4;

/** One line per kind, for --help and the README index. */
export const REPORT_DESCRIPTIONS: Record<ReportKind, string> = {
  meta: 'TD3 meta-controller and mode switch (src/bench/reports/meta.ts)',
  shuffle: "adaptive shuffle: the agent's tier/codec vs every fixed tier x codec and the size-threshold rule, by data temperature",
  edge: 'edge-cloud: edge-rl vs rl-no-edge around burst onsets, provisioning lead time, forecaster accuracy',
  weights: 'reward-weight sensitivity of the agent (src/bench/reports/weights.ts)',
};

/** The external report modules: file, exported function, owner. */
const EXTERNAL: Record<'meta' | 'weights', { file: string; exportName: string }> = {
  meta: { file: '../bench/reports/meta.ts', exportName: 'runMetaReport' },
  weights: { file: '../bench/reports/weights.ts', exportName: 'runWeightsReport' },
};

/**
 * Load `exportName` from the module at `moduleUrl`; a missing module or export is a ReportUnavailableError naming it
 * (an error inside an existing module is rethrown as is).
 */
export async function loadReportRunner(kind: string, moduleUrl: string, exportName: string): Promise<ReportRunner> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleUrl)) as Record<string, unknown>;
  } catch (err) {
    const e = err as { code?: string; url?: string; message?: string };
    const path = new URL(moduleUrl).pathname;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && (e.url === moduleUrl || (e.message ?? '').includes(`'${path}'`))) {
      throw new ReportUnavailableError(`report '${kind}' is not available yet: ${relative(process.cwd(), path) || path} does not exist`);
    }
    throw err;
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new ReportUnavailableError(`report '${kind}' is not available yet: ${relative(process.cwd(), new URL(moduleUrl).pathname)} does not export ${exportName}()`);
  return fn as ReportRunner;
}

export interface ReportCliOptions {
  out?: string;
  seeds?: string;
  steps?: string;
  quick?: boolean;
  json?: boolean;
  agent?: string;
  maskedAgent?: string;
  scenario?: string;
  trace?: string;
  traceStepS?: string;
  traceFormat?: string;
  traceColumns?: string;
}

export interface ResolvedReport {
  kinds: ReportKind[];
  all: boolean;
  out: string;
  seeds: number;
  steps: number;
  quick: boolean;
  agent?: string;
  maskedAgent?: string;
  scenarios?: ScenarioName[];
  /** Every report's workload, when --trace is given (loaded once, here). */
  trace?: Trace;
}

/** Arguments -> a validated plan (UsageError, exit 2, on anything wrong). */
export function resolveReportOptions(kindArg: string, o: ReportCliOptions): ResolvedReport {
  const valid = [...REPORT_KINDS, 'all'];
  if (!valid.includes(kindArg)) throw new UsageError(`unknown report '${kindArg}'; valid reports: ${valid.join(', ')}${didYouMean(kindArg, valid)}`);
  const all = kindArg === 'all';
  const quick = o.quick === true;
  const seeds = o.seeds !== undefined ? parseIntOption('--seeds', o.seeds, 1, MAX_SEEDS, MAX_SEEDS_WHY) : quick ? SHUFFLE_DEFAULTS.quickSeeds : SHUFFLE_DEFAULTS.seeds;
  const steps = o.steps !== undefined ? parseIntOption('--steps', o.steps, 1, MAX_STEPS, MAX_STEPS_WHY) : quick ? SHUFFLE_DEFAULTS.quickSteps : SHUFFLE_DEFAULTS.steps;
  if ((all || kindArg === 'meta') && steps < META_MIN_STEPS) throw new UsageError(`--steps must be >= ${META_MIN_STEPS} for the meta report (one step per mode phase at least), got '${o.steps}'`);
  let scenarios: ScenarioName[] | undefined;
  if (o.scenario !== undefined && o.scenario !== 'all') {
    const names = o.scenario.split(',').map((s) => s.trim());
    for (const n of names) if (!(SCENARIOS as readonly string[]).includes(n)) throw new UsageError(`unknown scenario '${n}'; valid scenarios: ${SCENARIOS.join(', ')}, all${didYouMean(n, [...SCENARIOS, 'all'])}`);
    // A scenario run twice makes its runs non-contiguous in the steps file, which the report then refuses after the work.
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new UsageError(`--scenario lists '${twice}' twice`);
    scenarios = names as ScenarioName[];
  }
  if (o.agent !== undefined && o.agent.trim() === '') throw new UsageError('--agent is empty');
  // Flags a kind does not read are an error, not silently ignored.
  if (o.agent !== undefined && (kindArg === 'meta' || kindArg === 'weights')) throw new UsageError(`--agent applies to the shuffle and edge reports, not to '${kindArg}'`);
  // The meta report's worlds are its own (the mode-switch story on each IoT scenario); weights does read --scenario.
  if (o.scenario !== undefined && kindArg === 'meta') throw new UsageError("--scenario applies to the shuffle, edge and weights reports, not to 'meta' (it runs its mode-switch worlds on every IoT scenario)");
  if (o.maskedAgent !== undefined && kindArg !== 'edge' && !all) throw new UsageError(`--masked-agent applies to the edge report only, not to '${kindArg}'`);
  // An unregistered id is the user's typo (exit 2); a registered one that cannot run (no checkpoint) is the report's to say.
  if (o.agent !== undefined) checkPolicyId('--agent', o.agent);
  if (o.maskedAgent !== undefined) checkPolicyId('--masked-agent', o.maskedAgent);
  const traceFlags = resolveTraceFlags(o);
  const trace = traceFlags.trace === undefined ? undefined : loadTraceFlag(traceFlags.trace, traceParseOptions(traceFlags));
  return {
    kinds: all ? [...REPORT_KINDS] : [kindArg as ReportKind],
    all,
    // reports/ holds the committed full runs: a quick run's numbers go elsewhere unless asked.
    out: o.out ?? (quick ? QUICK_OUT : 'reports'),
    seeds,
    steps,
    quick,
    agent: o.agent,
    maskedAgent: o.maskedAgent,
    scenarios,
    ...(trace ? { trace } : {}),
  };
}

/** The trace and the line that says how it is replayed, for any report (nothing without --trace). */
function traceExtras(plan: ResolvedReport): { trace?: Trace; traceNote?: string } {
  return plan.trace ? { trace: plan.trace, traceNote: describeTraceReplay(plan.trace, true, plan.steps * DEFAULT_CONTROL_INTERVAL_S) } : {};
}

/** Runs one kind into `<out>/<kind>/`. */
export async function runReportKind(kind: ReportKind, plan: ResolvedReport, command: string, silent = false): Promise<ReportResult> {
  const base: ReportOptions = { outDir: join(plan.out, kind), seeds: plan.seeds, steps: plan.steps, quick: plan.quick };
  // The runner knows the number of runs; the bar is created at the first report of progress.
  let bar: ProgressBar | null = null;
  const onProgress = (done: number, total: number, label: string): void => {
    bar ??= new ProgressBar({ label: `report ${kind}`, total, silent });
    bar.set(done, label);
  };
  if (kind === 'meta' || kind === 'weights') {
    const ext = EXTERNAL[kind];
    const runner = await loadReportRunner(kind, new URL(ext.file, import.meta.url).href, ext.exportName);
    if (!silent) process.stderr.write(`report ${kind}: running ${ext.exportName} (${plan.seeds} seeds x ${plan.steps} steps)\n`);
    // Optional extras: a runner that does not know them ignores them.
    const result = await runner({ ...base, onProgress, ...(plan.scenarios ? { scenarios: plan.scenarios } : {}), ...traceExtras(plan) });
    (bar as ProgressBar | null)?.finish();
    return result;
  }
  const common = { ...base, agent: plan.agent, scenarios: plan.scenarios, onProgress, command, ...traceExtras(plan) };
  const result = kind === 'shuffle' ? await runShuffleReport(common) : await runEdgeReport({ ...common, noEdgeAgent: plan.maskedAgent });
  (bar as ProgressBar | null)?.finish();
  return result;
}

export interface KindOutcome {
  kind: ReportKind;
  status: 'ok' | 'unavailable' | 'failed';
  markdownPath?: string;
  pngPaths?: string[];
  summary?: Record<string, unknown>;
  error?: string;
}

/** `<out>/README.md`: the index of the four reports (links, or why one is missing). */
export function readmeText(plan: ResolvedReport, outcomes: readonly KindOutcome[], command: string): string {
  const rows = outcomes.map((o) => {
    const link = o.markdownPath ? `[${relative(plan.out, o.markdownPath)}](${relative(plan.out, o.markdownPath)})` : '—';
    const plots = o.pngPaths && o.pngPaths.length ? o.pngPaths.map((p) => `[${relative(plan.out, p)}](${relative(plan.out, p)})`).join(', ') : '—';
    const agent = typeof o.summary?.['agent'] === 'string' ? ` (agent \`${o.summary['agent']}\`)` : '';
    const status = o.status === 'ok' ? `written${agent}` : `${o.status}: ${(o.error ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')}`;
    return `| ${o.kind} | ${REPORT_DESCRIPTIONS[o.kind]} | ${link} | ${plots} | ${status} |`;
  });
  return [
    '# Edgepilot reports',
    '',
    `Command: \`${command}\``,
    '',
    `${plan.seeds} paired ${plan.seeds === 1 ? 'seed' : 'seeds'} x ${plan.steps} control ${plan.steps === 1 ? 'step' : 'steps'} per run${plan.quick ? ' (--quick)' : ''}. Each report's numbers are computed from the \`steps.csv.gz\` in its folder.`,
    '',
    '| report | what it shows | Markdown | plots | status |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'How each report is built: docs/REPORTS.md.',
    '',
  ].join('\n');
}

export async function runReportCommand(kindArg: string, o: ReportCliOptions): Promise<void> {
  const plan = resolveReportOptions(kindArg, o);
  // Before any run: an unusable --out fails now, not after the simulations.
  ensureOutputDir('--out', plan.out);
  const command = `edgepilot ${process.argv.slice(2).join(' ')}`.trim();
  const outcomes: KindOutcome[] = [];
  for (const kind of plan.kinds) {
    try {
      const r = await runReportKind(kind, plan, command, o.json === true);
      outcomes.push({ kind, status: 'ok', markdownPath: r.markdownPath, pngPaths: r.pngPaths, summary: r.summary });
      process.stdout.write(`report ${kind}: wrote ${[r.markdownPath, ...r.pngPaths].join(', ')}\n`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const unavailable = err instanceof ReportUnavailableError;
      const message = (err as Error).message;
      if (!plan.all && !unavailable) throw err; // a real failure of a single report: stack trace, exit 1
      outcomes.push({ kind, status: unavailable ? 'unavailable' : 'failed', error: message });
      process.stderr.write(`edgepilot: report ${kind}: ${message}\n`);
    }
  }
  if (plan.all) {
    const readme = join(plan.out, 'README.md');
    writeFileSync(readme, readmeText(plan, outcomes, command));
    process.stdout.write(`wrote ${readme}\n`);
  }
  const failed = outcomes.filter((x) => x.status !== 'ok');
  if (failed.length > 0) process.exitCode = 1;
  if (o.json) {
    if (plan.all) printJsonSummary({ kind: 'all', out: plan.out, readme: join(plan.out, 'README.md'), reports: outcomes });
    else printJsonSummary({ ...outcomes[0]!, out: plan.out });
  }
}

export function register(program: Command): void {
  addTraceReadOptions(
    program
      .command('report')
      .description('generate the reports (Markdown + PNG, numbers computed from the steps file each writes) into <out>/<kind>/')
      .argument('<kind>', `one of ${[...REPORT_KINDS, 'all'].join(', ')}: ${REPORT_KINDS.map((k) => `${k} = ${REPORT_DESCRIPTIONS[k]}`).join('; ')}; all = the four plus <out>/README.md`)
      .option('--out <dir>', `output folder (default reports; ${QUICK_OUT} with --quick, so a quick run leaves the committed full-run reports alone)`)
      .option('--seeds <n>', `paired seeds per variant and scenario, 1-${MAX_SEEDS.toLocaleString('en-US')} (default ${SHUFFLE_DEFAULTS.seeds}; ${SHUFFLE_DEFAULTS.quickSeeds} with --quick)`)
      .option('--steps <n>', `control steps per run, 1-${MAX_STEPS.toLocaleString('en-US')}, at least ${META_MIN_STEPS} for meta (default ${SHUFFLE_DEFAULTS.steps}; ${SHUFFLE_DEFAULTS.quickSteps} with --quick)`)
      .option('--quick', `small run (${SHUFFLE_DEFAULTS.quickSeeds} seeds x ${SHUFFLE_DEFAULTS.quickSteps} steps)`)
      .option('--agent <id>', `policy id of the agent for shuffle and edge (default ${DEFAULT_AGENT}, falling back to edge-rl-fixed)`)
      .option('--masked-agent <id>', 'policy id of the no-edge agent for the edge report (default: the agent\'s trained twin, rl-no-edge-meta for edge-rl, rl-no-edge for edge-rl-fixed; else the agent with its edge inputs masked)')
      .option('--scenario <names>', `comma-separated scenarios for shuffle, edge and weights (${SCENARIOS.join(', ')}) or all (default all; weights with --quick: balanced)`)
      .option('--trace <file>', 'replay a real trace instead of the synthetic processes in every run of the report (as bench --trace: rescaled to each scenario\'s peak): the meta report\'s mode-switch story, the shuffle choices, the edge report\'s burst windows and forecaster accuracy, the weights front'),
  )
    .option('--json', 'print one JSON summary object as the last stdout line (and no progress bar)')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot report all --quick                      the four reports and ${QUICK_OUT}/README.md, small runs
  edgepilot report edge --scenario healthcare --seeds 5 --out runs/reports
  edgepilot report shuffle --agent threshold-forecast --quick
  edgepilot report meta --seeds 20 --trace ../shared/traces/twitter-stream-2021/rate_60s.csv --trace-step-s 60 --out runs/meta-twitter
                                                    the mode-switch story on a real trace`,
    )
    .action(async (kind: string, opts: ReportCliOptions) => {
      await runReportCommand(kind, opts);
    });
}
