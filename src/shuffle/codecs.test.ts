import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { CODECS } from '../core/types.ts';
import {
  CorruptBlockError,
  FRAME_HEADER_BYTES,
  MAX_BLOCK_BYTES,
  decodeBlock,
  getCodec,
  readFrameHeader,
} from './codecs.ts';
import { makeIotBlock, makeRandomBlock } from './iot-blocks.ts';

const SIZES = [0, 1, 64 * 1024, 1024 * 1024];

test('every codec round-trips IoT JSON and random bytes of 0 B, 1 B, 64 KiB and 1 MiB', () => {
  const rng = new Rng(7);
  for (const size of SIZES) {
    for (const raw of [makeIotBlock(rng.fork(`iot-${size}`), size), makeRandomBlock(rng.fork(`rnd-${size}`), size)]) {
      for (const name of CODECS) {
        const codec = getCodec(name);
        const frame = codec.compress(raw);
        const header = readFrameHeader(frame);
        assert.equal(header.codec, name);
        assert.equal(header.rawBytes, size);
        assert.ok(codec.decompress(frame).equals(raw), `${name} round trip of ${size} bytes`);
      }
    }
  }
});

test('a block written with one codec is readable by every other codec instance', () => {
  const raw = makeIotBlock(new Rng(3), 20_000);
  for (const writer of CODECS) {
    const frame = getCodec(writer).compress(raw);
    for (const reader of CODECS) assert.ok(getCodec(reader).decompress(frame).equals(raw), `${writer} -> ${reader}`);
    assert.ok(decodeBlock(frame).equals(raw));
  }
});

test('lz4 and zstd compress IoT JSON, and zstd honours its level', () => {
  const raw = makeIotBlock(new Rng(11), 64 * 1024);
  const noneBytes = getCodec('none').compress(raw).length;
  const lz4Bytes = getCodec('lz4').compress(raw).length;
  const zstd1Bytes = getCodec('zstd', { zstdLevel: 1 }).compress(raw).length;
  const zstd19Bytes = getCodec('zstd', { zstdLevel: 19 }).compress(raw).length;
  assert.equal(noneBytes, raw.length + FRAME_HEADER_BYTES);
  assert.ok(lz4Bytes < noneBytes / 2, `lz4 ${lz4Bytes} vs raw ${noneBytes}`);
  assert.ok(zstd1Bytes < lz4Bytes, `zstd-1 ${zstd1Bytes} should beat lz4 ${lz4Bytes} on JSON`);
  assert.ok(zstd19Bytes < zstd1Bytes, `zstd-19 ${zstd19Bytes} should be smaller than zstd-1 ${zstd1Bytes}`);
});

test('decompress returns a copy for none, so mutating it leaves the stored frame intact', () => {
  const raw = Buffer.from('abc');
  const frame = getCodec('none').compress(raw);
  const out = decodeBlock(frame);
  out[0] = 0x7a;
  assert.equal(decodeBlock(frame).toString(), 'abc');
});

test('every single-byte corruption and every truncation of a frame is detected, for every codec', () => {
  const raw = makeIotBlock(new Rng(5), 600);
  for (const name of CODECS) {
    const frame = getCodec(name).compress(raw);
    for (let i = 0; i < frame.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(frame);
        bad[i]! ^= mask;
        assert.throws(() => decodeBlock(bad, 'job-1/map-0-reduce-0'), CorruptBlockError, `${name}: flip 0x${mask.toString(16)} at byte ${i} went unnoticed`);
      }
    }
    for (let length = 0; length < frame.length; length++) {
      assert.throws(() => decodeBlock(frame.subarray(0, length)), CorruptBlockError, `${name}: truncation to ${length} bytes went unnoticed`);
    }
  }
});

test('corruption errors say what is wrong and name the block', () => {
  assert.throws(() => decodeBlock(Buffer.from('definitely not a shuffle block'), 'k1'), /shuffle block 'k1': bad magic .* not an Edgepilot shuffle block/);
  assert.throws(() => decodeBlock(Buffer.alloc(3), 'k2'), /shuffle block 'k2': 3 bytes is shorter than the 20-byte frame header/);
  const frame = getCodec('zstd').compress(Buffer.from('hello hello hello hello'));
  const badCrc = Buffer.from(frame);
  badCrc.writeUInt32LE((badCrc.readUInt32LE(12) ^ 1) >>> 0, 12);
  assert.throws(() => decodeBlock(badCrc, 'k3'), /shuffle block 'k3': frame CRC32 mismatch .* the stored bytes are damaged/);
  const badPayload = Buffer.from(frame);
  badPayload[badPayload.length - 1]! ^= 0x10;
  assert.throws(() => decodeBlock(badPayload, 'k3b'), /shuffle block 'k3b': frame CRC32 mismatch/);
  const badCodec = Buffer.from(frame);
  badCodec[5] = 9;
  assert.throws(() => decodeBlock(badCodec, 'k4'), /unknown codec id 9/);
  const huge = Buffer.from(frame);
  huge.writeUInt32LE(MAX_BLOCK_BYTES + 1, 8);
  assert.throws(() => decodeBlock(huge, 'k5'), /exceeds the .*-byte block limit/);
});

/** Rewrites a frame's own CRC so that only the checks after it can catch a forged field. */
function resealFrame(frame: Buffer): Buffer {
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES), crc32(frame.subarray(0, 16))), 16);
  return frame;
}

test('a self-consistent frame whose payload decodes to other bytes is still rejected (raw CRC, lz4 size prefix)', () => {
  const raw = Buffer.from('the quick brown fox jumps over the lazy dog, again and again and again');
  for (const name of CODECS) {
    const wrongRawCrc = Buffer.from(getCodec(name).compress(raw));
    wrongRawCrc.writeUInt32LE((wrongRawCrc.readUInt32LE(12) ^ 0x100) >>> 0, 12);
    assert.throws(() => decodeBlock(resealFrame(wrongRawCrc), 'forged'), /raw CRC32 mismatch after/, name);
  }
  const lz4Frame = Buffer.from(getCodec('lz4').compress(raw));
  lz4Frame.writeUInt32LE(raw.length + 1, 8);
  assert.throws(() => decodeBlock(resealFrame(lz4Frame), 'forged-lz4'), /lz4 payload size prefix does not match/);
  const noneFrame = Buffer.from(getCodec('none').compress(raw));
  noneFrame.writeUInt32LE(raw.length - 1, 8);
  assert.throws(() => decodeBlock(resealFrame(noneFrame), 'forged-none'), /decoded \d+ bytes but the frame says/);
});

test('bad codec names and bad inputs are rejected with clear errors', () => {
  assert.throws(() => getCodec('snappy'), /unknown shuffle codec 'snappy' \(expected one of none, lz4, zstd\)/);
  assert.throws(() => getCodec('zstd', { zstdLevel: 99 }), /level must be an integer in \[-7, 22\], got 99/);
  assert.throws(() => getCodec('lz4').compress('text' as unknown as Buffer), /compress expects a Buffer/);
});
