/**
 * The controller's side of the edge forecasts: a ForecastSource (src/control/types.ts) fed by the gateways' forecast
 * topics `edgepilot/edge/<gatewayId>/forecast`.
 *
 * Gateways each see a share of the devices, so their forecasts are combined: predicted rates are summed (the cloud
 * ingest receives the union of their traffic) and the burst probability is the maximum (a burst seen by any one
 * gateway is a burst for the job). A gateway that has been silent for more than `staleAfterS` is left out; with no fresh
 * gateway at all `latest()` returns NO_FORECAST (rate 0, probability 0), which is exactly what the policies saw in
 * training with the edge features masked (the no-edge ablation), so a dead gateway degrades to "no edge" rather than
 * to a false "no traffic coming".
 *
 * The wire form (docs/MESSAGES.md, "Edge forecasts") is snake_case JSON:
 *   { predicted_rate, burst_probability, horizon, gateway_id, t }   (msgs/s, 0..1, s, id, Unix seconds)
 */
import type { MqttClient } from 'mqtt';
import { connect } from '../runtime/devices/mqtt-client.ts';
import type { EdgeForecast } from '../core/types.ts';
import type { ForecastSource } from '../control/types.ts';
import { OutageLog } from '../runtime/devices/outage-log.ts';
import { RejectLog } from '../runtime/devices/reject-log.ts';
import { DEFAULT_MAX_AHEAD_MS } from '../runtime/devices/schemas.ts';
import { FORECAST_TOPIC_FILTER, ID_PATTERN, parseTopic } from '../runtime/devices/topics.ts';

/** One gateway forecast on the wire. */
export interface ForecastMessage {
  predicted_rate: number;
  burst_probability: number;
  horizon: number;
  gateway_id: string;
  /** Gateway wall clock when the forecast was made, Unix seconds. */
  t: number;
}

/**
 * [assumed] Gateways publish once per second; a forecast older than 5 s (five missed publications) no longer says
 * anything about the next 40 s horizon worth trusting over "no edge information".
 */
export const DEFAULT_STALE_AFTER_S = 5;

/**
 * A forecast stamped further ahead of the controller's clock than a device reading may be (schemas.ts
 * DEFAULT_MAX_AHEAD_MS, 5 min) comes from a broken gateway clock or a forged message, and is refused.
 */
export const MAX_FORECAST_AHEAD_S = DEFAULT_MAX_AHEAD_MS / 1000;

/** The neutral forecast (no fresh gateway): the same values the masked edge features take in training. */
export const NO_FORECAST: EdgeForecast = { predictedRateMsgsPerS: 0, burstProbability: 0, horizonS: 0, gatewayId: '' };

export function toForecastMessage(f: EdgeForecast, tUnixS: number): ForecastMessage {
  return { predicted_rate: f.predictedRateMsgsPerS, burst_probability: f.burstProbability, horizon: f.horizonS, gateway_id: f.gatewayId, t: tUnixS };
}

export function encodeForecastMessage(f: EdgeForecast, tUnixS: number): Buffer {
  return Buffer.from(JSON.stringify(toForecastMessage(f, tUnixS)), 'utf8');
}

export type ParsedForecast = { ok: true; forecast: EdgeForecast; tUnixS: number } | { ok: false; reason: string };

/**
 * Parses and checks one forecast payload received on `topic`. Never throws. The gateway id must match the topic's, so
 * one gateway cannot speak for another. With `receivedAtMs` (the controller's clock), a `t` more than
 * MAX_FORECAST_AHEAD_S ahead of it is refused.
 */
export function parseForecastMessage(topic: string, payload: Uint8Array | string, receivedAtMs?: number): ParsedForecast {
  const parsedTopic = parseTopic(topic);
  if (parsedTopic?.type !== 'forecast') return { ok: false, reason: `topic '${topic.slice(0, 120)}' is not a forecast topic` };
  // Size first, so a huge payload is never decoded or parsed.
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
  if (bytes > 4096) return { ok: false, reason: `payload is ${bytes} bytes, limit 4096` };
  const text = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: 'payload is not a JSON object' };
  const m = v as Record<string, unknown>;
  const num = (k: string, lo: number, hi: number): number | string => {
    const x = m[k];
    return typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi ? x : `${k} must be a finite number in [${lo}, ${hi}], got ${JSON.stringify(x)}`;
  };
  const rate = num('predicted_rate', 0, 1e9);
  const prob = num('burst_probability', 0, 1);
  const horizon = num('horizon', 0, 86_400);
  const t = num('t', 0, 4_102_444_800);
  for (const x of [rate, prob, horizon, t]) if (typeof x === 'string') return { ok: false, reason: x };
  const id = m.gateway_id;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) return { ok: false, reason: `gateway_id must match ${ID_PATTERN}, got ${JSON.stringify(id)}` };
  if (id !== parsedTopic.gatewayId) return { ok: false, reason: `topic names gateway '${parsedTopic.gatewayId}', payload says '${id}'` };
  if (receivedAtMs !== undefined && Number.isFinite(receivedAtMs) && (t as number) - receivedAtMs / 1000 > MAX_FORECAST_AHEAD_S) {
    return { ok: false, reason: `t ${t as number} is ${Math.round((t as number) - receivedAtMs / 1000)} s ahead of this controller's clock (limit ${MAX_FORECAST_AHEAD_S} s)` };
  }
  return { ok: true, forecast: { predictedRateMsgsPerS: rate as number, burstProbability: prob as number, horizonS: horizon as number, gatewayId: id }, tUnixS: t as number };
}

