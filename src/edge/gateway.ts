/**
 * The edge gateway (docs/CONTROLLER.md, "Edge gateway"): subscribes to its devices' MQTT topics, validates and dedups
 * every message (the same validatePayload / SeqDeduper as every consumer), forwards the valid ones to the ingest
 * topic in batches (docs/MESSAGES.md "Ingest batches": one MQTT message per flush, the original payloads one per line,
 * flushed every `batchMaxMsgs` messages or `batchMaxDelayMs` ms, whichever comes first) and, optionally, one by one to
 * Kafka, counts them per second, runs THE burst Forecaster of the simulator
 * (src/edge/forecaster.ts) on that per-second rate, and publishes its forecast once per second on
 * `edgepilot/edge/<gatewayId>/forecast`.
 *
 * The per-second counting is by arrival time at the gateway (its own clock), so the rate is what this gateway sees,
 * which is what the simulator's gateways observe too. Timers come from an injectable clock: tests call
 * `closeSeconds(nowMs)` and `handle(...)` directly.
 */
import type { MqttClient } from 'mqtt';
import { connect } from '../runtime/devices/mqtt-client.ts';
import { loadConfig, type SimConfig } from '../core/config.ts';
import type { EdgeForecast } from '../core/types.ts';
import type { ScenarioName } from '../env/spark-iot-types.ts';
import type { LocalBrokerPort } from '../runtime/devices/broker.ts';
import { SeqDeduper } from '../runtime/devices/dedup.ts';
import { batchBytesWith, batchLine, DEFAULT_MAX_BATCH_BYTES, encodeIngestBatch } from '../runtime/devices/ingest-batch.ts';
import { mqttSessionOptions, sessionMeanwhile, type MqttSessionConnectOptions } from '../runtime/devices/mqtt-session.ts';
import { OutageLog } from '../runtime/devices/outage-log.ts';
import { RejectLog } from '../runtime/devices/reject-log.ts';
import { validatePayload, ValidationTally, type ValidateOptions } from '../runtime/devices/schemas.ts';
import { deviceTopicFilter, forecastTopic, ID_PATTERN, ingestTopic } from '../runtime/devices/topics.ts';
import type { IngestSink } from '../runtime/kafka/bridge.ts';
import { encodeForecastMessage, waitForFirstConnect } from './forecast-source.ts';
import { Forecaster, type ForecasterSettings } from './forecaster.ts';

/** Per-second message counts by gateway clock: Unix second -> count, closed once the second is over. */
export class RateAggregator {
  private readonly counts = new Map<number, number>();
  private nextSecond: number;

  /** Counting starts with the first full second after `startMs` (a partial first second would read low). */
  constructor(startMs: number) {
    this.nextSecond = Math.floor(startMs / 1000) + 1;
  }

  add(nowMs: number, n = 1): void {
    const s = Math.floor(nowMs / 1000);
    if (s < this.nextSecond) return; // the partial first second, or a second already closed
    this.counts.set(s, (this.counts.get(s) ?? 0) + n);
  }

  /** Every second that has ended by `nowMs` and was not yet returned, with its count (0 for silent seconds). */
  close(nowMs: number): Array<{ tSeconds: number; count: number }> {
    const out: Array<{ tSeconds: number; count: number }> = [];
    const current = Math.floor(nowMs / 1000);
    for (let s = this.nextSecond; s < current; s++) {
      out.push({ tSeconds: s, count: this.counts.get(s) ?? 0 });
      this.counts.delete(s);
    }
    if (current > this.nextSecond) this.nextSecond = current;
    return out;
  }
}

