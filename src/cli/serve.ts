/**
 * `edgepilot serve`: the controller and dashboard against external infrastructure.
 *
 *   --target local      the embedded StreamEngine consumes the ingest (MQTT `edgepilot/ingest/<scenario>` from
 *                       --mqtt-url, or Kafka `edgepilot.ingest.<scenario>` from --kafka-brokers), with its hot shuffle
 *                       tier on --redis-url and its S3 tiers on --s3-endpoint (embedded defaults otherwise);
 *   --target spark-k8s  a Spark application on Kubernetes (engineer G's buildSparkK8sTarget, imported only when
 *                       asked for, so this command works without it): --namespace, --app, --dry-run.
 * Edge forecasts come from the gateways' MQTT topics when --mqtt-url is given (`edgepilot edge` runs the gateways).
 */
import { join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import type { MqttClient } from 'mqtt';
import { connect } from '../runtime/devices/mqtt-client.ts';
import { loadConfig, type ScenarioConfig, type SimConfig } from '../core/config.ts';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import type { Actuator, ForecastSource, MetricsSource } from '../control/types.ts';
import { ControlLoop, encodeDecision, nominalExecutorCapacityMsgsPerS } from '../control/control-loop.ts';
import { controlLoopMetrics, metricsHandler, type MetricFamily } from '../control/prometheus.ts';
import { MqttForecastSource, StaticForecastSource } from '../edge/forecast-source.ts';
import { createPolicy, policyIds } from '../policies/registry.ts';
import { CONFIG_FLAG_HELP, configFileFlag } from './config-flag.ts';
import { describeConfigFile } from '../core/config-file.ts';
import { startDashboardServer } from '../dashboard/server.ts';
import { CONTROL_ACTIONS_TOPIC, CONTROL_SNAPSHOTS_TOPIC, ingestTopic, isScenarioName } from '../runtime/devices/topics.ts';
import { BrokerConnectError, detectProtocolVersion } from '../runtime/devices/publisher.ts';
import { OutageLog } from '../runtime/devices/outage-log.ts';
import { mqttSessionOptions, sessionMeanwhile } from '../runtime/devices/mqtt-session.ts';
import { kafkaIngestTopic, kafkaRecordTopic, parseBrokers, startIngestConsumer } from '../runtime/kafka/bridge.ts';
import { loadTlsFiles } from '../runtime/spark/tls-files.ts';
import { DROP_REASONS, LocalEngineActuator, LocalEngineMetricsSource, StreamEngine, type EngineOptionsInput } from '../runtime/engine/index.ts';
import { ModeContextPolicy, scaledForecasts, scaledMetrics } from '../runtime/demo-support.ts';
import { pipelineMetricFamilies, shuffleStoreMetricFamilies } from '../runtime/demo.ts';
import { bindLiveDashboard, livePolicyIds } from '../runtime/live-dashboard.ts';
import { checkInputFile, checkMqttSessionFlags, CliError, didYouMean, ensureOutputDir, parseFloatOption, parseIntOption, parseSecondsOption, printJsonSummary, UsageError } from './output.ts';

interface ServeFlags {
  target: string;
  scenario: string;
  policy: string;
  mqttUrl?: string;
  /** Unset: edgepilot-serve-<scenario>; local target with --mqtt-url only. */
  mqttClientId?: string;
  /** Local target with --mqtt-url only. */
  mqttCleanSession?: boolean;
  publishControl?: boolean;
  kafkaBrokers?: string;
  redisUrl?: string;
  s3Endpoint?: string;
  namespace?: string;
  app?: string;
  dryRun?: boolean;
  sparkUiUrl?: string;
  kubeconfig?: string;
  agentPort?: string;
  agentHost?: string;
  agentToken?: string;
  agentTlsCert?: string;
  agentTlsKey?: string;
  agentMqttUrl?: string;
  agentMqttTopic?: string;
  port: string;
  host: string;
  token?: string;
  controlInterval: string;
  /** Unset: 5; local target only. */
  rateScale?: string;
  duration?: string;
  out?: string;
  json?: boolean;
  config?: string;
}

/** The local target's rate scale when --rate-scale is not given. */
const DEFAULT_LOCAL_RATE_SCALE = 5;

/** The driver-agent channel refuses shorter shared secrets (src/runtime/spark/agent-channel.ts). */
const MIN_AGENT_TOKEN_CHARS = 16;

/** Flags that only one target reads, by commander's property name and the flag's spelling. */
const SPARK_K8S_ONLY: ReadonlyArray<[keyof ServeFlags, string]> = [
  ['namespace', '--namespace'],
  ['app', '--app'],
  ['dryRun', '--dry-run'],
  ['sparkUiUrl', '--spark-ui-url'],
  ['kubeconfig', '--kubeconfig'],
  ['agentPort', '--agent-port'],
  ['agentHost', '--agent-host'],
  ['agentToken', '--agent-token'],
  ['agentTlsCert', '--agent-tls-cert'],
  ['agentTlsKey', '--agent-tls-key'],
  ['agentMqttUrl', '--agent-mqtt-url'],
  ['agentMqttTopic', '--agent-mqtt-topic'],
];
const LOCAL_ONLY: ReadonlyArray<[keyof ServeFlags, string]> = [
  ['mqttClientId', '--mqtt-client-id'],
  ['mqttCleanSession', '--mqtt-clean-session'],
  ['publishControl', '--publish-control'],
  ['kafkaBrokers', '--kafka-brokers'],
  ['redisUrl', '--redis-url'],
  ['s3Endpoint', '--s3-endpoint'],
  ['rateScale', '--rate-scale'],
];

/** What a target gives the controller (engineer G's builder returns the same shape for spark-k8s). */
interface Target {
  metrics: MetricsSource;
  actuator: Actuator;
  /** Factor from the target's measured rates to the simulator's units (1 for a real cluster). */
  rateScale: number;
  metricFamilies?: () => MetricFamily[];
  /** With --publish-control: sends one decision on edgepilot/control/actions (QoS 0). */
  publishDecision?: (payload: Buffer) => void;
  close(): Promise<void>;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the controller and dashboard against external brokers and stores (local engine) or Spark on Kubernetes')
    .option('--target <t>', 'what the controller drives: local | spark-k8s', 'local')
    .option('--scenario <name>', `SLA, weights and workload kind: ${SCENARIOS.join(' | ')}`, 'balanced')
    .option('--policy <id>', `controller policy (one of ${livePolicyIds().join(', ')})`, 'threshold-forecast')
    .option('--mqtt-url <url>', 'MQTT broker with the ingest and forecast topics, e.g. mqtt://127.0.0.1:1883')
    .option('--mqtt-client-id <id>', "local target: MQTT client id of the engine's ingest client on --mqtt-url (default edgepilot-serve-<scenario>); the same on every start, and a different one for every serve running")
    .option('--mqtt-clean-session', 'local target: no persistent session for the ingest on --mqtt-url: ingest messages published while serve is disconnected or restarting are lost (default: the broker queues them)')
    .option('--publish-control', 'local target: also publish every metrics snapshot on edgepilot/control/snapshots and every decision (a decisions.jsonl row) on edgepilot/control/actions, QoS 0, on --mqtt-url, for external dashboards and actuators (docs/MESSAGES.md)')
    .option('--kafka-brokers <list>', 'consume the ingest from Kafka instead of MQTT (host:port,...)')
    .option('--redis-url <url>', 'hot shuffle tier on this Redis (local target; default in-process memory)')
    .option('--s3-endpoint <url>', 'S3 tiers on this endpoint (local target; default an embedded s3rver)')
    .option('--namespace <ns>', 'spark-k8s: namespace of the SparkApplication')
    .option('--app <name>', 'spark-k8s: name of the SparkApplication')
    .option('--dry-run', 'spark-k8s: print every decision and the patch it would send, change nothing')
    .option('--spark-ui-url <url>', 'spark-k8s: Spark UI / REST endpoint of the driver')
    .option('--kubeconfig <file>', 'spark-k8s: kubeconfig file (default: in-cluster or ~/.kube/config)')
    // 7450 is DEFAULT_AGENT_PORT of src/runtime/spark/target.ts, written out: importing it would load the Kubernetes client.
    .option('--agent-port <n>', 'spark-k8s: port of the driver-agent channel (default 7450)')
    .option('--agent-host <addr>', 'spark-k8s: listen address of the driver-agent channel (default 0.0.0.0: the driver pod must reach it)')
    .option('--agent-token <t>', `spark-k8s: shared secret with the driver agent, at least ${MIN_AGENT_TOKEN_CHARS} characters (default $EDGEPILOT_AGENT_TOKEN; required unless --dry-run)`)
    .option('--agent-tls-cert <file>', 'spark-k8s: serve the driver-agent channel over HTTPS with this PEM certificate (chain); re-read when it changes, so a renewal needs no restart (docs/DEPLOY.md "TLS")')
    .option('--agent-tls-key <file>', 'spark-k8s: the PEM private key of --agent-tls-cert')
    .option('--agent-mqtt-url <url>', "spark-k8s: also read the driver agent's progress from this MQTT broker (the agent's mqtt= option; mqtt:// or mqtts://)")
    .option('--agent-mqtt-topic <topic>', 'spark-k8s: topic of the agent progress on --agent-mqtt-url (default edgepilot/spark/<app>/progress)')
    .option('--port <n>', 'dashboard port (0 = any free port)', '8080')
    .option('--host <addr>', 'dashboard listen address', '127.0.0.1')
    .option('--token <t>', 'bearer token for the control endpoints (default: generated and printed)')
    .option('--control-interval <s>', 'seconds between control decisions', '10')
    .option('--rate-scale <k>', `local target: the engine's executor is the simulator's divided by k (default ${DEFAULT_LOCAL_RATE_SCALE})`)
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)')
    .option('--out <dir>', 'folder for engine outputs and the decision log (default runs/serve-<time>)')
    .option('--config <file.json>', CONFIG_FLAG_HELP)
    .option('--json', 'print a summary as one JSON line (the last line of stdout) at the end')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot serve --mqtt-url mqtt://127.0.0.1:1883 --scenario healthcare --policy edge-rl
  edgepilot serve --kafka-brokers kafka:9092 --redis-url redis://redis:6379 --s3-endpoint http://minio:9000
  edgepilot serve --target spark-k8s --namespace spark --app iot-stream --dry-run --duration 600

With --mqtt-url the engine's ingest client has a persistent session (client id edgepilot-serve-<scenario>): a serve
that reconnects or restarts gets the ingest messages the broker queued meanwhile, up to the broker's queue limit
(Mosquitto: max_queued_messages, 1000 per client by default). Give every serve running at the same time its own id
(--mqtt-client-id).`,
    )
    .action(async (flags: ServeFlags) => {
      await runServe(flags);
    });
}

async function runServe(flags: ServeFlags): Promise<void> {
  if (flags.target !== 'local' && flags.target !== 'spark-k8s') throw new UsageError(`--target must be local or spark-k8s, got '${flags.target}'${didYouMean(flags.target, ['local', 'spark-k8s'])}`);
  // A flag of the other target would be silently ignored: say so instead.
  for (const [key, flag] of flags.target === 'local' ? SPARK_K8S_ONLY : LOCAL_ONLY) {
    if (flags[key] !== undefined) throw new UsageError(`${flag} applies to --target ${flags.target === 'local' ? 'spark-k8s' : 'local'} only, and the target is ${flags.target}`);
  }
  if (!isScenarioName(flags.scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}, got '${flags.scenario}'${didYouMean(flags.scenario, SCENARIOS)}`);
  if (!policyIds().includes(flags.policy) || !livePolicyIds().includes(flags.policy)) throw new UsageError(`--policy must be one of ${livePolicyIds().join(', ')}, got '${flags.policy}'${didYouMean(flags.policy, livePolicyIds())}`);
  if (flags.mqttUrl !== undefined && !/^mqtts?:\/\/[^/]+/.test(flags.mqttUrl)) throw new UsageError(`--mqtt-url must look like mqtt://host:port, got '${flags.mqttUrl}'`);
  checkMqttSessionFlags(flags, flags.mqttUrl === undefined ? "applies to the engine's MQTT ingest client, and without --mqtt-url there is none" : null);
  if (flags.publishControl && flags.mqttUrl === undefined) throw new UsageError('--publish-control publishes on the MQTT broker of --mqtt-url, and there is none');
  if (flags.redisUrl !== undefined && !/^rediss?:\/\/[^/]+/.test(flags.redisUrl)) throw new UsageError(`--redis-url must look like redis://host:port, got '${flags.redisUrl}'`);
  if (flags.s3Endpoint !== undefined && !/^https?:\/\/[^/]+/.test(flags.s3Endpoint)) throw new UsageError(`--s3-endpoint must look like http://host:port, got '${flags.s3Endpoint}'`);
  let brokers: string[] | undefined;
  if (flags.kafkaBrokers !== undefined) {
    try {
      brokers = parseBrokers(flags.kafkaBrokers);
    } catch (err) {
      throw new UsageError(`--kafka-brokers: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (flags.target === 'local' && flags.mqttUrl === undefined && brokers === undefined) {
    throw new UsageError('--target local needs an ingest: --mqtt-url and/or --kafka-brokers (or run `edgepilot demo` for everything embedded)');
  }
  if (flags.target === 'spark-k8s' && (!flags.namespace || !flags.app)) throw new UsageError('--target spark-k8s needs --namespace and --app');
  const port = parseIntOption('--port', flags.port, 0, 65535);
  // Durations and intervals drive timers: bounded by the longest one Node.js has.
  const controlIntervalS = parseSecondsOption('--control-interval', flags.controlInterval);
  const rateScale = flags.rateScale === undefined ? DEFAULT_LOCAL_RATE_SCALE : parseFloatOption('--rate-scale', flags.rateScale);
  if (rateScale <= 0) throw new UsageError(`--rate-scale must be > 0, got '${flags.rateScale}'`);
  const durationS = flags.duration === undefined ? undefined : parseSecondsOption('--duration', flags.duration);
  // The dashboard refuses these tokens once the engine has started; say it before.
  if (flags.token !== undefined && (flags.token.length < 8 || /\s/.test(flags.token))) throw new UsageError('--token must be at least 8 characters without spaces');
  const agentPort = flags.agentPort === undefined ? undefined : parseIntOption('--agent-port', flags.agentPort, 1, 65535);
  if (flags.agentToken !== undefined && flags.agentToken.length < MIN_AGENT_TOKEN_CHARS) throw new UsageError(`--agent-token must be at least ${MIN_AGENT_TOKEN_CHARS} characters, got ${flags.agentToken.length}`);
  if (flags.target === 'spark-k8s' && !flags.dryRun && flags.agentToken === undefined && (process.env.EDGEPILOT_AGENT_TOKEN ?? '').length < MIN_AGENT_TOKEN_CHARS) {
    throw new UsageError(`--target spark-k8s needs the driver agent's shared secret: --agent-token or $EDGEPILOT_AGENT_TOKEN, at least ${MIN_AGENT_TOKEN_CHARS} characters (or --dry-run)`);
  }
  if (flags.kubeconfig !== undefined) checkInputFile('--kubeconfig', flags.kubeconfig);
  if ((flags.agentTlsCert === undefined) !== (flags.agentTlsKey === undefined)) {
    throw new UsageError(flags.agentTlsCert === undefined ? '--agent-tls-key needs --agent-tls-cert (the certificate it belongs to)' : '--agent-tls-cert needs --agent-tls-key (its private key)');
  }
  if (flags.agentTlsCert !== undefined && flags.agentTlsKey !== undefined) {
    checkInputFile('--agent-tls-cert', flags.agentTlsCert);
    checkInputFile('--agent-tls-key', flags.agentTlsKey);
    // Loaded once here so a wrong file is a usage error before anything starts, not a failure after the target.
    try {
      createSecureContext(loadTlsFiles({ certFile: flags.agentTlsCert, keyFile: flags.agentTlsKey }));
    } catch (err) {
      throw new UsageError(`--agent-tls-cert / --agent-tls-key: ${(err as Error).message}`);
    }
  }
  if (flags.agentMqttTopic !== undefined && flags.agentMqttUrl === undefined) throw new UsageError('--agent-mqtt-topic needs --agent-mqtt-url (the broker the agent publishes its progress to)');
  if (flags.agentMqttUrl !== undefined) checkBrokerUrl('--agent-mqtt-url', flags.agentMqttUrl);
  if (flags.agentMqttTopic !== undefined && (flags.agentMqttTopic === '' || /#./.test(flags.agentMqttTopic))) throw new UsageError(`--agent-mqtt-topic is not an MQTT topic filter: '${flags.agentMqttTopic}'`);
  if (flags.out !== undefined) ensureOutputDir('--out', flags.out);

  const scenario: ScenarioName = flags.scenario;
  const configFile = flags.config === undefined ? undefined : configFileFlag(flags.config);
  const config = configFile?.config ?? loadConfig();
  const sc = (config.scenarios as Record<string, ScenarioConfig>)[scenario]!;
  const outputDir = resolve(flags.out ?? join('runs', `serve-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (configFile) log(`config ${describeConfigFile(configFile)}`);
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => log(`serve: close failed: ${err instanceof Error ? err.message : String(err)}`));
    closers.length = 0;
  };

  try {
    const protocolVersion = flags.mqttUrl === undefined ? 4 : await detectProtocolVersion(flags.mqttUrl);
    let forecasts: ForecastSource;
    if (flags.mqttUrl !== undefined) {
      const source = await MqttForecastSource.start({ mqttUrl: flags.mqttUrl, protocolVersion });
      closers.push(() => source.stop());
      forecasts = source;
    } else {
      log('serve: no --mqtt-url: no edge forecasts (the policy sees the no-edge values)');
      forecasts = new StaticForecastSource();
    }

    let target: Target;
    if (flags.target === 'spark-k8s') {
      target = await sparkTarget(flags, agentPort, { forecasts, scenario, config });
    } else {
      target = await localTarget(flags, { scenario, config, rateScale, outputDir, brokers, protocolVersion, log });
    }
    closers.push(() => target.close());

    const modePolicy = new ModeContextPolicy(createPolicy(flags.policy, config), sc.budgetUsdPerHour);
    const loop = new ControlLoop({
      metrics: target.rateScale === 1 ? target.metrics : scaledMetrics(target.metrics, target.rateScale),
      forecasts: target.rateScale === 1 ? forecasts : scaledForecasts(forecasts, target.rateScale),
      actuator: target.actuator,
      policy: modePolicy,
      scenario,
      config,
      controlIntervalS,
      decisionLogPath: join(outputDir, 'decisions.jsonl'),
      log,
    });
    closers.push(() => loop.stop());
    if (target.publishDecision) {
      const publishDecision = target.publishDecision;
      loop.onDecision((record) => publishDecision(encodeDecision(record)));
    }
    const dashboard = bindLiveDashboard(loop, modePolicy, {
      scenario,
      policyId: flags.policy,
      slaP95LatencyMs: sc.slaP95LatencyMs,
      budgetUsdPerHour: sc.budgetUsdPerHour,
      rateScale: target.rateScale,
      notes: [`serve --target ${flags.target}${flags.dryRun ? ' (dry run)' : ''}`, `decision every ${controlIntervalS} s`],
    });
    const hub = dashboard.hub;

    const abort = new AbortController();
    const server = await startDashboardServer({
      hub,
      host: flags.host,
      port,
      token: flags.token,
      metrics: metricsHandler(() => controlLoopMetrics(loop), ...(target.metricFamilies ? [target.metricFamilies] : [])),
      controls: {
        setPolicy: dashboard.setPolicy,
        setMode: dashboard.setMode,
        stop: () => abort.abort(),
      },
    });
    closers.push(() => server.close());
    loop.start();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // The ready lines come after the handlers: a supervisor may signal as soon as it reads them.
    process.stdout.write(
      `edgepilot serve: target ${flags.target}, scenario ${scenario}, policy ${flags.policy}\n` +
        `dashboard: ${server.url}\n` +
        `control token: ${server.token}   (POST /api/policy, /api/mode, /api/stop with 'Authorization: Bearer <token>')\n`,
    );
    const timer = durationS === undefined ? null : setTimeout(() => abort.abort(), durationS * 1000);
    await new Promise<void>((r) => abort.signal.addEventListener('abort', () => r(), { once: true }));
    if (timer) clearTimeout(timer);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    log('serve: stopping');
    hub.markStopped();
    const decisions = loop.decisionCount;
    const spentUsd = loop.spentUsd;
    await closeAll();
    const summary = { command: 'serve', target: flags.target, scenario, policy: loop.policy.id, decisions, slaViolationPct: decisions > 0 ? (100 * dashboard.slaViolations()) / decisions : 0, costUsd: spentUsd };
    process.stdout.write(`serve summary: ${decisions} decisions, SLA violations ${summary.slaViolationPct.toFixed(1)} %, cost $${spentUsd.toFixed(5)}\n`);
    if (flags.json) printJsonSummary(summary);
  } catch (err) {
    await closeAll();
    // An unreachable broker is an operational condition (as in devices and edge): its message, exit 1, no stack.
    if (err instanceof BrokerConnectError) throw new CliError(err.message);
    throw err;
  }
}

async function sparkTarget(flags: ServeFlags, agentPort: number | undefined, ctx: { forecasts: ForecastSource; scenario: ScenarioName; config: SimConfig }): Promise<Target> {
  // Loaded only for this target, so `serve --target local` never loads the Kubernetes client.
  const { buildSparkK8sTarget: build } = await import('../runtime/spark/target.ts');
  const built = await build({
    namespace: flags.namespace!,
    app: flags.app!,
    dryRun: Boolean(flags.dryRun),
    // The restart gate refuses restarts while the gateways see a burst coming.
    forecasts: ctx.forecasts,
    scenario: ctx.scenario,
    config: ctx.config,
    ...(flags.agentToken === undefined ? {} : { token: flags.agentToken }),
    ...(flags.sparkUiUrl === undefined ? {} : { sparkUiUrl: flags.sparkUiUrl }),
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
    ...(agentPort === undefined ? {} : { agentPort }),
    ...(flags.agentHost === undefined ? {} : { agentHost: flags.agentHost }),
    ...(flags.agentTlsCert === undefined || flags.agentTlsKey === undefined ? {} : { agentTls: { certFile: flags.agentTlsCert, keyFile: flags.agentTlsKey } }),
    ...(flags.agentMqttUrl === undefined ? {} : { agentMqttUrl: flags.agentMqttUrl }),
    ...(flags.agentMqttTopic === undefined ? {} : { agentMqttTopic: flags.agentMqttTopic }),
  });
  return { metrics: built.metrics, actuator: built.actuator, rateScale: 1, close: () => built.close() };
}

/** A broker URL mqtt.js can reach: mqtt://, mqtts://, ws:// or wss:// with a host. */
function checkBrokerUrl(flag: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${flag} is not a URL: '${url}' (e.g. mqtt://broker.streaming:1883 or mqtts://...:8883)`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(parsed.protocol) || parsed.hostname === '') {
    throw new UsageError(`${flag} must be mqtt://, mqtts://, ws:// or wss:// with a host, got '${url}'`);
  }
}

/** The engine ingest client's MQTT client id unless --mqtt-client-id is given: stable across restarts. */
function defaultServeClientId(scenario: ScenarioName): string {
  return `edgepilot-serve-${scenario}`;
}

interface LocalContext {
  scenario: ScenarioName;
  config: ReturnType<typeof loadConfig>;
  rateScale: number;
  outputDir: string;
  brokers: string[] | undefined;
  protocolVersion: 4 | 5;
  log: (line: string) => void;
}

async function localTarget(flags: ServeFlags, ctx: LocalContext): Promise<Target> {
  const sc = (ctx.config.scenarios as Record<string, ScenarioConfig>)[ctx.scenario]!;
  const stores: NonNullable<EngineOptionsInput['stores']> = {
    ...(flags.redisUrl === undefined ? {} : { hot: { type: 'redis' as const, url: flags.redisUrl } }),
    ...(flags.s3Endpoint === undefined ? {} : { s3: { endpoint: flags.s3Endpoint } }),
  };
  // A persistent session by default (stable client id, clean: false): the broker queues the QoS 1 ingest published
  // while serve is disconnected or restarting, and delivers it on reconnect.
  const session =
    flags.mqttUrl === undefined
      ? null
      : mqttSessionOptions({ clientId: flags.mqttClientId ?? defaultServeClientId(ctx.scenario), clean: flags.mqttCleanSession ?? false, protocolVersion: ctx.protocolVersion }, '--mqtt-client-id');
  let mqtt: MqttClient | null = null;
  let outage: OutageLog | null = null;
  const engine = new StreamEngine(
    { executorCapacityMsgsPerS: nominalExecutorCapacityMsgsPerS(ctx.config, sc) / ctx.rateScale, outputDir: ctx.outputDir, stores },
    // Results and alerts go out on the ingest client (QoS 0; it is connected below, before any micro-batch runs).
    { config: ctx.config, ...(session ? { publish: (topic: string, payload: string) => mqtt?.publish(topic, payload, { qos: 0 }) } : {}) },
  );
  await engine.start();
  const stops: Array<() => Promise<unknown>> = [];
  if (session && flags.mqttUrl !== undefined) {
    // Connected only now, with the engine running and the 'message' listener attached in the same tick: with a
    // resumed session the broker delivers the queued messages right after CONNACK, and none may find no listener.
    const client = connect(flags.mqttUrl, { protocolVersion: ctx.protocolVersion, ...session, reconnectPeriod: 500, connectTimeout: 5000 });
    mqtt = client;
    client.on('message', (topic, payload) => void engine.ingestMqtt(topic, payload));
    // mqtt.js reconnects by itself (and re-subscribes unless the broker kept the session); the outage is said once,
    // and again when it ends.
    outage = new OutageLog({
      who: 'serve: engine ingest',
      where: flags.mqttUrl,
      nowMs: Date.now,
      log: ctx.log,
      meanwhile: `reconnecting every 0.5 s; ${sessionMeanwhile(session, '--mqtt-clean-session')}`,
      clientId: session.clientId,
    });
    outage.watch(client);
    stops.push(() => client.endAsync());
    try {
      await client.subscribeAsync(ingestTopic(ctx.scenario), { qos: 1 });
    } catch (err) {
      outage.stopping = true;
      await client.endAsync(true).catch(() => undefined);
      await engine.stop();
      throw err;
    }
    ctx.log(`serve: engine ingest ${ingestTopic(ctx.scenario)} on ${flags.mqttUrl} as client id ${session.clientId} (${session.clean ? 'clean session: nothing is kept while serve is away' : 'persistent session'})`);
  }
  if (ctx.brokers) {
    const consumer = await startIngestConsumer({
      brokers: ctx.brokers,
      groupId: 'edgepilot-serve',
      topics: [kafkaIngestTopic(ctx.scenario)],
      onMessage: (_topic, key, value) => engine.ingestRaw(kafkaRecordTopic(ctx.scenario, key), value),
    });
    stops.push(() => consumer.stop());
  }
  // QoS 0 on the ingest client: a snapshot or a decision lost in an outage is replaced by the next one.
  const publishControl = flags.publishControl === true && mqtt !== null;
  // Only while connected: mqtt.js would queue QoS 0 messages through an outage, a day of them for nothing.
  const publish = (topic: string, payload: string | Buffer): void => {
    if (mqtt?.connected) mqtt.publish(topic, payload, { qos: 0 });
  };
  if (publishControl) ctx.log(`serve: publishing snapshots on ${CONTROL_SNAPSHOTS_TOPIC} and decisions on ${CONTROL_ACTIONS_TOPIC}`);
  return {
    metrics: new LocalEngineMetricsSource(engine, publishControl ? { publish } : {}),
    actuator: new LocalEngineActuator(engine),
    ...(publishControl ? { publishDecision: (payload: Buffer) => publish(CONTROL_ACTIONS_TOPIC, payload) } : {}),
    rateScale: ctx.rateScale,
    metricFamilies: () => {
      const c = engine.getCounters();
      return pipelineMetricFamilies({ published: 0, ingested: c.ingested, processed: c.processed, dropped: DROP_REASONS.reduce((s, r) => s + c.dropped[r], 0), malformed: Object.values(c.rejected).reduce((s, n) => s + n, 0) }).filter((f) => !f.name.includes('published')).concat(shuffleStoreMetricFamilies(engine.shuffle.stats()));
    },
    async close() {
      if (outage) outage.stopping = true;
      for (const stop of stops) await stop();
      const c = await engine.stop();
      ctx.log(`serve: engine stopped: ingested ${c.ingested}, processed ${c.processed}, dropped ${DROP_REASONS.reduce((s, r) => s + c.dropped[r], 0)}`);
    },
  };
}
