/**
 * Publishes a fleet's schedule to MQTT as JSON at QoS 1, on time, with a bounded number of unacknowledged
 * messages, and survives broker restarts.
 *
 * Delivery contract: every scheduled (deviceId, seq) is published until the broker acknowledges it.
 * Sequence numbers are assigned once, by the fleet, so a reconnect never skips or reuses one; messages not
 * acknowledged before a disconnect are sent again (mqtt.js re-sends its stored QoS 1 packets on reconnect,
 * and this module re-publishes anything mqtt.js gives up on). A message may therefore arrive twice; the
 * receiver dedups by (deviceId, seq) (dedup.ts).
 *
 * While disconnected or when `maxInFlight` messages await their PUBACK, no new message is taken from the
 * schedule: the fleet falls behind (reported as `maxLagS`) instead of buffering without bound.
 */
import type { IClientOptions } from 'mqtt';
import { connect, connectAsync } from './mqtt-client.ts';
import { encodeMessage } from './schemas.ts';
import type { ScheduledMessage } from './fleet.ts';

/** What the publisher consumes; DeviceFleet implements it. */
export interface MessageSchedule {
  peekDueS(): number;
  next(): ScheduledMessage | null;
}

export interface PublisherOptions {
  mqttUrl: string;
  /** 4 = MQTT 3.1.1 (aedes, and Mosquitto too), 5 = MQTT 5 (Mosquitto). Default 4. */
  protocolVersion?: 4 | 5;
  clientId?: string;
  /** Most messages awaiting PUBACK at once. Default 100 (infra.md §2.1 measured QoS 1 with 200 in flight). */
  maxInFlight?: number;
  reconnectPeriodMs?: number;
  /** Give up if the first connection is not up within this time. */
  connectTimeoutMs?: number;
  /** After the schedule ends, how long to wait for the last acknowledgements. */
  drainTimeoutMs?: number;
  /** Stop taking new messages (then drain) when aborted. */
  signal?: AbortSignal;
  /** Called about every 200 ms with running counts. */
  onProgress?: (p: PublishProgress) => void;
  /** Wall clock for `sentAtMs` (tests may pin it). */
  nowMs?: () => number;
  /**
   * Awaited once connected, before the schedule's clock starts (t = 0): lets several publisher processes start
   * together once all of them are up (bench:pipeline). Default: start at once.
   */
  startGate?: () => Promise<void>;
  /**
   * Shortest wait for the next due message, ms. Default 1. A larger tick wakes the loop less often and sends the
   * messages due by then together (one socket write per wake-up instead of one per message), at the price of up
   * to `tickMs` of extra lag; bench:pipeline uses 5 ms, far below the seconds of a latency SLA.
   */
  tickMs?: number;
}

export interface PublishProgress {
  elapsedS: number;
  published: number;
  acked: number;
  inFlight: number;
  reconnects: number;
}

export interface PublishSummary {
  /** Distinct messages taken from the schedule and sent at least once. */
  published: number;
  /** Distinct messages the broker acknowledged. */
  acked: number;
  /** Messages still unacknowledged when the drain timed out (0 on a clean run). */
  unacked: number;
  /** Extra sends made by this module after mqtt.js reported a failed publish. */
  republished: number;
  reconnects: number;
  /** Largest delay of a send behind its scheduled time, seconds. */
  maxLagS: number;
  /** Wall-clock time (Unix ms) at which the schedule started: t = 0. */
  startedAtMs: number;
  elapsedS: number;
  protocolVersion: 4 | 5;
  aborted: boolean;
}

const PROGRESS_EVERY_MS = 200;

/** The broker could not be reached or refused the connection (an operational problem, not a bug). */
export class BrokerConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerConnectError';
  }
}

interface Pending {
  topic: string;
  payload: Buffer;
}

