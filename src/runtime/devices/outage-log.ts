/**
 * One log line when an MQTT connection is lost and one when it is back, with how long it was down: the gateway, the
 * forecast subscriber and `serve`'s engine client all reconnect on their own (mqtt.js), and without these lines a
 * broker outage is silent. Each failed reconnect attempt closes the connection again; only the first close of an
 * outage is logged. A close before the first connect is not an outage (start() reports that failure), nor is one
 * after stop began.
 *
 * Two running clients with the same client id take the session over from each other in a loop (each one reconnects
 * and throws the other out): every connection closes soon after it was made. Given the client id, the log says so
 * once, as a question, since a flapping network looks the same (TAKEOVER_CLOSES, TAKEOVER_WITHIN_MS). While such a
 * loop lasts, one outage a minute is told with the count of the others (LOOP_LOG_PERIOD_MS), not two lines a second.
 */
import type { MqttClient } from 'mqtt';

/** A connection that closes less than this long after it was made counts toward the takeover hint, ms. */
export const TAKEOVER_WITHIN_MS = 2000;
/**
 * [own] This many such closes in a row make the takeover hint appear. A broker restart closes an established
 * connection once; a takeover loop closes one about every reconnect period (0.5 s), so three come within seconds.
 */
export const TAKEOVER_CLOSES = 3;
/**
 * [own] Once that many connections in a row closed quickly (a takeover loop, a flapping link), their lost and
 * reconnected lines would come twice a second for as long as it lasts: then one outage per this period is told, with
 * the count of the others, ms.
 */
export const LOOP_LOG_PERIOD_MS = 60_000;
/** MQTT 5 DISCONNECT reason code "Session taken over" (the broker says so; 3.1.1 brokers just close). */
const REASON_SESSION_TAKEN_OVER = 0x8e;

export interface OutageLogOptions {
  /** Starts every line, e.g. `edge gateway edge-0`. */
  who: string;
  /** The broker's address, said in every line. */
  where: string;
  nowMs: () => number;
  log: (line: string) => void;
  /** Appended to the "lost" line: what happens meanwhile (e.g. how often the client retries). */
  meanwhile?: string;
  /** The MQTT client id: named in the takeover hint, which is only given with it. */
  clientId?: string;
  /** How a user gives the client another id, said in the takeover hint. Default `--mqtt-client-id`. */
  clientIdSetting?: string;
}

export class OutageLog {
  /** Connections made (1 + reconnects). */
  connects = 0;
  /** Set when the owner stops: a close after it is the owner's own doing. */
  stopping = false;
  /** Set once the takeover hint has been logged. */
  takeoverHinted = false;
  private downSinceMs: number | null = null;
  /** When the current connection was made; null while there is none. */
  private connectedAtMs: number | null = null;
  /** Connections in a row that closed within TAKEOVER_WITHIN_MS of being made. */
  private quickCloses = 0;
  /** The broker said (MQTT 5) that another client took the session over. */
  private takenOver = false;
  /** In a loop of quick closes: outages are not told again before this time. */
  private loopQuietUntilMs = Number.NEGATIVE_INFINITY;
  /** Outages of the loop not told since the last line. */
  private untoldOutages = 0;
  /** The current outage is one of those: its end is not told either. */
  private outageUntold = false;

  constructor(private readonly opts: OutageLogOptions) {}

  connected(): void {
    this.connects++;
    this.connectedAtMs = this.opts.nowMs();
    if (this.downSinceMs === null) return;
    const downS = (this.opts.nowMs() - this.downSinceMs) / 1000;
    this.downSinceMs = null;
    if (this.outageUntold) {
      this.outageUntold = false;
      return;
    }
    this.opts.log(`${this.opts.who}: reconnected to the MQTT broker at ${this.opts.where} after ${downS.toFixed(1)} s (connection ${this.connects})`);
  }

  /**
   * Follows an mqtt.js client that reconnects by itself: an outage is logged on its first 'close', with the last
   * 'error' since the connection was up as its cause, and its end on the next 'connect'. Also the client's 'error'
   * listener, so an error event never goes unhandled.
   */
  watch(client: Pick<MqttClient, 'on'>): void {
    let lastError = '';
    client.on('error', (err) => {
      lastError = err.message;
    });
    client.on('connect', () => {
      lastError = '';
      this.connected();
    });
    // MQTT 5: the broker names the reason before it closes the connection.
    client.on('disconnect', (packet) => {
      if (packet.reasonCode === REASON_SESSION_TAKEN_OVER) {
        lastError = 'session taken over by another client';
        this.takenOver = true;
      }
    });
    client.on('close', () => this.disconnected(lastError || undefined));
  }

  disconnected(why?: string): void {
    const nowMs = this.opts.nowMs();
    const connectedAtMs = this.connectedAtMs;
    this.connectedAtMs = null;
    if (this.downSinceMs !== null || this.connects === 0 || this.stopping) return;
    this.downSinceMs = nowMs;
    if (connectedAtMs !== null) this.quickCloses = nowMs - connectedAtMs < TAKEOVER_WITHIN_MS ? this.quickCloses + 1 : 0;
    this.outageUntold = this.quickCloses > TAKEOVER_CLOSES && nowMs < this.loopQuietUntilMs;
    if (this.outageUntold) {
      this.untoldOutages++;
    } else {
      const untold = this.untoldOutages ? ` (and ${this.untoldOutages} more such outage${this.untoldOutages === 1 ? '' : 's'} since the last line, not shown)` : '';
      this.untoldOutages = 0;
      if (this.quickCloses >= TAKEOVER_CLOSES) this.loopQuietUntilMs = nowMs + LOOP_LOG_PERIOD_MS;
      this.opts.log(`${this.opts.who}: lost the MQTT broker at ${this.opts.where}${why ? ` (${why})` : ''}${this.opts.meanwhile ? `; ${this.opts.meanwhile}` : ''}${untold}`);
    }
    if (connectedAtMs === null) return;
    const takenOver = this.takenOver;
    this.takenOver = false;
    if ((takenOver || this.quickCloses >= TAKEOVER_CLOSES) && !this.takeoverHinted && this.opts.clientId !== undefined) {
      this.takeoverHinted = true;
      const seen = takenOver ? 'the broker says another client took the session over' : `the connection closed within ${TAKEOVER_WITHIN_MS / 1000} s of connecting ${this.quickCloses} times in a row`;
      this.opts.log(
        `${this.opts.who}: ${seen}: is another client using client id '${this.opts.clientId}'? Two running clients with one id ` +
          `throw each other out in a loop; give each its own (set ${this.opts.clientIdSetting ?? '--mqtt-client-id'})`,
      );
    }
  }
}
