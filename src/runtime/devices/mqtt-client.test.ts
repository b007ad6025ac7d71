import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import mqttPacket from 'mqtt-packet';
import { warmMqttPacketCache } from './mqtt-client.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sink = { write: () => true, cork: () => undefined, uncork: () => undefined, destroy: () => undefined } as never;
const payload = Buffer.alloc(16_384);

/** ArrayBuffer bytes still held after writing a packet of each size, each between short-lived allocations as in traffic. */
function pinnedBytes(fromSize: number, toSize: number): number {
  gc();
  const before = process.memoryUsage().arrayBuffers;
  for (let size = fromSize; size < toSize; size++) {
    // Traffic between two new sizes: more than a slab (8 KiB) of short-lived small Buffers from the same pool.
    for (let k = 0; k < 300; k++) Buffer.from(`message ${size} ${k} ........`);
    mqttPacket.writeToStream({ cmd: 'publish', topic: 'w', payload: payload.subarray(0, size - 3), qos: 0, retain: false, dup: false }, sink);
  }
  gc();
  return process.memoryUsage().arrayBuffers - before;
}

test('mqtt-packet pins a pool slab per packet size first met in traffic; after warmMqttPacketCache none is pinned', () => {
  // Without the warm-up (this is what a long live run did): 2,000 new sizes keep ~2,000 slabs of 8 KiB.
  const cold = pinnedBytes(8_000, 10_000);
  assert.ok(cold > 8 * 2 ** 20, `cold: ${(cold / 2 ** 20).toFixed(1)} MiB pinned (the measurement sees the effect)`);
  warmMqttPacketCache();
  warmMqttPacketCache(); // idempotent
  const warm = pinnedBytes(3, 8_000);
  // Per size, a tenth of the cold figure at most (measured: ~8 KiB cold, 0-200 bytes warm; V8 frees ArrayBuffer
  // memory on a background thread, so a loaded machine may still show some of the traffic's garbage).
  const coldPerSize = cold / 2_000;
  const warmPerSize = warm / 7_997;
  assert.ok(warmPerSize < coldPerSize / 10, `warm: ${warmPerSize.toFixed(0)} bytes pinned per size, cold: ${coldPerSize.toFixed(0)}`);
});
