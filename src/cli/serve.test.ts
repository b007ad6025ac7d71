import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { startEmbeddedBroker } from '../runtime/devices/broker.ts';
import { DeviceFleet, constantRate } from '../runtime/devices/fleet.ts';
import { publishSchedule } from '../runtime/devices/publisher.ts';
import { ingestTopic } from '../runtime/devices/topics.ts';
import { encodeMessage } from '../runtime/devices/schemas.ts';
import { connect, connectAsync } from 'mqtt';
import { cliErrorInProcess, runCli } from './test-run-cli.ts';
import { UsageError } from './output.ts';
import { signBody } from '../runtime/spark/agent-channel.ts';

const TLS_A_CERT = 'test/fixtures/tls/agent-a.crt';
const TLS_A_KEY = 'test/fixtures/tls/agent-a.key';
const TLS_B_KEY = 'test/fixtures/tls/agent-b.key';

/** A port free right now on 127.0.0.1 (--agent-port takes 1-65535, not 0). */
function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test('edgepilot serve --help lists the targets and the external endpoints', async () => {
  const r = await runCli(['serve', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--target <t>', '--mqtt-url', '--mqtt-client-id <id>', '--mqtt-clean-session', '--kafka-brokers', '--redis-url', '--s3-endpoint', '--policy', '--port', '--token', '--namespace', '--app', '--dry-run']) {
    assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
  }
  assert.match(r.stdout, /local \| spark-k8s/);
  assert.match(r.stdout, /persistent session \(client id edgepilot-serve-<scenario>\)/);
});

test('edgepilot serve: usage errors exit 2 with a message', async () => {
  const noIngest = await runCli(['serve', '--target', 'local']);
  assert.equal(noIngest.code, 2);
  assert.match(noIngest.stderr, /needs an ingest: --mqtt-url and\/or --kafka-brokers/);
  const noApp = await runCli(['serve', '--target', 'spark-k8s', '--namespace', 'ns']);
  assert.equal(noApp.code, 2);
  assert.match(noApp.stderr, /needs --namespace and --app/);
  const badPolicy = await runCli(['serve', '--mqtt-url', 'mqtt://127.0.0.1:1', '--policy', 'oracle']);
  assert.equal(badPolicy.code, 2);
  assert.match(badPolicy.stderr, /--policy must be one of/);
});

test('edgepilot serve --target local against an external MQTT broker: ingests, decides, serves the dashboard', { timeout: 60_000 }, async () => {
  const connects: Array<{ clientId: string; clean: boolean }> = [];
  const broker = await startEmbeddedBroker({ aedesOptions: { preConnect: (_c, packet, done) => (connects.push({ clientId: packet.clientId, clean: packet.clean === true }), done(null, true)) } });
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-'));
  let published: Promise<number> | null = null;
  let state: Promise<{ info: { mode: string } }> | null = null;
  // --publish-control: what an external dashboard or actuator subscribed to the control topics gets.
  const control = new Map<string, Buffer[]>();
  const watcher = await connectAsync(broker.url);
  watcher.on('message', (topic, payload) => control.set(topic, [...(control.get(topic) ?? []), payload]));
  await watcher.subscribeAsync('edgepilot/control/#');
  try {
    const run = await runCli(
      ['serve', '--mqtt-url', broker.url, '--scenario', 'industrial', '--duration', '6', '--port', '0', '--control-interval', '1', '--out', dir, '--json', '--publish-control'],
      {
        onStdout: (out) => {
          const url = /dashboard: (http:\/\/\S+)/.exec(out)?.[1];
          if (url && published === null) {
            // What a gateway would forward: device messages on the ingest topic.
            const fleet = new DeviceFleet({ scenario: 'industrial', devices: 5, seed: 2, rate: constantRate(100), durationS: 2 });
            const forward = { peekDueS: () => fleet.peekDueS(), next: () => { const m = fleet.next(); return m && { ...m, topic: ingestTopic('industrial') }; } };
            published = publishSchedule(forward, { mqttUrl: broker.url }).then((s) => s.acked);
            state = fetch(`${url}api/state`).then((r) => r.json() as Promise<{ info: { mode: string } }>);
          }
        },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(published !== null, `serve printed its dashboard URL: ${run.stdout}`);
    const acked = await published!;
    assert.ok(acked > 0);
    assert.equal((await state!).info.mode, 'normal');
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { command: string; decisions: number; target: string };
    assert.equal(summary.command, 'serve');
    assert.equal(summary.target, 'local');
    assert.ok(summary.decisions >= 2, `decisions ${summary.decisions}`);
    assert.match(run.stderr, new RegExp(`engine stopped: ingested ${acked}, processed ${acked}, dropped 0`));
    const log = readFileSync(join(dir, 'decisions.jsonl'), 'utf8').trim().split('\n');
    assert.equal(log.length, summary.decisions);
    // The engine's ingest client: a stable client id and a persistent session, so a restart loses no ingest.
    assert.deepEqual(connects.filter((c) => c.clientId.startsWith('edgepilot-serve')), [{ clientId: 'edgepilot-serve-industrial', clean: false }]);
    assert.match(run.stderr, /serve: engine ingest edgepilot\/ingest\/industrial on mqtt:\/\/\S+ as client id edgepilot-serve-industrial \(persistent session\)/);
    // Every decision of the log went out on the actions topic, and a snapshot with each (the broker may still be
    // forwarding the last ones to the watcher when serve exits: wait for them, up to 5 s).
    for (let waitedMs = 0; (control.get('edgepilot/control/actions')?.length ?? 0) < log.length && waitedMs < 5000; waitedMs += 50) await new Promise((r) => setTimeout(r, 50));
    const actions = (control.get('edgepilot/control/actions') ?? []).map((b) => JSON.parse(b.toString('utf8')) as { step: number; applied: { executors: number } });
    assert.deepEqual(actions.map((a) => a.step), log.map((line) => (JSON.parse(line) as { step: number }).step));
    assert.ok(actions.every((a) => Number.isInteger(a.applied.executors)));
    assert.ok((control.get('edgepilot/control/snapshots') ?? []).length >= actions.length, `${control.get('edgepilot/control/snapshots')?.length} snapshots`);
  } finally {
    await watcher.endAsync();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot serve --target spark-k8s --dry-run loads the Spark target at run time and decides', { timeout: 60_000 }, async () => {
  const agentPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-k8s-'));
  try {
    // With a world of its own (--config): said on stderr, and the run goes on as usual.
    const config = join(dir, 'world.json');
    writeFileSync(config, JSON.stringify({ pricing: { vcpuUsdPerHour: 0.05 } }));
    const run = await runCli(['serve', '--target', 'spark-k8s', '--namespace', 'ns', '--app', 'iot', '--dry-run', '--agent-port', String(agentPort), '--agent-host', '127.0.0.1', '--duration', '3', '--control-interval', '1', '--port', '0', '--out', dir, '--config', config, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /config .*world\.json \(sets pricing\.vcpuUsdPerHour\)/);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { target: string; decisions: number };
    assert.equal(summary.target, 'spark-k8s');
    assert.ok(summary.decisions >= 1, `decisions ${summary.decisions}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot serve --target spark-k8s --agent-tls-cert/--agent-tls-key serves the agent channel over HTTPS', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-k8s-tls-'));
  try {
    const run = await runCli(['serve', '--target', 'spark-k8s', '--namespace', 'ns', '--app', 'iot', '--dry-run', '--agent-port', String(await freePort()), '--agent-host', '127.0.0.1', '--agent-tls-cert', TLS_A_CERT, '--agent-tls-key', TLS_A_KEY, '--duration', '2', '--control-interval', '1', '--port', '0', '--out', dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /spark-k8s: agent endpoint https:\/\/127\.0\.0\.1:\d+ /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot serve --target spark-k8s --agent-mqtt-url reads the driver agent\'s signed progress from the broker', { timeout: 60_000 }, async () => {
  const broker = await startEmbeddedBroker();
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-k8s-mqtt-'));
  const token = 'serve-agent-mqtt-token-0123';
  const pub = await connectAsync(broker.url, { protocolVersion: 4 });
  // What the Python agent's MqttProgressPublisher sends: a signed envelope of a query progress event, five a second.
  let batchId = 0;
  const sending = setInterval(() => {
    const body = JSON.stringify({ event: 'progress', progress: { id: 'q', runId: 'r', batchId: batchId++, timestamp: new Date().toISOString(), numInputRows: 600, inputRowsPerSecond: 3000, processedRowsPerSecond: 3000, durationMs: { triggerExecution: 200 } } });
    const ts = String(Date.now());
    pub.publish('edgepilot/spark/iot/progress', JSON.stringify({ ts, sig: signBody(token, ts, body), body }));
  }, 200);
  try {
    const run = await runCli(['serve', '--target', 'spark-k8s', '--namespace', 'ns', '--app', 'iot', '--dry-run', '--agent-port', String(await freePort()), '--agent-host', '127.0.0.1', '--agent-token', token, '--agent-mqtt-url', broker.url, '--duration', '3', '--control-interval', '1', '--port', '0', '--out', dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /spark-k8s: agent progress also from MQTT mqtt:\/\/127\.0\.0\.1:\d+ topic edgepilot\/spark\/iot\/progress/);
    const rows = readFileSync(join(dir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { snapshot: { arrivalRateMsgsPerS: number } });
    assert.ok(rows.length >= 2, `${rows.length} decisions`);
    // Every decision after the first full interval saw the rate the agent published (there is no other source).
    assert.equal(rows.at(-1)!.snapshot.arrivalRateMsgsPerS, 3000);
  } finally {
    clearInterval(sending);
    await pub.endAsync();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // A broker that is not there: the usual one-line error, exit 1, and the password never printed.
  const down = await runCli(['serve', '--target', 'spark-k8s', '--namespace', 'ns', '--app', 'iot', '--dry-run', '--agent-port', String(await freePort()), '--agent-host', '127.0.0.1', '--agent-mqtt-url', 'mqtt://agent:s3cret@127.0.0.1:1', '--duration', '1', '--port', '0']);
  assert.equal(down.code, 1, down.stderr);
  assert.match(down.stderr, /agent progress over MQTT: cannot reach mqtt:\/\/agent:\*\*\*@127\.0\.0\.1:1/);
  assert.doesNotMatch(down.stderr + down.stdout, /s3cret|\n\s+at /);
});

test('edgepilot serve: flags of the other target, weak tokens and timers beyond the longest are refused before anything starts', async () => {
  const { register } = await import('./serve.ts');
  const saved = process.env.EDGEPILOT_AGENT_TOKEN;
  delete process.env.EDGEPILOT_AGENT_TOKEN;
  const k8s = ['--target', 'spark-k8s', '--namespace', 'ns', '--app', 'app'];
  const local = ['--mqtt-url', 'mqtt://127.0.0.1:1'];
  const cases: Array<[string[], RegExp]> = [
    [[...local, '--dry-run'], /^--dry-run applies to --target spark-k8s only, and the target is local$/],
    [[...local, '--namespace', 'ns'], /^--namespace applies to --target spark-k8s only/],
    [[...k8s, '--dry-run', '--rate-scale', '3'], /^--rate-scale applies to --target local only, and the target is spark-k8s$/],
    [[...k8s, '--dry-run', '--redis-url', 'redis://r:6379'], /^--redis-url applies to --target local only/],
    [k8s, /^--target spark-k8s needs the driver agent's shared secret: --agent-token or \$EDGEPILOT_AGENT_TOKEN/],
    [[...k8s, '--agent-token', 'short'], /^--agent-token must be at least 16 characters, got 5$/],
    [[...k8s, '--dry-run', '--kubeconfig', '/no/such/kubeconfig'], /^--kubeconfig: file not found/],
    [[...local, '--token', 'short'], /^--token must be at least 8 characters/],
    [[...local, '--control-interval', '1e12'], /^--control-interval must be <= 2147483 seconds/],
    [[...local, '--kafka-brokers', 'nohost'], /^--kafka-brokers: /],
    [[...local, '--policy', 'threshold-forecst'], /\(did you mean 'threshold-forecast'\?\)/],
    // The session flags are the local engine's MQTT ingest client's: not for spark-k8s, not without --mqtt-url.
    [[...k8s, '--dry-run', '--mqtt-client-id', 'serve-a'], /^--mqtt-client-id applies to --target local only, and the target is spark-k8s$/],
    [[...k8s, '--dry-run', '--mqtt-clean-session'], /^--mqtt-clean-session applies to --target local only, and the target is spark-k8s$/],
    [['--kafka-brokers', 'kafka:9092', '--mqtt-client-id', 'serve-a'], /^--mqtt-client-id applies to the engine's MQTT ingest client, and without --mqtt-url there is none$/],
    [['--kafka-brokers', 'kafka:9092', '--mqtt-clean-session'], /^--mqtt-clean-session applies to the engine's MQTT ingest client/],
    [['--kafka-brokers', 'kafka:9092', '--publish-control'], /^--publish-control publishes on the MQTT broker of --mqtt-url, and there is none$/],
    [[...k8s, '--dry-run', '--publish-control'], /^--publish-control applies to --target local only, and the target is spark-k8s$/],
    [[...local, '--mqtt-client-id', 'serve/a'], /^--mqtt-client-id must match .*, got "serve\/a"$/],
    [[...local, '--mqtt-client-id', ''], /^--mqtt-client-id must not be empty$/],
    // The agent channel's TLS: both files or neither, each must exist and load, and they must belong together.
    [[...local, '--agent-tls-cert', TLS_A_CERT, '--agent-tls-key', TLS_A_KEY], /^--agent-tls-cert applies to --target spark-k8s only, and the target is local$/],
    [[...k8s, '--dry-run', '--agent-tls-cert', TLS_A_CERT], /^--agent-tls-cert needs --agent-tls-key \(its private key\)$/],
    [[...local, '--agent-mqtt-url', 'mqtt://127.0.0.1:1883'], /^--agent-mqtt-url applies to --target spark-k8s only, and the target is local$/],
    [[...k8s, '--dry-run', '--agent-mqtt-topic', 't'], /^--agent-mqtt-topic needs --agent-mqtt-url/],
    [[...k8s, '--dry-run', '--agent-mqtt-url', 'broker:1883'], /^--agent-mqtt-url must be mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\/ with a host, got 'broker:1883'$/],
    [[...k8s, '--dry-run', '--agent-mqtt-url', 'http://broker:1883'], /^--agent-mqtt-url must be mqtt:\/\//],
    [[...k8s, '--dry-run', '--agent-mqtt-url', 'not a url'], /^--agent-mqtt-url is not a URL: 'not a url'/],
    [[...k8s, '--dry-run', '--agent-mqtt-url', 'mqtt://b:1883', '--agent-mqtt-topic', 'a/#/b'], /^--agent-mqtt-topic is not an MQTT topic filter: 'a\/#\/b'$/],
    [[...k8s, '--dry-run', '--agent-tls-key', TLS_A_KEY], /^--agent-tls-key needs --agent-tls-cert/],
    [[...k8s, '--dry-run', '--agent-tls-cert', '/no/such.crt', '--agent-tls-key', TLS_A_KEY], /^--agent-tls-cert: file not found: \/no\/such\.crt$/],
    [[...k8s, '--dry-run', '--agent-tls-cert', TLS_A_KEY, '--agent-tls-key', TLS_A_KEY], /^--agent-tls-cert \/ --agent-tls-key: agent TLS certificate .*agent-a\.key: no PEM CERTIFICATE block in it$/],
    [[...k8s, '--dry-run', '--agent-tls-cert', TLS_A_CERT, '--agent-tls-key', TLS_A_CERT], /^--agent-tls-cert \/ --agent-tls-key: agent TLS key .*agent-a\.crt: no PEM PRIVATE KEY block in it$/],
    [[...k8s, '--dry-run', '--agent-tls-cert', TLS_A_CERT, '--agent-tls-key', TLS_B_KEY], /^--agent-tls-cert \/ --agent-tls-key: .*key values mismatch/],
  ];
  try {
    for (const [args, re] of cases) {
      const err = await cliErrorInProcess(register, ['serve', '--port', '0', '--duration', '1', ...args]);
      assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
      assert.match(err.message, re);
    }
  } finally {
    if (saved !== undefined) process.env.EDGEPILOT_AGENT_TOKEN = saved;
  }
});

test('edgepilot serve: an unreachable broker exits 1 with one line, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-down-'));
  try {
    const r = await runCli(['serve', '--mqtt-url', 'mqtt://127.0.0.1:1', '--port', '0', '--duration', '1', '--out', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^edgepilot: cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:1/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot serve: a restarted serve gets the ingest published while it was away (persistent session); --mqtt-clean-session drops it; --mqtt-client-id names the session', { timeout: 120_000 }, async () => {
  const connects: Array<{ clientId: string; clean: boolean }> = [];
  const broker = await startEmbeddedBroker({ aedesOptions: { preConnect: (_c, packet, done) => (connects.push({ clientId: packet.clientId, clean: packet.clean === true }), done(null, true)) } });
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-serve-session-'));
  const serve = async (extra: string[]) => {
    const r = await runCli(['serve', '--mqtt-url', broker.url, '--scenario', 'industrial', '--duration', '1', '--port', '0', '--control-interval', '1', '--out', dir, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const ingested = /engine stopped: ingested (\d+), processed (\d+)/.exec(r.stderr);
    assert.ok(ingested, r.stderr);
    return { ingested: Number(ingested[1]), processed: Number(ingested[2]), stderr: r.stderr };
  };
  /** What a gateway forwards while serve is away: device messages on the ingest topic, QoS 1, each acknowledged. */
  const publishIngest = async (n: number, idPrefix: string) => {
    const fleet = new DeviceFleet({ scenario: 'industrial', devices: 4, seed: 5, rate: constantRate(1000), durationS: 60, idPrefix });
    const pub = connect(broker.url, { protocolVersion: 4 });
    await new Promise<void>((r) => pub.once('connect', () => r()));
    for (let i = 0; i < n; i++) await pub.publishAsync(ingestTopic('industrial'), encodeMessage({ ...fleet.next()!.message, sentAtMs: Date.now() }), { qos: 1 });
    await pub.endAsync();
  };
  // The engine ingest clients (not the forecast subscriber, the protocol probe or the publisher above).
  const ids = () => connects.filter((c) => c.clientId === 'edgepilot-serve-industrial' || c.clientId.startsWith('serve-own-'));
  try {
    const first = await serve([]);
    assert.equal(first.ingested, 0);
    await publishIngest(30, 'away-');
    const second = await serve([]);
    assert.equal(second.ingested, 30, 'every message the broker queued for the session while serve was away');
    assert.equal(second.processed, 30);
    await publishIngest(20, 'gone-');
    // A clean session discards what the broker queued: the opt-out really opts out.
    const clean = await serve(['--mqtt-clean-session']);
    assert.equal(clean.ingested, 0);
    assert.match(clean.stderr, /as client id edgepilot-serve-industrial \(clean session: nothing is kept while serve is away\)/);
    const own = `serve-own-${process.pid}`;
    const named = await serve(['--mqtt-client-id', own]);
    assert.match(named.stderr, new RegExp(`as client id ${own} \\(persistent session\\)`));
    assert.deepEqual(ids(), [
      { clientId: 'edgepilot-serve-industrial', clean: false },
      { clientId: 'edgepilot-serve-industrial', clean: false },
      { clientId: 'edgepilot-serve-industrial', clean: true },
      { clientId: own, clean: false },
    ]);
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
