/**
 * `edgepilot demo`: devices -> embedded MQTT broker -> edge gateway -> engine <-> controller -> dashboard, all in this
 * process (src/runtime/demo.ts). Prints the dashboard URL and token; with --duration it stops by itself, otherwise
 * on Ctrl-C (SIGINT/SIGTERM) or POST /api/stop. The summary checks that every published message was processed or
 * dropped with a reason; if not, the exit code is 1.
 */
import type { Command } from 'commander';
import { SCENARIOS } from '../env/spark-iot-types.ts';
import { isScenarioName } from '../runtime/devices/topics.ts';
import { DEFAULT_DEMO_PORT, startDemo, type DemoSummary } from '../runtime/demo.ts';
import { DEFAULT_RATE_SCALE } from '../runtime/demo-support.ts';
import { addTraceReadOptions, describeTraceReplay, loadTraceFlag, resolveTraceFlags, traceParseOptions } from './trace-flags.ts';
import { didYouMean, ensureOutputDir, parseFloatOption, parseIntOption, parseSecondsOption, printJsonSummary, UsageError } from './output.ts';
import { MAX_DEVICES } from './devices.ts';
import { livePolicyIds } from '../runtime/live-dashboard.ts';
import { policyIds } from '../policies/registry.ts';
import { CONFIG_FLAG_HELP, configFileFlag } from './config-flag.ts';
import { describeConfigFile } from '../core/config-file.ts';

interface DemoFlags {
  scenario: string;
  policy?: string;
  duration?: string;
  port: string;
  host: string;
  token?: string;
  seed: string;
  rateScale: string;
  devices: string;
  controlInterval: string;
  faultyEvery: string;
  trace?: string;
  traceStepS?: string;
  traceFormat?: string;
  traceColumns?: string;
  out?: string;
  json?: boolean;
  config?: string;
}

