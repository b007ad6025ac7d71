/**
 * Pipeline benchmark: sustained ingest through the live pipeline with the controller active, on the embedded broker.
 *
 *   npm run bench:pipeline -- [--rate 11000] [--duration 20] [--devices 500] [--no-gateway] [--policy threshold-forecast]
 *                             [--control-interval 1] [--max-in-flight 2000] [--publishers 3] [--rate-scale 1]
 *                             [--ingest mqtt|direct] [--forward-mode batch|single] [--gateway-link local|mqtt]
 *                             [--cpu-prof-dir DIR] [--json]
 *
 * The device fleets run in child processes (src/runtime/devices/fleet-process.ts: JSON over MQTT QoS 1, a PUBACK per
 * message), publishing at --rate in total to the embedded aedes broker in this process. They connect first and start
 * together on a signal, so the measured window begins at the first publish, not at process start-up. An edge gateway
 * in this process takes the device messages from the broker's router (--gateway-link local; 'mqtt' = as a QoS 1
 * subscriber over its own connection), validates, dedups and forwards batches over MQTT to the ingest topic (skip
 * the gateway with --no-gateway: the engine then subscribes to the device topics); the StreamEngine, subscribed over
 * MQTT, processes them; the ControlLoop (metrics -> policy -> shield -> actuator) decides every --control-interval s.
 *
 * Prints: ingest rate (messages accepted by the engine per second, from the first publish to the last message in),
 * end-to-end p95 latency (device timestamp -> window contribution; the p95 over control intervals of each interval's
 * p95), control-decision time (median / p99 of the loop's decisionMicros), loss = published - processed (drops are
 * listed by reason), and the CPU per message of this process and of the device processes.
 * Goal (issue 5): >= 10,000 msgs/s with zero loss. The default offered load is 11,000 msgs/s: at exactly 10,000 the
 * measured rate is always a little below 10,000 (the window also holds the last message's trip through the pipeline),
 * so the goal could never show as met. On a shared 2-core machine runs differ by tens of percent.
 * --cpu-prof-dir writes V8 CPU profiles of the device processes; run this process under `node --cpu-prof` for its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { connect } from '../runtime/devices/mqtt-client.ts';
import { loadConfig, type ScenarioConfig } from '../core/config.ts';
import { MAX_EXECUTORS } from '../core/action.ts';
import { ControlLoop, nominalExecutorCapacityMsgsPerS } from '../control/control-loop.ts';
import { EdgeGateway } from '../edge/gateway.ts';
import { MqttForecastSource } from '../edge/forecast-source.ts';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { deviceTopicFilter, TOPIC_ROOT } from '../runtime/devices/topics.ts';
import { DROP_REASONS, LocalEngineActuator, LocalEngineMetricsSource, StreamEngine } from '../runtime/engine/index.ts';
import { scaledForecasts, scaledMetrics } from '../runtime/demo-support.ts';
import { printJsonSummary, UsageError } from '../cli/output.ts';
import { parseBenchArgs } from './bench-args.ts';

const INGEST_FILTER = `${TOPIC_ROOT}/ingest/+`;

interface Args {
  rateMsgsPerS: number;
  durationS: number;
  devices: number;
  gateway: boolean;
  policy: string;
  controlIntervalS: number;
  maxInFlight: number;
  publishers: number;
  rateScale: number;
  /** How the gateway hands messages to the engine: over the broker's ingest topic, or in-process (co-located). */
  ingest: 'mqtt' | 'direct';
  /** How the gateway publishes to the ingest topic: batches (default) or one MQTT message per device message. */
  forwardMode: 'single' | 'batch';
  /**
   * How the gateway receives device messages from the embedded broker: 'local' (default) through the broker's router
   * in this process (LocalBrokerPort), 'mqtt' as a QoS 1 subscriber over its own MQTT connection.
   */
  gatewayLink: 'local' | 'mqtt';
  json: boolean;
  /** Write V8 CPU profiles of the device processes here (node --cpu-prof-dir), to see where their CPU goes. */
  cpuProfDir: string | null;
}

