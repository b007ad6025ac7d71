/**
 * `edgepilot edge`: the bounds, the --config line and --no-forward, which src/cli/edge.test.ts does not pin (found by
 * a mutation audit). In process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { constantRate, DeviceFleet } from '../runtime/devices/fleet.ts';
import { publishSchedule } from '../runtime/devices/publisher.ts';
import { cliErrorInProcess } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { register } from './edge.ts';

async function usageError(args: string[]): Promise<string> {
  // --duration 1: a check that wrongly passes runs the gateway for a second instead of until Ctrl-C.
  const err = await cliErrorInProcess(register, ['edge', '--duration', '1', ...args]);
  assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
  return err.message;
}

/**
 * Runs edge in process with stderr captured (`onStderr` sees it as it grows) and the command's JSON line taken from
 * stdout (the test runner's own report goes on through).
 */
async function captured(args: string[], onStderr: (text: string) => void = () => {}): Promise<{ err: unknown; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (String(c).startsWith('{"command":"edge"') ? (out.push(String(c)), true) : stdoutWrite(c))) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (err.push(String(c)), onStderr(err.join('')), true)) as typeof process.stderr.write;
  try {
    const e = await cliErrorInProcess(register, ['edge', ...args]);
    return { err: e, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}

test('edge: --broker-port, --lead-time and --horizon at their bounds, each error naming its flag', async () => {
  assert.match(await usageError(['--broker-port', '65536']), /^--broker-port must be <= 65,535, got '65536'$/);
  assert.match(await usageError(['--lead-time', '-1']), /^--lead-time must be an integer >= 0, got '-1'$/);
  assert.match(await usageError(['--horizon', '-1']), /^--horizon must be an integer >= 0, got '-1'$/);
  // 0 is accepted: the command goes on to its next check (here a malformed --kafka-brokers).
  assert.match(await usageError(['--lead-time', '0', '--horizon', '0', '--kafka-brokers', 'nohost']), /^--kafka-brokers: /);
});

test('edge --config: the file is named on stderr, with what it sets, before anything starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-edge-config-'));
  try {
    const config = join(dir, 'world.json');
    writeFileSync(config, JSON.stringify({ sim: { edgeLeadTimeS: 20 } }));
    const r = await captured(['--config', config, '--kafka-brokers', 'nohost']);
    assert.ok(r.err instanceof UsageError, String(r.err));
    assert.match(r.stderr, /^config .*world\.json \(sets sim\.edgeLeadTimeS\)\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edge --no-forward: device messages are accepted and forecast from, but not forwarded', { timeout: 60_000 }, async () => {
  const broker = await startEmbeddedBroker();
  try {
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const running = captured(['--mqtt-url', broker.url, '--protocol', '4', '--gateway-id', 'gw-nofwd', '--scenario', 'smart-city', '--no-forward', '--duration', '5', '--json'], (text) => {
      if (text.includes('edge: gateway gw-nofwd')) ready();
    });
    await Promise.race([isReady, running]);
    const fleet = new DeviceFleet({ scenario: 'smart-city', devices: 3, seed: 1, rate: constantRate(100), durationS: 0.5, idPrefix: 'nofwd-' });
    const pub = await publishSchedule(fleet, { mqttUrl: broker.url, protocolVersion: 4 });
    const r = await running;
    assert.equal(r.err, null, `${String(r.err)} ${r.stderr}`);
    const line = /\{"command":"edge".*\}/.exec(r.stdout)?.[0];
    assert.ok(line, `no JSON summary; stderr: ${r.stderr}`);
    const summary = JSON.parse(line) as { accepted: number; forwarded: number };
    // Accepted (at least one message reached it during its 5 s; all of them, unless the machine is very slow) ...
    assert.ok(summary.accepted > 0 && summary.accepted <= pub.published, `accepted ${summary.accepted} of ${pub.published}`);
    // ... and none forwarded.
    assert.equal(summary.forwarded, 0);
  } finally {
    await broker.stop();
  }
});

test("edge: the forecaster's horizon comes from --config's sim.forecastHorizonS, and --horizon overrides it", { timeout: 60_000 }, async () => {
  const broker = await startEmbeddedBroker();
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-edge-horizon-'));
  try {
    const config = join(dir, 'world.json');
    writeFileSync(config, JSON.stringify({ sim: { forecastHorizonS: 45 } }));
    const horizonOf = async (extra: string[]): Promise<number | undefined> => {
      // A forecast is published every second: a run of 2.5 s has at least one.
      const r = await captured(['--mqtt-url', broker.url, '--protocol', '4', '--gateway-id', 'gw-horizon', '--scenario', 'balanced', '--config', config, '--duration', '2.5', '--json', ...extra]);
      assert.equal(r.err, null, `${String(r.err)} ${r.stderr}`);
      const line = /\{"command":"edge".*\}/.exec(r.stdout)?.[0];
      assert.ok(line, `no JSON summary; stderr: ${r.stderr}`);
      return (JSON.parse(line) as { lastForecast: { horizonS: number } | null }).lastForecast?.horizonS;
    };
    assert.equal(await horizonOf([]), 45);
    assert.equal(await horizonOf(['--horizon', '15']), 15);
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
