/**
 * The controller's side of the driver agent's MQTT path: subscribes to the agent's progress topic (e.g.
 * `edgepilot/spark/<app>/progress`) and hands the events over like AgentChannel.drainEvents().
 * Each MQTT payload is signed like the HTTP path (docs/SPARK.md):
 *   {"ts": "<ms>", "sig": "sha256=<hex HMAC-SHA256(token, ts + "\n" + body)>", "body": "<the event envelope JSON>"}
 * Unsigned, badly signed, stale (> maxClockSkewMs; a timestamp that is not a number counts as stale), replayed (a
 * signature already accepted) or malformed messages are dropped and counted.
 */
import type { MqttClient } from 'mqtt';
import { connect } from '../devices/mqtt-client.ts';
import { BrokerConnectError } from '../devices/publisher.ts';
import { withoutPassword } from '../../core/url-for-log.ts';
import { agentEventOf, DEFAULT_MAX_CLOCK_SKEW_MS, safeEqual, signBody, type AgentEvent } from './agent-channel.ts';

export interface MqttAgentEventsOptions {
  mqttUrl: string;
  topic: string;
  token: string;
  protocolVersion?: 4 | 5;
  maxClockSkewMs?: number;
  maxBufferedEvents?: number;
  nowMs?: () => number;
  connectTimeoutMs?: number;
}

/** At most this many accepted signatures are remembered against replays (a valid flood needs the token). */
const MAX_REMEMBERED_SIGNATURES = 100_000;

export class MqttAgentEvents {
  private events: AgentEvent[] = [];
  /**
   * Signatures accepted within the clock-skew window, with their timestamps, in arrival order. Anyone on the broker
   * can capture a message and publish it again; a signature seen before is a replay. Past the window the timestamp
   * check refuses it anyway, so older entries are forgotten.
   */
  private readonly acceptedSignatures = new Map<string, number>();
  rejected = 0;
  private readonly maxSkewMs: number;
  private constructor(private readonly client: MqttClient, private readonly o: MqttAgentEventsOptions) {
    this.maxSkewMs = o.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  }

  static async start(o: MqttAgentEventsOptions): Promise<MqttAgentEvents> {
    if (o.token.length < 16) throw new Error('MqttAgentEvents: token must be at least 16 characters');
    const timeoutMs = o.connectTimeoutMs ?? 5000;
    const client = connect(o.mqttUrl, { protocolVersion: o.protocolVersion ?? 4, reconnectPeriod: 1000, connectTimeout: timeoutMs });
    const self = new MqttAgentEvents(client, o);
    client.on('message', (_topic, payload) => self.accept(payload));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BrokerConnectError(`agent progress over MQTT: cannot reach ${withoutPassword(o.mqttUrl)} within ${timeoutMs} ms`)), timeoutMs);
      client.once('connect', () => {
        client.subscribe(o.topic, { qos: 0 }, (err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        });
      });
    }).catch(async (err: unknown) => {
      await client.endAsync(true);
      throw err;
    });
    return self;
  }

  private accept(payload: Buffer): void {
    const now = (this.o.nowMs ?? Date.now)();
    try {
      const m = JSON.parse(payload.toString('utf8')) as { ts?: unknown; sig?: unknown; body?: unknown };
      if (typeof m.ts !== 'string' || typeof m.sig !== 'string' || typeof m.body !== 'string') throw new Error('not a signed envelope');
      // A timestamp that is not a number would never be stale (NaN compares false): refused, as on the HTTP path.
      const tsMs = Number(m.ts);
      if (!Number.isFinite(tsMs) || Math.abs(now - tsMs) > this.maxSkewMs) throw new Error('stale');
      if (!safeEqual(m.sig, signBody(this.o.token, m.ts, m.body))) throw new Error('bad signature');
      if (this.acceptedSignatures.has(m.sig)) throw new Error('replay');
      const body = JSON.parse(m.body) as Record<string, unknown>;
      // Read as on the HTTP path: the envelope or a raw listener event ({"progress": {...}}).
      const parsed = body && typeof body === 'object' ? agentEventOf(body) : null;
      if (!parsed) throw new Error('no event kind');
      this.remember(m.sig, tsMs, now);
      this.events.push({ kind: parsed.kind, receivedAtMs: now, body: parsed.body });
      if (this.events.length > (this.o.maxBufferedEvents ?? 10_000)) this.events.shift();
    } catch {
      this.rejected++;
    }
  }

  /** Accepted signatures still remembered against replays (tests, and a bound to watch). */
  get signaturesHeld(): number {
    return this.acceptedSignatures.size;
  }

  private remember(sig: string, tsMs: number, now: number): void {
    for (const [oldest, oldestTsMs] of this.acceptedSignatures) {
      if (oldestTsMs >= now - this.maxSkewMs && this.acceptedSignatures.size < MAX_REMEMBERED_SIGNATURES) break;
      this.acceptedSignatures.delete(oldest);
    }
    this.acceptedSignatures.set(sig, tsMs);
  }

  drainEvents(): AgentEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Events of several transports (HTTP and MQTT), oldest first. */
export function mergeEventSources(...sources: Array<{ drainEvents(): AgentEvent[] }>): { drainEvents(): AgentEvent[] } {
  return { drainEvents: () => sources.flatMap((s) => s.drainEvents()).sort((a, b) => a.receivedAtMs - b.receivedAtMs) };
}
