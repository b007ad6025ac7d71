/**
 * IoT-like shuffle block contents for tests and the tier benchmark: JSON lines of sensor readings, shaped like
 * the data of the codec measurements in reference/infra.md §2.5 (ISO timestamp, deviceId dev-00000..00499,
 * gatewayId, temperature, humidity, vibration, battery, burst flag). Like that generator it is more regular
 * than real telemetry, so compression ratios come out optimistic.
 */
import type { Rng } from '../core/rng.ts';

const DEVICE_COUNT = 500;
const GATEWAY_COUNT = 20;
/** 2026-11-25T00:00:00Z: any fixed origin works; it only has to be the same for a seed. */
const START_EPOCH_MS = Date.UTC(2026, 10, 25);

function iotLine(rng: Rng, index: number): string {
  const device = rng.int(DEVICE_COUNT);
  return JSON.stringify({
    ts: new Date(START_EPOCH_MS + index * 10 + rng.int(10)).toISOString(),
    deviceId: `dev-${String(device).padStart(5, '0')}`,
    gatewayId: `gw-${String(device % GATEWAY_COUNT).padStart(2, '0')}`,
    temperatureC: Number(rng.normal(21, 3).toFixed(2)),
    humidityPct: Number(rng.uniform(30, 70).toFixed(1)),
    vibrationG: Number(rng.logNormal(0.05, 0.6).toFixed(4)),
    batteryPct: Number(rng.uniform(5, 100).toFixed(1)),
    burst: rng.bernoulli(0.05),
  });
}

/** A block of exactly `sizeBytes` bytes of newline-separated JSON readings (the last line is cut to fit). */
export function makeIotBlock(rng: Rng, sizeBytes: number): Buffer {
  if (!Number.isInteger(sizeBytes) || sizeBytes < 0) throw new Error(`makeIotBlock: sizeBytes must be an integer >= 0, got ${sizeBytes}`);
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < sizeBytes; i++) {
    const line = `${iotLine(rng, i)}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join(''), 'utf8').subarray(0, sizeBytes);
}

/** `sizeBytes` uniformly random bytes (incompressible), from the given Rng. */
export function makeRandomBlock(rng: Rng, sizeBytes: number): Buffer {
  const block = Buffer.allocUnsafe(sizeBytes);
  for (let i = 0; i < sizeBytes; i += 4) {
    const word = rng.nextU32();
    for (let b = 0; b < 4 && i + b < sizeBytes; b++) block[i + b] = (word >>> (8 * b)) & 0xff;
  }
  return block;
}
