/**
 * The test / benchmark block contents of src/shuffle/iot-blocks.ts, against what its header documents: JSON lines of
 * readings (ISO timestamp 10 ms apart, deviceId dev-00000..00499, the device's gateway of 20, a burst flag about 5 %
 * of the time), exactly the size asked; random blocks of uniformly random bytes that do not compress.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { getCodec } from './codecs.ts';
import { makeIotBlock, makeRandomBlock } from './iot-blocks.ts';

interface Reading { ts: string; deviceId: string; gatewayId: string; burst: boolean }

test('an IoT block is newline-terminated JSON readings of 500 devices on 20 gateways, 10 ms apart from 2026-11-25', () => {
  const block = makeIotBlock(new Rng(21), 512 * 1024).toString('utf8');
  const lines = block.split('\n');
  const full = lines.slice(0, -1).map((l) => JSON.parse(l) as Reading); // the last line is cut to fit
  assert.ok(full.length > 2000, `${full.length} lines`);
  const devices = new Set<number>();
  let bursts = 0;
  full.forEach((r, i) => {
    const m = /^dev-(\d{5})$/.exec(r.deviceId);
    assert.ok(m, r.deviceId);
    const device = Number(m[1]);
    assert.ok(device >= 0 && device <= 499, r.deviceId);
    devices.add(device);
    assert.equal(r.gatewayId, `gw-${String(device % 20).padStart(2, '0')}`, `${r.deviceId}'s gateway`);
    // Line i is stamped in [i x 10, i x 10 + 10) ms after 2026-11-25T00:00:00Z.
    const offsetMs = Date.parse(r.ts) - Date.UTC(2026, 10, 25);
    assert.ok(offsetMs >= i * 10 && offsetMs < i * 10 + 10, `line ${i} at +${offsetMs} ms`);
    if (r.burst) bursts++;
  });
  assert.equal(devices.size, 500, 'every device of dev-00000..00499 appears in a few thousand readings');
  const burstShare = bursts / full.length;
  assert.ok(burstShare > 0.03 && burstShare < 0.07, `burst share ${burstShare} (5 % expected)`);
});

test('an IoT block is exactly the size asked, and a size that is not a whole number of bytes is refused', () => {
  for (const size of [0, 1, 999, 4096]) assert.equal(makeIotBlock(new Rng(1), size).length, size);
  assert.throws(() => makeIotBlock(new Rng(1), 1.5), /makeIotBlock: sizeBytes must be an integer >= 0, got 1\.5/);
  assert.throws(() => makeIotBlock(new Rng(1), -1), /got -1/);
});

test('a random block is uniformly random in every byte position and does not compress', () => {
  const size = 64 * 1024;
  const block = makeRandomBlock(new Rng(5), size);
  assert.equal(block.length, size);
  assert.equal(makeRandomBlock(new Rng(5), 7).length, 7, 'a size that is not a multiple of 4');
  // Mean of a uniform byte is 127.5 (sd 73.9); over 16,384 bytes per position mod 4 the sd of the mean is 0.58.
  for (let pos = 0; pos < 4; pos++) {
    let sum = 0;
    for (let i = pos; i < size; i += 4) sum += block[i]!;
    const mean = sum / (size / 4);
    assert.ok(Math.abs(mean - 127.5) < 5, `byte position ${pos} mod 4: mean ${mean}`);
  }
  let sameAsPrevious = 0;
  for (let i = 1; i < size; i++) if (block[i] === block[i - 1]) sameAsPrevious++;
  assert.ok(sameAsPrevious < size / 100, `${sameAsPrevious} bytes equal their neighbour (1/256 expected)`);
  const zstd = getCodec('zstd').compress(block).length;
  assert.ok(zstd > size, `zstd made ${size} random bytes ${zstd} bytes`);
});
