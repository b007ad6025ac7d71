/**
 * `edgepilot edge`: run one edge gateway. It subscribes to its devices on MQTT, validates and dedups them, forwards
 * them to the ingest topic (and to Kafka with --kafka-brokers), and publishes its burst forecast every second on
 * `edgepilot/edge/<gatewayId>/forecast`. Without --mqtt-url it starts the embedded aedes broker and prints its address,
 * so devices (`edgepilot devices --mqtt-url ...`) and the controller can connect to it.
 */
import type { Command } from 'commander';
import { loadConfig } from '../core/config.ts';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { EdgeGateway, type GatewayStats } from '../edge/gateway.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../runtime/devices/broker.ts';
import { detectProtocolVersion } from '../runtime/devices/publisher.ts';
import { ID_PATTERN, isScenarioName } from '../runtime/devices/topics.ts';
import { KafkaIngestBridge, parseBrokers } from '../runtime/kafka/bridge.ts';
import { checkMqttSessionFlags, didYouMean, parseIntOption, parseSecondsOption, printJsonSummary, UsageError } from './output.ts';
import { CONFIG_FLAG_HELP, configFileFlag } from './config-flag.ts';
import { describeConfigFile } from '../core/config-file.ts';

interface EdgeFlags {
  mqttUrl?: string;
  /** Unset: 0 (any free port); only without --mqtt-url. */
  brokerPort?: string;
  /** Unset: auto; only with --mqtt-url (the embedded broker speaks 3.1.1). */
  protocol?: string;
  /** Unset: edgepilot-gw-<gateway id>; only with --mqtt-url. */
  mqttClientId?: string;
  /** Only with --mqtt-url. */
  mqttCleanSession?: boolean;
  gatewayId: string;
  scenario: string;
  forward: boolean;
  kafkaBrokers?: string;
  duration?: string;
  leadTime?: string;
  horizon?: string;
  json?: boolean;
  config?: string;
}

