/**
 * The ingest-topic payload format (docs/MESSAGES.md, "Ingest batches"): one MQTT message on
 * `edgepilot/ingest/<scenario>` carries one or more original device payloads separated by a single `\n` (0x0A), no
 * trailing newline. A payload of one message is a batch of one, so a plain device payload is a valid batch.
 *
 * Why a newline is safe as separator: valid JSON never has a raw 0x0A inside a string (it must be escaped as `\n`),
 * and in UTF-8 the byte 0x0A never occurs inside a multi-byte character. A raw 0x0A in a valid payload is therefore
 * insignificant whitespace (pretty-printed JSON); encoding replaces it by a space (0x20), which parses to the same
 * value. Everything else in each line is the original bytes.
 */

const NEWLINE = 0x0a;
const SPACE = 0x20;
const NEWLINE_BUF = Buffer.from([NEWLINE]);

/**
 * Largest ingest payload a batch is allowed to reach, bytes. Far below the MQTT limit (268,435,455 bytes, MQTT 3.1.1
 * section 2.2.3 "Remaining Length"; Mosquitto's message_size_limit defaults to that maximum) so one batch stays a
 * small, quick packet for the embedded aedes broker too. [assumed] 256 KiB.
 */
export const DEFAULT_MAX_BATCH_BYTES = 256 * 1024;

/** One line as it goes into a batch: the original bytes, with any raw newline (JSON whitespace) made a space. */
export function batchLine(payload: Uint8Array): Buffer {
  if (!(payload instanceof Uint8Array)) throw new Error('batchLine: payload must be a Buffer/Uint8Array');
  const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (buf.indexOf(NEWLINE) < 0) return buf;
  const copy = Buffer.from(buf);
  for (let i = copy.indexOf(NEWLINE); i >= 0; i = copy.indexOf(NEWLINE, i + 1)) copy[i] = SPACE;
  return copy;
}

/** Joins device payloads into one ingest payload. Throws on an empty batch (there is nothing to publish). */
export function encodeIngestBatch(payloads: readonly Uint8Array[]): Buffer {
  if (payloads.length === 0) throw new Error('encodeIngestBatch: a batch needs at least one payload');
  const parts: Buffer[] = [];
  for (let i = 0; i < payloads.length; i++) {
    if (i > 0) parts.push(NEWLINE_BUF);
    parts.push(batchLine(payloads[i]!));
  }
  return Buffer.concat(parts);
}

/**
 * Splits an ingest payload into its lines (views into `payload`, no copy). Every line is returned, empty ones too
 * (the consumer rejects them like any other malformed payload, so nothing disappears silently).
 */
export function decodeIngestBatch(payload: Uint8Array | string): Buffer[] {
  const buf = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(NEWLINE); i >= 0; i = buf.indexOf(NEWLINE, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  lines.push(buf.subarray(start));
  return lines;
}

/** Bytes a batch occupies once `line` is appended to a batch currently `batchBytes` long (0 = empty). */
export function batchBytesWith(batchBytes: number, line: Uint8Array): number {
  return batchBytes === 0 ? line.byteLength : batchBytes + 1 + line.byteLength;
}