export interface GatewayClock {
  nowMs(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const systemClock: GatewayClock = {
  nowMs: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface EdgeGatewayOptions {
  /** The broker to connect to (not used with `broker`). */
  mqttUrl: string;
  /**
   * In-process link to the embedded broker this gateway runs next to (`startEmbeddedBroker().local`): device messages,
   * forwards and forecasts go through the broker's router instead of an MQTT connection of the gateway's own, which
   * saves a QoS 1 delivery (encode, socket write, parse, PUBACK) per device message. Devices still publish over MQTT
   * QoS 1 and get their PUBACK only after this gateway has handled the message (docs/MESSAGES.md). No reconnects:
   * the link ends with the broker.
   */
  broker?: LocalBrokerPort;
  /** 4 for the embedded aedes broker (3.1.1 only), 5 for Mosquitto. Default 4. */
  protocolVersion?: 4 | 5;
  gatewayId: string;
  /**
   * MQTT client id (not used with `broker`). Default `edgepilot-gw-<gatewayId>` (defaultGatewayClientId): the same on
   * every start, so a gateway that reconnects or restarts resumes its session. Two gateways running at the same time
   * need different ids: one id takes the other's session over, in a loop (the outage log then says so).
   */
  clientId?: string;
  /**
   * true: a clean session, as before persistent sessions: the broker keeps nothing while the gateway is disconnected
   * or restarting, and the device messages published meanwhile are lost. Default false: a persistent session, the
   * broker queues them (up to its own queue limit) and delivers them on reconnect (docs/MESSAGES.md). Not used with
   * `broker`.
   */
  cleanSession?: boolean;
  /** Devices of this scenario (default: every device). Ignored when topicFilter is given. */
  scenario?: ScenarioName;
  /** Explicit device subscription, e.g. `edgepilot/devices/healthcare/+`. */
  topicFilter?: string;
  /** Forward valid messages to `edgepilot/ingest/<scenario>` (default true). */
  forward?: boolean;
  /**
   * 'batch' (default): many device payloads per ingest message; 'single': one ingest message per device message
   * (a batch of one, the pre-batching wire behaviour).
   */
  forwardMode?: ForwardMode;
  /** Flush a batch when it holds this many messages. Default 200. */
  batchMaxMsgs?: number;
  /** Flush a batch when its first message has waited this long, ms. Default 20. */
  batchMaxDelayMs?: number;
  /** Never let a batch payload grow past this many bytes (DEFAULT_MAX_BATCH_BYTES). */
  batchMaxBytes?: number;
  /** Transport seam (tests, offline gateways): publishes one ingest message at QoS 1. Default: the MQTT client. */
  publish?: ForwardPublish;
  /** Also hand every valid message to this sink (the Kafka bridge). */
  sink?: IngestSink;
  /** Forecaster settings; leadTimeS and horizonS default to the simulator's (config.sim). */
  forecaster?: Partial<ForecasterSettings>;
  config?: SimConfig;
  validate?: ValidateOptions;
  clock?: GatewayClock;
  /** Called with every published forecast. */
  onForecast?: (forecast: EdgeForecast, tUnixS: number) => void;
  connectTimeoutMs?: number;
  /**
   * Operational lines: each rejected message with its topic and reason (at most 10 per 10 s, the rest counted and
   * summed up, src/runtime/devices/reject-log.ts), a lost and a regained broker connection. Default: stderr.
   */
  log?: (line: string) => void;
}

export type ForwardMode = 'single' | 'batch';
export const FORWARD_MODES: readonly ForwardMode[] = ['single', 'batch'];
export type ForwardPublish = (topic: string, payload: Buffer, done: (err?: Error) => void) => void;

/**
 * [assumed] 200 messages / 20 ms: at 10,000 msgs/s a batch fills in 20 ms, so a flush costs one broker round per ~200
 * messages while adding at most 20 ms to a latency SLA of seconds (config.ts scenarios, slaP95LatencyMs).
 */
export const DEFAULT_BATCH_MAX_MSGS = 200;
export const DEFAULT_BATCH_MAX_DELAY_MS = 20;

/** Messages waiting for one ingest topic. */
interface PendingBatch {
  lines: Buffer[];
  bytes: number;
  firstAtMs: number;
}

export interface GatewayStats {
  gatewayId: string;
  deliveries: number;
  accepted: number;
  duplicates: number;
  /** Devices the dedup holds now (at most its maxDevices). */
  devicesHeld: number;
  /** Devices the dedup forgot to stay within its bound (the least recently seen; src/runtime/devices/dedup.ts). */
  devicesEvicted: number;
  /** Devices first seen a reorder window or more into their seqs (they ran before this gateway started). */
  devicesJoinedMidStream: number;
  /** Device restarts detected (seq back to 0 with a later sentAtMs). */
  deviceRestarts: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  forwarded: number;
  forwardErrors: number;
  /** Ingest MQTT messages published (batches; equals forwarded messages in 'single' mode). */
  forwardBatches: number;
  sinkSent: number;
  forecastsPublished: number;
  secondsObserved: number;
  connects: number;
  lastRateMsgsPerS: number;
  lastForecast: EdgeForecast | null;
}

/** The gateway's MQTT client id unless one is given: stable across restarts, one per gateway id. */
function defaultGatewayClientId(gatewayId: string): string {
  return `edgepilot-gw-${gatewayId}`;
}

function checkGatewayId(gatewayId: string): void {
  if (!ID_PATTERN.test(gatewayId)) throw new Error(`EdgeGateway: gatewayId '${gatewayId}' must match ${ID_PATTERN}`);
}

export class EdgeGateway {
  readonly gatewayId: string;
  /** The MQTT client id and session kind of its own connection; null without one (in-process link, offline). */
  readonly session: { clientId: string; clean: boolean } | null;
  readonly forecaster: Forecaster;
  readonly tally = new ValidationTally();
  readonly dedup = new SeqDeduper();
  deliveries = 0;
  forwarded = 0;
  forwardErrors = 0;
  forwardBatches = 0;
  sinkSent = 0;
  forecastsPublished = 0;
  secondsObserved = 0;
  /** MQTT connections made (1 + reconnects after broker restarts). */
  get connects(): number {
    return this.outage.connects;
  }
  lastRateMsgsPerS = 0;
  lastForecast: EdgeForecast | null = null;

  private readonly aggregator: RateAggregator;
  private readonly clock: GatewayClock;
  private readonly forward: boolean;
  private readonly forwardMode: ForwardMode;
  private readonly batchMaxMsgs: number;
  private readonly batchMaxDelayMs: number;
  private readonly batchMaxBytes: number;
  private readonly publishFn: ForwardPublish | null;
  /** Ingest topic -> messages not yet flushed. */
  private readonly pending = new Map<string, PendingBatch>();
  private timer: unknown = null;
  /** Ends the in-process subscription (gateways started with `broker`). */
  private unsubscribeLocal: (() => Promise<void>) | null = null;
  /** Ingest topic by scenario, built once (a string per message otherwise). */
  private readonly ingestTopics = new Map<string, string>();
  private flushTimer: unknown = null;
  /** Ingest messages published and not yet acknowledged (or failed). */
  private unackedBatches = 0;
  private readonly logLine: (line: string) => void;
  /** Rejected messages, shown with topic and reason (rate-limited). */
  readonly rejectLog: RejectLog;
  /** Logs broker outages, once each, and counts connections. */
  private readonly outage: OutageLog;

  private constructor(
    private readonly client: MqttClient | null,
    private readonly opts: EdgeGatewayOptions,
    session: MqttSessionConnectOptions | null = null,
  ) {
    checkGatewayId(opts.gatewayId);
    this.gatewayId = opts.gatewayId;
    this.session = session ? { clientId: session.clientId, clean: session.clean } : null;
    const config = opts.config ?? loadConfig();
    this.forecaster = new Forecaster({
      leadTimeS: config.sim.edgeLeadTimeS,
      horizonS: config.sim.forecastHorizonS,
      ...opts.forecaster,
      gatewayId: opts.gatewayId,
    });
    this.clock = opts.clock ?? systemClock;
    this.forward = opts.forward ?? true;
    this.forwardMode = opts.forwardMode ?? 'batch';
    if (!FORWARD_MODES.includes(this.forwardMode)) throw new Error(`EdgeGateway: forwardMode '${String(this.forwardMode)}' must be one of ${FORWARD_MODES.join(', ')}`);
    this.batchMaxMsgs = positiveInt('batchMaxMsgs', opts.batchMaxMsgs ?? DEFAULT_BATCH_MAX_MSGS);
    this.batchMaxDelayMs = positiveInt('batchMaxDelayMs', opts.batchMaxDelayMs ?? DEFAULT_BATCH_MAX_DELAY_MS);
    this.batchMaxBytes = positiveInt('batchMaxBytes', opts.batchMaxBytes ?? DEFAULT_MAX_BATCH_BYTES);
    const mqttClient = this.client;
    const local = opts.broker;
    this.publishFn =
      opts.publish ??
      (mqttClient
        ? (topic, payload, done) => void mqttClient.publish(topic, payload, { qos: 1 }, (err) => done(err ?? undefined))
        : local
          ? (topic, payload, done) => local.publish(topic, payload, 1, done)
          : null);
    this.aggregator = new RateAggregator(this.clock.nowMs());
    this.logLine = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    const clock = this.clock;
    this.rejectLog = new RejectLog({ who: `edge gateway ${opts.gatewayId}`, log: this.logLine, nowMs: () => clock.nowMs() });
    this.outage = new OutageLog({
      who: `edge gateway ${opts.gatewayId}`,
      where: opts.mqttUrl,
      nowMs: () => clock.nowMs(),
      log: this.logLine,
      meanwhile: `reconnecting every 0.5 s${this.session ? `; ${sessionMeanwhile(this.session)}` : ''}`,
      ...(this.session ? { clientId: this.session.clientId } : {}),
    });
  }

  /** The MQTT connection is up (the first time, or again after a broker restart). */
  noteConnected(): void {
    this.outage.connected();
  }

  /** The MQTT connection closed (the client reconnects by itself); logged once per outage. */
  noteDisconnected(why?: string): void {
    this.outage.disconnected(why);
  }

  /** A gateway with no MQTT connection: feed it with handle() and closeSeconds() (tests, offline replays). */
  static offline(opts: Omit<EdgeGatewayOptions, 'mqttUrl'> & { mqttUrl?: string }): EdgeGateway {
    return new EdgeGateway(null, { mqttUrl: '', ...opts });
  }

  /** Connects (or links in-process, with `broker`), subscribes to the devices and starts the once-per-second forecast timer. */
  static async start(opts: EdgeGatewayOptions): Promise<EdgeGateway> {
    if (opts.broker) return EdgeGateway.startLocal(opts, opts.broker);
    const timeoutMs = opts.connectTimeoutMs ?? 5000;
    checkGatewayId(opts.gatewayId); // before the client id that is made of it
    const protocolVersion = opts.protocolVersion ?? 4;
    // A persistent session by default: the broker queues the QoS 1 device messages published while this gateway is
    // disconnected or restarting, and delivers them when it is back (the 'message' listener below is in place first).
    const session = mqttSessionOptions(
      { clientId: opts.clientId ?? defaultGatewayClientId(opts.gatewayId), clean: opts.cleanSession ?? false, protocolVersion },
      'EdgeGateway: clientId',
    );
    const client = connect(opts.mqttUrl, {
      protocolVersion,
      ...session,
      reconnectPeriod: 500,
      connectTimeout: timeoutMs,
      keepalive: 10,
    });
    // Until the gateway watches the client (below): an error event must never go unhandled.
    client.on('error', () => undefined);
    let gateway: EdgeGateway;
    try {
      gateway = new EdgeGateway(client, opts, session);
    } catch (err) {
      client.end(true);
      throw err;
    }
    client.on('message', (topic, payload) => gateway.handle(topic, payload));
    // Reconnects on its own; a broker restart is expected, and each outage is logged once.
    gateway.outage.watch(client);
    try {
      await waitForFirstConnect(client, opts.mqttUrl, timeoutMs, 'EdgeGateway');
      await client.subscribeAsync(opts.topicFilter ?? deviceTopicFilter(opts.scenario), { qos: 1 });
    } catch (err) {
      client.end(true);
      throw err;
    }
    gateway.timer = gateway.clock.setInterval(() => gateway.closeSeconds(gateway.clock.nowMs()), 1000);
    gateway.startFlushTimer();
    return gateway;
  }

  private static async startLocal(opts: EdgeGatewayOptions, broker: LocalBrokerPort): Promise<EdgeGateway> {
    const gateway = new EdgeGateway(null, opts);
    gateway.unsubscribeLocal = await broker.subscribe(opts.topicFilter ?? deviceTopicFilter(opts.scenario), (topic, payload) => gateway.handle(topic, payload));
    gateway.noteConnected();
    gateway.timer = gateway.clock.setInterval(() => gateway.closeSeconds(gateway.clock.nowMs()), 1000);
    gateway.startFlushTimer();
    return gateway;
  }

  /** One raw device message (what the MQTT client calls). Never throws on a bad payload: it is counted and skipped. */
  handle(topic: string, payload: Buffer, nowMs = this.clock.nowMs()): void {
    this.deliveries++;
    const result = validatePayload(topic, payload, this.opts.validate, nowMs);
    this.tally.record(result);
    if (!result.ok) {
      this.rejectLog.note(topic, result.reason, result.detail);
      return;
    }
    const m = result.message;
    if (!this.dedup.accept(m.deviceId, m.seq, m.sentAtMs)) return;
    this.aggregator.add(nowMs);
    if (this.forward && this.publishFn) this.enqueue(this.ingestTopicOf(m.scenario), payload, nowMs);
    if (this.opts.sink) {
      this.opts.sink.send(m.deviceId, payload, m.scenario);
      this.sinkSent++;
    }
  }

  /**
   * Starts the time-based flush (EdgeGateway.start does; offline gateways with a `publish` seam may call it). It
   * checks four times per batchMaxDelayMs, so a batch waits at most ~1.25 x batchMaxDelayMs.
   */
  startFlushTimer(): void {
    if (this.flushTimer !== null || this.forwardMode !== 'batch' || !this.forward) return;
    const periodMs = Math.max(1, Math.ceil(this.batchMaxDelayMs / 4));
    this.flushTimer = this.clock.setInterval(() => this.flushDue(this.clock.nowMs()), periodMs);
  }

  /** Flushes every batch whose first message has waited batchMaxDelayMs or more by `nowMs`. Returns batches sent. */
  flushDue(nowMs: number): number {
    let sent = 0;
    for (const [topic, batch] of this.pending) {
      if (nowMs - batch.firstAtMs >= this.batchMaxDelayMs) {
        this.flush(topic, batch);
        sent++;
      }
    }
    return sent;
  }

  /** Flushes every pending batch now (stop does). Returns batches sent. */
  flushAll(): number {
    let sent = 0;
    for (const [topic, batch] of this.pending) {
      this.flush(topic, batch);
      sent++;
    }
    return sent;
  }

  private ingestTopicOf(scenario: ScenarioName): string {
    let topic = this.ingestTopics.get(scenario);
    if (topic === undefined) {
      topic = ingestTopic(scenario);
      this.ingestTopics.set(scenario, topic);
    }
    return topic;
  }

  /** Messages accepted for forwarding but not yet flushed. */
  get pendingMsgs(): number {
    let n = 0;
    for (const batch of this.pending.values()) n += batch.lines.length;
    return n;
  }

  private enqueue(topic: string, payload: Buffer, nowMs: number): void {
    const line = batchLine(payload);
    if (this.forwardMode === 'single') {
      this.publishBatch(topic, [line]);
      return;
    }
    let batch = this.pending.get(topic);
    // Bounded in bytes: a payload that would push the batch past batchMaxBytes goes into the next one.
    if (batch && batchBytesWith(batch.bytes, line) > this.batchMaxBytes) {
      this.flush(topic, batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { lines: [], bytes: 0, firstAtMs: nowMs };
      this.pending.set(topic, batch);
    }
    batch.bytes = batchBytesWith(batch.bytes, line);
    batch.lines.push(line);
    if (batch.lines.length >= this.batchMaxMsgs || batch.bytes >= this.batchMaxBytes) this.flush(topic, batch);
  }

  private flush(topic: string, batch: PendingBatch): void {
    this.pending.delete(topic);
    if (batch.lines.length > 0) this.publishBatch(topic, batch.lines);
  }

  /** One QoS 1 ingest message; mqtt.js keeps it until PUBACK and resends it after a reconnect. */
  private publishBatch(topic: string, lines: Buffer[]): void {
    const n = lines.length;
    this.forwardBatches++;
    this.unackedBatches++;
    this.publishFn!(topic, encodeIngestBatch(lines), (err) => {
      this.unackedBatches--;
      if (err) this.forwardErrors += n;
      else this.forwarded += n;
    });
  }

  /**
   * Closes every second that has ended by `nowMs`: feeds its count to the forecaster and, if any second closed,
   * publishes the forecast. Returns the forecast published, or null.
   */
  closeSeconds(nowMs: number): EdgeForecast | null {
    const seconds = this.aggregator.close(nowMs);
    if (seconds.length === 0) return null;
    for (const { tSeconds, count } of seconds) {
      this.forecaster.observe(tSeconds, count);
      this.lastRateMsgsPerS = count;
      this.secondsObserved++;
    }
    const forecast = this.forecaster.forecast();
    const tUnixS = nowMs / 1000;
    this.lastForecast = forecast;
    if (this.client) {
      // QoS 0: a forecast is superseded a second later, so a lost one is not worth a retransmission.
      this.client.publish(forecastTopic(this.gatewayId), encodeForecastMessage(forecast, tUnixS), { qos: 0 });
    } else if (this.opts.broker) {
      this.opts.broker.publish(forecastTopic(this.gatewayId), encodeForecastMessage(forecast, tUnixS), 0, () => undefined);
    }
    this.forecastsPublished++;
    this.opts.onForecast?.(forecast, tUnixS);
    return forecast;
  }

  stats(): GatewayStats {
    const rejectedByReason: Record<string, number> = {};
    for (const [reason, n] of Object.entries(this.tally.rejected)) if (n > 0) rejectedByReason[reason] = n;
    return {
      gatewayId: this.gatewayId,
      deliveries: this.deliveries,
      accepted: this.dedup.unique,
      duplicates: this.dedup.duplicates,
      devicesHeld: this.dedup.deviceCount,
      devicesEvicted: this.dedup.evicted,
      devicesJoinedMidStream: this.dedup.joinedMidStream,
      deviceRestarts: this.dedup.restarts,
      rejected: this.tally.rejectedTotal,
      rejectedByReason,
      forwarded: this.forwarded,
      forwardErrors: this.forwardErrors,
      forwardBatches: this.forwardBatches,
      sinkSent: this.sinkSent,
      forecastsPublished: this.forecastsPublished,
      secondsObserved: this.secondsObserved,
      connects: this.connects,
      lastRateMsgsPerS: this.lastRateMsgsPerS,
      lastForecast: this.lastForecast,
    };
  }

  /**
   * Stops the timers, flushes the pending batches and disconnects. In-flight QoS 1 forwards get up to `drainTimeoutMs` to be acknowledged; with the
   * broker gone they never would, so the connection is then closed hard (they are counted as not forwarded).
   */
  async stop(drainTimeoutMs = 3000): Promise<void> {
    this.outage.stopping = true;
    this.rejectLog.flush();
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    if (this.flushTimer !== null) this.clock.clearInterval(this.flushTimer);
    this.flushTimer = null;
    if (this.unsubscribeLocal) {
      // Unsubscribe before the last flush, so nothing arrives after it and waits in a batch that is never sent.
      await this.unsubscribeLocal();
      this.unsubscribeLocal = null;
      this.flushAll();
      const end = Date.now() + drainTimeoutMs;
      while (this.unackedBatches > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    }
    this.flushAll();
    const client = this.client;
    if (!client) return;
    // mqtt.js' end() would wait for the in-flight messages forever (and ignores a later forced end), so wait here.
    const end = Date.now() + drainTimeoutMs;
    while ((this.unackedBatches > 0 || Object.keys(client.outgoing).length > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await client.endAsync(this.unackedBatches > 0 || Object.keys(client.outgoing).length > 0);
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`EdgeGateway: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}
