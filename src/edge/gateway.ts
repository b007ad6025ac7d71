/**
 * The edge gateway (docs/CONTROLLER.md, "Edge gateway"): subscribes to its devices' MQTT topics, validates and dedups
 * every message (the same validatePayload / SeqDeduper as every consumer), forwards the valid ones unchanged to the
 * ingest topic (and, optionally, to Kafka), counts them per second, runs THE burst Forecaster of the simulator
 * (src/edge/forecaster.ts) on that per-second rate, and publishes its forecast once per second on
 * `edgepilot/edge/<gatewayId>/forecast`.
 *
 * The per-second counting is by arrival time at the gateway (its own clock), so the rate is what this gateway sees,
 * which is what the simulator's gateways observe too. Timers come from an injectable clock: tests call
 * `closeSeconds(nowMs)` and `handle(...)` directly.
 */
import { connect, type MqttClient } from 'mqtt';
import { loadConfig, type SimConfig } from '../core/config.ts';
import type { EdgeForecast } from '../core/types.ts';
import type { ScenarioName } from '../env/spark-iot-types.ts';
import { SeqDeduper } from '../runtime/devices/dedup.ts';
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
  mqttUrl: string;
  /** 4 for the embedded aedes broker (3.1.1 only), 5 for Mosquitto. Default 4. */
  protocolVersion?: 4 | 5;
  gatewayId: string;
  /** Devices of this scenario (default: every device). Ignored when topicFilter is given. */
  scenario?: ScenarioName;
  /** Explicit device subscription, e.g. `edgepilot/devices/healthcare/+`. */
  topicFilter?: string;
  /** Forward valid messages to `edgepilot/ingest/<scenario>` (default true). */
  forward?: boolean;
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
}

export interface GatewayStats {
  gatewayId: string;
  deliveries: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  forwarded: number;
  forwardErrors: number;
  sinkSent: number;
  forecastsPublished: number;
  secondsObserved: number;
  connects: number;
  lastRateMsgsPerS: number;
  lastForecast: EdgeForecast | null;
}

export class EdgeGateway {
  readonly gatewayId: string;
  readonly forecaster: Forecaster;
  readonly tally = new ValidationTally();
  readonly dedup = new SeqDeduper();
  deliveries = 0;
  forwarded = 0;
  forwardErrors = 0;
  sinkSent = 0;
  forecastsPublished = 0;
  secondsObserved = 0;
  /** MQTT connections made (1 + reconnects after broker restarts). */
  connects = 0;
  lastRateMsgsPerS = 0;
  lastForecast: EdgeForecast | null = null;

  private readonly aggregator: RateAggregator;
  private readonly clock: GatewayClock;
  private readonly forward: boolean;
  private timer: unknown = null;

  private constructor(
    private readonly client: MqttClient | null,
    private readonly opts: EdgeGatewayOptions,
  ) {
    if (!ID_PATTERN.test(opts.gatewayId)) throw new Error(`EdgeGateway: gatewayId '${opts.gatewayId}' must match ${ID_PATTERN}`);
    this.gatewayId = opts.gatewayId;
    const config = opts.config ?? loadConfig();
    this.forecaster = new Forecaster({
      leadTimeS: config.sim.edgeLeadTimeS,
      horizonS: config.sim.forecastHorizonS,
      ...opts.forecaster,
      gatewayId: opts.gatewayId,
    });
    this.clock = opts.clock ?? systemClock;
    this.forward = opts.forward ?? true;
    this.aggregator = new RateAggregator(this.clock.nowMs());
  }

  /** A gateway with no MQTT connection: feed it with handle() and closeSeconds() (tests, offline replays). */
  static offline(opts: Omit<EdgeGatewayOptions, 'mqttUrl'> & { mqttUrl?: string }): EdgeGateway {
    return new EdgeGateway(null, { mqttUrl: '', ...opts });
  }

  /** Connects, subscribes to the devices and starts the once-per-second forecast timer. */
  static async start(opts: EdgeGatewayOptions): Promise<EdgeGateway> {
    const timeoutMs = opts.connectTimeoutMs ?? 5000;
    const client = connect(opts.mqttUrl, {
      protocolVersion: opts.protocolVersion ?? 4,
      clientId: `edgepilot-gw-${opts.gatewayId}-${process.pid}-${Date.now().toString(36)}`,
      reconnectPeriod: 500,
      connectTimeout: timeoutMs,
      keepalive: 10,
    });
    client.on('error', () => undefined); // reconnects on its own; a broker restart is expected
    let gateway: EdgeGateway;
    try {
      gateway = new EdgeGateway(client, opts);
    } catch (err) {
      client.end(true);
      throw err;
    }
    client.on('message', (topic, payload) => gateway.handle(topic, payload));
    client.on('connect', () => gateway.connects++);
    try {
      await waitForFirstConnect(client, opts.mqttUrl, timeoutMs, 'EdgeGateway');
      await client.subscribeAsync(opts.topicFilter ?? deviceTopicFilter(opts.scenario), { qos: 1 });
    } catch (err) {
      client.end(true);
      throw err;
    }
    gateway.timer = gateway.clock.setInterval(() => gateway.closeSeconds(gateway.clock.nowMs()), 1000);
    return gateway;
  }

  /** One raw device message (what the MQTT client calls). Never throws on a bad payload: it is counted and skipped. */
  handle(topic: string, payload: Buffer, nowMs = this.clock.nowMs()): void {
    this.deliveries++;
    const result = validatePayload(topic, payload, this.opts.validate);
    this.tally.record(result);
    if (!result.ok) return;
    const m = result.message;
    if (!this.dedup.accept(m.deviceId, m.seq)) return;
    this.aggregator.add(nowMs);
    if (this.forward && this.client) {
      this.client.publish(ingestTopic(m.scenario), payload, { qos: 1 }, (err) => {
        if (err) this.forwardErrors++;
        else this.forwarded++;
      });
    }
    if (this.opts.sink) {
      this.opts.sink.send(m.deviceId, payload, m.scenario);
      this.sinkSent++;
    }
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
      rejected: this.tally.rejectedTotal,
      rejectedByReason,
      forwarded: this.forwarded,
      forwardErrors: this.forwardErrors,
      sinkSent: this.sinkSent,
      forecastsPublished: this.forecastsPublished,
      secondsObserved: this.secondsObserved,
      connects: this.connects,
      lastRateMsgsPerS: this.lastRateMsgsPerS,
      lastForecast: this.lastForecast,
    };
  }

  /**
   * Stops the timer and disconnects. In-flight QoS 1 forwards get up to `drainTimeoutMs` to be acknowledged; with the
   * broker gone they never would, so the connection is then closed hard (they are counted as not forwarded).
   */
  async stop(drainTimeoutMs = 3000): Promise<void> {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    const client = this.client;
    if (!client) return;
    // mqtt.js' end() would wait for the in-flight messages forever (and ignores a later forced end), so wait here.
    const end = Date.now() + drainTimeoutMs;
    while (Object.keys(client.outgoing).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await client.endAsync(Object.keys(client.outgoing).length > 0);
  }
}
