/**
 * The MQTT session of the product's own subscribers: the edge gateway (src/edge/gateway.ts), `serve`'s engine ingest
 * client (src/cli/serve.ts) and DeviceReceiver. `mqttSessionOptions` turns { clientId, clean, protocolVersion } into
 * mqtt.js connect options and checks the client id.
 *
 * A persistent session (clean: false) makes the broker keep the client's subscriptions and queue the QoS 1 messages
 * published for it while it is disconnected (a network blip, a restart of the process), up to the broker's own queue
 * limit (Mosquitto: `max_queued_messages`, 1000 per client by default). It needs a client id that stays the same
 * across restarts, and a different one for every client running at the same time: a second client with the same id
 * takes the session over, the first one reconnects and takes it back, and so on (docs/MESSAGES.md "Persistent
 * sessions of the gateway and serve").
 */

/**
 * [own] MQTT 5 session expiry of a persistent session, seconds: how long the broker keeps the session (and queues
 * for it) after the client went away. One hour covers a network outage, a restart or an upgrade of the gateway or
 * serve, while the session of a client that is gone for good (a renamed or retired gateway) stops costing the broker
 * memory an hour later. A longer value would not save more messages: at the broker's queue limit (Mosquitto 1000
 * messages per client by default, i.e. 10 s of a 100 msgs/s fleet) the queue is full long before the hour is over.
 * MQTT 3.1.1 has no session expiry; there the broker decides (Mosquitto `persistent_client_expiration`, default never).
 */
export const DEFAULT_SESSION_EXPIRY_S = 3600;

/**
 * Client ids: letters, digits, '_', '.' and '-', starting with a letter or digit. Nothing that a broker, a log line or
 * an ACL pattern (`%c`) could read as something else (no '/', '+', '#', spaces or control characters).
 */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Longest client id accepted. The MQTT 3.1.1 and 5 specifications only guarantee ids of 1-23 characters [0-9a-zA-Z];
 * a broker MAY accept longer ones, and both brokers of this project do: Mosquitto refuses ids over 23 characters only
 * when built WITH_STRICT_PROTOCOL (the Debian 2.0.11 of the test setup takes the 30-odd-character ids of the device
 * publishers), aedes has no limit. The default ids are longer than 23 characters (`edgepilot-gw-<gatewayId>` with a
 * gateway id of up to 64 characters, `edgepilot-serve-smart-city`), so 23 would refuse our own defaults; 128 leaves
 * room for them and still catches garbage. With a broker that insists on 23, give a short id (--mqtt-client-id).
 */
export const MAX_CLIENT_ID_CHARS = 128;

export interface MqttSessionSettings {
  clientId: string;
  /** true: a clean session, nothing kept while disconnected. false: a persistent session. */
  clean: boolean;
  protocolVersion: 4 | 5;
  /** MQTT 5 only, persistent sessions only. Default DEFAULT_SESSION_EXPIRY_S. */
  sessionExpiryS?: number;
}

/** The part of mqtt.js' IClientOptions that the session decides. */
export interface MqttSessionConnectOptions {
  clientId: string;
  clean: boolean;
  properties?: { sessionExpiryInterval: number };
}

/**
 * Returns `clientId` if it is a usable client id; throws an Error naming `what` (the option or flag, e.g.
 * `--mqtt-client-id` or `EdgeGateway: clientId`) otherwise.
 */
export function checkClientId(clientId: string, what: string): string {
  if (typeof clientId !== 'string' || clientId.length === 0) throw new Error(`${what} must not be empty`);
  if (clientId.length > MAX_CLIENT_ID_CHARS) throw new Error(`${what} must be at most ${MAX_CLIENT_ID_CHARS} characters, got ${clientId.length}`);
  if (!CLIENT_ID_PATTERN.test(clientId)) throw new Error(`${what} must match ${CLIENT_ID_PATTERN} (letters, digits, '_', '.', '-'), got ${JSON.stringify(clientId)}`);
  return clientId;
}

/**
 * The mqtt.js connect options of a session: clientId, clean and, for MQTT 5 with a persistent session, the session
 * expiry (MQTT 5 ends a session at disconnect unless told to keep it). Throws on a bad client id (see checkClientId)
 * or session expiry.
 */
export function mqttSessionOptions(s: MqttSessionSettings, what = 'clientId'): MqttSessionConnectOptions {
  const clientId = checkClientId(s.clientId, what);
  if (s.clean || s.protocolVersion !== 5) return { clientId, clean: s.clean };
  const expiry = s.sessionExpiryS ?? DEFAULT_SESSION_EXPIRY_S;
  // The property is a four-byte integer; 0xFFFFFFFF means "never expires".
  if (!Number.isSafeInteger(expiry) || expiry < 1 || expiry > 0xffffffff) throw new Error(`session expiry must be an integer in [1, 4294967295] seconds, got ${String(expiry)}`);
  return { clientId, clean: false, properties: { sessionExpiryInterval: expiry } };
}

/**
 * What happens to the client's QoS 1 messages while it is disconnected, for an outage log line. `cleanHow` names how
 * the clean session was chosen (e.g. `--mqtt-clean-session`).
 */
export function sessionMeanwhile(s: { clientId: string; clean: boolean }, cleanHow?: string): string {
  if (s.clean) return `clean session${cleanHow ? ` (${cleanHow})` : ''}: QoS 1 messages published meanwhile are lost`;
  return `the broker queues QoS 1 messages for session '${s.clientId}' meanwhile, up to its own queue limit`;
}