/**
 * One device process per scenario kind: their device ids differ by prefix (SC-, HC-, IN-), so their (deviceId, seq)
 * never collide in the dedup, and each child gets its own event loop (one publisher process topped out at about
 * 2,000 msgs/s here before the publisher was trimmed, session 3; three keep each event loop far from saturation).
 */
const PUBLISHER_SCENARIOS = ['smart-city', 'healthcare', 'industrial'] as const;

const USAGE = `npm run bench:pipeline -- [options]   (live pipeline throughput with the controller active; docs/BENCHMARKS.md)
  --rate N               offered messages/s over all device processes (default 11000)
  --duration S           publishing window, seconds (default 20)
  --devices N            simulated devices (default 500)
  --publishers N         device processes (default 3)
  --no-gateway           devices -> engine directly (no edge gateway hop)
  --gateway-link L       local (the gateway reads the embedded broker's router, default) or mqtt (QoS 1 subscriber)
  --forward-mode M       batch (default) or single: how the gateway forwards to the ingest topic
  --ingest I             mqtt (default) or direct
  --policy ID            controller policy (default threshold-forecast)
  --control-interval S   seconds between decisions (default 1)
  --max-in-flight N      unacknowledged QoS 1 messages per device process (default 2000)
  --rate-scale K         executor capacity scale (default 1)
  --cpu-prof-dir DIR     write V8 CPU profiles of the device processes
  --json                 print one JSON summary as the last stdout line`;

function parseArgs(argv: string[]): Args {
  const v = parseBenchArgs(
    'bench:pipeline',
    USAGE,
    {
      rate: { type: 'string', default: '11000' },
      duration: { type: 'string', default: '20' },
      devices: { type: 'string', default: '500' },
      publishers: { type: 'string', default: '3' },
      'no-gateway': { type: 'boolean', default: false },
      'gateway-link': { type: 'string', default: 'local' },
      'forward-mode': { type: 'string', default: 'batch' },
      ingest: { type: 'string', default: 'mqtt' },
      policy: { type: 'string', default: 'threshold-forecast' },
      'control-interval': { type: 'string', default: '1' },
      'max-in-flight': { type: 'string', default: '2000' },
      'rate-scale': { type: 'string', default: '1' },
      'cpu-prof-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    argv,
  );
  const num = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number >= ${min}, got '${text}'`);
    return n;
  };
  const oneOf = <T extends string>(name: string, text: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${name} must be ${allowed.join(' or ')}, got '${text}'`);
    return text as T;
  };
  if (v['cpu-prof-dir'] === '') throw new UsageError('--cpu-prof-dir needs a directory');
  const publishers = Math.round(num('publishers', v.publishers, 1));
  if (publishers > PUBLISHER_SCENARIOS.length) throw new UsageError(`--publishers must be at most ${PUBLISHER_SCENARIOS.length}, got ${publishers}`);
  return {
    rateMsgsPerS: num('rate', v.rate, 1),
    durationS: num('duration', v.duration, 1),
    devices: Math.round(num('devices', v.devices, 1)),
    gateway: !v['no-gateway'],
    policy: v.policy,
    controlIntervalS: num('control-interval', v['control-interval'], 0.1),
    maxInFlight: Math.round(num('max-in-flight', v['max-in-flight'], 1)),
    publishers,
    rateScale: num('rate-scale', v['rate-scale'], 1),
    ingest: oneOf('ingest', v.ingest, ['mqtt', 'direct'] as const),
    forwardMode: oneOf('forward-mode', v['forward-mode'], ['single', 'batch'] as const),
    gatewayLink: oneOf('gateway-link', v['gateway-link'], ['local', 'mqtt'] as const),
    json: v.json === true,
    cpuProfDir: v['cpu-prof-dir'] ?? null,
  };
}

/** Nearest-rank percentile of unsorted values (NaN for none). */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface DevicesResult {
  published: number;
  acked: number;
  unacked: number;
  elapsedS: number;
  maxLagS: number;
  /** CPU of the device process per message published (start-up excluded). */
  cpuUsPerMsg: number | null;
}

