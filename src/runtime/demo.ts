/**
 * `edgepilot demo`: the whole live system in one process, on embedded defaults.
 *
 *   device fleet --MQTT QoS 1--> embedded aedes broker --in process--> edge gateway (validate, dedup, forecast)
 *     --edgepilot/ingest/<scenario>--> StreamEngine (micro-batches, shuffle through memory/directory/s3rver stores)
 *     <-- LocalEngineActuator -- ControlLoop (policy + safety shield) <-- LocalEngineMetricsSource + edge forecasts
 *     --> dashboard (SSE) and /metrics
 *
 * Rates are the simulator's divided by `rateScale` (demo-support.ts explains why and how the controller still sees
 * simulator units). Stopping (duration over, Ctrl-C, POST /api/stop): the devices stop, their last messages are
 * acknowledged and delivered, the controller stops, the engine drains its backlog, then everything closes and the
 * summary checks the accounting: every published message was processed or dropped with a reason.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MqttClient } from 'mqtt';
import { connect } from './devices/mqtt-client.ts';
import { loadConfig, type ScenarioConfig, type SimConfig } from '../core/config.ts';
import { MAX_EXECUTORS } from '../core/action.ts';
import type { Action } from '../core/types.ts';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { ControlLoop, nominalExecutorCapacityMsgsPerS } from '../control/control-loop.ts';
import { controlLoopMetrics, gatewayMetrics, metricsHandler, type MetricFamily } from '../control/prometheus.ts';
import type { TieredStoreStats } from '../shuffle/stores/tiered-store.ts';
import { EdgeGateway } from '../edge/gateway.ts';
import { MqttForecastSource } from '../edge/forecast-source.ts';
import { createPolicy, policyIds } from '../policies/registry.ts';
import { DashboardHub, type PipelineCounters } from '../dashboard/state.ts';
import { startDashboardServer, type DashboardServer } from '../dashboard/server.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './devices/broker.ts';
import { DeviceFleet } from './devices/fleet.ts';
import { publishSchedule, type PublishSummary } from './devices/publisher.ts';
import { deviceTopic, ingestTopic } from './devices/topics.ts';
import { DROP_REASONS, LocalEngineActuator, LocalEngineMetricsSource, StreamEngine, type EngineCounters } from './engine/index.ts';
import { bindLiveDashboard, livePolicyIds, NOT_LIVE_POLICIES } from './live-dashboard.ts';
import { checkpointFiles } from '../rl/ensemble.ts';
import { checkAccounting, chooseDefaultPolicy, DEFAULT_RATE_SCALE, demoWorkload, fleetMessagesArrived, ModeContextPolicy, scaledForecasts, scaledMetrics } from './demo-support.ts';
import type { Trace } from '../workload/trace.ts';
import { shippedModel } from '../core/paths.ts';

/** What `edge-rl` loads: the PPO and the meta-controller (with its members, should it be an ensemble manifest). */
export function edgeRlCheckpoints(): string[] {
  return [shippedModel('edge-rl-ppo.json'), ...checkpointFiles(shippedModel('meta-td3.json'))];
}