export function register(program: Command): void {
  addTraceReadOptions(
    program
      .command('demo')
      .description('run devices, MQTT broker, edge gateway, engine, controller and the live dashboard in one process')
      .option('--scenario <name>', `workload: ${SCENARIOS.join(' | ')}`, 'smart-city')
      .option('--policy <id>', `controller policy (default: edge-rl when its checkpoints exist, else threshold-forecast; one of ${livePolicyIds().join(', ')})`)
      .option('--duration <s>', 'stop after this many seconds (default: run until Ctrl-C)')
      .option('--port <n>', 'dashboard port (0 = any free port)', String(DEFAULT_DEMO_PORT))
      .option('--host <addr>', 'dashboard listen address', '127.0.0.1')
      .option('--token <t>', 'bearer token for the control endpoints (default: generated and printed)')
      .option('--seed <n>', 'random seed of the workload and devices', '1')
      .option('--rate-scale <k>', "divide the simulator's rates (and executor capacity) by k to fit this machine", String(DEFAULT_RATE_SCALE))
      .option('--devices <n>', `number of simulated devices, 1-${MAX_DEVICES.toLocaleString('en-US')}`, '200')
      .option('--control-interval <s>', 'seconds between control decisions', '5')
      .option('--faulty-every <s>', 'a faulty sensor sends one malformed payload every s seconds (0 = never)', '10')
      .option('--trace <file.csv>', "drive the devices with a real trace (any form bench --trace reads, replayed as it does: rescaled to the scenario's peak) instead of the scenario's synthetic process"),
  )
    .option('--out <dir>', 'folder for window/alert outputs and the decision log (default runs/demo-<time>)')
    .option('--config <file.json>', CONFIG_FLAG_HELP)
    .option('--json', 'print the summary as one JSON line (the last line of stdout)')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot demo                                            open the printed dashboard URL; Ctrl-C stops
  edgepilot demo --scenario healthcare --policy threshold-forecast --duration 120 --port 0 --json`,
    )
    .action(async (flags: DemoFlags) => {
      await runDemo(flags);
    });
}

async function runDemo(flags: DemoFlags): Promise<void> {
  if (!isScenarioName(flags.scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}, got '${flags.scenario}'${didYouMean(flags.scenario, SCENARIOS)}`);
  // Checked here, with the close name, rather than after the broker and engine have started.
  if (flags.policy !== undefined && !livePolicyIds().includes(flags.policy)) {
    const what = policyIds().includes(flags.policy) ? `policy '${flags.policy}' cannot run live` : `unknown policy '${flags.policy}'`;
    throw new UsageError(`--policy: ${what}; valid live policies: ${livePolicyIds().join(', ')}${didYouMean(flags.policy, livePolicyIds())}`);
  }
  // Durations and intervals drive timers: bounded by the longest one Node.js has.
  const durationS = flags.duration === undefined ? undefined : parseSecondsOption('--duration', flags.duration);
  const port = parseIntOption('--port', flags.port, 0, 65535);
  const rateScale = parseFloatOption('--rate-scale', flags.rateScale);
  if (rateScale <= 0) throw new UsageError(`--rate-scale must be > 0, got '${flags.rateScale}'`);
  const controlIntervalS = parseSecondsOption('--control-interval', flags.controlInterval);
  const faultyEveryS = parseSecondsOption('--faulty-every', flags.faultyEvery, true);
  const seed = parseIntOption('--seed', flags.seed, 0);
  const devices = parseIntOption('--devices', flags.devices, 1, MAX_DEVICES);
  if (flags.token !== undefined && (flags.token.length < 8 || /\s/.test(flags.token))) throw new UsageError('--token must be at least 8 characters without spaces');
  if (flags.out !== undefined) ensureOutputDir('--out', flags.out);
  const traceFlags = resolveTraceFlags(flags);
  const trace = traceFlags.trace === undefined ? undefined : loadTraceFlag(traceFlags.trace, traceParseOptions(traceFlags));
  const configFile = flags.config === undefined ? undefined : configFileFlag(flags.config);
  if (configFile) process.stderr.write(`config ${describeConfigFile(configFile)}\n`);

  const abort = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`edgepilot demo: second ${name}: exiting without a clean shutdown\n`);
      process.exit(130);
    }
    process.stderr.write(`edgepilot demo: ${name}: shutting down cleanly (again to force)\n`);
    abort.abort();
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  let summary: DemoSummary;
  try {
    let handle;
    try {
      handle = await startDemo({
        scenario: flags.scenario,
        policy: flags.policy,
        durationS,
        port,
        host: flags.host,
        token: flags.token,
        seed,
        rateScale,
        devices,
        controlIntervalS,
        ...(configFile ? { config: configFile.config } : {}),
        faultyEverySeconds: faultyEveryS,
        ...(trace ? { trace } : {}),
        outputDir: flags.out,
        signal: abort.signal,
      });
    } catch (err) {
      // Bad policy ids and busy ports are the user's to fix: a clean message, exit 2.
      const text = err instanceof Error ? err.message : String(err);
      if (/unknown policy|cannot run live|cannot listen/.test(text)) throw new UsageError(text);
      throw err;
    }
    process.stdout.write(
      `edgepilot demo: ${flags.scenario}, policy ${handle.policy} (${handle.policyReason}), rates 1:${handle.rateScale} of the simulator's\n` +
        `dashboard: ${handle.url}\n` +
        `control token: ${handle.token}   (POST /api/policy, /api/mode, /api/stop with 'Authorization: Bearer <token>')\n` +
        `outputs: ${handle.outputDir}\n` +
        (trace ? `workload: trace ${flags.trace}: ${describeTraceReplay(trace)}\n` : '') +
        (durationS === undefined ? 'running until Ctrl-C\n' : `running for ${durationS} s\n`),
    );
    summary = await handle.done;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigterm);
  }

  process.stdout.write(
    `demo summary (${summary.elapsedS.toFixed(1)} s, policy ${summary.policy}):\n` +
      `  published ${summary.published}, ingested ${summary.ingested}, processed ${summary.processed}, dropped ${summary.dropped}, malformed ${summary.malformed}\n` +
      `  SLA violations ${summary.slaViolationPct.toFixed(1)} % of ${summary.decisions} decisions, cost $${summary.costUsd.toFixed(5)} (emulated cluster)\n` +
      summary.invariantLines.map((l) => `  ${l}\n`).join(''),
  );
  if (!summary.invariantOk) {
    process.stderr.write('edgepilot demo: a check failed (see the BAD line above)\n');
    process.exitCode = 1;
  }
  if (flags.json) {
    printJsonSummary({
      published: summary.published,
      ingested: summary.ingested,
      processed: summary.processed,
      dropped: summary.dropped,
      malformed: summary.malformed,
      slaViolationPct: round(summary.slaViolationPct, 2),
      costUsd: round(summary.costUsd, 6),
      decisions: summary.decisions,
    });
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