/** A device fleet in a child process (src/runtime/devices/fleet-process.ts), connected and waiting for `go`. */
interface DeviceProcess {
  go(): void;
  /** Closes its stdin without `go`: the process exits without publishing. */
  cancel(): void;
  result: Promise<DevicesResult>;
}

/**
 * Starts a fleet process: its own core and event loop, QoS 1 over MQTT to the broker. Resolves once it is connected
 * (it prints `ready`); it publishes after go(), so process start-up (seconds of tsx loading) is not in the window.
 */
function startDevices(mqttUrl: string, args: Args, scenario: string, rateMsgsPerS: number, devices: number): Promise<DeviceProcess> {
  const entry = fileURLToPath(new URL('../runtime/devices/fleet-process.ts', import.meta.url));
  const settings = { mqttUrl, scenario, rateMsgsPerS, durationS: args.durationS, devices, maxInFlight: args.maxInFlight, seed: 1, protocolVersion: 4 };
  const child = spawn(process.execPath, [...(args.cpuProfDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', args.cpuProfDir]), '--import', 'tsx', entry, JSON.stringify(settings)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: (() => void) | null = null;
  child.stdout.on('data', (d) => {
    stdout += String(d);
    if (onReady !== null && /^ready$/m.test(stdout)) {
      onReady();
      onReady = null;
    }
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  const result = new Promise<DevicesResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as DevicesResult);
      } catch {
        reject(new Error(`bench:pipeline: the ${scenario} device fleet exited with code ${code} and no JSON summary: ${stderr.slice(-500)}`));
      }
    });
  });
  return new Promise((resolve, reject) => {
    onReady = () => resolve({ go: () => child.stdin.end('go\n'), cancel: () => child.stdin.end(), result });
    result.catch(reject);
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const scenario = 'smart-city';
  const sc = (config.scenarios as Record<string, ScenarioConfig>)[scenario]!;
  // By default the engine's executor is the simulator's (~6,000 msgs/s for smart-city): a few executor threads, so the
  // benchmark measures the pipeline rather than the thread overhead of the 1:5 emulation (--rate-scale 5 for that,
  // ~25 % more CPU per message here). The controller sees simulator units (x rateScale).
  const rateScale = args.rateScale;
  const simCapacity = nominalExecutorCapacityMsgsPerS(config, sc);
  const engineCapacity = simCapacity / rateScale;
  // Start sized for the offered load with 30 % headroom (config.ts cluster.initial.autoHeadroom), capped at 20.
  const initialExecutors = Math.min(MAX_EXECUTORS, Math.max(1, Math.ceil((args.rateMsgsPerS * config.cluster.initial.autoHeadroom) / engineCapacity)));
  const outputDir = mkdtempSync(join(tmpdir(), 'edgepilot-bench-pipeline-'));
  const broker = await startEmbeddedBroker();
  const engineClient: MqttClient = connect(broker.url, { protocolVersion: 4, clientId: `bench-engine-${process.pid}`, reconnectPeriod: 500 });
  engineClient.on('error', () => undefined);
  await new Promise<void>((r) => engineClient.once('connect', () => r()));
  // Validate once: behind the gateway (which runs the full validatePayload before it forwards) the engine checks only
  // the envelope; without a gateway it validates the payload schema itself, on its executors.
  const rawValidation = args.gateway ? 'envelope' : 'executor';
  const engine = new StreamEngine({ executorCapacityMsgsPerS: engineCapacity, initialExecutors, coldStartMs: 0, outputDir, stores: { s3: 'none' }, rawValidation }, { config });
  await engine.start();
  engineClient.on('message', (topic, payload) => void engine.ingestMqtt(topic, payload));
  const direct = args.gateway && args.ingest === 'direct';
  if (!direct) await engineClient.subscribeAsync(args.gateway ? INGEST_FILTER : deviceTopicFilter(), { qos: 1 });
  // One gateway for every device: it forwards each message to the ingest topic of the message's scenario, or with
  // --ingest direct hands it to the engine in this process (a gateway co-located with the engine: no second hop).
  const gateway = args.gateway
    ? await EdgeGateway.start({
        mqttUrl: broker.url,
        ...(args.gatewayLink === 'local' ? { broker: broker.local } : {}),
        protocolVersion: 4,
        gatewayId: 'bench-gw',
        config,
        forwardMode: args.forwardMode,
        ...(direct ? { forward: false, sink: { id: 'engine', send: (_key: string, value: Buffer, sc?: string) => void engine.ingestRaw(`${TOPIC_ROOT}/ingest/${sc ?? scenario}`, value) } } : {}),
      })
    : null;
  const forecasts = await MqttForecastSource.start({ mqttUrl: broker.url, protocolVersion: 4 });
  const loop = new ControlLoop({
    metrics: scaledMetrics(new LocalEngineMetricsSource(engine), rateScale),
    forecasts: scaledForecasts(forecasts, rateScale),
    actuator: new LocalEngineActuator(engine),
    policy: args.policy,
    scenario,
    config,
    controlIntervalS: args.controlIntervalS,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const decisionMicros: number[] = [];
  const intervalP95s: number[] = [];
  loop.onDecision((r) => {
    decisionMicros.push(r.decisionMicros);
    if (r.snapshot.processedRateMsgsPerS > 0) intervalP95s.push(r.snapshot.p95LatencyMs);
  });
  loop.start();
  process.stderr.write(`bench:pipeline: ${args.rateMsgsPerS} msgs/s for ${args.durationS} s, ${args.devices} devices in ${args.publishers} processes, ${args.gateway ? `via an edge gateway (${args.gatewayLink} link, ${args.ingest} ingest${args.ingest === 'mqtt' ? `, ${args.forwardMode} forwards` : ''})` : 'no gateway'}, ${initialExecutors} executors of ${engineCapacity.toFixed(0)} msgs/s, policy ${args.policy}\n`);

  const n = args.publishers;
  const starts = await Promise.allSettled(PUBLISHER_SCENARIOS.slice(0, n).map((sc) => startDevices(broker.url, args, sc, args.rateMsgsPerS / n, Math.max(1, Math.round(args.devices / n)))));
  const fleets = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = starts.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    // Let the fleets that did start exit instead of waiting for `go` forever.
    for (const f of fleets) f.cancel();
    await Promise.allSettled(fleets.map((f) => f.result));
    throw failed.reason;
  }
  // The window starts when every fleet is connected and told to go: t0 is the first publish, give or take a pipe write.
  const ingestedAtStart = engine.getCounters().ingested;
  const cpuAtStart = process.cpuUsage();
  const t0 = Date.now();
  for (const f of fleets) f.go();
  const parts = await Promise.all(fleets.map((f) => f.result));
  const devices: DevicesResult = {
    published: parts.reduce((x, p) => x + p.published, 0),
    acked: parts.reduce((x, p) => x + p.acked, 0),
    unacked: parts.reduce((x, p) => x + p.unacked, 0),
    elapsedS: Math.max(...parts.map((p) => p.elapsedS)),
    maxLagS: Math.max(...parts.map((p) => p.maxLagS)),
    cpuUsPerMsg: parts.reduce((x, p) => x + (p.cpuUsPerMsg ?? Number.NaN) * p.published, 0) / Math.max(1, parts.reduce((x, p) => x + p.published, 0)),
  };
  // Wait for the messages still crossing the broker (and the gateway) into the engine: while they keep arriving, up
  // to 2 minutes; after 5 s without progress the rest counts as lost.
  const giveUpAtMs = Date.now() + 120_000;
  let arrived = engine.getCounters().ingested - ingestedAtStart;
  let lastProgressMs = Date.now();
  while (arrived < devices.acked && Date.now() < giveUpAtMs && Date.now() - lastProgressMs < 5000) {
    await new Promise((r) => setTimeout(r, 50));
    const now = engine.getCounters().ingested - ingestedAtStart;
    if (now > arrived) lastProgressMs = Date.now();
    arrived = now;
  }
  const ingestWindowS = (Date.now() - t0) / 1000;
  const ingested = engine.getCounters().ingested - ingestedAtStart;
  // CPU of this process (broker, gateway, engine with its executor threads, controller) per message: unlike the
  // rate, it hardly depends on how many other jobs share the machine.
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuUsPerMsg = ingested > 0 ? (cpu.user + cpu.system) / ingested : Number.NaN;
  await loop.stop();
  const counters = await engine.stop();
  if (gateway) await gateway.stop();
  await forecasts.stop();
  await engineClient.endAsync();
  await broker.stop();
  rmSync(outputDir, { recursive: true, force: true });

  const dropped = DROP_REASONS.reduce((s, r) => s + counters.dropped[r], 0);
  const droppedByReason = Object.fromEntries(DROP_REASONS.filter((r) => counters.dropped[r] > 0).map((r) => [r, counters.dropped[r]]));
  const loss = devices.published - counters.processed;
  const summary = {
    bench: 'pipeline',
    targetRateMsgsPerS: args.rateMsgsPerS,
    durationS: args.durationS,
    gateway: args.gateway,
    gatewayLink: args.gateway ? args.gatewayLink : null,
    ingest: args.gateway ? args.ingest : 'mqtt',
    forwardMode: args.gateway && args.ingest === 'mqtt' ? args.forwardMode : null,
    publishers: args.publishers,
    published: devices.published,
    publishRateMsgsPerS: Math.round(devices.published / devices.elapsedS),
    publisherMaxLagS: Math.round(devices.maxLagS * 1000) / 1000,
    ingested,
    // Accepted by the engine per second, from the first publish to the last message in.
    ingestRateMsgsPerS: Math.round(ingested / ingestWindowS),
    processed: counters.processed,
    dropped,
    droppedByReason,
    loss,
    e2eP95LatencyMs: Math.round(percentile(intervalP95s, 95)),
    e2eMedianIntervalP95LatencyMs: Math.round(percentile(intervalP95s, 50)),
    decisions: decisionMicros.length,
    decisionMedianUs: percentile(decisionMicros, 50),
    decisionP99Us: percentile(decisionMicros, 99),
    finalExecutors: loop.currentAction?.executors ?? null,
    pipelineCpuUsPerMsg: Math.round(cpuUsPerMsg * 10) / 10,
    // CPU of the device processes per message (all of them together; start-up excluded).
    publishersCpuUsPerMsg: Math.round(devices.cpuUsPerMsg! * 10) / 10,
    // What one otherwise idle core could carry at that cost (the fleet runs in another process).
    pipelineMsgsPerCoreS: Math.round(1e6 / cpuUsPerMsg),
    goalMet: ingested / ingestWindowS >= 10_000 && loss === 0,
  };
  process.stdout.write(
    `pipeline: published ${summary.published} in ${devices.elapsedS.toFixed(1)} s (${summary.publishRateMsgsPerS} msgs/s, max lag ${summary.publisherMaxLagS} s)\n` +
      `  ingest ${summary.ingestRateMsgsPerS} msgs/s, processed ${summary.processed}, dropped ${dropped} ${JSON.stringify(droppedByReason)}, loss ${loss}\n` +
      `  end-to-end p95 latency ${summary.e2eP95LatencyMs} ms (median interval p95 ${summary.e2eMedianIntervalP95LatencyMs} ms)\n` +
      `  control decision ${summary.decisionMedianUs} us median, ${summary.decisionP99Us} us p99 over ${summary.decisions} decisions; executors at the end ${summary.finalExecutors}\n` +
      `  CPU of the pipeline process ${summary.pipelineCpuUsPerMsg} us per message (one free core would carry ~${summary.pipelineMsgsPerCoreS} msgs/s); device processes ${summary.publishersCpuUsPerMsg} us per message\n` +
      `  goal >= 10,000 msgs/s with zero loss: ${summary.goalMet ? 'met' : 'NOT met'}\n`,
  );
  if (args.json) printJsonSummary(summary);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:pipeline: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
