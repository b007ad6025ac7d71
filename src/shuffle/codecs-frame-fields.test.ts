/**
 * The frame's header fields as documented (docs/SHUFFLE.md "Codecs", src/shuffle/codecs.ts): each one checked on its
 * own, in frames whose frame CRC is rewritten so that only that check can catch the change; decoder failures and
 * bad inputs surface as the documented errors; zstd's level range and Spark's default level 1.
 */
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import assert from 'node:assert/strict';
import { CorruptBlockError, decodeBlock, DEFAULT_ZSTD_LEVEL, FRAME_HEADER_BYTES, FRAME_MAGIC, FRAME_VERSION, getCodec, MAX_BLOCK_BYTES, readFrameHeader } from './codecs.ts';
import { makeIotBlock } from './iot-blocks.ts';
import { Rng } from '../core/rng.ts';

const RAW = Buffer.from('the quick brown fox jumps over the lazy dog, again and again and again');

/** Rewrites a frame's own CRC (bytes 16..19: CRC32 of bytes 0..15, then of the payload). */
function reseal(frame: Buffer): Buffer {
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES), crc32(frame.subarray(0, 16))), 16);
  return frame;
}

const corrupt = (re: RegExp) => (e: unknown) => e instanceof CorruptBlockError && re.test((e as Error).message);

test('header layout: "EPSB", version 1, codec ids 0 none / 1 lz4 / 2 zstd, reserved 0, raw length, and the payload after 20 bytes', () => {
  assert.equal(FRAME_VERSION, 1);
  assert.equal(FRAME_HEADER_BYTES, 20);
  for (const [name, id] of [['none', 0], ['lz4', 1], ['zstd', 2]] as const) {
    const frame = getCodec(name).compress(RAW);
    assert.equal(frame.subarray(0, 4).toString('latin1'), 'EPSB', name);
    assert.ok(frame.subarray(0, 4).equals(FRAME_MAGIC));
    assert.equal(frame[4], 1, `${name} version`);
    assert.equal(frame[5], id, `${name} codec id`);
    assert.equal(frame.readUInt16LE(6), 0, `${name} reserved`);
    assert.equal(frame.readUInt32LE(8), RAW.length, `${name} raw length`);
    assert.equal(frame.readUInt32LE(12), crc32(RAW), `${name} raw CRC`);
    const header = readFrameHeader(frame);
    assert.equal(header.payloadBytes, frame.length - 20, `${name} payload bytes`);
    assert.equal(header.rawBytes, RAW.length);
  }
  assert.equal(readFrameHeader(getCodec('none').compress(RAW)).payloadBytes, RAW.length, 'none stores the raw bytes');
});

test('each header field is checked on its own: magic (all 4 bytes), version, reserved (both bytes)', () => {
  const frame = getCodec('lz4').compress(RAW);
  const magic = Buffer.from(frame);
  magic[3] = 0x43; // "EPSC"
  assert.throws(() => decodeBlock(reseal(magic), 'm'), corrupt(/^shuffle block 'm': bad magic 0x45505343 \(expected "EPSB"\)/));
  for (const version of [0, 2]) {
    const v = Buffer.from(frame);
    v[4] = version;
    assert.throws(() => decodeBlock(reseal(v), 'v'), corrupt(new RegExp(`^shuffle block 'v': unsupported frame version ${version} \\(expected 1\\)$`)));
  }
  for (const at of [6, 7]) {
    const r = Buffer.from(frame);
    r[at] = 1;
    assert.throws(() => decodeBlock(reseal(r), 'r'), corrupt(/^shuffle block 'r': reserved header bytes are not zero$/), `byte ${at}`);
  }
});

test('the raw length limit is 256 MiB inclusive (MAX_BLOCK_BYTES)', () => {
  assert.equal(MAX_BLOCK_BYTES, 256 * 1024 * 1024);
  const header = Buffer.from(getCodec('none').compress(RAW));
  header.writeUInt32LE(MAX_BLOCK_BYTES, 8);
  assert.equal(readFrameHeader(header).rawBytes, 268_435_456, 'exactly 256 MiB is allowed');
  header.writeUInt32LE(MAX_BLOCK_BYTES + 1, 8);
  assert.throws(() => readFrameHeader(header, 'h'), corrupt(/raw length 268435457 exceeds the 268435456-byte block limit/));
});

test('compress takes a block of exactly 256 MiB and refuses one byte more, naming the codec', () => {
  const max = Buffer.alloc(MAX_BLOCK_BYTES);
  assert.equal(readFrameHeader(getCodec('none').compress(max)).rawBytes, MAX_BLOCK_BYTES);
  const over = Buffer.alloc(MAX_BLOCK_BYTES + 1);
  assert.throws(() => getCodec('lz4').compress(over), /^Error: codec lz4: block of 268435457 bytes exceeds the 268435456-byte limit; split it$/);
});

test('a frame that says more raw bytes than its payload decodes to is refused (none, resealed)', () => {
  const frame = Buffer.from(getCodec('none').compress(RAW));
  frame.writeUInt32LE(RAW.length + 1, 8);
  assert.throws(() => decodeBlock(reseal(frame), 'long'), corrupt(new RegExp(`decoded ${RAW.length} bytes but the frame says ${RAW.length + 1} \\(none\\)`)));
});

test('an lz4 payload too short for its size prefix, or payloads the decoders reject, are CorruptBlockErrors', () => {
  const lz4 = Buffer.from(getCodec('lz4').compress(RAW));
  const short = reseal(Buffer.from(lz4.subarray(0, FRAME_HEADER_BYTES + 2)));
  assert.throws(() => decodeBlock(short, 's'), corrupt(/lz4 payload size prefix does not match the frame's raw length/));
  const lz4Garbage = Buffer.from(lz4);
  lz4Garbage.fill(0xff, FRAME_HEADER_BYTES + 4); // the size prefix kept, the block body garbage
  assert.throws(() => decodeBlock(reseal(lz4Garbage), 'g1'), corrupt(/^shuffle block 'g1': lz4 decode failed: /));
  const zstdGarbage = Buffer.from(getCodec('zstd').compress(RAW));
  zstdGarbage.fill(0xff, FRAME_HEADER_BYTES);
  assert.throws(() => decodeBlock(reseal(zstdGarbage), 'g2'), corrupt(/^shuffle block 'g2': zstd decode failed: /));
});

test('a non-Buffer frame is a CorruptBlockError saying so, whatever its length', () => {
  assert.throws(() => decodeBlock('x'.repeat(40) as unknown as Buffer, 'str'), corrupt(/^shuffle block 'str': expected a Buffer, got string$/));
});

test('zstd levels: integers in [-7, 22]; the default is 1 (Spark\'s spark.io.compression.zstd.level)', () => {
  for (const level of [-7, 22]) assert.doesNotThrow(() => getCodec('zstd', { zstdLevel: level }));
  for (const level of [-8, 23, 1.5]) assert.throws(() => getCodec('zstd', { zstdLevel: level }), new RegExp(`level must be an integer in \\[-7, 22\\], got ${level}`));
  assert.equal(DEFAULT_ZSTD_LEVEL, 1);
  const raw = makeIotBlock(new Rng(11), 64 * 1024);
  assert.ok(getCodec('zstd').compress(raw).equals(getCodec('zstd', { zstdLevel: 1 }).compress(raw)), 'the default writes what level 1 writes');
});
