/**
 * A minimal consumer of device messages: subscribes at QoS 1, validates every payload (bad ones are
 * counted by reason and skipped), and dedups by (deviceId, seq) so each message is handed on exactly once.
 * The engine and gateways build on the same two pieces (validatePayload, SeqDeduper); tests and the
 * `devices` tooling use this class directly.
 */
import type { MqttClient } from 'mqtt';
import { connect } from './mqtt-client.ts';
import { SeqDeduper } from './dedup.ts';
import { mqttSessionOptions } from './mqtt-session.ts';
import { validatePayload, ValidationTally, type DeviceMessage, type ValidateOptions } from './schemas.ts';
import { deviceTopicFilter } from './topics.ts';

export interface ReceiverOptions {
  mqttUrl: string;
  protocolVersion?: 4 | 5;
  clientId?: string;
  /**
   * false = a persistent session: the broker queues QoS 1 messages while this receiver is disconnected
   * (needs a fixed clientId; MQTT 5: kept DEFAULT_SESSION_EXPIRY_S after a disconnect, src/runtime/devices/mqtt-session.ts).
   * Default true.
   */
  clean?: boolean;
  topicFilter?: string;
  validate?: ValidateOptions;
  /** Called once per distinct (deviceId, seq). */
  onMessage?: (message: DeviceMessage, topic: string) => void;
  connectTimeoutMs?: number;
}

export class DeviceReceiver {
  readonly dedup = new SeqDeduper();
  readonly tally = new ValidationTally();
  /** Raw deliveries, duplicates and rejects included. */
  deliveries = 0;
  connects = 0;

  private constructor(private readonly client: MqttClient) {}

  static async start(opts: ReceiverOptions): Promise<DeviceReceiver> {
    if (opts.clean === false && opts.clientId === undefined) throw new Error('DeviceReceiver: a persistent session (clean: false) needs a fixed clientId');
    const protocolVersion = opts.protocolVersion ?? 4;
    // clientId, clean and (MQTT 5, persistent) the session expiry; throws on a bad client id.
    const session = mqttSessionOptions(
      { clientId: opts.clientId ?? `edgepilot-receiver-${process.pid}-${Date.now().toString(36)}`, clean: opts.clean ?? true, protocolVersion },
      'DeviceReceiver: clientId',
    );
    const client = connect(opts.mqttUrl, {
      protocolVersion,
      ...session,
      reconnectPeriod: 200,
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      keepalive: 10,
    });
    const receiver = new DeviceReceiver(client);
    client.on('connect', () => receiver.connects++);
    client.on('error', () => undefined); // reconnects on its own; a restart of the broker is expected
    client.on('message', (topic, payload) => receiver.handle(topic, payload, opts));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`DeviceReceiver: no connection to ${opts.mqttUrl} within ${opts.connectTimeoutMs ?? 5000} ms`)), opts.connectTimeoutMs ?? 5000);
        client.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await client.subscribeAsync(opts.topicFilter ?? deviceTopicFilter(), { qos: 1 });
    } catch (err) {
      client.end(true);
      throw err;
    }
    return receiver;
  }

  private handle(topic: string, payload: Buffer, opts: ReceiverOptions): void {
    this.deliveries++;
    const result = validatePayload(topic, payload, opts.validate);
    this.tally.record(result);
    if (!result.ok) return;
    if (this.dedup.accept(result.message.deviceId, result.message.seq, result.message.sentAtMs)) opts.onMessage?.(result.message, topic);
  }

  /** Distinct valid messages received. */
  get uniqueMessages(): number {
    return this.dedup.unique;
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
  }
}