export async function publishSchedule(schedule: MessageSchedule, opts: PublisherOptions): Promise<PublishSummary> {
  const maxInFlight = opts.maxInFlight ?? 100;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`publisher: maxInFlight must be an integer >= 1, got ${maxInFlight}`);
  const protocolVersion = opts.protocolVersion ?? 4;
  const reconnectPeriodMs = opts.reconnectPeriodMs ?? 250;
  const nowMs = opts.nowMs ?? Date.now;
  const tickMs = opts.tickMs ?? 1;
  if (!(Number.isFinite(tickMs) && tickMs >= 1 && tickMs <= 1000)) throw new Error(`publisher: tickMs must be a number in [1, 1000], got ${tickMs}`);

  const client = connect(opts.mqttUrl, {
    protocolVersion,
    clientId: opts.clientId ?? `edgepilot-devices-${process.pid}-${Date.now().toString(36)}`,
    clean: true,
    reconnectPeriod: reconnectPeriodMs,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    keepalive: 10,
    // mqtt.js otherwise formats a debug line (or at least calls `debug`) several times per packet; we log nothing.
    log: noLog,
  } satisfies IClientOptions);

  // One sleeper at a time; connects and aborts wake it early, acks only when it waits for one (a full window, the
  // drain): waking it on every PUBACK would restart its timer once per message.
  let wakeSleeper: (() => void) | null = null;
  let waitingForAck = false;
  const wake = () => wakeSleeper?.();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      function done() {
        clearTimeout(timer);
        wakeSleeper = null;
        resolve();
      }
      wakeSleeper = done;
    });

  let connects = 0;
  let lastError: Error | null = null;
  client.on('connect', () => {
    connects++;
    wake();
  });
  // mqtt.js reports socket errors here and keeps reconnecting; without a listener they would crash us.
  client.on('error', (err) => {
    lastError = err;
    wake();
  });

  let aborted = false;
  const onAbort = () => {
    aborted = true;
    wake();
  };
  opts.signal?.addEventListener('abort', onAbort);

  try {
    await waitForFirstConnect();
    if (opts.startGate) await opts.startGate();
    const startMs = Date.now();
    // Keyed by the publisher's own running number: unique per message, and cheaper than a `deviceId#seq` string.
    const inFlight = new Map<number, Pending>();
    let published = 0;
    let acked = 0;
    let republished = 0;
    let maxLagS = 0;
    let closing = false;
    let lastProgressMs = 0;

    const sendOnce = (key: number) => {
      const pending = inFlight.get(key);
      if (pending === undefined) return;
      client.publish(pending.topic, pending.payload, { qos: 1 }, (err) => {
        if (!err) {
          if (inFlight.delete(key)) acked++;
          if (waitingForAck) wake();
          return;
        }
        // mqtt.js dropped this packet (e.g. it flushed its queue); we still hold it, so send it again.
        if (closing || !inFlight.has(key)) return;
        republished++;
        setTimeout(() => sendOnce(key), reconnectPeriodMs);
      });
    };

    const progress = (force: boolean) => {
      const t = Date.now();
      if (!opts.onProgress || (!force && t - lastProgressMs < PROGRESS_EVERY_MS)) return;
      lastProgressMs = t;
      opts.onProgress({ elapsedS: (t - startMs) / 1000, published, acked, inFlight: inFlight.size, reconnects: Math.max(0, connects - 1) });
    };

    while (!aborted) {
      const t = Date.now();
      if (opts.onProgress && t - lastProgressMs >= PROGRESS_EVERY_MS) progress(false);
      const dueS = schedule.peekDueS();
      if (!Number.isFinite(dueS)) break;
      const elapsedS = (t - startMs) / 1000;
      if (dueS > elapsedS) {
        await sleep(Math.max(tickMs, (dueS - elapsedS) * 1000));
        continue;
      }
      if (inFlight.size >= maxInFlight || !client.connected) {
        waitingForAck = inFlight.size >= maxInFlight;
        await sleep(reconnectPeriodMs);
        waitingForAck = false;
        continue;
      }
      const item = schedule.next();
      if (item === null) break;
      maxLagS = Math.max(maxLagS, elapsedS - item.dueS);
      item.message.sentAtMs = opts.nowMs ? Math.round(nowMs()) : t;
      const key = published++;
      inFlight.set(key, { topic: item.topic, payload: encodeMessage(item.message) });
      sendOnce(key);
    }

    // Drain: wait for the outstanding acknowledgements (mqtt.js re-sends them after a reconnect).
    const drainDeadlineMs = Date.now() + (opts.drainTimeoutMs ?? 15_000);
    waitingForAck = true;
    while (inFlight.size > 0 && Date.now() < drainDeadlineMs) {
      progress(false);
      await sleep(Math.min(reconnectPeriodMs, drainDeadlineMs - Date.now()));
    }
    progress(true);
    closing = true;
    const unacked = inFlight.size;
    await client.endAsync(unacked > 0);
    return {
      published,
      acked,
      unacked,
      republished,
      reconnects: Math.max(0, connects - 1),
      maxLagS,
      startedAtMs: startMs,
      elapsedS: (Date.now() - startMs) / 1000,
      protocolVersion,
      aborted,
    };
  } catch (err) {
    client.end(true);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }

  async function waitForFirstConnect(): Promise<void> {
    const deadlineMs = Date.now() + (opts.connectTimeoutMs ?? 5000);
    while (connects === 0) {
      if (aborted) throw new BrokerConnectError(`publisher: aborted before connecting to ${opts.mqttUrl}`);
      const refused = lastError !== null && isConnackRefusal(lastError);
      if (refused || Date.now() >= deadlineMs) {
        const why = lastError === null ? 'no answer' : (lastError as Error).message;
        throw new BrokerConnectError(`publisher: cannot connect to ${opts.mqttUrl} with MQTT protocol version ${protocolVersion}: ${why}`);
      }
      await sleep(Math.min(100, deadlineMs - Date.now()));
    }
  }
}

function noLog(): void {}

/** A CONNACK refusal (bad protocol version, not authorized, ...), as opposed to a network error worth retrying. */
function isConnackRefusal(err: Error): boolean {
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'number' || /connection refused:/i.test(err.message);
}

/**
 * The MQTT version to speak to `mqttUrl`: 5 if the broker accepts it (Mosquitto), else 4 (aedes 1.2.0
 * refuses MQTT 5 with "Unacceptable protocol version", infra.md §2.1).
 */
export async function detectProtocolVersion(mqttUrl: string, timeoutMs = 3000): Promise<4 | 5> {
  try {
    const probe = await connectAsync(mqttUrl, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: timeoutMs, clientId: `edgepilot-probe-${process.pid}-${Date.now().toString(36)}` });
    await probe.endAsync();
    return 5;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (/protocol version/i.test(e.message) || isConnackRefusal(e)) return 4;
    throw new BrokerConnectError(`cannot reach the MQTT broker at ${mqttUrl}: ${e.message}`);
  }
}
