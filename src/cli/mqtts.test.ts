/**
 * `--mqtt-url mqtts://...`: the CLI's MQTT clients speak TLS to a broker (port 8883 in production). A broker with a
 * private CA is trusted through Node's NODE_EXTRA_CA_CERTS (docs/MESSAGES.md "TLS to the broker"); without it the
 * connection is refused with the reason. The broker here: aedes behind a TLS server on 127.0.0.1, with the
 * test-only certificate of test/fixtures/tls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { runCli } from './test-run-cli.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/tls/${name}`, import.meta.url));

test('devices publish over mqtts:// to a broker whose CA is given by NODE_EXTRA_CA_CERTS, and are refused without it', { timeout: 60_000 }, async () => {
  const aedes = await Aedes.createBroker();
  let fromClients = 0;
  aedes.on('publish', (_packet, client) => {
    if (client) fromClients++;
  });
  const server = createServer({ cert: readFileSync(fixture('agent-a.crt')), key: readFileSync(fixture('agent-a.key')) }, (socket) => aedes.handle(socket as never));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const ok = await runCli(['devices', '--mqtt-url', url, '--duration', '2', '--json'], { env: { NODE_EXTRA_CA_CERTS: fixture('agent-a.crt') } });
    assert.equal(ok.code, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout.trim().split('\n').pop()!) as { published: number; acked: number };
    assert.ok(summary.published > 0, 'messages were published');
    assert.equal(summary.acked, summary.published, 'every QoS 1 message acknowledged over TLS');
    assert.equal(fromClients, summary.published, 'the TLS broker received them all');

    const refused = await runCli(['devices', '--mqtt-url', url, '--duration', '1'], { env: { NODE_EXTRA_CA_CERTS: fixture('agent-b.crt') } });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^edgepilot devices: cannot reach the MQTT broker at mqtts:\/\/127\.0\.0\.1:\d+: self-signed certificate/);
  } finally {
    server.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
});
