/**
 * MQTT connections for every Edgepilot component, through one door, so that mqtt.js' and aedes' shared packet writer
 * (mqtt-packet 9) is fixed up once before a long run.
 *
 * Why: mqtt-packet caches the encoded "remaining length" of each packet size below 16,384 bytes for good
 * (writeToStream.js `varByteIntCache`), each one a 1-2 byte Buffer taken from Node's shared 8 KiB allocation pool.
 * Cached one at a time in the middle of traffic, each of them keeps its whole 8 KiB pool slab alive: a live pipeline
 * that meets new message sizes pinned ~30 MiB more external memory every 20 minutes (`npm run bench:soak`, session
 * 19; heap snapshots: 4,390 cached sizes at 5 min, 8,590 at 25 min), up to ~128 MiB once all 16,384 are cached.
 * Writing one packet of every size up front makes the cache fill in one go, the small Buffers side by side on a few
 * slabs: about 130 KiB in all, in ~0.1 s, once per process.
 */
import { connect as mqttConnect, connectAsync as mqttConnectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';

/** mqtt-packet's cache holds sizes below this (writeToStream.js); larger packets are encoded on the fly. */
const CACHED_SIZES = 16_384;

let warmed = false;

/**
 * Fills mqtt-packet's remaining-length cache for every size it caches, in one go (see the file comment). Idempotent;
 * called by `connect`, `connectAsync` and the embedded broker's start.
 */
export function warmMqttPacketCache(): void {
  if (warmed) return;
  warmed = true;
  const sink = { write: () => true, cork: () => undefined, uncork: () => undefined, destroy: () => undefined };
  const payload = Buffer.alloc(CACHED_SIZES);
  // A QoS 0 PUBLISH on topic 'w' has a remaining length of 2 (topic length) + 1 (topic) + the payload's length.
  const overhead = 3;
  for (let size = overhead; size < CACHED_SIZES; size++) {
    mqttPacket.writeToStream({ cmd: 'publish', topic: 'w', payload: payload.subarray(0, size - overhead), qos: 0, retain: false, dup: false }, sink as never);
  }
  // Sizes 0-2: a PUBACK is 2; 0 and 1 belong to packets written from fixed bytes or never sent by us.
  mqttPacket.writeToStream({ cmd: 'puback', messageId: 1 }, sink as never);
}

/** mqtt.js `connect(url, opts)`, after warmMqttPacketCache. */
export function connect(brokerUrl: string, opts: IClientOptions): MqttClient {
  warmMqttPacketCache();
  return mqttConnect(brokerUrl, opts);
}

/** mqtt.js `connectAsync(url, opts)`, after warmMqttPacketCache. */
export function connectAsync(brokerUrl: string, opts: IClientOptions): Promise<MqttClient> {
  warmMqttPacketCache();
  return mqttConnectAsync(brokerUrl, opts);
}
