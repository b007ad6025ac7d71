import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { createServer, type AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { constantRate, DeviceFleet } from '../runtime/devices/fleet.ts';
import { publishSchedule } from '../runtime/devices/publisher.ts';
import { ingestTopic } from '../runtime/devices/topics.ts';
import { Command } from 'commander';
import { register } from './edge.ts';
import { UsageError } from './output.ts';
import { runCli } from './test-run-cli.ts';

test('edgepilot edge: gateway on an external broker forwards, forecasts and prints a JSON summary', async () => {
  const broker = await startEmbeddedBroker();
  const ingest = connect(broker.url, { protocolVersion: 4 });
  let forwarded = 0;
  const forecasts: string[] = [];
  try {
    await new Promise<void>((r) => ingest.once('connect', () => r()));
    // Ingest payloads are batches (docs/MESSAGES.md): count the device payloads, one per line.
    ingest.on('message', (topic, p) => (topic.endsWith('/forecast') ? forecasts.push(p.toString()) : (forwarded += p.toString().split('\n').length)));
    await ingest.subscribeAsync([ingestTopic('smart-city'), 'edgepilot/edge/gw-cli/forecast'], { qos: 1 });
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const run = runCli(['edge', '--mqtt-url', broker.url, '--gateway-id', 'gw-cli', '--scenario', 'smart-city', '--duration', '4', '--json'], {
      onStderr: (err) => {
        if (err.includes('edge: gateway gw-cli')) ready();
      },
    });
    await Promise.race([isReady, run]);
    const fleet = new DeviceFleet({ scenario: 'smart-city', devices: 4, seed: 2, rate: constantRate(200), durationS: 1, idPrefix: 'cli-' });
    const pub = await publishSchedule(fleet, { mqttUrl: broker.url, protocolVersion: 4 });
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(summary.command, 'edge');
    assert.equal(summary.gatewayId, 'gw-cli');
    assert.equal(summary.protocolVersion, 4, 'auto-detected 3.1.1 on aedes');
    assert.equal(summary.embeddedBroker, false);
    assert.equal(summary.accepted, pub.published);
    assert.equal(summary.forwarded, pub.published);
    assert.ok(summary.forecastsPublished >= 2, `forecasts ${summary.forecastsPublished}`);
    assert.equal(summary.kafka, null);
    for (let i = 0; i < 100 && forwarded < pub.published; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(forwarded, pub.published);
    assert.ok(forecasts.length >= 2);
  } finally {
    await ingest.endAsync();
    await broker.stop();
  }
});

test('edgepilot edge: SIGTERM stops the gateway cleanly, with its summary (as SIGINT does)', { timeout: 60_000 }, async () => {
  const broker = await startEmbeddedBroker();
  try {
    let child: ChildProcess | undefined;
    let signalled = false;
    const r = await runCli(['edge', '--mqtt-url', broker.url, '--gateway-id', 'gw-term', '--scenario', 'smart-city', '--json'], {
      onSpawn: (c) => (child = c),
      onStderr: (err) => {
        if (!signalled && err.includes('edge: gateway gw-term')) {
          signalled = true;
          child!.kill('SIGTERM');
        }
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(summary.command, 'edge');
    assert.equal(summary.gatewayId, 'gw-term');
  } finally {
    await broker.stop();
  }
});

test('edgepilot edge (in process): usage errors are UsageErrors naming the flag; an unreachable broker sets exit code 1', async () => {
  const run = async (args: string[]): Promise<unknown> => {
    const program = new Command().exitOverride();
    register(program);
    try {
      await program.parseAsync(['edge', ...args], { from: 'user' });
      return null;
    } catch (err) {
      return err;
    }
  };
  const cases: Array<[string[], RegExp]> = [
    [['--mqtt-url', 'http://x'], /--mqtt-url must look like mqtt:\/\/host:port/],
    [['--scenario', 'mars'], /--scenario must be one of/],
    [['--gateway-id', 'a/b'], /--gateway-id must match/],
    [['--duration', '0'], /--duration must be > 0/],
    [['--mqtt-url', 'mqtt://127.0.0.1:1', '--protocol', '6'], /--protocol must be auto, 4 or 5/],
    [['--kafka-brokers', 'nohost'], /--kafka-brokers: .*'nohost' is not host:port/],
    // Flags of the broker that is not used, and timers beyond Node's longest.
    [['--mqtt-url', 'mqtt://127.0.0.1:1', '--broker-port', '1883'], /--broker-port is the port of the embedded broker; with --mqtt-url none is started/],
    [['--protocol', '5'], /--protocol applies to the --mqtt-url broker; the embedded broker speaks MQTT 3\.1\.1/],
    [['--duration', '1e12'], /--duration must be <= 2147483 seconds/],
    [['--scenario', 'healtcare'], /\(did you mean 'healthcare'\?\)/],
    // The session flags belong to the --mqtt-url broker, and the client id must be one a broker takes.
    [['--mqtt-client-id', 'site-7'], /^--mqtt-client-id applies to the --mqtt-url broker; the embedded broker lives in this process/],
    [['--mqtt-clean-session'], /^--mqtt-clean-session applies to the --mqtt-url broker/],
    [['--mqtt-url', 'mqtt://127.0.0.1:1', '--mqtt-client-id', 'site 7'], /^--mqtt-client-id must match .*, got "site 7"$/],
    [['--mqtt-url', 'mqtt://127.0.0.1:1', '--mqtt-client-id', ''], /^--mqtt-client-id must not be empty$/],
    [['--mqtt-url', 'mqtt://127.0.0.1:1', '--mqtt-client-id', 'x'.repeat(129)], /^--mqtt-client-id must be at most 128 characters, got 129$/],
  ];
  for (const [args, re] of cases) {
    const err = await run(args);
    assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
    assert.match((err as Error).message, re);
  }
  const saved = process.exitCode;
  const writes: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await run(['--mqtt-url', 'mqtt://127.0.0.1:1', '--protocol', '4', '--duration', '1']), null);
    assert.equal(process.exitCode, 1);
  } finally {
    process.stderr.write = write;
    process.exitCode = saved;
  }
  assert.match(writes.join(''), /edgepilot edge: EdgeGateway: cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
});

const kafkaBrokers = process.env.EDGEPILOT_TEST_KAFKA_BROKERS;
test('edgepilot edge --kafka-brokers (in process): every accepted message is produced to Kafka', { skip: kafkaBrokers ? false : 'EDGEPILOT_TEST_KAFKA_BROKERS is not set (npm test starts the kcat mock Kafka cluster and sets it)' }, async () => {
  const broker = await startEmbeddedBroker();
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  const saved = process.exitCode;
  // Judge this command's exit code alone (a failed test before it leaves the runner's exit code at 1).
  process.exitCode = undefined;
  try {
    const program = new Command().exitOverride();
    register(program);
    const run = program.parseAsync(['edge', '--mqtt-url', broker.url, '--protocol', '4', '--gateway-id', 'gw-kcli', '--scenario', 'industrial', '--kafka-brokers', kafkaBrokers!, '--duration', '3', '--json'], { from: 'user' });
    for (let i = 0; i < 250 && !err.join('').includes('edge: gateway gw-kcli'); i++) await new Promise((r) => setTimeout(r, 20));
    const fleet = new DeviceFleet({ scenario: 'industrial', devices: 3, seed: 8, rate: constantRate(150), durationS: 1, idPrefix: 'kcli-' });
    const pub = await publishSchedule(fleet, { mqttUrl: broker.url, protocolVersion: 4 });
    await run;
    // The test runner also writes to stdout while it is captured: pick the command's JSON line.
    const line = /\{"command":"edge".*\}/.exec(out.join(''))?.[0];
    assert.ok(line, `no JSON summary; stderr: ${err.join('')}; stdout: ${out.join('').slice(-500)}`);
    const summary = JSON.parse(line);
    assert.equal(process.exitCode ?? 0, 0, err.join(''));
    assert.equal(summary.accepted, pub.published);
    assert.deepEqual(summary.kafka, { sent: pub.published, failed: 0, dropped: 0, buffered: 0, lastError: '' });
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = saved;
    await broker.stop();
  }
});

test('edgepilot edge: a taken --broker-port is a usage error, and the process ends (the failed broker used to keep it alive)', { timeout: 30_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const r = await runCli(['edge', '--broker-port', String(port), '--duration', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`--broker-port: embedded MQTT broker cannot listen on 127\\.0\\.0\\.1:${port}`));
  } finally {
    blocker.close();
  }
});

test('edgepilot edge (in process): the gateway connects with a stable client id and a persistent session; --mqtt-client-id and --mqtt-clean-session change them', { timeout: 30_000 }, async () => {
  const connects: Array<{ clientId: string; clean: boolean }> = [];
  const broker = await startEmbeddedBroker({
    aedesOptions: {
      preConnect: (_client, packet, done) => {
        connects.push({ clientId: packet.clientId, clean: packet.clean === true });
        done(null, true);
      },
    },
  });
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const saved = process.exitCode;
  const run = async (args: string[]) => {
    out.length = 0;
    connects.length = 0;
    const program = new Command().exitOverride();
    register(program);
    process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
    process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
    try {
      await program.parseAsync(['edge', '--mqtt-url', broker.url, '--protocol', '4', '--scenario', 'industrial', '--duration', '0.2', '--json', ...args], { from: 'user' });
    } finally {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
    }
    // The test runner also writes to stdout while it is captured: pick the command's JSON line.
    const line = /\{"command":"edge".*\}/.exec(out.join(''))?.[0];
    assert.ok(line, `no JSON summary; stderr: ${err.join('')}`);
    return JSON.parse(line) as { mqttClientId: string; mqttCleanSession: boolean };
  };
  try {
    const byDefault = await run(['--gateway-id', 'gw-sess']);
    assert.deepEqual(connects, [{ clientId: 'edgepilot-gw-gw-sess', clean: false }]);
    assert.equal(byDefault.mqttClientId, 'edgepilot-gw-gw-sess');
    assert.equal(byDefault.mqttCleanSession, false);
    assert.match(err.join(''), /edge: gateway gw-sess on mqtt:\/\/\S+ \(MQTT v3\.1\.1, client id edgepilot-gw-gw-sess \(persistent session\)\)/);

    const flagged = await run(['--gateway-id', 'gw-sess', '--mqtt-client-id', 'site-7.edge_2', '--mqtt-clean-session']);
    assert.deepEqual(connects, [{ clientId: 'site-7.edge_2', clean: true }]);
    assert.equal(flagged.mqttClientId, 'site-7.edge_2');
    assert.equal(flagged.mqttCleanSession, true);
    assert.equal(process.exitCode ?? 0, 0, err.join(''));
  } finally {
    process.exitCode = saved;
    await broker.stop();
  }
});

test('edgepilot edge --help names the session flags and what the persistent session does', async () => {
  const program = new Command().exitOverride();
  register(program);
  let help = '';
  program.configureOutput({ writeOut: (s) => (help += s) });
  program.commands.find((c) => c.name() === 'edge')!.configureOutput({ writeOut: (s) => (help += s) });
  await assert.rejects(program.parseAsync(['edge', '--help'], { from: 'user' }));
  assert.match(help, /--mqtt-client-id <id>/);
  assert.match(help, /--mqtt-clean-session/);
  assert.match(help, /persistent session \(client id edgepilot-gw-<gateway id>\)/);
  assert.match(help, /max_queued_messages, 1000 per client by default/);
});
