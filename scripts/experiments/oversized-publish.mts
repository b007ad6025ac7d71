/**
 * What one oversized PUBLISH costs the embedded broker: a client sends a single message of `--mb` MiB at QoS 1 and
 * the script prints whether the broker closed the connection or acknowledged the message, and the process's peak
 * RSS growth meanwhile (sampled every 20 ms). With the broker's packet size limit (default 1 MiB,
 * src/runtime/devices/packet-size-guard.ts) the connection is closed from the packet's header; `--limit-mb` raises it
 * to see what aedes alone does.
 * Run: node --import tsx scripts/experiments/oversized-publish.mts [--mb 100] [--limit-mb 1]
 */
import './stdout-pipe.ts';
import { connect } from 'mqtt';
import { startEmbeddedBroker } from '../../src/runtime/devices/broker.ts';

function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!(v > 0)) throw new Error(`${name} must be a positive number, got '${process.argv[i + 1]}'`);
  return v;
}
const MiB = 1024 * 1024;
const payloadMb = numberFlag('--mb', 100);
const limitMb = numberFlag('--limit-mb', 1);

const broker = await startEmbeddedBroker({ maxPacketBytes: Math.round(limitMb * MiB), log: (line) => console.log(line) });
const client = connect(broker.url, { protocolVersion: 4, clientId: 'oversized-publish', reconnectPeriod: 0 });
client.on('error', () => undefined);
await new Promise((r) => client.once('connect', r));
const payload = Buffer.alloc(Math.round(payloadMb * MiB), 0x61);
const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const outcome = await Promise.race([
  new Promise<string>((r) => client.once('close', () => r('connection closed by the broker'))),
  new Promise<string>((r) => client.publish('edgepilot/devices/smart-city/SC-0', payload, { qos: 1 }, (err) => err || r('acknowledged by the broker'))),
]);
await new Promise((r) => setTimeout(r, 500));
clearInterval(sampler);
console.log(`${payloadMb} MiB publish, limit ${limitMb} MiB: ${outcome}; peak RSS growth ${((peak - rssBefore) / MiB).toFixed(0)} MiB (client and broker in this process)`);
client.end(true);
await broker.stop();
