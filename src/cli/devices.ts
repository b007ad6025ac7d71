/**
 * `edgepilot devices`: run a simulated IoT fleet against an MQTT broker until the duration ends, then print
 * what was published, acknowledged and how often the connection was re-established.
 */
import type { Command } from 'commander';
import { SCENARIOS } from '../env/spark-iot-types.ts';
import { constantRate, DeviceFleet, loadRateTrace, MAX_FLEET_DEVICES, type RateFunction } from '../runtime/devices/fleet.ts';
import { BrokerConnectError, detectProtocolVersion, publishSchedule, type PublishSummary } from '../runtime/devices/publisher.ts';
import { isScenarioName } from '../runtime/devices/topics.ts';
import { didYouMean, parseFloatOption, parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { ProgressBar } from './progress.ts';
import { addTraceReadOptions, readTraceWithProgress, resolveTraceFlags, traceParseOptions } from './trace-flags.ts';

interface DevicesFlags {
  mqttUrl?: string;
  scenario: string;
  rate?: string;
  trace?: string;
  traceStepS?: string;
  traceFormat?: string;
  traceColumns?: string;
  duration: string;
  devices: string;
  seed: string;
  protocol: string;
  maxInFlight: string;
  startHour: string;
  json?: boolean;
}

/** Default publish rate when neither --rate nor --trace is given (a small smoke-test load). */
const DEFAULT_RATE_MSGS_PER_S = 50;

/** DeviceFleet's bound, checked here so that it is a usage error before connecting. */
export const MAX_DEVICES = MAX_FLEET_DEVICES;

export function register(program: Command): void {
  addTraceReadOptions(
    program
      .command('devices')
      .description('simulate an IoT device fleet publishing JSON readings to MQTT at QoS 1')
      .option('--mqtt-url <url>', 'broker address, e.g. mqtt://127.0.0.1:1883 (required)')
      .option('--scenario <name>', `fleet kind: ${SCENARIOS.join(' | ')}`, 'smart-city')
      .option('--rate <msgsPerS>', `aggregate publish rate, messages/s (default ${DEFAULT_RATE_MSGS_PER_S})`)
      .option('--trace <file>', "a rate trace in any form bench --trace reads (t,rate rows in seconds and messages/s, an event log of dates or Unix times, JSON lines, an access log, a list of rates, a wide table; plain or gzip), instead of --rate; not rescaled"),
  )
    .option('--duration <s>', 'seconds to publish', '10')
    .option('--devices <n>', `number of devices, 1-${MAX_DEVICES.toLocaleString('en-US')}`, '20')
    .option('--seed <n>', 'random seed (same seed, same messages)', '1')
    .option('--protocol <v>', 'MQTT protocol version: auto | 4 (3.1.1, aedes) | 5 (Mosquitto)', 'auto')
    .option('--max-in-flight <n>', 'most unacknowledged messages at once', '100')
    .option('--start-hour <h>', 'local hour of day at the start (rush hours 7-9, 17-19)', '8')
    .option('--json', 'print the summary as one JSON line (the last line of stdout; no progress bar)')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot devices --mqtt-url mqtt://127.0.0.1:1883 --rate 200 --duration 60
  edgepilot devices --mqtt-url mqtt://127.0.0.1:1883 --scenario healthcare --trace ../shared/traces/twitter-stream-2021/rate_60s.csv --trace-step-s 60`,
    )
    .action(async (flags: DevicesFlags) => {
      await runDevices(flags);
    });
}

async function runDevices(flags: DevicesFlags): Promise<void> {
  try {
    await publishFleet(flags);
  } catch (err) {
    // An unreachable or refusing broker is an operational condition: a clean message, exit 1, no stack.
    if (!(err instanceof BrokerConnectError)) throw err;
    process.stderr.write(`edgepilot devices: ${err.message}\n`);
    process.exitCode = 1;
  }
}