interface GatewayEntry {
  forecast: EdgeForecast;
  receivedMs: number;
  tUnixS: number;
}

/** The pure part: the freshest forecast per gateway, combined on demand. */
/** Stale periods after which `ForecastCombiner.combined` forgets a gateway (generous: a clock read twice out of order must not drop a fresh one). */
export const FORGET_AFTER_STALE_PERIODS = 60;

export class ForecastCombiner {
  private readonly gateways = new Map<string, GatewayEntry>();

  constructor(readonly staleAfterS = DEFAULT_STALE_AFTER_S) {
    if (!(staleAfterS > 0)) throw new Error(`ForecastCombiner: staleAfterS must be > 0, got ${staleAfterS}`);
  }

  /**
   * Record a gateway's forecast received at `receivedMs` (controller clock). A message older (by t) than the gateway's
   * last fresh one is a late re-delivery and ignored; once that last one is stale it no longer blocks anything, so one
   * message with a wrong t (a clock jump, a restarted gateway) cannot silence its gateway for good.
   */
  update(forecast: EdgeForecast, receivedMs: number, tUnixS = receivedMs / 1000): boolean {
    const prev = this.gateways.get(forecast.gatewayId);
    if (prev && tUnixS < prev.tUnixS && receivedMs - prev.receivedMs <= this.staleAfterS * 1000) return false;
    this.gateways.set(forecast.gatewayId, { forecast: { ...forecast }, receivedMs, tUnixS });
    return true;
  }

  /** Gateways whose last forecast is fresh at `nowMs`. */
  freshGateways(nowMs: number): string[] {
    const out: string[] = [];
    for (const [id, e] of this.gateways) if (nowMs - e.receivedMs <= this.staleAfterS * 1000) out.push(id);
    return out.sort();
  }

  /** Gateways held (fresh or not); stale ones are forgotten by `combined` (see there). */
  get size(): number {
    return this.gateways.size;
  }

  /**
   * Sum of predicted rates and max burst probability over fresh gateways; NO_FORECAST when none is fresh. Gateways
   * stale for FORGET_AFTER_STALE_PERIODS periods are forgotten here, once per control step: a stale entry no longer
   * counts or blocks anything (`update`), and gateways whose id changes on every restart would otherwise grow the map
   * for as long as the controller runs.
   */
  combined(nowMs: number): EdgeForecast {
    const forgetMs = FORGET_AFTER_STALE_PERIODS * this.staleAfterS * 1000;
    for (const [id, e] of this.gateways) if (nowMs - e.receivedMs > forgetMs) this.gateways.delete(id);
    const ids = this.freshGateways(nowMs);
    if (ids.length === 0) return { ...NO_FORECAST };
    let rate = 0;
    let prob = 0;
    let horizon = Infinity;
    for (const id of ids) {
      const f = this.gateways.get(id)!.forecast;
      rate += f.predictedRateMsgsPerS;
      prob = Math.max(prob, f.burstProbability);
      horizon = Math.min(horizon, f.horizonS); // the horizon every summed forecast covers
    }
    return { predictedRateMsgsPerS: rate, burstProbability: prob, horizonS: horizon, gatewayId: ids.join('+') };
  }
}

export interface MqttForecastSourceOptions {
  mqttUrl: string;
  protocolVersion?: 4 | 5;
  /** Default: every gateway (edgepilot/edge/+/forecast). */
  topicFilter?: string;
  staleAfterS?: number;
  /** Controller clock (ms); injectable for tests. */
  nowMs?: () => number;
  clientId?: string;
  connectTimeoutMs?: number;
  /** Where refused forecasts are reported with their topic and reason (rate-limited). Default: stderr. */
  log?: (line: string) => void;
}

