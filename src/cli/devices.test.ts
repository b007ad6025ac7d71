import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { DeviceReceiver } from '../runtime/devices/receiver.ts';
import { cliErrorInProcess, runCli } from './test-run-cli.ts';

test('edgepilot devices publishes a traced load and prints a JSON summary as the last stdout line', async () => {
  const broker = await startEmbeddedBroker();
  const receiver = await DeviceReceiver.start({ mqttUrl: broker.url });
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-devices-'));
  try {
    const trace = join(dir, 'trace.csv');
    writeFileSync(trace, 't,rate\n0,100\n1,300\n');
    const r = await runCli(['devices', '--mqtt-url', broker.url, '--scenario', 'healthcare', '--trace', trace, '--duration', '1.5', '--devices', '7', '--seed', '4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(summary.command, 'devices');
    assert.equal(summary.protocolVersion, 4, 'auto-detected MQTT 3.1.1 on aedes');
    assert.equal(summary.scenario, 'healthcare');
    // expected count: integral of the trace over 1.5 s = 200 + 150 = 350
    assert.ok(summary.published > 250 && summary.published < 450, `published ${summary.published}`);
    assert.equal(summary.acked, summary.published);
    assert.equal(summary.reconnects, 0);
    for (let i = 0; i < 100 && receiver.uniqueMessages < summary.published; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(receiver.uniqueMessages, summary.published);
    assert.equal(receiver.dedup.deviceCount, 7);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await receiver.stop();
    await broker.stop();
  }
});

test('edgepilot devices: usage errors exit 2 with a message, an unreachable broker exits 1', async () => {
  const noUrl = await runCli(['devices', '--duration', '1']);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /--mqtt-url is required/);
  const both = await runCli(['devices', '--mqtt-url', 'mqtt://127.0.0.1:1', '--rate', '5', '--trace', 'x.csv']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --rate or --trace/);
  const formatAlone = await runCli(['devices', '--mqtt-url', 'mqtt://127.0.0.1:1', '--trace-format', 'events']);
  assert.equal(formatAlone.code, 2);
  assert.match(formatAlone.stderr, /--trace-format needs --trace/);
  const scenario = await runCli(['devices', '--mqtt-url', 'mqtt://127.0.0.1:1', '--scenario', 'mars']);
  assert.equal(scenario.code, 2);
  assert.match(scenario.stderr, /--scenario must be one of/);
  const down = await runCli(['devices', '--mqtt-url', 'mqtt://127.0.0.1:1', '--duration', '1']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:1/);
  assert.doesNotMatch(down.stderr, /\n\s+at /, 'no stack trace');
});

test('edgepilot devices: --devices beyond the fleet bound and a bad --trace are usage errors naming the flag, before connecting', async () => {
  const { register } = await import('./devices.ts');
  const { UsageError } = await import('./output.ts');
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-devices-usage-'));
  try {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 't,rate\n0,1\n1,x\n');
    const cases: Array<[string[], RegExp]> = [
      [['--devices', '200000'], /^--devices must be <= 100,000, got '200000'$/],
      [['--trace', dir], /^--trace: .* is a folder, not a file$/],
      [['--trace', bad], /^--trace .*bad\.csv: line 3: rate is not a number/],
      [['--scenario', 'smartcity'], /\(did you mean 'smart-city'\?\)/],
    ];
    for (const [args, re] of cases) {
      // Port 1 refuses connections: reaching it would be a BrokerConnectError, not a UsageError.
      const err = await cliErrorInProcess(register, ['devices', '--mqtt-url', 'mqtt://127.0.0.1:1', ...args]);
      assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
      assert.match(err.message, re);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