async function publishFleet(flags: DevicesFlags): Promise<void> {
  if (!flags.mqttUrl) throw new UsageError('--mqtt-url is required (e.g. mqtt://127.0.0.1:1883)');
  if (!/^mqtts?:\/\/[^/]+/.test(flags.mqttUrl)) throw new UsageError(`--mqtt-url must look like mqtt://host:port, got '${flags.mqttUrl}'`);
  if (!isScenarioName(flags.scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}, got '${flags.scenario}'${didYouMean(flags.scenario, SCENARIOS)}`);
  if (flags.rate !== undefined && flags.trace !== undefined) throw new UsageError('give either --rate or --trace, not both');
  const durationS = parseFloatOption('--duration', flags.duration);
  if (durationS <= 0) throw new UsageError(`--duration must be > 0 seconds, got '${flags.duration}'`);
  const devices = parseIntOption('--devices', flags.devices, 1, MAX_DEVICES);
  const seed = parseIntOption('--seed', flags.seed, 0);
  const maxInFlight = parseIntOption('--max-in-flight', flags.maxInFlight, 1);
  const startHourOfDay = parseFloatOption('--start-hour', flags.startHour);
  if (startHourOfDay < 0 || startHourOfDay >= 24) throw new UsageError(`--start-hour must be in [0, 24), got '${flags.startHour}'`);
  if (!['auto', '4', '5'].includes(flags.protocol)) throw new UsageError(`--protocol must be auto, 4 or 5, got '${flags.protocol}'`);

  const traceFlags = resolveTraceFlags(flags);
  let rate: RateFunction;
  if (flags.trace !== undefined) {
    try {
      const path = flags.trace;
      rate = readTraceWithProgress(path, (fileOptions) => loadRateTrace(path, traceParseOptions(traceFlags), fileOptions));
    } catch (err) {
      // Named like bench's --trace errors: the flag, the file, then the parser's line and reason.
      const message = err instanceof Error ? err.message : String(err);
      throw new UsageError(`--trace ${flags.trace}: ${message.startsWith(`${flags.trace}: `) ? message.slice(flags.trace.length + 2) : message}`);
    }
  } else {
    const rateMsgsPerS = flags.rate === undefined ? DEFAULT_RATE_MSGS_PER_S : parseFloatOption('--rate', flags.rate);
    if (rateMsgsPerS < 0) throw new UsageError(`--rate must be >= 0 messages/s, got '${flags.rate}'`);
    rate = constantRate(rateMsgsPerS);
  }

  const protocolVersion = flags.protocol === 'auto' ? await detectProtocolVersion(flags.mqttUrl) : (Number(flags.protocol) as 4 | 5);
  const fleet = new DeviceFleet({ scenario: flags.scenario, devices, seed, rate, durationS, startHourOfDay });

  // Ctrl-C stops taking new messages; the ones in flight are still drained and the summary printed.
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const bar = new ProgressBar({ label: `devices ${flags.scenario}`, total: durationS, silent: flags.json === true });
  let summary: PublishSummary;
  try {
    summary = await publishSchedule(fleet, {
      mqttUrl: flags.mqttUrl,
      protocolVersion,
      maxInFlight,
      signal: abort.signal,
      onProgress: (p) => bar.set(Math.min(durationS, Math.round(p.elapsedS * 10) / 10), `published ${p.published} acked ${p.acked} reconnects ${p.reconnects}`),
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  bar.finish(`published ${summary.published} acked ${summary.acked} reconnects ${summary.reconnects}`);

  const result = {
    command: 'devices',
    mqttUrl: flags.mqttUrl,
    scenario: flags.scenario,
    devices,
    seed,
    protocolVersion,
    durationS,
    published: summary.published,
    acked: summary.acked,
    unacked: summary.unacked,
    republished: summary.republished,
    reconnects: summary.reconnects,
    maxLagS: Math.round(summary.maxLagS * 1000) / 1000,
    elapsedS: Math.round(summary.elapsedS * 1000) / 1000,
    meanRateMsgsPerS: Math.round((summary.published / Math.max(summary.elapsedS, 1e-9)) * 10) / 10,
    aborted: summary.aborted,
  };
  if (flags.json) {
    printJsonSummary(result);
  } else {
    process.stdout.write(
      `devices: ${result.scenario}, ${devices} devices, seed ${seed}, MQTT v${protocolVersion === 5 ? '5' : '3.1.1'} at ${flags.mqttUrl}\n` +
        `published ${result.published}, acked ${result.acked}, unacked ${result.unacked}, reconnects ${result.reconnects}, ` +
        `mean ${result.meanRateMsgsPerS} msgs/s over ${result.elapsedS} s (max lag ${result.maxLagS} s)\n`,
    );
  }
  if (summary.unacked > 0) {
    process.stderr.write(`edgepilot devices: ${summary.unacked} messages were never acknowledged by the broker\n`);
    process.exitCode = 1;
  }
}
