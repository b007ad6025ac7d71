import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketSizeGuard } from './packet-size-guard.ts';
import { DEFAULT_MAX_BATCH_BYTES } from './ingest-batch.ts';
import { ingestTopic } from './topics.ts';

/** Remaining Length encodings from the MQTT 3.1.1 spec's table (§2.2.3): the edges of 1, 2, 3 and 4 bytes. */
const REMAINING_LENGTH: Record<number, number[]> = {
  0: [0x00],
  127: [0x7f],
  128: [0x80, 0x01],
  16_383: [0xff, 0x7f],
  16_384: [0x80, 0x80, 0x01],
  2_097_151: [0xff, 0xff, 0x7f],
  2_097_152: [0x80, 0x80, 0x80, 0x01],
};
/** A packet of type byte `type` whose body is `bodyBytes` long (a length from the table above). */
function packet(type: number, bodyBytes: number): Buffer {
  const len = REMAINING_LENGTH[bodyBytes];
  if (!len) throw new Error(`no spec encoding for ${bodyBytes}`);
  return Buffer.concat([Buffer.from([type, ...len]), Buffer.alloc(bodyBytes, 0x61)]);
}
const connectPacket = packet(0x10, 127);
const publish = (bodyBytes: number) => packet(0x30, bodyBytes);
const pingreq = packet(0xc0, 0);

test('packet size guard: counts whole packets however the stream is cut into chunks', () => {
  const stream = Buffer.concat([connectPacket, publish(127), pingreq, publish(128), publish(16_383), publish(16_384), pingreq]);
  for (const cut of [1, 2, 3, 7, 64, 1000, stream.length]) {
    const guard = new PacketSizeGuard(64 * 1024);
    for (let i = 0; i < stream.length; i += cut) assert.deepEqual(guard.feed(stream.subarray(i, i + cut)), { ok: true }, `chunks of ${cut}`);
    assert.equal(guard.packets, 7, `chunks of ${cut}`);
  }
});

test('packet size guard: a packet over the limit is refused from its header, before its body', () => {
  const big = publish(16_384);
  const guard = new PacketSizeGuard(16_000);
  assert.deepEqual(guard.feed(connectPacket), { ok: true });
  // Only the fixed header (type byte + 3 length bytes) has arrived.
  const verdict = guard.feed(big.subarray(0, 4));
  assert.equal(verdict.ok, false);
  assert.ok(!verdict.ok && verdict.packetBytes === big.length, `size of the whole packet (${big.length})`);
  assert.match(!verdict.ok ? verdict.reason : '', new RegExp(`packet of ${big.length} bytes over the limit of 16000`));
  assert.equal(guard.feed(pingreq).ok, false, 'the refusal sticks');
  // A packet of exactly the limit passes.
  const exact = new PacketSizeGuard(big.length);
  assert.deepEqual(exact.feed(big), { ok: true });
  assert.equal(exact.packets, 1);
});

test('packet size guard: 4 length bytes (packets over 2 MiB) are read; more than 4 is broken framing', () => {
  const huge = new PacketSizeGuard(4 * 1024 * 1024);
  assert.deepEqual(huge.feed(publish(2_097_152)), { ok: true });
  assert.equal(huge.packets, 1);
  const small = new PacketSizeGuard(1024 * 1024);
  const v = small.feed(publish(2_097_152).subarray(0, 5));
  assert.ok(!v.ok && v.packetBytes === 1 + 4 + 2_097_152);

  const guard = new PacketSizeGuard();
  const verdict = guard.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
  assert.equal(verdict.ok, false);
  assert.ok(!verdict.ok && Number.isNaN(verdict.packetBytes));
  assert.match(!verdict.ok ? verdict.reason : '', /malformed Remaining Length/);
});

test('packet size guard: a limit that cannot hold a packet is refused', () => {
  assert.throws(() => new PacketSizeGuard(1), /maxPacketBytes must be an integer >= 2, got 1/);
  assert.throws(() => new PacketSizeGuard(1.5), /maxPacketBytes/);
});

test('packet size guard: once a packet was refused, later bytes (even well-formed small packets) get the same refusal', () => {
  const guard = new PacketSizeGuard(100);
  const refused = guard.feed(Uint8Array.from([0x30, 0xc8, 0x01])); // PUBLISH announcing 200 bytes
  assert.equal(refused.ok, false, 'a 203-byte packet is over 100');
  const later = guard.feed(Uint8Array.from([0xc0, 0x00])); // a PINGREQ
  assert.deepEqual(later, refused, 'the first refusal sticks: the caller closes the connection');
  assert.equal(guard.packets, 0, 'no packet is counted after the refusal');
});

test('the default packet limit lets the largest ingest batch Edgepilot sends through, on the longest ingest topic', () => {
  const topic = ingestTopic('smart-city');
  // PUBLISH QoS 1: 2-byte topic length, the topic, a 2-byte packet id, then the payload.
  const remaining = 2 + topic.length + 2 + DEFAULT_MAX_BATCH_BYTES;
  const lengthBytes: number[] = [];
  for (let x = remaining; ; ) {
    const b = x % 128;
    x = Math.floor(x / 128);
    lengthBytes.push(x > 0 ? b | 0x80 : b);
    if (x === 0) break;
  }
  const guard = new PacketSizeGuard();
  const header = guard.feed(Uint8Array.from([0x32, ...lengthBytes]));
  assert.deepEqual(header, { ok: true }, `a full ${DEFAULT_MAX_BATCH_BYTES}-byte ingest batch must pass the default limit of ${guard.maxPacketBytes}`);
});
