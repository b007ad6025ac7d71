/**
 * One device fleet in a process of its own, for `bench:pipeline`: what `edgepilot devices` does (DeviceFleet +
 * publishSchedule, JSON over MQTT QoS 1), without loading the whole CLI, and started on a signal, so that several
 * fleet processes begin publishing together once all of them are connected.
 *
 *   node --import tsx src/runtime/devices/fleet-process.ts '{"mqttUrl":"mqtt://127.0.0.1:1883","scenario":"smart-city",
 *        "rateMsgsPerS":3333,"durationS":20,"devices":167,"maxInFlight":2000,"seed":1}'
 *
 * Protocol on stdio: once connected it prints `ready`; it starts its schedule (t = 0) when a line `go` arrives on
 * stdin; if stdin closes without `go` (the parent gave up or died) it exits without publishing. At the end it prints
 * the PublishSummary as one JSON line. If the parent dies while it publishes, it stops taking messages and exits.
 * Why not `edgepilot devices`: loading every CLI command through tsx costs each process seconds of CPU, and three of
 * them starting at once would compete with the pipeline they are meant to load.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { ScenarioName } from '../../env/spark-iot-types.ts';
import { constantRate, DeviceFleet } from './fleet.ts';
import { publishSchedule } from './publisher.ts';
import { isScenarioName } from './topics.ts';

export interface FleetProcessArgs {
  mqttUrl: string;
  scenario: ScenarioName;
  rateMsgsPerS: number;
  durationS: number;
  devices: number;
  maxInFlight: number;
  seed: number;
  protocolVersion?: 4 | 5;
}

export function parseFleetProcessArgs(text: string | undefined): FleetProcessArgs {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? '');
  } catch {
    throw new Error(`fleet-process: expected one JSON argument with the fleet's settings, got '${String(text).slice(0, 200)}'`);
  }
  const a = raw as Record<string, unknown>;
  const num = (key: string, min: number): number => {
    const v = a[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new Error(`fleet-process: '${key}' must be a number >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  if (typeof a.mqttUrl !== 'string' || !/^mqtts?:\/\/[^/]+/.test(a.mqttUrl)) throw new Error(`fleet-process: 'mqttUrl' must look like mqtt://host:port, got ${JSON.stringify(a.mqttUrl)}`);
  if (typeof a.scenario !== 'string' || !isScenarioName(a.scenario)) throw new Error(`fleet-process: unknown 'scenario' ${JSON.stringify(a.scenario)}`);
  const protocolVersion = a.protocolVersion ?? 4;
  if (protocolVersion !== 4 && protocolVersion !== 5) throw new Error(`fleet-process: 'protocolVersion' must be 4 or 5, got ${JSON.stringify(protocolVersion)}`);
  return {
    mqttUrl: a.mqttUrl,
    scenario: a.scenario,
    rateMsgsPerS: num('rateMsgsPerS', 0),
    durationS: num('durationS', 0),
    devices: Math.round(num('devices', 1)),
    maxInFlight: Math.round(num('maxInFlight', 1)),
    seed: Math.round(num('seed', 0)),
    protocolVersion,
  };
}

/**
 * Wake the publish loop at most every 5 ms: at ~3,300 msgs/s per process that sends ~17 messages per wake-up and
 * socket write instead of one timer per message or two, adding at most 5 ms of lag (reported as maxLagS).
 */
const PUBLISH_TICK_MS = 5;

/** Resolves when stdin delivers a line `go`; rejects if stdin closes first. */
function goSignal(): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    let go = false;
    lines.on('line', (line) => {
      if (go || line.trim() !== 'go') return;
      go = true;
      resolve();
      lines.close();
    });
    lines.on('close', () => {
      if (!go) reject(new Error('stdin closed before `go`: not publishing'));
    });
  });
}

/** Aborts when this process is orphaned (its parent died: the ppid changes), so no fleet outlives its benchmark. */
function abortWhenOrphaned(): AbortController {
  const abort = new AbortController();
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      abort.abort();
      clearInterval(timer);
    }
  }, 1000);
  timer.unref();
  return abort;
}

async function main(): Promise<void> {
  const args = parseFleetProcessArgs(process.argv[2]);
  const fleet = new DeviceFleet({ scenario: args.scenario, devices: args.devices, seed: args.seed, rate: constantRate(args.rateMsgsPerS), durationS: args.durationS });
  let cpuAtStart = process.cpuUsage();
  const orphaned = abortWhenOrphaned();
  const summary = await publishSchedule(fleet, {
    mqttUrl: args.mqttUrl,
    signal: orphaned.signal,
    protocolVersion: args.protocolVersion ?? 4,
    maxInFlight: args.maxInFlight,
    tickMs: PUBLISH_TICK_MS,
    startGate: () => {
      process.stdout.write('ready\n');
      return goSignal().then(() => {
        cpuAtStart = process.cpuUsage();
      });
    },
  });
  // CPU of this process per message published, start-up excluded: what the device side costs.
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuUsPerMsg = summary.published > 0 ? Math.round(((cpu.user + cpu.system) / summary.published) * 10) / 10 : null;
  process.stdout.write(`${JSON.stringify({ ...summary, cpuUsPerMsg })}\n`);
  if (summary.unacked > 0) process.exitCode = 1;
  // stdin may still be open (the parent never closes it): do not wait for it.
  process.stdin.destroy();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`fleet-process: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