export function register(program: Command): void {
  program
    .command('edge')
    .description('run an edge gateway: validate + forward device messages, publish burst forecasts (MQTT, optional Kafka)')
    .option('--mqtt-url <url>', 'external broker, e.g. mqtt://127.0.0.1:1883 (Mosquitto, MQTT 5); default: start the embedded broker')
    .option('--broker-port <n>', 'port of the embedded broker, when no --mqtt-url is given (default 0 = any free port)')
    .option('--protocol <v>', 'MQTT protocol version of the --mqtt-url broker: auto | 4 (3.1.1) | 5 (default auto; the embedded broker speaks 3.1.1)')
    .option('--gateway-id <id>', 'this gateway id (names its forecast topic and its default MQTT client id)', 'edge-0')
    .option('--mqtt-client-id <id>', 'MQTT client id on the --mqtt-url broker (default edgepilot-gw-<gateway id>); the same on every start, and a different one for every gateway running')
    .option('--mqtt-clean-session', 'no persistent session on the --mqtt-url broker: device messages published while this gateway is disconnected or restarting are lost (default: the broker queues them)')
    .option('--scenario <name>', `devices to serve: ${SCENARIOS.join(' | ')} | all`, 'all')
    .option('--no-forward', 'do not forward device messages to the MQTT ingest topic')
    .option('--kafka-brokers <list>', 'also produce every valid message to Kafka (host:port,...), topic edgepilot.ingest.<scenario>')
    .option('--duration <s>', 'seconds to run (default: until Ctrl-C)')
    .option('--lead-time <s>', 'forecaster lead time, s (default: the simulator config, sim.edgeLeadTimeS)')
    .option('--horizon <s>', 'forecast horizon, s (default: the simulator config, sim.forecastHorizonS)')
    .option('--config <file.json>', `${CONFIG_FLAG_HELP}; here the forecaster's defaults (sim.edgeLeadTimeS, sim.forecastHorizonS). Give serve the same file`)
    .option('--json', 'print the summary as one JSON line (the last line of stdout)')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot edge --broker-port 1883                       embedded broker on 1883; devices: edgepilot devices --mqtt-url mqtt://127.0.0.1:1883
  edgepilot edge --mqtt-url mqtt://mosquitto:1883 --gateway-id edge-1 --scenario healthcare --kafka-brokers kafka:9092
  edgepilot edge --mqtt-url mqtt://mosquitto:1883 --gateway-id edge-2 --mqtt-client-id site7-edge-2

With --mqtt-url the gateway has a persistent session (client id edgepilot-gw-<gateway id>): a gateway that reconnects
or restarts gets the device messages the broker queued meanwhile, up to the broker's queue limit (Mosquitto:
max_queued_messages, 1000 per client by default). Give every gateway running at the same time its own id.`,
    )
    .action(async (flags: EdgeFlags) => {
      await runEdge(flags);
    });
}

async function runEdge(flags: EdgeFlags): Promise<void> {
  // Usage checks first, before anything is started.
  if (flags.mqttUrl !== undefined && !/^mqtts?:\/\/[^/]+/.test(flags.mqttUrl)) throw new UsageError(`--mqtt-url must look like mqtt://host:port, got '${flags.mqttUrl}'`);
  // Each flag belongs to one of the two brokers; given with the other it would be silently ignored.
  if (flags.mqttUrl !== undefined && flags.brokerPort !== undefined) throw new UsageError('--broker-port is the port of the embedded broker; with --mqtt-url none is started (give one or the other)');
  if (flags.mqttUrl === undefined && flags.protocol !== undefined) throw new UsageError('--protocol applies to the --mqtt-url broker; the embedded broker speaks MQTT 3.1.1');
  checkMqttSessionFlags(flags, flags.mqttUrl === undefined ? 'applies to the --mqtt-url broker; the embedded broker lives in this process, so it keeps no session across a restart' : null);
  const brokerPort = parseIntOption('--broker-port', flags.brokerPort ?? '0', 0, 65535);
  const protocol = flags.protocol ?? 'auto';
  if (!['auto', '4', '5'].includes(protocol)) throw new UsageError(`--protocol must be auto, 4 or 5, got '${protocol}'`);
  if (!ID_PATTERN.test(flags.gatewayId)) throw new UsageError(`--gateway-id must match ${ID_PATTERN}, got '${flags.gatewayId}'`);
  if (flags.scenario !== 'all' && !isScenarioName(flags.scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')} or all, got '${flags.scenario}'${didYouMean(flags.scenario, [...SCENARIOS, 'all'])}`);
  const scenario: ScenarioName | undefined = flags.scenario === 'all' ? undefined : (flags.scenario as ScenarioName);
  const durationS = flags.duration === undefined ? undefined : parseSecondsOption('--duration', flags.duration);
  const forecaster: { leadTimeS?: number; horizonS?: number } = {};
  if (flags.leadTime !== undefined) forecaster.leadTimeS = parseIntOption('--lead-time', flags.leadTime, 0);
  if (flags.horizon !== undefined) forecaster.horizonS = parseIntOption('--horizon', flags.horizon, 0);
  const configFile = flags.config === undefined ? undefined : configFileFlag(flags.config);
  if (configFile) process.stderr.write(`config ${describeConfigFile(configFile)}\n`);
  let brokers: string[] | undefined;
  if (flags.kafkaBrokers !== undefined) {
    try {
      brokers = parseBrokers(flags.kafkaBrokers);
    } catch (err) {
      throw new UsageError(`--kafka-brokers: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    let embedded: EmbeddedBroker | null = null;
    let mqttUrl = flags.mqttUrl;
    if (mqttUrl === undefined) {
      embedded = await startEmbeddedBroker({ port: brokerPort, log: (line) => process.stderr.write(`edge: ${line}\n`) });
      closers.push(() => embedded!.stop());
      mqttUrl = embedded.url;
      process.stderr.write(`edge: embedded MQTT broker (3.1.1) listening at ${mqttUrl}\n`);
    }
    const protocolVersion = embedded ? 4 : protocol === 'auto' ? await detectProtocolVersion(mqttUrl) : (Number(protocol) as 4 | 5);
    const bridge = brokers ? await KafkaIngestBridge.start({ brokers, clientId: `edgepilot-${flags.gatewayId}` }) : undefined;
    if (bridge) closers.push(() => bridge.stop());
    const gateway = await EdgeGateway.start({
      mqttUrl,
      protocolVersion,
      gatewayId: flags.gatewayId,
      ...(flags.mqttClientId === undefined ? {} : { clientId: flags.mqttClientId }),
      cleanSession: flags.mqttCleanSession ?? false,
      scenario,
      forward: flags.forward,
      sink: bridge,
      forecaster,
      config: configFile?.config ?? loadConfig(),
    });
    closers.push(() => gateway.stop());

    const startedMs = Date.now();
    await new Promise<void>((resolve) => {
      const onSigint = () => done();
      const timer = durationS !== undefined ? setTimeout(() => done(), durationS * 1000) : null;
      // A status line every 10 s on stderr, so a long run shows it is alive.
      const status = setInterval(() => process.stderr.write(`edge: ${statusLine(gateway.stats())}\n`), 10_000);
      function done(): void {
        if (timer) clearTimeout(timer);
        clearInterval(status);
        process.removeListener('SIGINT', onSigint);
        process.removeListener('SIGTERM', onSigint);
        resolve();
      }
      // SIGTERM too (what `kill`, systemd and Kubernetes send): the gateway flushes its batch and prints its summary.
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigint);
      // Said only now: a supervisor that signals as soon as it reads this line must find the handlers in place.
      const session = gateway.session ? `, client id ${gateway.session.clientId} (${gateway.session.clean ? 'clean' : 'persistent'} session)` : '';
      process.stderr.write(`edge: gateway ${flags.gatewayId} on ${mqttUrl} (MQTT v${protocolVersion === 5 ? '5' : '3.1.1'}${session}), devices ${scenario ?? 'all'}${bridge ? `, Kafka ${brokers!.join(',')}` : ''}\n`);
    });
    const elapsedS = (Date.now() - startedMs) / 1000;
    await gateway.stop();
    closers.pop();
    if (bridge) {
      await bridge.stop();
      closers.pop();
    }
    const stats = gateway.stats();
    const summary = {
      command: 'edge',
      mqttUrl,
      embeddedBroker: embedded !== null,
      protocolVersion,
      mqttClientId: gateway.session?.clientId ?? null,
      mqttCleanSession: gateway.session?.clean ?? null,
      scenario: scenario ?? 'all',
      elapsedS: Math.round(elapsedS * 1000) / 1000,
      ...stats,
      kafka: bridge ? bridge.stats() : null,
    };
    if (flags.json) printJsonSummary(summary);
    else process.stdout.write(`edge: ${statusLine(stats)}${bridge ? `, kafka sent ${bridge.sent} failed ${bridge.failed}` : ''} over ${summary.elapsedS} s\n`);
    if (bridge && (bridge.failed > 0 || bridge.dropped > 0)) {
      process.stderr.write(`edgepilot edge: ${bridge.failed + bridge.dropped} messages did not reach Kafka (${bridge.lastError || 'buffer overflow'})\n`);
      process.exitCode = 1;
    }
  } catch (err) {
    // An unreachable broker or Kafka is an operational condition: a clean message, exit 1. A taken --broker-port is
    // the user's to change, as in demo: exit 2.
    if (err instanceof UsageError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/cannot listen/.test(message)) throw new UsageError(`--broker-port: ${message}`);
    process.stderr.write(`edgepilot edge: ${message}\n`);
    process.exitCode = 1;
  } finally {
    await closeAll();
  }
}

function statusLine(s: GatewayStats): string {
  const f = s.lastForecast;
  return (
    `accepted ${s.accepted}, duplicates ${s.duplicates}, rejected ${s.rejected}, forwarded ${s.forwarded}, forecasts ${s.forecastsPublished}, devices ${s.devicesHeld}` +
    (s.deviceRestarts || s.devicesJoinedMidStream || s.devicesEvicted ? ` (${s.deviceRestarts} restarted, ${s.devicesJoinedMidStream} met mid-stream, ${s.devicesEvicted} forgotten)` : '') +
    (f ? ` (predicted ${f.predictedRateMsgsPerS.toFixed(1)} msgs/s, burst p ${f.burstProbability.toFixed(2)})` : '')
  );
}
