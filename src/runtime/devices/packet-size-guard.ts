/**
 * A size limit on incoming MQTT packets for the embedded broker. aedes 1.2.0 has none: its parser buffers a whole
 * packet before it looks at it, so one 100 MB PUBLISH costs about half a gigabyte before anything can refuse it
 * (measured in session 16). This tracker follows the MQTT framing of a connection's bytes as they are read and says
 * so as soon as a fixed header announces a packet over the limit, before its body arrives, so the broker can close
 * the connection while it holds at most one socket chunk of it.
 *
 * MQTT framing (MQTT 3.1.1 §2.2, 5.0 §2.1): one byte of type and flags, then the Remaining Length as a variable
 * byte integer of 1-4 bytes (7 bits each, least significant first, high bit = more bytes follow), then that many
 * bytes of variable header and payload. The packet's size is all three.
 */

/**
 * Default limit (bytes per packet): 4x the largest payload Edgepilot itself sends, an ingest batch of at most
 * DEFAULT_MAX_BATCH_BYTES = 256 KiB (src/runtime/devices/ingest-batch.ts), so no legitimate packet comes near it.
 * [assumed] Device readings are under DEFAULT_MAX_PAYLOAD_BYTES = 16 KiB.
 */
export const DEFAULT_MAX_PACKET_BYTES = 1024 * 1024;

/** The largest size the MQTT framing can express: 4 length bytes of 7 bits each, plus the 5 header bytes. */
const MAX_REMAINING_LENGTH = 268_435_455;

/** Throws unless `maxPacketBytes` can hold a packet (the smallest, e.g. PINGREQ, is 2 bytes). */
export function checkMaxPacketBytes(maxPacketBytes: number): void {
  if (!Number.isInteger(maxPacketBytes) || maxPacketBytes < 2) throw new Error(`PacketSizeGuard: maxPacketBytes must be an integer >= 2, got ${maxPacketBytes}`);
}

export type GuardVerdict =
  | { ok: true }
  /** A packet announced `packetBytes` (header included) over the limit, or the framing is broken (`packetBytes` NaN). */
  | { ok: false; packetBytes: number; reason: string };

/** Follows one connection's byte stream; `feed` every chunk in order. */
export class PacketSizeGuard {
  /** Whole packets seen so far. */
  packets = 0;
  private state: 'type' | 'length' | 'body' = 'type';
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private failed: GuardVerdict | null = null;

  constructor(readonly maxPacketBytes = DEFAULT_MAX_PACKET_BYTES) {
    checkMaxPacketBytes(maxPacketBytes);
  }

  /** Reads a chunk; the first verdict that is not ok sticks (the caller closes the connection). */
  feed(chunk: Uint8Array): GuardVerdict {
    if (this.failed) return this.failed;
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endPacket();
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.state = 'length';
        this.remaining = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // state 'length'
      this.remaining += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return (this.failed = { ok: false, packetBytes: NaN, reason: 'malformed Remaining Length (more than 4 bytes)' });
        continue;
      }
      const packetBytes = 1 + this.lengthBytes + this.remaining;
      if (this.remaining > MAX_REMAINING_LENGTH || packetBytes > this.maxPacketBytes) {
        return (this.failed = { ok: false, packetBytes, reason: `packet of ${packetBytes} bytes over the limit of ${this.maxPacketBytes}` });
      }
      if (this.remaining === 0) this.endPacket();
      else this.state = 'body';
    }
    return { ok: true };
  }

  private endPacket(): void {
    this.packets++;
    this.state = 'type';
  }
}
