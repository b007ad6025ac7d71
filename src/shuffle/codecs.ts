/**
 * Shuffle block codecs of the live engine: none, lz4 (lz4-napi block API) and zstd (zstd-napi).
 *
 * Every codec writes the same self-describing frame, so a block written under one codec stays readable
 * after the policy switches codec (design.md: "tier and codec apply to shuffle data written after the
 * change"), and any codec instance decodes any frame:
 *
 *   offset  size  field
 *   0       4     magic "EPSB" (Edgepilot Shuffle Block)
 *   4       1     frame version (1)
 *   5       1     codec id (0 none, 1 lz4, 2 zstd)
 *   6       2     reserved, must be 0
 *   8       4     raw (uncompressed) length, uint32 little-endian
 *   12      4     CRC32 (node:zlib) of the raw bytes, uint32 little-endian
 *   16      4     CRC32 of bytes 0..15 and of the payload: the stored bytes
 *   20      ...   payload (the raw bytes for `none`, else the codec's output)
 *
 * The frame CRC is checked before decoding, so a flipped bit anywhere in a stored block is reported (even
 * one the decoder would not notice, such as an lz4 match offset that points at identical bytes) and the
 * decoders never see damaged input. The raw CRC is checked after decoding and guards against a decoder
 * that returns the wrong bytes. Corruption always surfaces as CorruptBlockError.
 */
import { crc32 } from 'node:zlib';
import { compressSync as lz4CompressSync, uncompressSync as lz4UncompressSync } from 'lz4-napi';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { CODECS, type Codec as CodecName } from '../core/types.ts';

export type { CodecName };

export interface Codec {
  readonly name: CodecName;
  /** Raw bytes -> one framed block. */
  compress(buf: Buffer): Buffer;
  /** Any framed block (whatever codec wrote it) -> raw bytes; `where` names the block in error messages. */
  decompress(buf: Buffer, where?: string): Buffer;
}

/** A block that is not a valid frame, or whose bytes do not match its checksum. */
export class CorruptBlockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptBlockError';
  }
}

export const FRAME_MAGIC = Buffer.from('EPSB', 'latin1');
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 20;
/** Largest raw block a frame may announce: bounds what a corrupt header can make us allocate. Shuffle
 * blocks are tens of KB on average (Magnet, anchors.md §3) and Spark buffers are 8 MiB (S3 shuffle plugin,
 * anchors.md §3); 256 MiB leaves ample room while refusing a bogus 4 GiB length. */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;
/** zstd level 1 is Spark's default `spark.io.compression.zstd.level` (anchors.md §4). */
export const DEFAULT_ZSTD_LEVEL = 1;

const CODEC_IDS: Record<CodecName, number> = { none: 0, lz4: 1, zstd: 2 };

export interface FrameHeader {
  codec: CodecName;
  rawBytes: number;
  crc32: number;
  frameCrc32: number;
  payloadBytes: number;
}

function codecForId(id: number): CodecName | undefined {
  return CODECS.find((name) => CODEC_IDS[name] === id);
}

function blockName(where: string | undefined): string {
  return where ? `shuffle block '${where}'` : 'shuffle block';
}

/** Parses and checks the fixed header; throws CorruptBlockError naming what is wrong. */
export function readFrameHeader(frame: Buffer, where?: string): FrameHeader {
  const what = blockName(where);
  if (!Buffer.isBuffer(frame)) throw new CorruptBlockError(`${what}: expected a Buffer, got ${typeof frame}`);
  if (frame.length < FRAME_HEADER_BYTES) {
    throw new CorruptBlockError(`${what}: ${frame.length} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte frame header (truncated?)`);
  }
  if (!frame.subarray(0, 4).equals(FRAME_MAGIC)) {
    throw new CorruptBlockError(`${what}: bad magic 0x${frame.subarray(0, 4).toString('hex')} (expected "EPSB"): not an Edgepilot shuffle block`);
  }
  const version = frame.readUInt8(4);
  if (version !== FRAME_VERSION) throw new CorruptBlockError(`${what}: unsupported frame version ${version} (expected ${FRAME_VERSION})`);
  const codecId = frame.readUInt8(5);
  const codec = codecForId(codecId);
  if (codec === undefined) throw new CorruptBlockError(`${what}: unknown codec id ${codecId} (known: 0 none, 1 lz4, 2 zstd)`);
  if (frame.readUInt16LE(6) !== 0) throw new CorruptBlockError(`${what}: reserved header bytes are not zero`);
  const rawBytes = frame.readUInt32LE(8);
  if (rawBytes > MAX_BLOCK_BYTES) throw new CorruptBlockError(`${what}: raw length ${rawBytes} exceeds the ${MAX_BLOCK_BYTES}-byte block limit`);
  return { codec, rawBytes, crc32: frame.readUInt32LE(12), frameCrc32: frame.readUInt32LE(16), payloadBytes: frame.length - FRAME_HEADER_BYTES };
}

/** CRC32 over the first 16 header bytes and the payload (everything but the frame CRC field itself). */
function frameCrc(frame: Buffer): number {
  return crc32(frame.subarray(FRAME_HEADER_BYTES), crc32(frame.subarray(0, 16)));
}

