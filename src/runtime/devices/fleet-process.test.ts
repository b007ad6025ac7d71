/** fleet-process.ts: the device process of bench:pipeline (ready / go handshake, one JSON summary line). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmbeddedBroker } from './broker.ts';
import { SeqDeduper } from './dedup.ts';
import { parseFleetProcessArgs } from './fleet-process.ts';
import { validatePayload } from './schemas.ts';

/** Spawns fleet-process.ts with the settings; `output()` holds what it printed so far on stdout and stderr. */
function spawnFleet(settings: Record<string, unknown>): { child: ChildProcessWithoutNullStreams; output: () => { stdout: string; stderr: string } } {
  const entry = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, JSON.stringify(settings)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return { child, output: () => ({ stdout, stderr }) };
}

test('parseFleetProcessArgs: settings as one JSON argument; each bad field is named', () => {
  const ok = { mqttUrl: 'mqtt://127.0.0.1:1883', scenario: 'healthcare', rateMsgsPerS: 100, durationS: 2, devices: 3, maxInFlight: 50, seed: 7 };
  assert.deepEqual(parseFleetProcessArgs(JSON.stringify(ok)), { ...ok, protocolVersion: 4 });
  assert.throws(() => parseFleetProcessArgs('not json'), /expected one JSON argument/);
  assert.throws(() => parseFleetProcessArgs(undefined), /expected one JSON argument/);
  assert.throws(() => parseFleetProcessArgs(JSON.stringify({ ...ok, mqttUrl: 'http://x' })), /'mqttUrl' must look like mqtt:\/\/host:port/);
  assert.throws(() => parseFleetProcessArgs(JSON.stringify({ ...ok, scenario: 'mars' })), /unknown 'scenario' "mars"/);
  assert.throws(() => parseFleetProcessArgs(JSON.stringify({ ...ok, rateMsgsPerS: -1 })), /'rateMsgsPerS' must be a number >= 0, got -1/);
  assert.throws(() => parseFleetProcessArgs(JSON.stringify({ ...ok, devices: 0 })), /'devices' must be a number >= 1/);
  assert.throws(() => parseFleetProcessArgs(JSON.stringify({ ...ok, protocolVersion: 3 })), /'protocolVersion' must be 4 or 5/);
});

test('fleet process: connects, says ready, publishes only after go, then prints its summary; every message arrives', { timeout: 60_000 }, async () => {
  const broker = await startEmbeddedBroker();
  const dedup = new SeqDeduper();
  let rejected = 0;
  const unsubscribe = await broker.local.subscribe('edgepilot/devices/#', (topic, payload) => {
    const r = validatePayload(topic, payload);
    if (r.ok) dedup.accept(r.message.deviceId, r.message.seq);
    else rejected++;
  });
  try {
    const settings = { mqttUrl: broker.url, scenario: 'industrial', rateMsgsPerS: 400, durationS: 1, devices: 6, maxInFlight: 100, seed: 2 };
    const { child, output } = spawnFleet(settings);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => {
        if (output().stdout.includes('ready\n')) resolve();
      });
      child.on('close', (code) => reject(new Error(`fleet process exited (${code}) before ready: ${output().stderr}`)));
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(dedup.unique, 0, 'nothing published before go');
    child.stdin.end('go\n');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, output().stderr);
    const summary = JSON.parse(output().stdout.trim().split('\n').pop()!) as { published: number; acked: number; unacked: number; cpuUsPerMsg: number };
    assert.ok(summary.published > 250, `published ${summary.published}`);
    assert.equal(summary.acked, summary.published);
    assert.equal(summary.unacked, 0);
    assert.ok(summary.cpuUsPerMsg > 0);
    assert.equal(dedup.unique, summary.published, 'every published message reached the broker once');
    assert.equal(rejected, 0);
  } finally {
    await unsubscribe();
    await broker.stop();
  }
});

test('fleet process: stdin closed without go (the bench gave up): exits 1 without publishing', { timeout: 60_000 }, async () => {
  const broker = await startEmbeddedBroker();
  let received = 0;
  const unsubscribe = await broker.local.subscribe('edgepilot/devices/#', () => received++);
  try {
    const settings = { mqttUrl: broker.url, scenario: 'healthcare', rateMsgsPerS: 400, durationS: 1, devices: 3, maxInFlight: 100, seed: 2 };
    const { child, output } = spawnFleet(settings);
    child.stdout.on('data', () => {
      if (output().stdout.includes('ready\n')) child.stdin.end();
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 1);
    assert.match(output().stderr, /stdin closed before `go`: not publishing/);
    assert.equal(received, 0);
  } finally {
    await unsubscribe();
    await broker.stop();
  }
});
