/**
 * Every door of mqtt-client.ts (warmMqttPacketCache, connect, connectAsync) fills mqtt-packet's remaining-length cache
 * for every size that cache holds (2, and 3 to 16,383), once per process. Deterministic, unlike the memory measurement
 * of mqtt-client.test.ts: a remaining-length Buffer that a write had to create comes from Node's allocation pool just
 * after a marker allocated before that write (or, when the pool moved to a new slab, on the slab of a marker allocated
 * after it); one cached by an earlier warm-up does not. The cache and the "warmed" flag live per process, so each door
 * is checked in a fresh child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const door = new URL('./mqtt-client.ts', import.meta.url).href;

/** Runs in the child: `call` is the door under test (called twice: the second call must write no warm-up packet). */
function childSource(call: string): string {
  return `
import mqttPacket from 'mqtt-packet';
import * as door from ${JSON.stringify(door)};
const writes = [];
const sink = { write: (b) => { writes.push(b); return true; }, cork() {}, uncork() {}, destroy(e) { throw e; } };
const payload = Buffer.alloc(16384);
const packetOf = (size) => size === 2 ? { cmd: 'puback', messageId: 1 } : { cmd: 'publish', topic: 'w', payload: payload.subarray(0, size - 3), qos: 0, retain: false, dup: false };
// True when writing a packet of this remaining length had to create its length Buffer (the second write).
function created(size) {
  writes.length = 0;
  const before = Buffer.allocUnsafe(1);
  mqttPacket.writeToStream(packetOf(size), sink);
  const after = Buffer.allocUnsafe(1);
  const len = writes[1];
  if (len.length !== (size < 128 ? 1 : 2)) throw new Error('write ' + size + ': the second write is not the remaining length');
  return (len.buffer === before.buffer && len.byteOffset > before.byteOffset) || (len.buffer === after.buffer && len.buffer !== before.buffer);
}
mqttPacket.writeToStream({ cmd: 'pingreq' }, sink); // mqtt-packet builds its number cache on its first write
const controls = [100, 10000];
const cold = controls.map(created);
const original = mqttPacket.writeToStream;
let calls = 0;
// Counts the warm-up's packets only (mqtt.js' connect writes its CONNECT packet through the same function).
mqttPacket.writeToStream = (packet, ...a) => { if (packet.cmd === 'puback' || packet.topic === 'w') calls++; return original(packet, ...a); };
const clients = [];
const call = () => { ${call} };
call();
const firstCalls = calls;
call();
const againCalls = calls - firstCalls;
mqttPacket.writeToStream = original;
const missed = [];
for (let s = 2; s < 16384; s++) if (!controls.includes(s) && created(s)) missed.push(s);
for (const c of clients) { c.on('error', () => {}); c.end(true); }
console.log(JSON.stringify({ cold, missed, firstCalls, againCalls, clientIds: clients.map((c) => c.options.clientId) }));
`;
}

function runChild(call: string): { cold: boolean[]; missed: number[]; firstCalls: number; againCalls: number; clientIds: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childSource(call)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const doors: Array<[string, string]> = [
  ['warmMqttPacketCache()', 'door.warmMqttPacketCache();'],
  ['connect()', "clients.push(door.connect('mqtt://127.0.0.1:1', { clientId: 'door-connect', reconnectPeriod: 0 }));"],
  ['connectAsync()', "door.connectAsync('mqtt://127.0.0.1:1', { clientId: 'door-async', reconnectPeriod: 0 }).then((c) => c.end(true), () => {});"],
];

for (const [name, call] of doors) {
  test(`mqtt-client ${name} caches the remaining length of every size mqtt-packet caches (2..16,383), once per process`, { timeout: 120_000 }, () => {
    const r = runChild(call);
    assert.deepEqual(r.cold, [true, true], 'before the warm-up the probe sees sizes that are not cached yet (the probe works)');
    assert.deepEqual(r.missed.slice(0, 10), [], `${r.missed.length} sizes not cached by the warm-up, first: ${r.missed.slice(0, 10).join(', ')}`);
    assert.ok(r.firstCalls >= 16_382, `the first call writes one packet per size (${r.firstCalls} writes)`);
    assert.equal(r.againCalls, 0, 'a second call writes no warm-up packet (idempotent)');
    if (name === 'connect()') assert.deepEqual(r.clientIds, ['door-connect', 'door-connect'], 'connect passes its options on to mqtt.js');
  });
}
