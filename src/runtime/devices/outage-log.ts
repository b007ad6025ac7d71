/**
 * One log line when an MQTT connection is lost and one when it is back, with how long it was down: the gateway, the
 * forecast subscriber and `serve`'s engine client all reconnect on their own (mqtt.js), and without these lines a
 * broker outage is silent. Each failed reconnect attempt closes the connection again; only the first close of an
 * outage is logged. A close before the first connect is not an outage (start() reports that failure), nor is one
 * after stop began.
 */
import type { MqttClient } from 'mqtt';

export interface OutageLogOptions {
  /** Starts every line, e.g. `edge gateway edge-0`. */
  who: string;
  /** The broker's address, said in every line. */
  where: string;
  nowMs: () => number;
  log: (line: string) => void;
  /** Appended to the "lost" line: what happens meanwhile (e.g. how often the client retries). */
  meanwhile?: string;
}

export class OutageLog {
  /** Connections made (1 + reconnects). */
  connects = 0;
  /** Set when the owner stops: a close after it is the owner's own doing. */
  stopping = false;
  private downSinceMs: number | null = null;

  constructor(private readonly opts: OutageLogOptions) {}

  connected(): void {
    this.connects++;
    if (this.downSinceMs === null) return;
    const downS = (this.opts.nowMs() - this.downSinceMs) / 1000;
    this.downSinceMs = null;
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
    client.on('close', () => this.disconnected(lastError || undefined));
  }

  disconnected(why?: string): void {
    if (this.downSinceMs !== null || this.connects === 0 || this.stopping) return;
    this.downSinceMs = this.opts.nowMs();
    this.opts.log(`${this.opts.who}: lost the MQTT broker at ${this.opts.where}${why ? ` (${why})` : ''}${this.opts.meanwhile ? `; ${this.opts.meanwhile}` : ''}`);
  }
}