export interface DemoOptions {
  scenario: ScenarioName;
  /** A policy id; default: edge-rl when its checkpoints exist, else threshold-forecast. */
  policy?: string;
  /** Seconds the devices publish; undefined = until stop() or the signal. */
  durationS?: number;
  host?: string;
  /** Dashboard port; 0 = any free port. Default 8080. */
  port?: number;
  token?: string;
  seed?: number;
  rateScale?: number;
  devices?: number;
  controlIntervalS?: number;
  coldStartMs?: number;
  /** Seconds between two malformed payloads from a simulated faulty sensor (0 = none). Default 10. */
  faultyEverySeconds?: number;
  /** A real trace to drive the device fleet instead of the scenario's synthetic process (src/workload/trace.ts). */
  trace?: Trace;
  /** The world model (a --config file's, src/core/config-file.ts); default the built-in config. */
  config?: SimConfig;
  /** Engine outputs and the decision log; default runs/demo-<time>/. */
  outputDir?: string;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface DemoSummary {
  scenario: ScenarioName;
  policy: string;
  policyReason: string;
  rateScale: number;
  elapsedS: number;
  published: number;
  ingested: number;
  processed: number;
  dropped: number;
  droppedByReason: Record<string, number>;
  malformed: number;
  /** Malformed payloads the faulty sensor sent (every one must be counted as malformed). */
  malformedSent: number;
  duplicates: number;
  unacked: number;
  slaViolationPct: number;
  costUsd: number;
  decisions: number;
  invariantOk: boolean;
  invariantLines: string[];
  outputDir: string;
}

export interface DemoHandle {
  url: string;
  /** The embedded MQTT broker (3.1.1) the devices, gateway and engine use, e.g. for `edgepilot devices` or a subscriber. */
  brokerUrl: string;
  token: string;
  policy: string;
  policyReason: string;
  rateScale: number;
  outputDir: string;
  hub: DashboardHub;
  /** Stops the demo (idempotent) and resolves to its summary. */
  stop(): Promise<DemoSummary>;
  /** Resolves when the demo has stopped for any reason (duration, signal, /api/stop). */
  done: Promise<DemoSummary>;
}

/** [assumed] Default fleet size: enough devices that per-device rates stay realistic (~1-10 msgs/s each). */
const DEFAULT_DEVICES = 200;
/**
 * [assumed] 5 s between decisions instead of the simulator's 10 s so a demo of a few minutes shows the controller at
 * work; the policies see per-second rates, so the interval changes how often they act, not what they see.
 */
const DEFAULT_CONTROL_INTERVAL_S = 5;
/**
 * [assumed] 10 s emulated executor cold start: the simulator's median is 25 s (config.ts cluster.coldStart, anchors 8);
 * shortened so scale-ups land within a short demo, still long enough that reacting late visibly costs latency.
 */
const DEFAULT_COLD_START_MS = 10_000;
/** The dashboard's default port. */
export const DEFAULT_DEMO_PORT = 8080;

function scenarioConfig(config: SimConfig, scenario: ScenarioName): ScenarioConfig {
  const sc = (config.scenarios as Record<string, ScenarioConfig | undefined>)[scenario];
  if (!sc) throw new Error(`demo: unknown scenario '${scenario}' (expected one of ${SCENARIOS.join(', ')})`);
  return sc;
}

export async function startDemo(opts: DemoOptions): Promise<DemoHandle> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = opts.config ?? loadConfig();
  const scenario = opts.scenario;
  const sc = scenarioConfig(config, scenario);
  const rateScale = opts.rateScale ?? DEFAULT_RATE_SCALE;
  const seed = opts.seed ?? 1;
  const controlIntervalS = opts.controlIntervalS ?? DEFAULT_CONTROL_INTERVAL_S;
  if (opts.durationS !== undefined && !(opts.durationS > 0)) throw new Error(`demo: durationS must be > 0, got ${opts.durationS}`);

  let policyReason: string;
  let policy: string;
  if (opts.policy !== undefined) {
    if (!policyIds().includes(opts.policy)) throw new Error(`demo: unknown policy '${opts.policy}'; valid policies: ${livePolicyIds().join(', ')}`);
    if (NOT_LIVE_POLICIES.has(opts.policy)) throw new Error(`demo: policy '${opts.policy}' needs the future and cannot run live`);
    policy = opts.policy;
    policyReason = 'chosen with --policy';
  } else {
    const choice = chooseDefaultPolicy(policyIds(), edgeRlCheckpoints());
    policy = choice.policy;
    policyReason = choice.reason;
  }