/** ForecastSource over MQTT: subscribes to the forecast topics and combines the gateways. */
export class MqttForecastSource implements ForecastSource {
  readonly combiner: ForecastCombiner;
  received = 0;
  rejected = 0;
  lastRejectReason = '';
  readonly rejectLog: RejectLog;
  /** MQTT connections made (1 + reconnects). */
  get connects(): number {
    return this.outage.connects;
  }
  private readonly nowMs: () => number;
  private readonly logLine: (line: string) => void;
  /** Logs broker outages, once each, and counts connections. */
  private readonly outage: OutageLog;

  private constructor(
    private readonly client: MqttClient | null,
    opts: Omit<MqttForecastSourceOptions, 'mqttUrl'>,
  ) {
    this.combiner = new ForecastCombiner(opts.staleAfterS ?? DEFAULT_STALE_AFTER_S);
    this.nowMs = opts.nowMs ?? (() => Date.now());
    this.logLine = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.rejectLog = new RejectLog({ who: 'forecast subscriber', log: this.logLine, nowMs: this.nowMs });
    this.outage = new OutageLog({
      who: 'forecast subscriber',
      where: (opts as Partial<MqttForecastSourceOptions>).mqttUrl ?? '(offline)',
      nowMs: this.nowMs,
      log: this.logLine,
      meanwhile: `reconnecting every 0.5 s, the policy sees no edge forecast once the last one is ${this.combiner.staleAfterS} s old`,
    });
  }

  /** A source with no MQTT connection, fed through handle() (tests, replays). */
  static offline(opts: Omit<MqttForecastSourceOptions, 'mqttUrl'> = {}): MqttForecastSource {
    return new MqttForecastSource(null, opts);
  }

  static async start(opts: MqttForecastSourceOptions): Promise<MqttForecastSource> {
    const timeoutMs = opts.connectTimeoutMs ?? 5000;
    const client = connect(opts.mqttUrl, {
      protocolVersion: opts.protocolVersion ?? 4,
      clientId: opts.clientId ?? `edgepilot-forecasts-${process.pid}-${Date.now().toString(36)}`,
      reconnectPeriod: 500,
      connectTimeout: timeoutMs,
      keepalive: 10,
    });
    const source = new MqttForecastSource(client, opts);
    // Reconnects on its own; each outage is logged once.
    source.outage.watch(client);
    client.on('message', (topic, payload) => source.handle(topic, payload));
    try {
      await waitForFirstConnect(client, opts.mqttUrl, timeoutMs, 'MqttForecastSource');
      await client.subscribeAsync(opts.topicFilter ?? FORECAST_TOPIC_FILTER, { qos: 0 });
    } catch (err) {
      client.end(true);
      throw err;
    }
    return source;
  }

  /** Feed one raw message (what the MQTT client does; public for tests). */
  handle(topic: string, payload: Uint8Array | string): void {
    const now = this.nowMs();
    const parsed = parseForecastMessage(topic, payload, now);
    if (!parsed.ok) {
      this.rejected++;
      this.lastRejectReason = parsed.reason;
      this.rejectLog.note(topic, 'bad-forecast', parsed.reason);
      return;
    }
    this.received++;
    this.combiner.update(parsed.forecast, now, parsed.tUnixS);
  }

  latest(): EdgeForecast {
    return this.combiner.combined(this.nowMs());
  }

  async stop(): Promise<void> {
    this.outage.stopping = true;
    this.rejectLog.flush();
    await this.client?.endAsync();
  }
}

/** Errors that mean nobody listens at the address: retrying until the timeout would only delay the same answer. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * Resolves on the client's first CONNACK; rejects after `timeoutMs`, or at once when the broker is unreachable
 * (connection refused, unknown host). Later disconnects are the client's own business (it reconnects).
 */
export function waitForFirstConnect(client: MqttClient, url: string, timeoutMs: number, who: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      clearTimeout(timer);
      client.removeListener('connect', onConnect);
      client.removeListener('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => finish();
    const onError = (err: Error & { code?: string | number }) => {
      if (typeof err.code === 'string' && UNREACHABLE_CODES.has(err.code)) finish(new Error(`${who}: cannot reach the MQTT broker at ${url} (${err.code})`));
      // A refused CONNECT (bad protocol version, not authorized) will not get better either.
      else if (typeof err.code === 'number') finish(new Error(`${who}: the MQTT broker at ${url} refused the connection: ${err.message}`));
    };
    const timer = setTimeout(() => finish(new Error(`${who}: no connection to ${url} within ${timeoutMs} ms`)), timeoutMs);
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}

/** A ForecastSource with a fixed value (tests, and runs without gateways). */
export class StaticForecastSource implements ForecastSource {
  constructor(public forecast: EdgeForecast = NO_FORECAST) {}
  latest(): EdgeForecast {
    return { ...this.forecast };
  }
}