function writeFrame(codec: CodecName, raw: Buffer, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  FRAME_MAGIC.copy(frame, 0);
  frame.writeUInt8(FRAME_VERSION, 4);
  frame.writeUInt8(CODEC_IDS[codec], 5);
  frame.writeUInt16LE(0, 6);
  frame.writeUInt32LE(raw.length, 8);
  frame.writeUInt32LE(crc32(raw), 12);
  payload.copy(frame, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(frameCrc(frame), 16);
  return frame;
}

function checkRaw(buf: Buffer, codec: CodecName): void {
  if (!Buffer.isBuffer(buf)) throw new Error(`codec ${codec}: compress expects a Buffer, got ${typeof buf}`);
  if (buf.length > MAX_BLOCK_BYTES) throw new Error(`codec ${codec}: block of ${buf.length} bytes exceeds the ${MAX_BLOCK_BYTES}-byte limit; split it`);
}

/** Runs the payload decoder of the frame's codec. Decoder exceptions become CorruptBlockError. */
function decodePayload(header: FrameHeader, payload: Buffer, what: string): Buffer {
  if (header.codec === 'none') return payload;
  if (header.codec === 'lz4') {
    // lz4-napi's block format starts with its own uint32 LE raw size; check it against the header so a
    // corrupt prefix cannot make the decoder allocate an arbitrary amount.
    if (payload.length < 4 || payload.readUInt32LE(0) !== header.rawBytes) {
      throw new CorruptBlockError(`${what}: lz4 payload size prefix does not match the frame's raw length ${header.rawBytes}`);
    }
    try {
      return lz4UncompressSync(payload);
    } catch (err) {
      throw new CorruptBlockError(`${what}: lz4 decode failed: ${(err as Error).message}`);
    }
  }
  try {
    return zstdDecompress(payload);
  } catch (err) {
    throw new CorruptBlockError(`${what}: zstd decode failed: ${(err as Error).message}`);
  }
}

/** Decodes any frame, whichever codec wrote it, and verifies length and CRC32. */
export function decodeBlock(frame: Buffer, where?: string): Buffer {
  const what = blockName(where);
  const header = readFrameHeader(frame, where);
  const storedCrc = frameCrc(frame);
  if (storedCrc !== header.frameCrc32) {
    throw new CorruptBlockError(`${what}: frame CRC32 mismatch (stored 0x${header.frameCrc32.toString(16)}, computed 0x${storedCrc.toString(16)}): the stored bytes are damaged`);
  }
  const raw = decodePayload(header, frame.subarray(FRAME_HEADER_BYTES), what);
  if (raw.length !== header.rawBytes) {
    throw new CorruptBlockError(`${what}: decoded ${raw.length} bytes but the frame says ${header.rawBytes} (${header.codec})`);
  }
  const actualCrc = crc32(raw);
  if (actualCrc !== header.crc32) {
    throw new CorruptBlockError(`${what}: raw CRC32 mismatch after ${header.codec} decode (stored 0x${header.crc32.toString(16)}, computed 0x${actualCrc.toString(16)})`);
  }
  // Copy for `none` so the caller never holds a view into the stored frame.
  return header.codec === 'none' ? Buffer.from(raw) : raw;
}

class NoneCodec implements Codec {
  readonly name = 'none' as const;
  compress(buf: Buffer): Buffer {
    checkRaw(buf, this.name);
    return writeFrame(this.name, buf, buf);
  }
  decompress(buf: Buffer, where?: string): Buffer {
    return decodeBlock(buf, where);
  }
}

class Lz4Codec implements Codec {
  readonly name = 'lz4' as const;
  compress(buf: Buffer): Buffer {
    checkRaw(buf, this.name);
    return writeFrame(this.name, buf, lz4CompressSync(buf));
  }
  decompress(buf: Buffer, where?: string): Buffer {
    return decodeBlock(buf, where);
  }
}

class ZstdCodec implements Codec {
  readonly name = 'zstd' as const;
  constructor(readonly level: number) {
    if (!Number.isInteger(level) || level < -7 || level > 22) throw new Error(`zstd codec: level must be an integer in [-7, 22], got ${level}`);
  }
  compress(buf: Buffer): Buffer {
    checkRaw(buf, this.name);
    return writeFrame(this.name, buf, zstdCompress(buf, { compressionLevel: this.level }));
  }
  decompress(buf: Buffer, where?: string): Buffer {
    return decodeBlock(buf, where);
  }
}

export interface CodecOptions {
  /** zstd only; default DEFAULT_ZSTD_LEVEL. */
  zstdLevel?: number;
}

/** The codec called `name`; throws naming the bad value for anything else. */
export function getCodec(name: string, options: CodecOptions = {}): Codec {
  switch (name) {
    case 'none':
      return new NoneCodec();
    case 'lz4':
      return new Lz4Codec();
    case 'zstd':
      return new ZstdCodec(options.zstdLevel ?? DEFAULT_ZSTD_LEVEL);
    default:
      throw new Error(`unknown shuffle codec '${name}' (expected one of ${CODECS.join(', ')})`);
  }
}