  const outputDir = resolve(opts.outputDir ?? join('runs', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  mkdirSync(outputDir, { recursive: true });

  // The engine's executor is the simulator's, scaled like the rates: a load needs the same executor count in both.
  const simCapacityMsgsPerS = nominalExecutorCapacityMsgsPerS(config, sc);
  const engineCapacityMsgsPerS = simCapacityMsgsPerS / rateScale;
  // Start sized like the simulator's initial deployment: base load x 1.3 headroom (config.ts cluster.initial).
  const initialExecutors = Math.min(MAX_EXECUTORS, Math.max(1, Math.ceil((sc.baseRateMsgsPerS * config.cluster.initial.autoHeadroom) / simCapacityMsgsPerS)));
  const initialAction: Action = { executors: initialExecutors, memoryGb: config.cluster.initial.memoryGb, tier: config.shuffle.initialTier, codec: config.shuffle.initialCodec };

  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => log(`demo: close failed: ${err instanceof Error ? err.message : String(err)}`));
    closers.length = 0;
  };

  try {
    const broker: EmbeddedBroker = await startEmbeddedBroker({ log: (line) => log(`demo: ${line}`) });
    closers.push(() => broker.stop());

    // One MQTT client carries the engine's side: it consumes the ingest topic and publishes results and alerts.
    const engineClient: MqttClient = await connectClient(broker.url, 'edgepilot-demo-engine');
    closers.push(() => engineClient.endAsync());
    const engine = new StreamEngine(
      {
        executorCapacityMsgsPerS: engineCapacityMsgsPerS,
        coldStartMs: opts.coldStartMs ?? DEFAULT_COLD_START_MS,
        initialExecutors,
        initialMemoryGb: initialAction.memoryGb,
        initialTier: initialAction.tier,
        initialCodec: initialAction.codec,
        outputDir,
        // The engine consumes only the gateway's ingest topic, and the gateway ran the full validatePayload on every
        // message it forwarded: validate once (a malformed payload is rejected and counted there, exactly once).
        rawValidation: 'envelope',
      },
      { config, publish: (topic, payload) => engineClient.publish(topic, payload, { qos: 0 }), log: (line) => log(`demo: ${line}`) },
    );
    await engine.start();
    let engineStopped: EngineCounters | null = null;
    closers.push(async () => {
      if (engineStopped === null) engineStopped = await engine.stop();
    });
    engineClient.on('message', (topic, payload) => void engine.ingestMqtt(topic, payload));
    await engineClient.subscribeAsync(ingestTopic(scenario), { qos: 1 });

    // The gateway lives in the broker's process: it takes device messages from the broker's router (broker.local),
    // without a second QoS 1 delivery over MQTT; the engine still receives its batches over MQTT.
    const gateway = await EdgeGateway.start({ mqttUrl: broker.url, broker: broker.local, protocolVersion: 4, gatewayId: 'edge-0', scenario, config, log: (line) => log(`demo: ${line}`) });
    closers.push(() => gateway.stop());
    const forecasts = await MqttForecastSource.start({ mqttUrl: broker.url, protocolVersion: 4 });
    closers.push(() => forecasts.stop());

    // The policy, told the operating mode the dashboard sets (normal | budget | critical).
    const modePolicy = new ModeContextPolicy(createPolicy(policy, config), sc.budgetUsdPerHour);
    const loop = new ControlLoop({
      metrics: scaledMetrics(new LocalEngineMetricsSource(engine), rateScale),
      forecasts: scaledForecasts(forecasts, rateScale),
      actuator: new LocalEngineActuator(engine),
      policy: modePolicy,
      scenario,
      config,
      controlIntervalS,
      initialAction,
      seed,
      decisionLogPath: join(outputDir, 'decisions.jsonl'),
      log,
    });
    closers.push(() => loop.stop());

    const dashboard = bindLiveDashboard(loop, modePolicy, {
      scenario,
      policyId: policy,
      slaP95LatencyMs: sc.slaP95LatencyMs,
      budgetUsdPerHour: sc.budgetUsdPerHour,
      rateScale,
      notes: [`rates 1:${rateScale} of the simulator's`, `decision every ${controlIntervalS} s`, policyReason, opts.trace ? `workload: the trace ${opts.trace.name}` : "workload: the scenario's synthetic process"],
      log: (line) => log(`demo: ${line}`),
    });
    const hub = dashboard.hub;

    // Device side: the scenario's arrival process (scaled), published at QoS 1 until the duration ends or we stop.
    const workload = demoWorkload(sc, seed, { rateScale, ...(opts.trace ? { trace: opts.trace } : {}) });
    const fleet = new DeviceFleet({ scenario, devices: opts.devices ?? DEFAULT_DEVICES, seed, rate: workload.rate, durationS: opts.durationS ?? 365 * 86_400 });
    const abortDevices = new AbortController();
    let publishedSoFar = 0;
    const publishing: Promise<PublishSummary> = publishSchedule(fleet, {
      mqttUrl: broker.url,
      protocolVersion: 4,
      clientId: 'edgepilot-demo-devices',
      // [assumed] 1,000 unacknowledged messages: about one second of a burst at demo scale.
      maxInFlight: 1000,
      signal: abortDevices.signal,
      onProgress: (p) => {
        publishedSoFar = p.published;
      },
    });
    // On a failed start (e.g. the dashboard port is taken) the devices must stop too, or the process never exits.
    closers.push(async () => {
      abortDevices.abort();
      await publishing.catch(() => undefined);
    });

    // A faulty sensor: every few seconds one payload the validators must reject (alternately broken JSON and a
    // reading outside its physical bounds), so the malformed counter and its accounting are exercised live.
    let malformedSent = 0;
    const faultyEveryS = opts.faultyEverySeconds ?? 10;
    const faultyTimer =
      faultyEveryS > 0
        ? setInterval(() => {
            if (abortDevices.signal.aborted) return;
            engineClient.publish(deviceTopic(scenario, FAULTY_DEVICE_ID), faultyPayload(scenario, malformedSent), { qos: 1 }, (err) => {
              if (!err) malformedSent++;
            });
          }, faultyEveryS * 1000)
        : null;
    closers.push(async () => {
      if (faultyTimer) clearInterval(faultyTimer);
    });

    const counters = (): PipelineCounters => {
      const c = engineStopped ?? engine.getCounters();
      const gw = gateway.stats();
      return {
        // Messages taken from the schedule = published (the publisher sends each one until it is acknowledged).
        published: Math.max(publishedSoFar, fleet.issuedCount),
        ingested: c.ingested,
        processed: c.processed,
        dropped: DROP_REASONS.reduce((s, r) => s + c.dropped[r], 0),
        malformed: gw.rejected + Object.values(c.rejected).reduce((s, n) => s + n, 0),
      };
    };
    const countersTimer = setInterval(() => hub.setCounters(counters()), 500);
    closers.push(async () => clearInterval(countersTimer));

    const metrics = metricsHandler(
      () => controlLoopMetrics(loop),
      () => gatewayMetrics([gateway.stats()]),
      () => [...pipelineMetricFamilies(counters()), ...shuffleStoreMetricFamilies(engine.shuffle.stats())],
    );

    let stopPromise: Promise<DemoSummary> | null = null;
    let resolveDone!: (s: DemoSummary) => void;
    let rejectDone!: (e: unknown) => void;
    const done = new Promise<DemoSummary>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    const startedMs = Date.now();

    const server: DashboardServer = await startDashboardServer({
      hub,
      host: opts.host,
      port: opts.port ?? DEFAULT_DEMO_PORT,
      token: opts.token,
      metrics,
      controls: {
        setPolicy: dashboard.setPolicy,
        setMode: dashboard.setMode,
        stop: () => void stop(),
      },
    });

    const stop = (): Promise<DemoSummary> => {
      if (stopPromise) return stopPromise;
      stopPromise = (async () => {
        log('demo: stopping: devices first, then the controller, then the engine drains');
        abortDevices.abort();
        if (faultyTimer) clearInterval(faultyTimer);
        const pub = await publishing;
        publishedSoFar = pub.published;
        // Let the acknowledged messages still in transit (broker -> gateway -> broker -> engine) arrive: wait while
        // they keep arriving, up to 2 minutes; give up after 5 s without progress (then the accounting shows the gap).
        // Only the fleet's own messages count (fleetMessagesArrived): a stranger's must not end the wait early.
        const arrived = () => fleetMessagesArrived(fleet.deviceIds, engine.dedup);
        const giveUpAtMs = Date.now() + 120_000;
        let last = arrived();
        let lastProgressMs = Date.now();
        const malformedSeen = () => counters().malformed;
        while ((last < pub.published || malformedSeen() < malformedSent) && Date.now() < giveUpAtMs && Date.now() - lastProgressMs < 5000) {
          await sleep(100);
          const now = arrived();
          if (now > last) lastProgressMs = Date.now();
          last = now;
        }
        if (last < pub.published) log(`demo: ${pub.published - last} published messages did not reach the engine`);
        await loop.stop();
        engineStopped = await engine.stop();
        const final = counters();
        hub.setCounters(final);
        hub.markStopped();
        const c = engineStopped;
        const droppedByReason: Record<string, number> = {};
        for (const r of DROP_REASONS) droppedByReason[r] = c.dropped[r];
        const check = checkAccounting({ published: pub.published, ingested: c.ingested, processed: c.processed, dropped: final.dropped, droppedByReason });
        const malformedOk = final.malformed === malformedSent;
        check.lines.push(`${malformedOk ? 'OK ' : 'BAD'} malformed ${final.malformed} = sent by the faulty sensor ${malformedSent}`);
        check.ok = check.ok && malformedOk;
        const files = outputFilesLine(engine.outputStats, outputDir, { path: join(outputDir, 'decisions.jsonl'), failed: loop.errors.log, decisions: loop.decisionCount });
        check.lines.push(files.line);
        check.ok = check.ok && files.ok;
        const decisions = loop.decisionCount;
        const summary: DemoSummary = {
          scenario,
          policy: loop.policy.id,
          policyReason,
          rateScale,
          elapsedS: (Date.now() - startedMs) / 1000,
          published: pub.published,
          ingested: c.ingested,
          processed: c.processed,
          dropped: final.dropped,
          droppedByReason,
          malformed: final.malformed,
          malformedSent,
          duplicates: c.duplicates + gateway.stats().duplicates,
          unacked: pub.unacked,
          slaViolationPct: decisions > 0 ? (100 * dashboard.slaViolations()) / decisions : 0,
          costUsd: loop.spentUsd,
          decisions,
          invariantOk: check.ok,
          invariantLines: check.lines,
          outputDir,
        };
        await server.close();
        await closeAll();
        return summary;
      })();
      stopPromise.then(resolveDone, rejectDone);
      return stopPromise;
    };

    loop.start();
    if (opts.signal) {
      if (opts.signal.aborted) void stop();
      else opts.signal.addEventListener('abort', () => void stop(), { once: true });
    }
    // A finite schedule ends by itself: then stop the rest, once the duration is over (a trace can have no message in
    // its last seconds, so its schedule ends early) and at once if publishing failed.
    void publishing.then(
      () => {
        const leftMs = opts.durationS === undefined ? 0 : opts.durationS * 1000 - (Date.now() - startedMs);
        if (leftMs <= 0) return void stop();
        const timer = setTimeout(() => void stop(), leftMs);
        timer.unref();
        closers.push(async () => clearTimeout(timer));
      },
      () => stop(),
    );

    return { url: server.url, brokerUrl: broker.url, token: server.token, policy, policyReason, rateScale, outputDir, hub, stop, done };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * The summary line about the output files: BAD when a write failed (disk full, folder gone), with how many windows,
 * alerts and decisions are missing, so a truncated windows.jsonl or decisions.jsonl is never presented as the run's
 * results. `decisionLog.failed` is the control loop's count of decisions it could not append (ControlLoop.errors.log).
 */
export function outputFilesLine(
  stats: StreamEngine['outputStats'],
  outputDir: string,
  decisionLog: { path: string; failed: number; decisions: number } = { path: join(outputDir, 'decisions.jsonl'), failed: 0, decisions: 0 },
): { ok: boolean; line: string } {
  const fileErrors = stats?.fileErrors ?? 0;
  if (fileErrors === 0 && decisionLog.failed === 0) {
    return { ok: true, line: `OK  output files complete: ${stats?.windowsWritten ?? 0} windows, ${stats?.alertsWritten ?? 0} alerts, ${decisionLog.decisions} decisions in ${outputDir}` };
  }
  const missing: string[] = [];
  if (stats !== undefined && fileErrors > 0) {
    missing.push(`${stats.windowsLost} of ${stats.windowsWritten} windows and ${stats.alertsLost} of ${stats.alertsWritten} alerts not written (${fileErrors} write errors, last ${stats.lastFileError})`);
  }
  if (decisionLog.failed > 0) missing.push(`${decisionLog.failed} of ${decisionLog.decisions} decisions not appended to ${decisionLog.path} (the controller logged why)`);
  return { ok: false, line: `BAD output files incomplete: ${missing.join('; ')}` };
}

const FAULTY_DEVICE_ID = 'FAULTY-0001';

/** A payload every validator rejects: broken JSON, or a well-formed message with a reading far out of bounds. */
export function faultyPayload(scenario: ScenarioName, n: number): string {
  if (n % 2 === 0) return `{"schemaVersion":1,"kind":"smart-city","scenario":"${scenario}","deviceId":"${FAULTY_DEVICE_ID}","seq":${n},"payl`;
  return JSON.stringify({ schemaVersion: 1, kind: 'smart-city', scenario, deviceId: FAULTY_DEVICE_ID, seq: n, sentAtMs: Date.now(), payload: { type: 'traffic', vehicleCount: -5 } });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function connectClient(url: string, name: string): Promise<MqttClient> {
  const client = connect(url, { protocolVersion: 4, clientId: `${name}-${process.pid}-${Date.now().toString(36)}`, reconnectPeriod: 500, connectTimeout: 5000, keepalive: 10 });
  client.on('error', () => undefined); // reconnects on its own
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo: no MQTT connection to ${url} within 5 s`)), 5000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return client;
}

/**
 * The shuffle store's health: writes that fell back to another tier, deletes that failed, and the failed deletes
 * waiting to be retried, retried with success, or given up (src/shuffle/stores/tiered-store.ts).
 */
export function shuffleStoreMetricFamilies(s: TieredStoreStats): MetricFamily[] {
  const family = (name: string, help: string, type: 'counter' | 'gauge', value: number): MetricFamily => ({ name, help, type, samples: [{ value }] });
  return [
    family('edgepilot_shuffle_fallbacks_total', 'Shuffle blocks written to another tier than the selected one.', 'counter', s.fallbacks),
    family('edgepilot_shuffle_delete_failures_total', 'Shuffle block deletes that failed (each is retried later).', 'counter', s.deleteFailures),
    family('edgepilot_shuffle_garbage_pending', 'Shuffle block copies whose delete failed, waiting to be deleted again.', 'gauge', s.garbagePending),
    family('edgepilot_shuffle_garbage_collected_total', 'Shuffle block copies deleted by a retry.', 'counter', s.garbageCollected),
    family('edgepilot_shuffle_garbage_abandoned_total', 'Shuffle block copies given up on (too many failed deletes waiting).', 'counter', s.garbageAbandoned),
  ];
}

/** The pipeline's message accounting as Prometheus counters (the loop and gateway have their own). */
export function pipelineMetricFamilies(c: PipelineCounters): MetricFamily[] {
  const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });
  return [
    counter('edgepilot_pipeline_published_total', 'Messages published by the device fleet.', c.published),
    counter('edgepilot_pipeline_ingested_total', 'Distinct valid messages accepted by the engine.', c.ingested),
    counter('edgepilot_pipeline_processed_total', 'Messages merged into windows by the engine.', c.processed),
    counter('edgepilot_pipeline_dropped_total', 'Messages dropped by the engine (late, retention, backlog, shutdown, ...).', c.dropped),
    counter('edgepilot_pipeline_malformed_total', 'Payloads rejected as malformed (gateway and engine).', c.malformed),
  ];
}
