/**
 * Runs the Python driver agent's unittest suite (python/tests, a fake SparkContext, no PySpark) from `npm test`,
 * with a live AgentChannel so the Python HTTP client is tested against this controller's real endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { startEmbeddedBroker } from '../devices/broker.ts';
import { AgentChannel, signBody } from './agent-channel.ts';
import { MqttAgentEvents } from './mqtt-progress.ts';

const TOKEN = 'python-agent-test-token-0123';
const tlsFixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url));
const TLS_A_CERT = tlsFixture('agent-a.crt');
const TLS_A_KEY = tlsFixture('agent-a.key');
const TLS_B_CERT = tlsFixture('agent-b.crt');
const hasPython = spawnSync('python3', ['--version']).status === 0;

test('python3 -m unittest (driver agent) passes, including the round trip against AgentChannel', { skip: hasPython ? false : 'python3 is not installed: the driver agent tests need it' }, async () => {
  const ch = await AgentChannel.start({ token: TOKEN });
  const tlsCh = await AgentChannel.start({ token: TOKEN, tls: { cert: readFileSync(TLS_A_CERT, 'utf8'), key: readFileSync(TLS_A_KEY, 'utf8') } });
  const broker = await startEmbeddedBroker();
  const mqttEvents = await MqttAgentEvents.start({ mqttUrl: broker.url, topic: 'edgepilot/spark/+/progress', token: TOKEN });
  // A broker behind TLS (as src/cli/mqtts.test.ts), asking for a username and password: what the publisher sends there.
  const tlsBroker = await Aedes.createBroker({ authenticate: (_client, username, password, done) => done(null, username === 'agent' && String(password) === 'broker-password') });
  const overTls: Array<{ topic: string; payload: string }> = [];
  tlsBroker.on('publish', (packet, client) => {
    if (client) overTls.push({ topic: packet.topic, payload: packet.payload.toString() });
  });
  const tlsServer = createServer({ cert: readFileSync(TLS_A_CERT), key: readFileSync(TLS_A_KEY) }, (socket) => tlsBroker.handle(socket as never));
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', () => resolve()));
  try {
    ch.publishDecision(6, 'test');
    tlsCh.publishDecision(3, 'test over tls');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.', '-v'], {
        cwd: 'python',
        env: { ...process.env, EDGEPILOT_AGENT_TEST_URL: ch.url, EDGEPILOT_AGENT_TEST_TOKEN: TOKEN, EDGEPILOT_AGENT_TEST_MQTT: `${broker.host}:${broker.port}`, EDGEPILOT_AGENT_TEST_MQTTS: `127.0.0.1:${(tlsServer.address() as AddressInfo).port}`, EDGEPILOT_AGENT_TEST_TLS_URL: tlsCh.url, EDGEPILOT_AGENT_TEST_TLS_CA: TLS_A_CERT, EDGEPILOT_AGENT_TEST_TLS_OTHER_CA: TLS_B_CERT, PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (out += String(d)));
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /skipped 'EDGEPILOT_AGENT_TEST_URL/, 'the live round trip must run here');
    assert.match(r.out, /test_round_trip .* ok/);
    assert.match(r.out, /test_publish_to_the_controllers_broker .* ok/);
    assert.match(r.out, /test_publish_to_a_broker_over_tls .* ok/);
    // Over TLS, logged in: one signed progress message on the agent's topic (the broker may read it after the exit).
    for (let i = 0; i < 100 && overTls.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(overTls.length, 1);
    assert.equal(overTls[0]!.topic, 'edgepilot/spark/orders-stream/progress');
    const signed = JSON.parse(overTls[0]!.payload) as { ts: string; sig: string; body: string };
    assert.equal(signed.sig, signBody(TOKEN, signed.ts, signed.body));
    assert.equal((JSON.parse(signed.body) as { progress: { batchId: number } }).progress.batchId, 43);
    assert.match(r.out, /test_round_trip_over_tls .* ok/);
    assert.match(r.out, /test_an_untrusted_certificate_is_a_controller_error_naming_tls .* ok/);
    // Over TLS: the progress event and the ack arrived; the untrusted attempts never reached the channel.
    assert.deepEqual(tlsCh.drainEvents().map((e) => e.kind), ['progress']);
    assert.equal(tlsCh.lastAck?.executors, 3);
    assert.equal(tlsCh.rejectedRequests, 0);
    // What the Python agent sent arrived here.
    const kinds = ch.drainEvents().map((e) => e.kind);
    assert.deepEqual(kinds, ['progress', 'idle']);
    assert.equal(ch.lastAck?.executors, 6);
    assert.equal(ch.lastAck?.ok, true);
    assert.ok(ch.rejectedRequests >= 2, 'the wrong-token requests were refused');
    // The MQTT path: the Python publisher's signed QoS 0 message reached the controller's subscriber.
    let got = mqttEvents.drainEvents();
    for (let i = 0; i < 100 && got.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 20));
      got = mqttEvents.drainEvents();
    }
    assert.equal(got.length, 1);
    assert.equal(got[0]!.kind, 'progress');
    assert.equal(got[0]!.body.batchId, 42);
  } finally {
    tlsServer.close();
    await new Promise<void>((resolve) => tlsBroker.close(() => resolve()));
    await mqttEvents.close();
    await broker.stop();
    await ch.close();
    await tlsCh.close();
  }
});
